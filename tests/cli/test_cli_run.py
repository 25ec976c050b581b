"""`channel-manager run` as a real process, driven from the CLI like a merchant would, then stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.serving import BackgroundServer, free_port
from channel_manager_sandboxes.walmart import WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")


@pytest.fixture
def sandboxes() -> Iterator[tuple[str, str, Any]]:
    walmart_app = create_walmart_app(WalmartSandboxSettings(rate_limits=False))
    commerce_app = create_commerce_app(SandboxSettings())
    commerce_app.state.sandbox.upsert_product("MUG-1", name="Mug", price=8.5, quantity=50)
    with BackgroundServer(walmart_app) as walmart, BackgroundServer(commerce_app) as commerce:
        yield walmart.url, commerce.url, walmart_app.state.sandbox


def until(check: Callable[[], bool], what: str, within: float = 40.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.2)


def test_run_syncs_cli_shipments_and_cancels_then_stops_on_sigterm(tmp_path: Path, sandboxes: Any) -> None:
    walmart_url, commerce_url, walmart = sandboxes
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(
        CHANNEL_MANAGER_DATA_DIR=str(tmp_path),
        CHANNEL_MANAGER_CONFIG=str(tmp_path / "config.toml"),
        COLUMNS="200",
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([EXECUTABLE, *args], env=env, capture_output=True, text=True, timeout=60, check=False)

    assert cli("init").returncode == 0
    added = cli(
        "stores", "add", "--name", "Sandbox", "--walmart-url", walmart_url, "--walmart-client-id",
        "sandbox-client-id", "--walmart-client-secret", "sandbox-client-secret", "--commerce-url", commerce_url,
        "--commerce-token", "sandbox-commerce-token", "--set", "order_poll_seconds=0.5",
        "--set", "commerce_poll_seconds=0.5",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr

    po = walmart.create_order("seller-1", {"lines": [{"sku": "MUG-1", "quantity": 3, "unit_price": "8.50"}]})
    po_id = po.purchase_order_id
    created = cli("tokens", "create", "--name", "test", "--role", "viewer")
    assert created.returncode == 0, created.stderr
    token = next(word for word in created.stdout.split() if word.startswith("cm_"))
    port = free_port()
    service = subprocess.Popen(
        [EXECUTABLE, "run", "--port", str(port), "--webhook-port", str(free_port()), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def order() -> dict[str, Any] | None:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/api/orders/{po_id}",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                )
            except httpx.HTTPError:
                return None
            return response.json()["order"] if response.status_code == 200 else None

        until(lambda: (o := order()) is not None and o["commerce_increment_id"] and o["acknowledged_at"], "intake")

        shipped = cli(
            "orders", "ship", po_id, "--line", "1:1", "--carrier", "UPS", "--tracking", "1ZCLI0001", "--no-send"
        )
        assert shipped.returncode == 0, shipped.stderr
        until(lambda: walmart.truth(po_id)["lines"]["1"]["by_status"].get("Shipped") == 1, "shipment at Walmart")

        cancelled = cli("orders", "cancel", po_id, "--reason", "out_of_stock", "--no-send")
        assert cancelled.returncode == 0, cancelled.stderr
        until(lambda: walmart.truth(po_id)["lines"]["1"]["by_status"].get("Cancelled") == 2, "cancel at Walmart")
        until(
            lambda: (o := order()) is not None and o["status"] == "Shipped", "status Shipped (1 shipped + 2 cancelled)"
        )

        jobs = cli("jobs", "list")
        assert jobs.returncode == 0
        assert "failed: 0" in jobs.stdout and "ship_lines" in jobs.stdout and "cancel_lines" in jobs.stdout
        shown = cli("orders", "show", po_id)
        assert "POST /v3/orders/{purchaseOrderId}/shipping" in shown.stdout
        assert "sandbox-client-secret" not in shown.stdout + jobs.stdout
        assert walmart.counters.as_dict()["applied_twice"] == 0
    finally:
        service.send_signal(signal.SIGTERM)
        output, _ = service.communicate(timeout=60)
    assert service.returncode == 0, output
    assert "Stopped." in output
    assert "sandbox-client-secret" not in output
