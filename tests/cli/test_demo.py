"""``channel-manager demo`` as a new user runs it: a subprocess, a fresh data directory, the embedded SQLite."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from channel_manager.demo.board import ROWS, orders_title
from channel_manager_sandboxes.serving import free_port

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")


def as_typed(env: dict[str, str]) -> str:
    """The command as a user would type it again: its name when the PATH finds it, else the path it ran by."""
    found = shutil.which("channel-manager", path=env.get("PATH"))
    if found and Path(found).resolve() == Path(EXECUTABLE).resolve():
        return "channel-manager"
    path = Path(EXECUTABLE)
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def test_a_bounded_demo_ships_and_cancels_orders_and_says_where_the_database_is(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(CHANNEL_MANAGER_DATA_DIR=str(data), CHANNEL_MANAGER_CONFIG=str(data / "config.toml"), COLUMNS="250")

    def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXECUTABLE, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
        )

    demo = cli("demo", "--duration", "20", "--orders", "8", "--data-dir", str(data), timeout=240)
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
    again = cli("demo", "--duration", "3", "--orders", "1", "--data-dir", str(data), timeout=240)
    assert again.returncode == 0, again.stderr + again.stdout
    assert "replaced the previous run's Demo store" in again.stdout
    stores = cli("stores", "list")
    assert stores.stdout.count("Demo store") == 1


def test_the_demo_refuses_a_data_dir_whose_database_serves_other_stores(tmp_path: Path) -> None:
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
        [EXECUTABLE, "demo", "--duration", "2", "--data-dir", str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert demo.returncode == 1
    assert "'US store'" in demo.stderr and "--data-dir" in demo.stderr


def test_the_demo_runs_in_a_directory_of_its_own_on_the_ports_given_and_leaves_the_users_database_alone(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(CHANNEL_MANAGER_DATA_DIR=str(data), TMPDIR=str(tmp_path / "tmp"), COLUMNS="250")
    (tmp_path / "tmp").mkdir()

    def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([EXECUTABLE, *args], env=env, capture_output=True, text=True, timeout=timeout)

    assert cli("init").returncode == 0
    add = cli(
        "stores", "add", "--name", "US store", "--walmart-client-id", "c", "--walmart-client-secret", "s",
        "--commerce-url", "https://shop.example.com", "--commerce-token", "t", "--no-verify",
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    database = data / "channel-manager.sqlite3"
    before = database.read_bytes()

    walmart_port, commerce_port, api_port = free_port(), free_port(), free_port()
    demo = cli(
        "demo", "--duration", "2", "--orders", "1", "--walmart-port", str(walmart_port), "--commerce-port",
        str(commerce_port), "--api-port", str(api_port), timeout=240,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr + demo.stdout
    assert f"Walmart sandbox http://127.0.0.1:{walmart_port}" in demo.stdout
    assert f"Commerce sandbox http://127.0.0.1:{commerce_port}" in demo.stdout
    assert f"API http://127.0.0.1:{api_port}" in demo.stdout
    # The console's address and a sign-in that works (the user lives in the demo's own database).
    signed = re.search(rf"Console: http://127.0.0.1:{api_port}/console  \(sign in as demo / (\S+)\)", demo.stdout)
    assert signed, demo.stdout
    own = [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("channel-manager-demo-")]
    assert len(own) == 1 and (own[0] / "channel-manager.sqlite3").exists()
    assert f"CHANNEL_MANAGER_DATA_DIR={own[0]} {as_typed(env)} orders list --store 'Demo store'" in demo.stdout

    assert database.read_bytes() == before  # the user's database: not a byte changed
    stores = cli("stores", "list", "--json")
    assert [s["name"] for s in json.loads(stores.stdout)] == ["US store"]
    in_demo = subprocess.run(
        [EXECUTABLE, "stores", "list", "--json"], env={**env, "CHANNEL_MANAGER_DATA_DIR": str(own[0])},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert [s["name"] for s in json.loads(in_demo.stdout)] == ["Demo store"]
    users = subprocess.run(
        [EXECUTABLE, "users", "list"], env={**env, "CHANNEL_MANAGER_DATA_DIR": str(own[0])},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert "demo" in users.stdout and "admin" in users.stdout and signed.group(1) not in users.stdout


def test_a_taken_demo_port_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(CHANNEL_MANAGER_DATA_DIR=str(tmp_path / "data"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = subprocess.run(
            [EXECUTABLE, "demo", "--walmart-port", str(port)], env=env, capture_output=True, text=True, timeout=60
        )
    assert demo.returncode == 1
    assert (
        demo.stderr.strip() == f"error: The Walmart sandbox cannot listen on 127.0.0.1:{port}: Address already in use."
    )
    assert not (tmp_path / "data").exists()


def test_the_board_title_counts_what_it_shows() -> None:
    assert orders_title(9) == "Demo store: all 9 orders"
    assert orders_title(1) == "Demo store: 1 order"
    assert orders_title(ROWS + 6) == f"Demo store: newest {ROWS} of {ROWS + 6} orders"
