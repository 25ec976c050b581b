"""Every order flow end to end: Walmart sandbox -> channel-manager -> Commerce sandbox and back, over HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import SyncState

from .conftest import World

pytestmark = pytest.mark.anyio


async def test_new_walmart_order_is_acknowledged_and_created_in_commerce_once(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 1}])
    await world.take_in()

    order = world.order(po)
    assert order.acknowledged_at is not None
    assert order.commerce_order_id is not None
    assert order.status is OrderStatus.OPEN
    assert [line.quantities.acknowledged for line in order.lines] == [3, 1]
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["by_status"] == {"Acknowledged": 3}
    assert truth["lines"]["2"]["by_status"] == {"Acknowledged": 1}

    commerce = await world.merchant.get_order(order.commerce_order_id)
    assert commerce.ext_order_id == po
    assert sorted((item.sku, item.qty_ordered, item.price) for item in commerce.items) == [
        ("MUG-1", 3, 8.5),
        ("TEE-2", 1, 19.99),
    ]
    assert commerce.payment_method == "channelpayment"
    assert commerce.shipping_description == "Channel Shipping - Standard"
    assert all(line.commerce_item_id for line in order.lines)

    # Seen again by the next poll (and by reconciliation): nothing new anywhere.
    await world.take_in()
    await pollers_reconcile(world)
    assert len(world.jobs()) == 2
    assert [o.ext_order_id for o in await world.merchant.search_orders(_by_ext(po))] == [po]
    world.assert_nothing_duplicated()


async def test_full_shipment_in_commerce_ships_every_line_at_walmart(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "CAP-3", "quantity": 1}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2, "2": 1}, tracking="1ZFULL0001")
    await world.sync_commerce()

    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED
    assert [s.sync_state for s in order.shipments] == [SyncState.SYNCED]
    assert shipped(world, po, "1") == [(2, "1ZFULL0001", "UPS")]
    assert shipped(world, po, "2") == [(1, "1ZFULL0001", "UPS")]
    world.assert_nothing_duplicated()


async def test_two_partial_shipments_each_sync_on_their_own(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}])
    await world.take_in()

    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZPART0001")
    await world.sync_commerce()
    assert world.order(po).status is OrderStatus.PARTIALLY_SHIPPED
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Acknowledged": 1, "Shipped": 2}

    await world.ship_in_commerce(po, {"1": 1, "2": 2}, carrier=("fedex", "Federal Express"), tracking="7489PART2")
    await world.sync_commerce()
    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED
    assert len(order.shipments) == 2
    assert shipped(world, po, "1") == [(2, "1ZPART0001", "UPS"), (1, "7489PART2", "FedEx")]
    assert shipped(world, po, "2") == [(2, "7489PART2", "FedEx")]
    world.assert_nothing_duplicated()


async def test_partial_shipment_then_cancel_of_the_remainder(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 1}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZREST0001")
    await world.sync_commerce()

    # The order is invoiced on import, so Commerce "cancels" the rest by a credit memo of the unshipped units.
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.add_order_comment(order.commerce_order_id, "Cancel the rest: the item is out of stock")
    await world.merchant.refund_order(
        order.commerce_order_id, [(order.line("1").commerce_item_id, 2), (order.line("2").commerce_item_id, 1)]
    )
    await world.sync_commerce()

    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED  # 1 shipped + 3 cancelled of 4
    assert [line.quantities.cancelled for line in order.lines] == [2, 1]
    assert order.cancellations[-1].reason.value == "SELLER_CANCEL_OUT_OF_STOCK"
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["by_status"] == {"Shipped": 1, "Cancelled": 2}
    assert truth["lines"]["2"]["by_status"] == {"Cancelled": 1}
    assert truth["lines"]["1"]["cancelled"] == [{"quantity": 2, "reason": "SELLER_CANCEL_OUT_OF_STOCK"}]
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_whole_order_cancel_in_commerce_uses_the_reason_from_the_comment(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "CAP-3", "quantity": 1}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.add_order_comment(order.commerce_order_id, "Price or other listing errors")
    await world.merchant.cancel_order(order.commerce_order_id)
    await world.sync_commerce()

    order = world.order(po)
    assert order.status is OrderStatus.CANCELED
    assert "Price or other listing errors (named in the order comment)" in order.status_details
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["cancelled"] == [{"quantity": 2, "reason": "SELLER_CANCEL_PRICING_ERROR"}]
    assert truth["lines"]["2"]["cancelled"] == [{"quantity": 1, "reason": "SELLER_CANCEL_PRICING_ERROR"}]
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_cancel_without_a_reason_uses_the_store_default_and_says_so(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.cancel_order(order.commerce_order_id)
    await world.sync_commerce()
    order = world.order(po)
    assert order.status is OrderStatus.CANCELED
    assert "The item is out of stock (the store's default reason)" in order.status_details
    assert world.walmart_truth(po)["lines"]["1"]["cancelled"][0]["reason"] == "SELLER_CANCEL_OUT_OF_STOCK"


async def test_shipment_without_tracking_number_is_an_error_and_nothing_is_sent(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="")
    await world.sync_commerce()

    order = world.order(po)
    assert order.status is OrderStatus.ERROR
    assert "needs a tracking number" in order.status_details
    assert "Commerce side" in order.status_details
    assert order.shipments == []
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Acknowledged": 2}
    assert world.walmart_counters()["calls"].get("POST /v3/orders/{purchaseOrderId}/shipping", 0) == 0


async def test_unmapped_carrier_goes_as_other_carrier_with_its_tracking_url(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    await world.ship_in_commerce(
        po, {"1": 1}, carrier=("custom", "Acme Couriers"), tracking="ACME-77", url="https://acme.example/t/ACME-77"
    )
    await world.sync_commerce()
    assert world.order(po).status is OrderStatus.SHIPPED
    tracking = world.walmart_truth(po)["lines"]["1"]["shipments"][0]["tracking"]
    assert tracking["carrierName"] == {"carrier": None, "otherCarrier": "Acme Couriers"}
    assert tracking["trackingURL"] == "https://acme.example/t/ACME-77"


async def test_unmapped_carrier_without_tracking_url_is_an_error(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, carrier=("custom", "Acme Couriers"), tracking="ACME-78")
    await world.sync_commerce()
    order = world.order(po)
    assert order.status is OrderStatus.ERROR
    assert "'Acme Couriers' is not one of Walmart's carriers" in order.status_details
    assert world.walmart_truth(po)["lines"]["1"]["shipments"] == []


async def test_prices_stay_verbatim_and_order_value_is_walmarts(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2, "unit_price": "7.25", "unit_tax": "0.50"}])
    await world.take_in()
    order = world.order(po)
    assert order.line("1").unit_price == Decimal("7.25")
    assert order.value == Decimal("15.50")


def shipped(world: World, po: str, line: str) -> list[tuple[int, str, str]]:
    """(quantity, tracking number, carrier) of each shipment of a line, as Walmart has it."""
    result = []
    for entry in world.walmart_truth(po)["lines"][line]["shipments"]:
        tracking = entry["tracking"]
        carrier = tracking["carrierName"]["carrier"] or tracking["carrierName"]["otherCarrier"]
        result.append((entry["quantity"], tracking["trackingNumber"], carrier))
    return result


def _by_ext(po: str):  # type: ignore[no-untyped-def]
    from channel_manager.commerce.search_criteria import SearchCriteria

    return SearchCriteria().where("ext_order_id", po)


async def pollers_reconcile(world: World) -> None:
    from channel_manager.sync import pollers

    await pollers.reconcile_walmart_orders(world.context, await world.context.store(world.store_id))
    await world.drain()
