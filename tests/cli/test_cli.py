"""The CLI as a new user drives it: a real subprocess, a fresh data directory, both databases."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")
SECRET = "wm-secret-value-7f3a"
TOKEN = "commerce-token-value-91bc"


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXECUTABLE, *args], env=self.env, input=input, capture_output=True, text=True, timeout=60, check=False
        )


def make_cli(tmp_path: Path, database_url: str | None = None) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(
        CHANNEL_MANAGER_DATA_DIR=str(tmp_path / "data"),
        CHANNEL_MANAGER_CONFIG=str(tmp_path / "data" / "config.toml"),
        COLUMNS="200",
    )
    if database_url:
        env["CHANNEL_MANAGER_DATABASE_URL"] = database_url
    return Cli(env)


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    return make_cli(tmp_path, database_url)


def add_store(cli: Cli, name: str = "US store", *extra: str) -> subprocess.CompletedProcess[str]:
    return cli(
        "stores", "add", "--name", name, "--walmart-client-id", "client-1", "--walmart-client-secret", SECRET,
        "--walmart-url", "https://marketplace.walmartapis.com", "--commerce-url", "https://shop.example.com",
        "--commerce-token", TOKEN, "--no-verify", *extra,
    )  # fmt: skip


def test_version_and_help_on_every_command(tmp_path: Path) -> None:
    cli = make_cli(tmp_path)
    version = cli("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("channel-manager ")
    for command in (
        [], ["init"], ["stores"], ["stores", "add"], ["stores", "list"], ["stores", "show"], ["stores", "set"],
        ["stores", "remove"], ["orders"], ["orders", "list"], ["orders", "show"], ["orders", "ship"],
        ["orders", "cancel"], ["orders", "retry"], ["orders", "resync"], ["jobs", "list"], ["jobs", "retry"],
        ["run"], ["sandbox"], ["sandbox", "walmart"], ["sandbox", "commerce"], ["stores", "subscribe"],
    ):  # fmt: skip
        result = cli(*command, "--help")
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage" in result.stdout


def test_commands_before_init_say_what_to_do(cli: Cli) -> None:
    result = cli("stores", "list")
    assert result.returncode == 1
    assert "channel-manager init" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_creates_database_key_and_config(cli: Cli, tmp_path: Path) -> None:
    first = cli("init")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (tmp_path / "data" / "config.toml").exists()
    assert "written" in first.stdout
    again = cli("init")
    assert again.returncode == 0, again.stderr
    assert "already current" in again.stdout
    assert "kept as it was" in again.stdout


def test_store_add_list_show_set_remove(cli: Cli) -> None:
    assert cli("init").returncode == 0
    added = add_store(cli)
    assert added.returncode == 0, added.stderr
    assert "connected" in added.stdout

    listed = cli("stores", "list")
    assert listed.returncode == 0
    assert "US store" in listed.stdout and "client-1" in listed.stdout

    shown = cli("stores", "show", "US store")
    assert shown.returncode == 0
    assert "stored encrypted" in shown.stdout
    assert "order_creation_path" in shown.stdout

    changed = cli("stores", "set", "US store", "--set", "order_creation_path=cart", "--carrier", "dhlexpress=DHL")
    assert changed.returncode == 0, changed.stderr
    shown = cli("stores", "show", "US store")
    assert "cart" in shown.stdout and "dhlexpress" in shown.stdout

    for result in (added, listed, shown, changed):
        assert SECRET not in result.stdout + result.stderr
        assert TOKEN not in result.stdout + result.stderr

    removed = cli("stores", "remove", "US store")
    assert removed.returncode == 0, removed.stderr
    assert "No stores yet" in cli("stores", "list").stdout


def test_bad_store_input_gives_one_clear_line(cli: Cli) -> None:
    assert cli("init").returncode == 0
    assert add_store(cli).returncode == 0

    duplicate = add_store(cli)
    assert duplicate.returncode == 1
    assert "already exists" in duplicate.stderr
    assert len(duplicate.stderr.strip().splitlines()) == 1

    bad_url = add_store(cli, "Other", "--commerce-url", "shop.example.com")
    assert bad_url.returncode == 1
    assert "Commerce URL" in bad_url.stderr and "not a web address" in bad_url.stderr

    bad_setting = add_store(cli, "Other", "--set", "order_poll_seconds=-3")
    assert bad_setting.returncode == 1
    assert "order_poll_seconds" in bad_setting.stderr

    bad_carrier = add_store(cli, "Other", "--carrier", "acme=Acme Freight")
    assert bad_carrier.returncode == 1
    assert "not one of Walmart's carriers" in bad_carrier.stderr

    missing = cli("stores", "add", "--name", "Other", "--walmart-client-secret", "x", "--no-verify")
    assert missing.returncode == 2
    assert "Missing option" in missing.stderr

    for result in (duplicate, bad_url, bad_setting, bad_carrier, missing):
        assert "Traceback" not in result.stderr

    unknown = cli("stores", "show", "Nope")
    assert unknown.returncode == 1
    assert "There is no store named 'Nope'" in unknown.stderr


def test_orders_list_and_show_on_an_empty_store(cli: Cli) -> None:
    assert cli("init").returncode == 0
    empty = cli("orders", "list")
    assert empty.returncode == 0
    assert "No orders yet" in empty.stdout
    assert "Open: 0" in empty.stdout

    bad_status = cli("orders", "list", "--status", "Lost")
    assert bad_status.returncode == 2
    assert "unknown status" in bad_status.stderr

    missing = cli("orders", "show", "123")
    assert missing.returncode == 1
    assert "There is no PO 123" in missing.stderr
