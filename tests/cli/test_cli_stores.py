"""Editing a store and its Walmart subscriptions, from the real command against both sandboxes and a real
``channel-manager run`` that receives Walmart's test notification."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _cli import EXECUTABLE, Cli, make_cli

from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.serving import BackgroundServer, free_port
from channel_manager_sandboxes.walmart import WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app

WALMART_SECRET = "sandbox-client-secret"
COMMERCE_TOKEN = "sandbox-commerce-token"


@pytest.fixture
def sandboxes() -> Iterator[tuple[str, str, Any]]:
    walmart_app = create_walmart_app(WalmartSandboxSettings(rate_limits=False))
    commerce_app = create_commerce_app(SandboxSettings())
    with BackgroundServer(walmart_app) as walmart, BackgroundServer(commerce_app) as commerce:
        yield walmart.url, commerce.url, walmart_app.state.sandbox


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    cli = make_cli(tmp_path / "data", database_url, COLUMNS="200")
    assert cli("init").returncode == 0
    return cli


def add(cli: Cli, walmart_url: str, commerce_url: str, name: str = "US store", *extra: str) -> Any:
    return cli(
        "stores", "add", "--name", name, "--walmart-url", walmart_url, "--walmart-client-id", "sandbox-client-id",
        "--walmart-client-secret", WALMART_SECRET, "--commerce-url", commerce_url, "--commerce-token", COMMERCE_TOKEN,
        *extra,
    )  # fmt: skip


def one_error_line(result: Any) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return str(lines[0])


def test_stores_set_changes_credentials_checked_live_and_names_the_side_that_refused(
    cli: Cli, sandboxes: tuple[str, str, Any]
) -> None:
    walmart_url, commerce_url, _ = sandboxes
    assert add(cli, walmart_url, commerce_url).returncode == 0

    wrong = cli("stores", "set", "US store", "--walmart-client-secret", "-", input="not-the-secret\n")
    assert "Walmart did not accept" in one_error_line(wrong) and "Nothing was saved" in wrong.stderr
    assert "not-the-secret" not in wrong.stdout + wrong.stderr  # hidden input, never echoed

    right = cli("stores", "set", "US store", "--walmart-client-secret", "-", input=f"{WALMART_SECRET}\n")
    assert right.returncode == 0, right.stderr
    assert "updated: Walmart connection" in right.stdout
    assert WALMART_SECRET not in right.stdout

    token = cli("stores", "set", "US store", "--commerce-token", "-", input="wrong-token\n")
    assert "Commerce did not accept" in one_error_line(token)
    dead = free_port()
    url = cli("stores", "set", "US store", "--commerce-url", f"http://127.0.0.1:{dead}")
    assert "Commerce did not accept" in one_error_line(url)
    assert commerce_url in cli("stores", "show", "US store").stdout  # nothing was saved

    new_id = cli("stores", "set", "US store", "--walmart-client-id", "someone-else", input="whatever\n")
    assert "Walmart did not accept" in one_error_line(new_id)  # a new client id asks for its secret
    renamed = cli("stores", "set", "US store", "--name", "Main store", "--set", "order_creation_path=cart")
    assert renamed.returncode == 0, renamed.stderr
    shown = cli("stores", "show", "Main store").stdout
    assert "sandbox-client-id" in shown and "cart" in shown

    nothing = cli("stores", "set", "Main store")
    assert "Nothing to change" in one_error_line(nothing)


def test_one_walmart_account_feeds_one_store_unless_asked(cli: Cli, sandboxes: tuple[str, str, Any]) -> None:
    walmart_url, commerce_url, _ = sandboxes
    assert add(cli, walmart_url, commerce_url).returncode == 0
    again = add(cli, walmart_url, commerce_url, "Second")
    line = one_error_line(again)
    assert "'sandbox-client-id'" in line and "'US store'" in line and "--allow-shared-walmart-account" in line
    shared = add(cli, walmart_url, commerce_url, "Second", "--allow-shared-walmart-account")
    assert shared.returncode == 0, shared.stderr


def _subscriptions(walmart: Any) -> list[tuple[str, str]]:
    listed = walmart.list_subscriptions(walmart.seller("seller-1"))["events"]
    return sorted((s["eventType"], s["eventUrl"]) for s in listed)


def test_subscribe_checks_the_url_and_keeps_the_old_subscriptions_until_the_new_ones_work(
    cli: Cli, sandboxes: tuple[str, str, Any]
) -> None:
    walmart_url, commerce_url, walmart = sandboxes
    assert add(cli, walmart_url, commerce_url).returncode == 0

    for bad in ("notaurl", "ftp://cm.shop.com", "https://cm.example.com", "https://<your host>"):
        refused = cli("stores", "subscribe", "US store", "--public-url", bad)
        assert "--public-url" in one_error_line(refused), bad
    assert _subscriptions(walmart) == []

    port, webhook_port = free_port(), free_port()
    service = subprocess.Popen(
        [EXECUTABLE, "run", "--port", str(port), "--webhook-port", str(webhook_port), "--no-pollers"], env=cli.env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "run never answered /health"
            time.sleep(0.2)
        good = f"http://127.0.0.1:{webhook_port}"  # the webhook listener is what Walmart reaches
        first = cli("stores", "subscribe", "US store", "--public-url", good)
        assert first.returncode == 0, first.stderr
        assert "test notification delivered" in first.stdout
        assert "one was generated and stored encrypted" in first.stdout  # the store had no webhook secret
        listed = walmart.list_subscriptions(walmart.seller("seller-1"))["events"]
        assert {s["authDetails"]["authMethod"] for s in listed} == {"HMAC"}
        expected = [
            (e, f"{good}/webhooks/walmart/1") for e in ("INTENT_TO_CANCEL", "PO_CREATED", "PO_LINE_AUTOCANCELLED")
        ]
        assert _subscriptions(walmart) == expected

        dead = f"http://127.0.0.1:{free_port()}"
        broken = cli("stores", "subscribe", "US store", "--public-url", dead)
        assert "could not deliver a test notification" in one_error_line(broken)
        assert _subscriptions(walmart) == expected  # the working subscriptions stayed

        again = cli("stores", "subscribe", "US store", "--public-url", good + "/")
        assert again.returncode == 0, again.stderr
        assert "generated" not in again.stdout
        assert again.stdout.count("Replaced the subscription") == 3
        assert _subscriptions(walmart) == expected

        gone = cli("stores", "unsubscribe", "US store")
        assert gone.returncode == 0, gone.stderr
        assert gone.stdout.count("Deleted the subscription") == 3
        assert _subscriptions(walmart) == []
        assert "no Walmart subscriptions" in cli("stores", "unsubscribe", "US store").stdout
    finally:
        service.send_signal(signal.SIGTERM)
        output, _ = service.communicate(timeout=60)
    assert "hook-secret" not in output
