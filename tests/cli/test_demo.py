"""``channel-manager demo`` as a new user runs it: a subprocess, a fresh data directory, the embedded SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")


def test_a_bounded_demo_ships_and_cancels_orders_and_says_where_the_database_is(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(CHANNEL_MANAGER_DATA_DIR=str(data), CHANNEL_MANAGER_CONFIG=str(data / "config.toml"), COLUMNS="250")

    def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXECUTABLE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
        )

    demo = cli("demo", "--duration", "20", "--orders", "8", timeout=240)
    assert demo.returncode == 0, demo.stderr + demo.stdout
    database = data / "channel-manager.sqlite3"
    assert database.exists()
    assert f"Database: sqlite+pysqlite:///{database}" in demo.stdout
    assert "channel-manager orders list --store 'Demo store'" in demo.stdout
    assert "Walmart changes applied twice: 0" in demo.stdout

    shipped = cli("orders", "list", "--store", "Demo store", "--status", "Shipped")
    assert shipped.returncode == 0, shipped.stderr
    assert "Shipped: 0" not in shipped.stdout
    canceled = cli("orders", "list", "--store", "Demo store", "--status", "Canceled")
    assert canceled.returncode == 0, canceled.stderr
    assert "Canceled: 0" not in canceled.stdout

    # A second run replaces the previous Demo store and leaves no other store behind.
    again = cli("demo", "--duration", "3", "--orders", "1", timeout=240)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "replaced the previous run's Demo store" in again.stdout
    stores = cli("stores", "list")
    assert stores.stdout.count("Demo store") == 1


def test_the_demo_refuses_a_database_that_serves_other_stores(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(CHANNEL_MANAGER_DATA_DIR=str(data), CHANNEL_MANAGER_CONFIG=str(data / "config.toml"))
    init = subprocess.run([EXECUTABLE, "init"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert init.returncode == 0, init.stderr
    add = subprocess.run(
        [EXECUTABLE, "stores", "add", "--name", "US store", "--walmart-client-id", "c", "--walmart-client-secret",
         "s", "--commerce-url", "https://shop.example.com", "--commerce-token", "t", "--no-verify"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    demo = subprocess.run(
        [EXECUTABLE, "demo", "--duration", "2"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert demo.returncode == 1
    assert "'US store'" in demo.stderr and "--data-dir" in demo.stderr
