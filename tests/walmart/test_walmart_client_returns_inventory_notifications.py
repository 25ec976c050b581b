"""Returns, inventory and notifications through the client, against the sandbox over loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request

from channel_manager.walmart.errors import WalmartAlreadyAppliedError, WalmartNotFoundError
from channel_manager.walmart.notifications import parse_notification, verify_notification
from channel_manager.walmart.requests import ReturnRefundLine, ShipmentLine
from channel_manager_sandboxes.serving import BackgroundServer

from .conftest import SandboxUnderTest

pytestmark = pytest.mark.anyio


async def _shipped_order(walmart: SandboxUnderTest, quantity: int = 2) -> str:
    po = walmart.order(
        lines=[
            {"sku": "R-1", "quantity": quantity, "unit_price": 20, "unit_tax": 2},
            {"sku": "R-2", "quantity": 1, "unit_price": 5},
        ]
    )
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        await client.ship_order_lines(
            po,
            [
                ShipmentLine(line_number=1, quantity=quantity, tracking_number="R1", carrier="UPS"),
                ShipmentLine(line_number=2, quantity=1, tracking_number="R2", carrier="UPS"),
            ],
        )
    return po


async def test_returns_list_and_refund(walmart: SandboxUnderTest) -> None:
    po = await _shipped_order(walmart)
    walmart.control("POST", f"/_sandbox/orders/{po}/lines/1/deliver")
    opened = walmart.control(
        "POST",
        f"/_sandbox/orders/{po}/returns",
        json={"lines": [{"line_number": "1", "quantity": 2, "reason": "DAMAGED"}]},
    )
    return_id = opened["returnOrderId"]
    async with walmart.client() as client:
        returns = [r async for r in client.list_returns(status="INITIATED")]
        assert [r.return_order_id for r in returns] == [return_id]
        item = returns[0]
        assert item.return_order_lines[0].purchase_order_id == po
        assert item.return_order_lines[0].quantity.measurement_value == 2  # type: ignore[union-attr]
        result = await client.refund_return(return_id, item.customer_order_id or "", [ReturnRefundLine(1, quantity=1)])
        assert result.return_order_id == return_id
        await client.refund_return(return_id, item.customer_order_id or "", [ReturnRefundLine(1)])
        with pytest.raises(WalmartAlreadyAppliedError, match="already refunded"):
            await client.refund_return(return_id, item.customer_order_id or "", [ReturnRefundLine(1)])
        completed = [r async for r in client.list_returns(return_order_id=return_id)]
        assert completed[0].return_order_lines[0].status == "COMPLETED"
        order = await client.get_order(po)
    assert order.line(1).quantity_in("Delivered") == 2
    assert float(order.line(1).refunded_amount()) == -44.0


async def test_returns_paging_and_auto_refund(walmart: SandboxUnderTest) -> None:
    po = await _shipped_order(walmart, quantity=5)
    ids = [
        walmart.control(
            "POST", f"/_sandbox/orders/{po}/returns", json={"lines": [{"line_number": "1", "quantity": 1}]}
        )["returnOrderId"]
        for _ in range(5)
    ]
    walmart.control("POST", f"/_sandbox/returns/{ids[0]}/auto-refund")
    async with walmart.client() as client:
        pages = [page async for page in client.iter_return_pages(limit=2)]
    assert [len(p[0]) for p in pages] == [2, 2, 1]
    assert pages[0][1] is not None and pages[0][1].startswith("?sellerId=seller-1&limit=2&offset=2")
    listed = [r.return_order_id for page in pages for r in page[0]]
    assert sorted(listed) == sorted(ids)
    assert walmart.attempts[-1].path.startswith("/v3/returns?sellerId=")


async def test_inventory_read_and_set_with_an_encoded_sku(walmart: SandboxUnderTest) -> None:
    sku = "WM-SOCKS 3PK/blue&red"
    async with walmart.client() as client:
        with pytest.raises(WalmartNotFoundError):
            await client.get_inventory(sku)
        updated = await client.set_inventory(sku, 17)
        assert updated.quantity.amount == 17
        read = await client.get_inventory(sku)
    assert read.sku == sku and read.quantity.amount == 17
    paths = [a.path for a in walmart.attempts if "inventory" in a.path]
    assert paths[-1] == "/v3/inventory?sku=WM-SOCKS%203PK%2Fblue%26red"


class Receiver:
    def __init__(self) -> None:
        self.deliveries: list[tuple[bytes, dict[str, str]]] = []
        self.app = FastAPI()

        @self.app.post("/hooks")
        async def hook(request: Request) -> dict[str, Any]:
            self.deliveries.append((await request.body(), dict(request.headers)))
            return {"ok": True}

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.deliveries) >= count


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    hooks = Receiver()
    with BackgroundServer(hooks.app) as server:
        yield hooks, server.url + "/hooks"


async def test_notifications_are_signed_and_parse(walmart: SandboxUnderTest, receiver: tuple[Receiver, str]) -> None:
    hooks, url = receiver
    secret = "hook-secret"
    async with walmart.client() as client:
        created = await client.subscribe("PO_CREATED", url, auth_method="HMAC", client_secret=secret)
        await client.subscribe("PO_LINE_AUTOCANCELLED", url, auth_method="HMAC", client_secret=secret)
        await client.subscribe("ORDER_UPDATES", url, auth_method="BASIC_AUTH", username="wm", password="pw")
        subscriptions = await client.list_subscriptions()
        assert len(subscriptions) == 3 and created[0].subscription_id in {s.subscription_id for s in subscriptions}
        assert all("clientSecret" not in (s.auth_details or {}) for s in subscriptions)
        po = walmart.order(lines=[{"sku": "N-1", "quantity": 2}])
        hooks.wait_for(2)
        walmart.sandbox.advance_clock(7 * 86400)  # estimatedShipDate (+2 d) + 4 d has passed
        hooks.wait_for(4)
        order = await client.get_order(po)
        await client.delete_subscription(created[0].subscription_id)
        assert len(await client.list_subscriptions()) == 2
    assert order.line(1).quantity_in("Cancelled") == 2
    events = []
    for body, headers in hooks.deliveries:
        event = parse_notification(body)
        if event.envelope_type == "ORDER_UPDATES":
            assert verify_notification(body, headers, username="wm", password="pw")
        else:
            assert verify_notification(body, headers, client_secret=secret)
            assert not verify_notification(body, headers, client_secret="wrong")
            assert not verify_notification(body + b" ", headers, client_secret=secret)
        events.append((event.envelope_type, event.event_type))
        assert event.event_id and event.purchase_order_id == po
    assert sorted(events) == sorted(
        [
            ("PO_CREATED", "PO_CREATED"),
            ("ORDER_UPDATES", "PO_CREATED"),
            ("PO_LINE_AUTOCANCELLED", "PO_LINE_AUTOCANCELLED"),
            ("ORDER_UPDATES", "PO_LINE_AUTOCANCELLED"),
        ]
    )
    cancelled = next(parse_notification(b) for b, _ in hooks.deliveries if b"PO_LINE_AUTOCANCELLED" in b)
    assert cancelled.lines[0].quantity == 2 and cancelled.lines[0].cancellation_reason
