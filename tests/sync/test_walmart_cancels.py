"""Walmart-side cancels (auto-cancel after the ship date) come back and are mirrored in Commerce."""

from __future__ import annotations

import httpx
import pytest

from channel_manager.domain.cancellations import ReasonSource
from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import Side, SyncState
from channel_manager.service.walmart_changes import on_walmart_change_notification
from channel_manager.sync import pollers
from channel_manager.walmart.notifications import parse_notification

from .conftest import World

pytestmark = pytest.mark.anyio

WALMART_CANCEL = "POST /v3/orders/{purchaseOrderId}/cancel"


def pass_ship_date(world: World) -> None:
    """Walmart's clock passes the estimated ship date + 4 days: unshipped units are auto-cancelled."""
    url = f"{world.servers.walmart_url}/_sandbox/clock/advance"
    httpx.post(url, json={"days": 7}, timeout=10).raise_for_status()


async def reconcile(world: World) -> None:
    await pollers.reconcile_walmart_orders(world.context, await world.context.store(world.store_id))
    await world.drain()


async def comments(world: World, commerce_order_id: int) -> list[str]:
    order = await world.merchant.get_order(commerce_order_id)
    return [str(h.get("comment") or "") for h in order.raw.get("status_histories") or []]


async def walmart_inventory(world: World, sku: str) -> int:
    link = await world.context.store(world.store_id)
    return (await link.walmart.get_inventory(sku)).quantity.amount


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_auto_cancel_of_an_untouched_order_cancels_the_whole_commerce_order(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "CAP-3", "quantity": 1}])
    await world.take_in()
    pass_ship_date(world)
    await reconcile(world)

    order = world.order(po)
    assert order.status is OrderStatus.CANCELED
    assert [line.quantities.cancelled for line in order.lines] == [2, 1]
    [cancellation] = order.cancellations
    assert (cancellation.started_by, cancellation.reason, cancellation.reason_source, cancellation.sync_state) == (
        Side.WALMART,
        CancellationReason.CANCELLED_BY_WALMART,
        ReasonSource.WALMART,
        SyncState.SYNCED,
    )
    assert "Cancelled by Walmart (not shipped in time) (given by Walmart)" in order.status_details
    assert order.commerce_order_id is not None
    commerce = await world.merchant.get_order(order.commerce_order_id)
    assert commerce.state == "canceled"
    assert [(i.sku, i.qty_canceled) for i in commerce.items] == [("MUG-1", 2), ("CAP-3", 1)]
    assert any("Walmart cancelled line 1 x2, line 2 x1" in c for c in await comments(world, order.commerce_order_id))
    kinds = [kind for kind, _ in world.timeline(po)]
    assert "cancelled" in kinds and "commerce_mirrored" in kinds
    # Nothing went back to Walmart as a cancel; the freed stock did go to its inventory.
    assert world.walmart_counters()["calls"].get(WALMART_CANCEL, 0) == 0
    assert await walmart_inventory(world, "MUG-1") == int(await world.merchant.get_salable_quantity("MUG-1"))

    await reconcile(world)  # seen again: nothing new
    assert len(world.order(po).cancellations) == 1
    world.assert_nothing_duplicated()


async def test_auto_cancel_after_a_partial_shipment_refunds_the_unshipped_units_in_commerce(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 1}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZAUTO0001")
    await world.sync_commerce()
    pass_ship_date(world)
    await reconcile(world)

    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED  # 1 shipped, 3 cancelled by Walmart
    assert [(line.quantities.shipped, line.quantities.cancelled) for line in order.lines] == [(1, 2), (0, 1)]
    assert order.commerce_order_id is not None
    commerce = await world.merchant.get_order(order.commerce_order_id)
    # Invoiced on import: Commerce takes the unshipped units out by an offline credit memo.
    assert [(i.sku, i.qty_shipped, i.qty_refunded, i.qty_to_ship) for i in commerce.items] == [
        ("MUG-1", 1, 2, 0),
        ("TEE-2", 0, 1, 0),
    ]
    [memo] = await world.merchant.list_credit_memos(order_id=order.commerce_order_id)
    assert any("Walmart cancelled" in c for c in memo.comments)

    # The credit memo is seen by the Commerce poll: no cancel, no refund goes to Walmart for it.
    await world.sync_commerce()
    order = world.order(po)
    assert order.refunds == [] and len(order.cancellations) == 1
    assert world.walmart_counters()["calls"].get(WALMART_CANCEL, 0) == 0
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["by_status"] == {"Shipped": 1, "Cancelled": 2}
    world.assert_nothing_duplicated()


async def test_auto_cancel_notification_is_mirrored_too(world: World) -> None:
    link = await world.context.store(world.store_id)
    await link.walmart.subscribe("PO_LINE_AUTOCANCELLED", "http://127.0.0.1:9/unused")
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    pass_ship_date(world)
    [delivery] = [d for d in world.servers.walmart.deliveries if d.event_type == "PO_LINE_AUTOCANCELLED"]
    notification = parse_notification(delivery.body)
    assert notification.purchase_order_id == po

    await on_walmart_change_notification(world.context, link, notification)
    await world.drain()
    order = world.order(po)
    assert order.status is OrderStatus.CANCELED
    assert order.commerce_order_id is not None
    commerce = await world.merchant.get_order(order.commerce_order_id)
    assert [(i.qty_refunded, i.qty_to_ship) for i in commerce.items] == [(1, 0)]

    await on_walmart_change_notification(world.context, link, notification)  # delivered twice
    await reconcile(world)  # and seen by reconciliation
    await world.drain()
    assert len(world.order(po).cancellations) == 1
    assert len(await world.merchant.list_credit_memos(order_id=order.commerce_order_id)) == 1
    world.assert_nothing_duplicated()


async def test_a_cancel_walmart_refuses_because_its_units_are_cancelled_already_finishes_as_applied(
    world: World,
) -> None:
    """Line 1: 2 of 3 shipped, the third cancelled in Commerce. Walmart has cancelled that unit already when the
    job runs (an earlier try applied whose answer was lost, after a kill; here: in Seller Center), so it refuses
    the cancel, "line in SHIPPED status" (nothing open is left). The job reads the PO: the unit is cancelled, so the
    cancellation is in effect, not an Error (found by the chaos suite)."""
    from channel_manager.walmart.requests import CancelLine

    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZPARTIAL001")
    await world.sync_commerce()
    assert world.walmart_truth(po)["lines"]["1"]["by_status"].get("Shipped") == 2
    order = world.order(po)
    assert order.commerce_order_id is not None
    link = await world.context.store(world.store_id)
    await link.walmart.cancel_order_lines(po, [CancelLine("1", 1, CancellationReason.OUT_OF_STOCK)])
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("1").commerce_item_id or 0, 1.0)])

    await world.sync_commerce()

    order = world.order(po)
    assert order.problem is None, order.status_details
    [cancellation] = order.cancellations
    assert cancellation.sync_state is SyncState.SYNCED
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Shipped": 2, "Cancelled": 1}
    assert order.status is OrderStatus.SHIPPED
