"""The Walmart client against the sandbox over real HTTP: tokens, paging, ship/cancel/refund rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.walmart.errors import (
    WalmartAlreadyAppliedError,
    WalmartAuthError,
    WalmartNotFoundError,
    WalmartPermanentError,
)
from channel_manager.walmart.requests import CancelLine, RefundAmount, RefundLine, ShipmentLine

from .conftest import SandboxUnderTest

pytestmark = pytest.mark.anyio


def ship(line: str | int, qty: int, tracking: str, **kw: object) -> ShipmentLine:
    kw.setdefault("carrier", "UPS")
    return ShipmentLine(line_number=line, quantity=qty, tracking_number=tracking, **kw)  # type: ignore[arg-type]


async def test_token_expiry_in_the_middle_of_paging(walmart: SandboxUnderTest) -> None:
    walmart.control("POST", "/_sandbox/sellers/seller-1/orders", json={"count": 25, "lines_per_order": 2})
    seen: list[str] = []
    async with walmart.client() as client:
        pages = 0
        async for page in client.iter_order_pages(limit=10):
            pages += 1
            seen.extend(order.purchase_order_id for order in page.orders)
            assert page.total_count == 25
            if pages == 1:
                # The sandbox clock passes the token's 900 s lifetime between two pages.
                walmart.sandbox.advance_clock(901)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25
    token_calls = [a for a in walmart.attempts if a.endpoint == "POST /v3/token"]
    assert len(token_calls) == 2
    rejected = [a for a in walmart.attempts if a.http_status == 401]
    assert len(rejected) == 1 and rejected[0].error_code == "UNAUTHORIZED.GMP_GATEWAY_API"
    cursor_calls = [a for a in walmart.attempts if a.endpoint == "GET /v3/orders" and "poIndex=" in a.path]
    assert cursor_calls and all(a.path.startswith("/v3/orders?limit=10&hasMoreElements=true") for a in cursor_calls)


async def test_released_orders_and_no_orders_is_empty_not_an_error(walmart: SandboxUnderTest) -> None:
    async with walmart.client() as client:
        assert [o async for o in client.list_orders()] == []
        first = walmart.order()
        second = walmart.order()
        await client.acknowledge_order(first)
        released = [o.purchase_order_id async for o in client.list_released_orders()]
        assert released == [second]
        acknowledged = [o.purchase_order_id async for o in client.list_orders(status="Acknowledged")]
        assert acknowledged == [first]
    assert any(a.http_status == 404 and a.error_code == "CONTENT_NOT_FOUND.GMP_ORDER_API" for a in walmart.attempts)


async def test_filters_are_checked_before_sending(walmart: SandboxUnderTest) -> None:
    from datetime import UTC, datetime, timedelta

    async with walmart.client() as client:
        with pytest.raises(ValueError, match="limit"):
            [o async for o in client.list_orders(limit=500)]
        with pytest.raises(ValueError, match="180-day"):
            [o async for o in client.list_orders(created_start_date=datetime.now(UTC) - timedelta(days=200))]
        with pytest.raises(ValueError, match="released"):
            [o async for o in client.list_released_orders(status="Created")]
    assert walmart.attempts == []


async def test_unknown_purchase_order_is_not_found(walmart: SandboxUnderTest) -> None:
    async with walmart.client() as client:
        with pytest.raises(WalmartNotFoundError) as info:
            await client.get_order("999")
    assert info.value.http_status == 404
    assert str(info.value).startswith("Walmart refused")


async def test_bad_credentials_are_an_auth_error_without_the_secret(walmart: SandboxUnderTest) -> None:
    secret = "wrong-secret-that-must-not-leak"
    async with walmart.client(client_secret=secret) as client:
        with pytest.raises(WalmartAuthError) as info:
            await client.get_order("1")
    assert info.value.http_status == 401
    assert secret not in str(info.value) and secret not in repr(info.value)


async def test_ship_needs_acknowledgement_then_ships(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 2}])
    async with walmart.client() as client:
        with pytest.raises(WalmartPermanentError, match="CREATED status"):
            await client.ship_order_lines(po, [ship(1, 2, "1Z1")])
        await client.acknowledge_order(po)
        order = await client.ship_order_lines(po, [ship(1, 2, "1Z1", method_code="Express")])
    line = order.line(1)
    assert line.quantity_in("Shipped") == 2
    assert line.has_shipment("1Z1", 2)
    assert line.shipments[0].carrier == "UPS" and line.shipments[0].method_code == "Express"


async def test_invalid_carrier_is_a_permanent_error_with_walmarts_message(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        with pytest.raises(WalmartPermanentError) as info:
            await client.ship_order_lines(po, [ship(1, 1, "T1", carrier="Pony Express")])
        error = info.value
        assert error.http_status == 400
        assert error.code == "INVALID_REQUEST_CONTENT.GMP_ORDER_API"
        assert error.field == "carrierName"
        assert error.description == "Carrier Pony Express is not supported in line number 1"
        assert str(error) == (
            f"Walmart refused the shipment of PO {po} line 1: INVALID_REQUEST_CONTENT.GMP_ORDER_API (carrierName): "
            "Carrier Pony Express is not supported in line number 1"
        )
        assert error.correlation_id == walmart.attempts[-1].correlation_id
        with pytest.raises(WalmartPermanentError, match="Method code is not supported"):
            await client.ship_order_lines(po, [ship(1, 1, "T1", method_code="Teleport")])
        # An unknown carrier goes as otherCarrier with a tracking URL.
        order = await client.ship_order_lines(
            po,
            [
                ShipmentLine.for_carrier(
                    "Pony Express",
                    line_number=1,
                    quantity=1,
                    tracking_number="PX1",
                    tracking_url="https://pony.example/PX1",
                )
            ],
        )
    assert order.line(1).shipments[0].carrier == "Pony Express"
    assert order.line(1).shipments[0].tracking_url == "https://pony.example/PX1"


async def test_repeated_ship_of_a_shipped_line_is_already_applied(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        await client.ship_order_lines(po, [ship(1, 1, "1Z9")])
        with pytest.raises(WalmartAlreadyAppliedError, match="SHIPPED status"):
            await client.ship_order_lines(po, [ship(1, 1, "1Z9")])
        with pytest.raises(WalmartAlreadyAppliedError, match="higher status"):
            await client.acknowledge_order(po)


async def test_re_acknowledge_is_a_legal_no_op(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        order = await client.acknowledge_order(po)
    assert order.line(1).quantity_in("Acknowledged") == 1
    counters = walmart.counters
    assert counters["duplicate_acknowledgements"] == 1 and counters["applied_twice"] == 0


async def test_po_with_50_lines_and_quantities_above_one(walmart: SandboxUnderTest) -> None:
    lines = [{"sku": f"SKU-{n}", "quantity": 3, "unit_price": 5.5, "unit_tax": 0.5} for n in range(1, 51)]
    po = walmart.order(lines=lines)
    async with walmart.client() as client:
        order = await client.get_order(po)
        assert len(order.lines) == 50 and all(line.quantity == 3 for line in order.lines)
        await client.acknowledge_order(po)
        order = await client.ship_order_lines(po, [ship(n, 2, f"TRK{n}") for n in range(1, 51)])
        assert all(line.quantity_in("Shipped") == 2 and line.open_quantity == 1 for line in order.lines)
        order = await client.cancel_order_lines(
            po, [CancelLine(n, 1, CancellationReason.OUT_OF_STOCK) for n in range(1, 51)]
        )
        order = await client.refund_order_lines(
            po,
            [RefundLine(n, RefundReason.DAMAGED_ITEM, [RefundAmount("5.50", tax_amount="0.50")]) for n in range(1, 11)],
        )
    line = order.line(7)
    assert line.quantity_in("Shipped") == 2 and line.quantity_in("Cancelled") == 1
    assert [s.cancellation_reason for s in line.statuses if s.status == "Cancelled"] == ["SELLER_CANCEL_OUT_OF_STOCK"]
    assert line.refunded_amount() == Decimal("-6.0")
    assert order.line(11).refund is None
    truth = walmart.control("GET", f"/_sandbox/orders/{po}")
    assert truth["lines"]["50"]["by_status"] == {"Shipped": 2, "Cancelled": 1}
    assert walmart.counters["applied_twice"] == 0


async def test_partial_ship_then_the_rest(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 5}])
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        await client.ship_order_lines(po, [ship(1, 2, "BOX1")])
        order = await client.ship_order_lines(po, [ship(1, 3, "BOX2", carrier="FedEx")])
        with pytest.raises(WalmartAlreadyAppliedError):
            await client.ship_order_lines(po, [ship(1, 1, "BOX3")])
    line = order.line(1)
    assert [(s.tracking_number, s.quantity) for s in line.shipments] == [("BOX1", 2), ("BOX2", 3)]


async def test_ship_more_than_open_is_overshipped(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 2}])
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        await client.ship_order_lines(po, [ship(1, 1, "B1")])
        with pytest.raises(WalmartPermanentError, match="Qty OverShipped"):
            await client.ship_order_lines(po, [ship(1, 2, "B2")])


async def test_intent_to_cancel_needs_override(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 1, "intent_to_cancel": True}])
    async with walmart.client() as client:
        order = await client.acknowledge_order(po)
        assert order.line(1).intent_to_cancel == "true"
        with pytest.raises(WalmartPermanentError, match="intentToCancelOverride"):
            await client.ship_order_lines(po, [ship(1, 1, "X")])
        order = await client.ship_order_lines(po, [ship(1, 1, "X", intent_to_cancel_override=True)])
    assert order.line(1).quantity_in("Shipped") == 1


async def test_partial_update_corrects_tracking_within_four_hours(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 1}])
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        await client.ship_order_lines(po, [ship(1, 1, "WRONG")])
        order = await client.ship_order_lines(po, [ship(1, 1, "RIGHT")], process_mode="PARTIAL_UPDATE")
        assert order.line(1).has_shipment("RIGHT", 1) and not order.line(1).has_shipment("WRONG")
        walmart.sandbox.advance_clock(5 * 3600)
        with pytest.raises(WalmartPermanentError, match="within 4 hours"):
            await client.ship_order_lines(po, [ship(1, 1, "LATE")], process_mode="PARTIAL_UPDATE")


async def test_cancel_rules(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}])
    async with walmart.client() as client:
        order = await client.cancel_order_lines(po, [CancelLine(1, 2, CancellationReason.PRICING_ERROR)])
        assert order.line(1).quantity_in("Cancelled") == 2
        assert order.line(1).charges.charge[0].charge_amount.amount == 0  # type: ignore[union-attr]
        with pytest.raises(WalmartAlreadyAppliedError, match="CANCELLED status"):
            await client.cancel_order_lines(po, [CancelLine(1, 2, CancellationReason.PRICING_ERROR)])
        await client.acknowledge_order(po)
        await client.ship_order_lines(po, [ship(2, 1, "S")])
        with pytest.raises(WalmartPermanentError, match="SHIPPED status"):
            await client.cancel_order_lines(po, [CancelLine(2, 1, CancellationReason.OUT_OF_STOCK)])


async def test_refund_rules(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 2, "unit_price": 10, "unit_tax": 1, "shipping": 5}])
    async with walmart.client() as client:
        reason = RefundReason.ITEM_NOT_AS_ADVERTISED
        with pytest.raises(WalmartPermanentError, match="only shipped lines"):
            await client.refund_order_lines(po, [RefundLine(1, reason, [RefundAmount(1)])])
        await client.acknowledge_order(po)
        await client.ship_order_lines(po, [ship(1, 2, "S")])
        order = await client.refund_order_lines(po, [RefundLine(1, reason, [RefundAmount(15, tax_amount=1)])])
        sent = [c.charge for c in order.line(1).refund_charges]
        assert sent[0].charge_amount.amount == Decimal(-15)  # type: ignore[union-attr]
        with pytest.raises(WalmartPermanentError, match="exceeds the charged amount"):
            await client.refund_order_lines(po, [RefundLine(1, reason, [RefundAmount(10)])])
        order = await client.refund_order_lines(po, [RefundLine(1, reason, is_full_refund=True)])
    line = order.line(1)
    assert line.refunded_amount("PRODUCT") == Decimal(-22)
    assert line.refunded_amount("SHIPPING") == Decimal(-5)
    assert line.return_order_id is not None
    assert line.quantity_in("Shipped") == 2
