"""The buyer's intent to cancel after intake (issue 10 item 5): recorded from the notification, the lastModified
poll and reconciliation; shown; told to the Commerce order once; and the merchant's choice carried to Walmart:
cancel with the customer-requested reason, or ship anyway with ``intentToCancelOverride``."""

from __future__ import annotations

import httpx
import pytest

from channel_manager.domain.cancellations import ReasonSource
from channel_manager.domain.errors import BuyerAskedToCancel, CustomerRequestedNotAllowed
from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import SyncState
from channel_manager.service import commerce_actions
from channel_manager.service.inbound import WALMART_EVENT_HANDLERS
from channel_manager.service.intent_to_cancel import intent_marker
from channel_manager.sync import pollers
from channel_manager.walmart.notifications import parse_notification
from channel_manager.walmart.requests import CancelLine

from .conftest import World

pytestmark = pytest.mark.anyio

CUSTOMER_REQUESTED = CancellationReason.CUSTOMER_REQUESTED.value


def buyer_asks_to_cancel(world: World, purchase_order_id: str, line_number: str) -> None:
    url = f"{world.servers.walmart_url}/_sandbox/orders/{purchase_order_id}/lines/{line_number}/intent-to-cancel"
    httpx.post(url, timeout=10).raise_for_status()


async def comments(world: World, commerce_order_id: int) -> list[str]:
    order = await world.merchant.get_order(commerce_order_id)
    return [str(h.get("comment") or "") for h in order.raw.get("status_histories") or []]


async def poll_changes(world: World) -> None:
    await pollers.poll_walmart_changes(world.context, await world.context.store(world.store_id))
    await world.drain()


async def reconcile(world: World) -> None:
    await pollers.reconcile_walmart_orders(world.context, await world.context.store(world.store_id))
    await world.drain()


async def two_line_order(world: World) -> str:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}, {"sku": "CAP-3", "quantity": 2}])
    await world.take_in()
    return po


async def test_a_notification_records_the_request_shows_it_and_tells_commerce_once(world: World) -> None:
    link = await world.context.store(world.store_id)
    await link.walmart.subscribe("ORDER_UPDATES", "http://127.0.0.1:9/unused")
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")
    [delivery] = [d for d in world.servers.walmart.deliveries if d.event_type == "INTENT_TO_CANCEL"]
    notification = parse_notification(delivery.body)
    assert (notification.envelope_type, notification.event_type) == ("ORDER_UPDATES", "INTENT_TO_CANCEL")

    handler = WALMART_EVENT_HANDLERS[notification.event_type]
    await handler(world.context, link, notification)
    await world.drain()
    order = world.order(po)
    assert [line.intent_to_cancel for line in order.lines] == [False, True]
    assert order.status is OrderStatus.OPEN
    assert "The buyer asked Walmart to cancel line 2" in order.status_details
    assert f"orders ship {po} --override-intent-to-cancel" in order.status_details
    assert ("intent_to_cancel", "The buyer asked Walmart to cancel line 2.") in world.timeline(po)
    assert order.commerce_order_id is not None
    noted = [c for c in await comments(world, order.commerce_order_id) if intent_marker(["2"]) in c]
    assert len(noted) == 1 and "CAP-3 x2" in noted[0]

    await handler(world.context, link, notification)  # delivered twice
    await poll_changes(world)  # and seen by the lastModified poll
    await reconcile(world)  # and by reconciliation
    noted = [c for c in await comments(world, order.commerce_order_id) if intent_marker(["2"]) in c]
    assert len(noted) == 1
    assert [k for k, _ in world.timeline(po)].count("intent_to_cancel") == 1


async def test_the_lastmodified_poll_records_it_without_a_notification(world: World) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "1")
    await poll_changes(world)
    order = world.order(po)
    assert [line.intent_to_cancel for line in order.lines] == [True, False]
    assert order.commerce_order_id is not None
    assert any(intent_marker(["1"]) in c for c in await comments(world, order.commerce_order_id))


async def test_a_cancel_in_commerce_of_the_asked_line_goes_to_walmart_as_customer_requested(world: World) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")
    await poll_changes(world)
    order = world.order(po)
    assert order.commerce_order_id is not None
    # The merchant takes the unshipped units out by a credit memo (the order is invoiced), giving no reason.
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("2").commerce_item_id or 0, 2.0)])
    await world.sync_commerce()
    truth = world.walmart_truth(po)
    assert truth["lines"]["2"]["cancel_reasons"] == [CUSTOMER_REQUESTED]
    assert truth["lines"]["2"]["by_status"] == {"Cancelled": 2}
    [cancellation] = world.order(po).cancellations
    assert (cancellation.reason, cancellation.sync_state) == (CancellationReason.CUSTOMER_REQUESTED, SyncState.SYNCED)
    world.assert_nothing_duplicated()


async def test_one_cancel_of_both_lines_gives_each_the_reason_walmart_takes_for_it(world: World) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")
    await poll_changes(world)
    order = world.order(po)
    assert order.commerce_order_id is not None
    items = [(order.line(n).commerce_item_id or 0, float(q)) for n, q in (("1", 1), ("2", 2))]
    await world.merchant.refund_order(order.commerce_order_id, items)
    await world.sync_commerce()
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["cancel_reasons"] == [CancellationReason.OUT_OF_STOCK.value]  # the store default
    assert truth["lines"]["2"]["cancel_reasons"] == [CUSTOMER_REQUESTED]
    assert world.order(po).status is OrderStatus.CANCELED


async def test_a_cancel_recorded_before_the_request_was_seen_still_gets_the_buyers_reason(world: World) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")  # not polled: channel-manager does not know yet
    order = world.order(po)
    assert order.commerce_order_id is not None and not order.line("2").intent_to_cancel
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("2").commerce_item_id or 0, 2.0)])
    await world.sync_commerce()
    assert world.walmart_truth(po)["lines"]["2"]["cancel_reasons"] == [CUSTOMER_REQUESTED]
    [cancellation] = world.order(po).cancellations
    assert (cancellation.reason, cancellation.reason_source) == (
        CancellationReason.CUSTOMER_REQUESTED,
        ReasonSource.WALMART,
    )


async def test_a_commerce_shipment_of_the_asked_line_stops_with_the_two_choices_then_ships_once_with_the_override(
    world: World,
) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")  # the merchant ships before channel-manager has seen the request
    await world.ship_in_commerce(po, {"2": 2}, tracking="1ZINTENT0001")
    await world.sync_commerce()
    order = world.order(po)
    assert order.status is OrderStatus.ERROR
    details = order.status_details
    assert "customer request to cancel" in details or "intentToCancel" in details
    assert f"orders cancel {po} --reason customer_requested" in details
    assert f"orders ship {po} --override-intent-to-cancel" in details
    assert order.line("2").intent_to_cancel  # learnt from Walmart's refusal
    assert world.walmart_truth(po)["lines"]["2"]["by_status"].get("Shipped", 0) == 0
    [job] = [j for j in world.jobs(state="failed") if j.kind == "ship_lines"]

    result = await commerce_actions.ship_waiting_despite_intent(world.context, world.database, po, store_id=None)
    assert (result.chosen, result.retried) == (["2"], 1)
    await world.drain()
    order = world.order(po)
    assert order.problem is None
    assert [s.sync_state for s in order.shipments] == [SyncState.SYNCED]
    truth = world.walmart_truth(po)
    assert truth["lines"]["2"]["by_status"] == {"Shipped": 2}
    assert truth["lines"]["2"]["tracking_numbers"] == ["1ZINTENT0001"]
    assert "The buyer asked" not in order.status_details
    with world.database.unit_of_work() as uow:
        assert uow.jobs.get(job.id).state == "done"  # type: ignore[union-attr]
    world.assert_nothing_duplicated()


async def test_shipping_from_channel_manager_needs_the_merchants_choice(world: World) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")
    await poll_changes(world)
    ship = {"carrier": "UPS", "tracking_number": "1ZCHOICE0001", "store_id": None, "lines": {"2": 2}}
    with pytest.raises(BuyerAskedToCancel, match="--override-intent-to-cancel"):
        await commerce_actions.ship_through_commerce(world.context, world.database, po, **ship)  # type: ignore[arg-type]
    assert world.order(po).shipments == []

    await commerce_actions.ship_through_commerce(
        world.context,
        world.database,
        po,
        override_intent_to_cancel=True,
        **ship,  # type: ignore[arg-type]
    )
    await world.drain()
    order = world.order(po)
    assert order.line("2").intent_to_cancel_override
    assert world.walmart_truth(po)["lines"]["2"]["by_status"] == {"Shipped": 2}
    world.assert_nothing_duplicated()


async def test_customer_requested_is_refused_for_a_line_the_buyer_did_not_ask_to_cancel(world: World) -> None:
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")
    await poll_changes(world)
    with pytest.raises(CustomerRequestedNotAllowed, match="line 1"):
        await commerce_actions.cancel_through_commerce(
            world.context, world.database, po, store_id=None, reason=CancellationReason.CUSTOMER_REQUESTED,
            lines={"1": 1},
        )  # fmt: skip
    await commerce_actions.cancel_through_commerce(
        world.context, world.database, po, store_id=None, reason=CancellationReason.CUSTOMER_REQUESTED,
        lines={"2": 2},
    )  # fmt: skip
    await world.drain()
    truth = world.walmart_truth(po)
    assert truth["lines"]["1"]["by_status"] == {"Acknowledged": 1}
    assert truth["lines"]["2"]["cancel_reasons"] == [CUSTOMER_REQUESTED]


async def test_a_request_made_before_intake_is_told_to_the_commerce_order_once_it_exists(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1, "intent_to_cancel": True}])
    await world.take_in()
    await reconcile(world)
    order = world.order(po)
    assert order.line("1").intent_to_cancel and order.commerce_order_id is not None
    assert "The buyer asked Walmart to cancel line 1" in order.status_details
    noted = [c for c in await comments(world, order.commerce_order_id) if intent_marker(["1"]) in c]
    assert len(noted) == 1


async def test_a_customer_requested_cancel_of_a_line_walmart_has_cancelled_since_finishes_without_an_error(
    world: World,
) -> None:
    """Walmart clears a line's request once the line is cancelled. A customer-requested cancel whose line is
    already cancelled at Walmart when its job runs (an earlier try applied, its answer lost; here: cancelled in
    Seller Center) finishes as applied instead of stopping on "the buyer did not ask to cancel" (found by the
    chaos suite)."""
    po = await two_line_order(world)
    buyer_asks_to_cancel(world, po, "2")
    await poll_changes(world)
    order = world.order(po)
    assert order.commerce_order_id is not None and order.line("2").intent_to_cancel
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("2").commerce_item_id or 0, 2.0)])
    link = await world.context.store(world.store_id)
    await link.walmart.cancel_order_lines(po, [CancelLine("2", 2, CancellationReason.CUSTOMER_REQUESTED)])
    assert world.walmart_truth(po)["lines"]["2"]["by_status"] == {"Cancelled": 2}

    await world.sync_commerce()

    order = world.order(po)
    assert order.problem is None, order.status_details
    [cancellation] = order.cancellations
    assert cancellation.reason is CancellationReason.CUSTOMER_REQUESTED
    assert cancellation.sync_state is SyncState.SYNCED
    assert world.walmart_truth(po)["lines"]["2"]["cancel_reasons"] == [CUSTOMER_REQUESTED]
