"""The buyer's intent to cancel as the merchant meets it in the CLI, against a running `channel-manager run`:
shown in `orders show`, refused by `orders ship` until chosen with --override-intent-to-cancel, then shipped once."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
from test_cli_run import EXECUTABLE, sandboxes, until

from channel_manager_sandboxes.serving import free_port

__all__ = ["sandboxes"]  # the fixture, used by name


def test_orders_show_and_ship_with_the_buyers_request_to_cancel(tmp_path: Path, sandboxes: Any) -> None:
    walmart_url, commerce_url, walmart = sandboxes
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(CHANNEL_MANAGER_DATA_DIR=str(tmp_path), CHANNEL_MANAGER_CONFIG=str(tmp_path / "config.toml"))
    env["COLUMNS"] = "250"

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
    lines = [
        {"sku": "MUG-1", "quantity": 1, "unit_price": "8.50"},
        {"sku": "MUG-1", "quantity": 2, "unit_price": "8.50"},
    ]
    po_id = walmart.create_order("seller-1", {"lines": lines}).purchase_order_id
    created = cli("tokens", "create", "--name", "test", "--role", "viewer")
    token = next(word for word in created.stdout.split() if word.startswith("cm_"))
    port = free_port()
    service = subprocess.Popen(
        [EXECUTABLE, "run", "--port", str(port), "--webhook-port", str(free_port())],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
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
        walmart.set_intent_to_cancel(po_id, "2")
        until(lambda: (o := order()) is not None and o["lines"][1]["intent_to_cancel"], "the request recorded")

        shown = cli("orders", "show", po_id)
        assert shown.returncode == 0, shown.stderr
        assert "The buyer asked Walmart to cancel line 2" in shown.stdout and "asked to cancel" in shown.stdout

        ship = ("orders", "ship", po_id, "--line", "2:2", "--carrier", "UPS", "--tracking", "1ZASKED01", "--no-send")
        refused = cli(*ship)
        assert refused.returncode != 0
        assert "--override-intent-to-cancel" in refused.stderr and "Traceback" not in refused.stderr
        assert walmart.truth(po_id)["lines"]["2"]["by_status"].get("Shipped", 0) == 0

        chosen = cli(*ship, "--override-intent-to-cancel")
        assert chosen.returncode == 0, chosen.stderr
        until(lambda: walmart.truth(po_id)["lines"]["2"]["by_status"].get("Shipped") == 2, "shipped on purpose")
        order_now = order()
        assert order_now is not None and order_now["lines"][1]["intent_to_cancel_override"]
        nothing = cli("orders", "ship", po_id, "--override-intent-to-cancel")
        assert nothing.returncode != 0 and "nothing to ship anyway" in nothing.stderr
        assert walmart.counters.as_dict()["applied_twice"] == 0
    finally:
        service.send_signal(signal.SIGTERM)
        service.communicate(timeout=60)
