"""Exactly once in effect under the sandboxes' faults: 5xx, 429 storms, timeouts, "apply, then lose the
response", revoked tokens, Commerce down, and a tracking correction. Real HTTP both ways, SQLite and PostgreSQL.

Every test ends with the exact Walmart truth, the exact Commerce order, the local status, and no duplicate
anywhere. The engine's clock is moved instead of waiting for backoff.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from channel_manager.commerce.search_criteria import SearchCriteria
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import SyncState
from channel_manager.storage.jobs import JobState
from channel_manager.sync import pollers
from channel_manager.sync.worker import Worker

from .conftest import World

pytestmark = pytest.mark.anyio

ACKNOWLEDGE = "POST /v3/orders/{purchaseOrderId}/acknowledge"
SHIP = "POST /v3/orders/{purchaseOrderId}/shipping"
CANCEL = "POST /v3/orders/{purchaseOrderId}/cancel"
ENDPOINTS = {"acknowledge": ACKNOWLEDGE, "ship": SHIP, "cancel": CANCEL}

#: Two lines, five units: every flow is multi-line and multi-quantity.
LINES = [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}]

#: Per flow: Walmart units per status of each line, Commerce (sku, ordered, shipped, refunded) per item,
#: and the local status.
EXPECTED: dict[str, tuple[dict[str, dict[str, int]], list[tuple[str, float, float, float]], OrderStatus]] = {
    "acknowledge": (
        {"1": {"Acknowledged": 3}, "2": {"Acknowledged": 2}},
        [("MUG-1", 3, 0, 0), ("TEE-2", 2, 0, 0)],
        OrderStatus.OPEN,
    ),
    "ship": (  # 2 of the 3 units of line 1
        {"1": {"Acknowledged": 1, "Shipped": 2}, "2": {"Acknowledged": 2}},
        [("MUG-1", 3, 2, 0), ("TEE-2", 2, 0, 0)],
        OrderStatus.PARTIALLY_SHIPPED,
    ),
    "cancel": (  # 1 unit of line 1 shipped, the other 4 units cancelled
        {"1": {"Shipped": 1, "Cancelled": 2}, "2": {"Cancelled": 2}},
        [("MUG-1", 3, 1, 2), ("TEE-2", 2, 0, 2)],
        OrderStatus.SHIPPED,
    ),
}


# ---------------------------------------------------------------------- helpers


async def poll_walmart(world: World) -> None:
    await pollers.poll_walmart_orders(world.context, await world.context.store(world.store_id))


async def poll_commerce(world: World) -> None:
    await pollers.poll_commerce_orders(world.context, await world.context.store(world.store_id))


async def prepare(world: World, action: str) -> str:
    """A PO brought to the step before ``action``'s Walmart call."""
    po = world.walmart_order([dict(line) for line in LINES])
    if action == "acknowledge":
        return po
    await world.take_in()
    if action == "cancel":
        await world.ship_in_commerce(po, {"1": 1}, tracking="1ZFAULT0001")
        await world.sync_commerce()
    return po


async def perform(world: World, action: str, po: str, worker: Worker | None = None) -> None:
    """The merchant's (or Walmart's) step that makes the engine call ``action``'s endpoint, run to the end."""
    if action == "acknowledge":
        await poll_walmart(world)
    elif action == "ship":
        await world.ship_in_commerce(po, {"1": 2}, tracking="1ZFAULT0002")
        await poll_commerce(world)
    else:  # the rest of the order refunded by credit memo: Commerce will not ship it, Walmart cancels it
        order = world.order(po)
        assert order.commerce_order_id is not None
        await world.merchant.refund_order(
            order.commerce_order_id, [(order.line("1").commerce_item_id, 2), (order.line("2").commerce_item_id, 2)]
        )
        await poll_commerce(world)
    await world.settle(worker)


async def commerce_items(world: World, po: str) -> list[tuple[str, float, float, float]]:
    """(sku, ordered, shipped, refunded) of each item of the one Commerce order of the PO."""
    found = await world.merchant.search_orders(SearchCriteria().where("ext_order_id", po))
    assert len(found) == 1, f"{len(found)} Commerce orders for PO {po}"
    assert world.order(po).commerce_order_id == found[0].entity_id
    return sorted((i.sku, i.qty_ordered, i.qty_shipped, i.qty_refunded) for i in found[0].items)


def walmart_units(world: World, po: str) -> dict[str, dict[str, int]]:
    return {number: line["by_status"] for number, line in world.walmart_truth(po)["lines"].items()}


async def assert_final(world: World, po: str, action: str) -> None:
    units, items, status = EXPECTED[action]
    assert walmart_units(world, po) == units
    assert await commerce_items(world, po) == items
    order = world.order(po)
    assert order.status is status, order.status_details
    assert order.problem is None
    assert all(s.sync_state is SyncState.SYNCED for s in order.shipments)
    assert all(c.sync_state is SyncState.SYNCED for c in order.cancellations)
    assert {job.state for job in world.jobs()} == {JobState.DONE}
    world.assert_nothing_duplicated()
    assert world.walmart_counters()["duplicate_acknowledgements"] == 0


def calls(world: World, endpoint: str) -> int:
    return int(world.walmart_counters()["calls"].get(endpoint, 0))


def shipped(world: World, po: str, line: str) -> list[tuple[int, str]]:
    return [
        (entry["quantity"], entry["tracking"]["trackingNumber"])
        for entry in world.walmart_truth(po)["lines"][line]["shipments"]
    ]


# ---------------------------------------------------------------------- Walmart faults


@pytest.mark.parametrize("action", ["acknowledge", "ship", "cancel"])
async def test_walmart_5xx_twice_then_success_shows_error_then_clears_it(world: World, action: str) -> None:
    po = await prepare(world, action)
    world.walmart_fault(endpoint=ENDPOINTS[action], mode="error", status=500, count=2)
    await perform(world, action, po)

    await assert_final(world, po, action)
    assert calls(world, ENDPOINTS[action]) == 3
    timeline = world.timeline(po)
    errors = [message for kind, message in timeline if kind == "error"]
    assert len(errors) == 1  # the first failure is retried quietly; the second shows Error
    assert errors[0].startswith("Walmart side: could not ")
    assert "[SYSTEM_ERROR.GMP_ORDER_API]" in errors[0] and "Retrying automatically at" in errors[0]
    assert [kind for kind, _ in timeline].index("error_cleared") > [kind for kind, _ in timeline].index("error")


async def test_rate_limit_storm_on_ship_waits_for_retry_after_and_converges(world: World) -> None:
    po = await prepare(world, "ship")
    world.walmart_fault(endpoint=SHIP, mode="rate_limit_storm", count=3)
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZFAULT0002")
    await poll_commerce(world)

    assert await world.worker.run_once() == 1  # the client's own retry meets the storm too
    job = world.jobs(state="pending")[-1]
    assert job.attempts == 1 and "rate limit" in (job.last_error or "")
    # The sandbox says Retry-After: 1; the engine does not come back sooner, whatever its backoff says.
    assert (job.run_after - job.updated_at).total_seconds() >= 1.0
    assert world.order(po).problem is None  # one transient failure: no Error yet

    await world.settle()
    await assert_final(world, po, "ship")
    assert world.walmart_counters()["throttled"] == 3
    assert calls(world, SHIP) == 4
    assert shipped(world, po, "1") == [(2, "1ZFAULT0002")]


@pytest.mark.parametrize("action", ["acknowledge", "ship", "cancel"])
@pytest.mark.parametrize("lost_as", ["error", "timeout"])
async def test_applied_then_response_lost_is_recognised_and_never_sent_again(
    world: World, action: str, lost_as: str
) -> None:
    po = await prepare(world, action)
    # A worker whose client gives up after 0.5 s: the lost answer of a timeout hangs 1 s.
    fast = Worker(world.new_context(walmart_options={**world.context.walmart_options, "timeout": 0.5}))
    world.walmart_fault(endpoint=ENDPOINTS[action], mode="lose_response", lost_as=lost_as, hang_seconds=1.0, count=1)
    await perform(world, action, po, worker=fast)

    await assert_final(world, po, action)
    assert world.walmart_counters()["lost_responses"] == 1
    assert calls(world, ENDPOINTS[action]) == 1  # the retry read the PO and saw the change in effect
    if action == "ship":
        assert shipped(world, po, "1") == [(2, "1ZFAULT0002")]


async def test_acknowledge_slower_than_the_client_timeout_lands_later_and_is_not_sent_again(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    fast = Worker(world.new_context(walmart_options={**world.context.walmart_options, "timeout": 0.5}))
    world.walmart_fault(endpoint=ACKNOWLEDGE, mode="latency", latency_ms=1000)
    await poll_walmart(world)
    assert await fast.run_once() == 1
    assert "did not answer" in (world.jobs()[0].last_error or "")
    world.clear_faults()
    # Walmart goes on with the request the client gave up on: it lands after the timeout.
    await wait_for(lambda: walmart_units(world, po) == EXPECTED["acknowledge"][0])

    await world.settle(fast)
    await assert_final(world, po, "acknowledge")
    assert calls(world, ACKNOWLEDGE) == 1


async def test_ship_timed_out_before_walmart_read_it_is_sent_again_once(world: World) -> None:
    po = await prepare(world, "ship")
    fast = Worker(world.new_context(walmart_options={**world.context.walmart_options, "timeout": 0.5}))
    world.walmart_fault(endpoint=SHIP, mode="latency", latency_ms=800)
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZFAULT0002")
    await poll_commerce(world)
    assert await fast.run_once() == 1
    assert "did not answer" in (world.jobs(state="pending")[-1].last_error or "")
    world.clear_faults()
    # This one never lands (the sandbox drops a request whose client left before its body was read).
    await asyncio.sleep(0.5)  # past the sandbox's latency: it has dropped the request by now
    assert shipped(world, po, "1") == []

    await world.settle(fast)
    await assert_final(world, po, "ship")
    assert calls(world, SHIP) == 2  # the retry read the PO, saw nothing shipped, and sent it
    assert shipped(world, po, "1") == [(2, "1ZFAULT0002")]


async def test_revoked_tokens_mid_flow_are_renewed_without_repeating_a_change(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await poll_walmart(world)
    assert await world.worker.run_once() == 1  # acknowledged with the first token
    world.revoke_walmart_tokens()
    await world.settle()  # Commerce order created; no Walmart call needed
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZFAULT0002")
    await poll_commerce(world)
    await world.settle()  # the shipment meets the revoked token first

    await assert_final(world, po, "ship")
    counters = world.walmart_counters()
    assert counters["rejected"].get("401 UNAUTHORIZED.GMP_GATEWAY_API") == 1
    assert counters["calls"]["POST /v3/token"] == 2
    assert calls(world, SHIP) == 2  # refused once (token), applied once


# ---------------------------------------------------------------------- Commerce faults


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])  # faults and counts POST /V1/orders
async def test_commerce_down_shows_error_with_the_retry_time_then_converges(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    world.commerce_fault(route="POST /V1/orders", mode="error", status=503, count=4)
    await poll_walmart(world)
    await world.step()  # acknowledge
    await world.step()  # create: 503, retried quietly
    assert world.order(po).status is OrderStatus.OPEN
    await world.step()  # create: 503 again -> Error
    order = world.order(po)
    assert order.status is OrderStatus.ERROR
    assert order.status_details.startswith("Commerce side: could not create the order in Commerce: ")
    assert "[HTTP 503]" in order.status_details
    assert "Retrying automatically at" in order.status_details and "(attempt 3 of " in order.status_details
    assert "Waiting for the Commerce order to be created." in order.status_details

    await world.settle()
    await assert_final(world, po, "acknowledge")
    assert "Error cleared: create the order in Commerce succeeded." in [m for _, m in world.timeline(po)]
    assert world.commerce_counters()["calls"]["POST /V1/orders"] == 5


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])  # faults POST /V1/orders
@pytest.mark.parametrize("route", ["POST /V1/orders", "POST /V1/order/{orderId}/invoice"])
async def test_commerce_saves_then_loses_the_response_one_order_one_invoice(world: World, route: str) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    world.commerce_fault(route=route, mode="lose_response", status=503, count=1)
    await poll_walmart(world)
    await world.settle()

    await assert_final(world, po, "acknowledge")
    order = world.order(po)
    assert order.commerce_order_id is not None
    commerce = await world.merchant.get_order(order.commerce_order_id)
    assert commerce.ext_order_id == po
    assert commerce.total_invoiced == commerce.grand_total  # invoiced once, fully
    assert len(world.servers.commerce.invoices) == 1
    assert world.commerce_counters()["calls"][route] == 1


async def test_module_route_saves_then_loses_the_response_one_order(world: World) -> None:
    """The default path: the module's link table answers the retry with the first order."""
    route = "POST /V1/channel-manager/orders"
    po = world.walmart_order([dict(line) for line in LINES])
    world.commerce_fault(route=route, mode="lose_response", status=503, count=1)
    await poll_walmart(world)
    await world.settle()

    await assert_final(world, po, "acknowledge")
    order = world.order(po)
    assert order.commerce_order_id is not None
    commerce = await world.merchant.get_order(order.commerce_order_id)
    assert commerce.ext_order_id == po and commerce.total_invoiced == commerce.grand_total
    assert len(world.servers.commerce.orders) == 1 and len(world.servers.commerce.invoices) == 1
    assert world.commerce_counters()["calls"][route] == 1  # the retry found the order first


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "cart"}])
async def test_cart_order_placed_then_answer_lost_is_adopted_not_placed_again(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    world.commerce_fault(route="PUT /V1/carts/{cartId}/order", mode="lose_response", status=503, count=1)
    await poll_walmart(world)
    await world.settle()

    await assert_final(world, po, "acknowledge")
    assert len(world.servers.commerce.orders) == 1  # the untagged order was found and tagged, not placed again
    assert world.commerce_counters()["calls"]["PUT /V1/carts/{cartId}/order"] == 1


# ---------------------------------------------------------------------- tracking correction


@pytest.mark.parametrize("lost", [False, True], ids=["answered", "response_lost"])
async def test_tracking_correction_within_4_hours_goes_as_partial_update(world: World, lost: bool) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    shipment_id = await world.ship_in_commerce(po, {"1": 2, "2": 2}, tracking="1ZWRONG0001")
    await world.sync_commerce()
    assert shipped(world, po, "1") == [(2, "1ZWRONG0001")]

    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.add_shipment_track(order.commerce_order_id, shipment_id, "ups", "UPS", "1ZRIGHT0002")
    if lost:
        world.walmart_fault(endpoint=SHIP, mode="lose_response", count=1)
    world.clock.advance(3600)  # an hour later: inside Walmart's 4-hour window
    await poll_commerce(world)
    await world.settle()

    # The same chunks, with the new number: a PARTIAL_UPDATE, not a second shipment.
    assert shipped(world, po, "1") == [(2, "1ZRIGHT0002")]
    assert shipped(world, po, "2") == [(2, "1ZRIGHT0002")]
    assert walmart_units(world, po) == {"1": {"Acknowledged": 1, "Shipped": 2}, "2": {"Shipped": 2}}
    assert await commerce_items(world, po) == [("MUG-1", 3, 2, 0), ("TEE-2", 2, 2, 0)]
    order = world.order(po)
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    (shipment,) = order.shipments
    assert (shipment.tracking_number, shipment.corrections, shipment.sync_state) == ("1ZRIGHT0002", 1, SyncState.SYNCED)
    assert calls(world, SHIP) == 2
    assert {job.state for job in world.jobs()} == {JobState.DONE}
    world.assert_nothing_duplicated()


# ---------------------------------------------------------------------- more helpers


async def wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------------- recognising *this* change


async def test_retried_shipment_is_not_mistaken_for_an_earlier_one_with_the_same_tracking(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZSAMEBOX01")
    await world.sync_commerce()
    world.walmart_fault(endpoint=SHIP, mode="error", status=500, count=1)  # refused: nothing applied
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZSAMEBOX01")  # the last unit, same box number
    await poll_commerce(world)
    await world.settle()

    assert walmart_units(world, po) == {"1": {"Shipped": 3}, "2": {"Acknowledged": 2}}
    assert sum(quantity for quantity, _ in shipped(world, po, "1")) == 3
    assert calls(world, SHIP) == 3
    order = world.order(po)
    assert [s.sync_state for s in order.shipments] == [SyncState.SYNCED, SyncState.SYNCED]
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    assert await commerce_items(world, po) == [("MUG-1", 3, 3, 0), ("TEE-2", 2, 0, 0)]
    world.assert_nothing_duplicated()


async def test_lost_cancellation_is_recognised_while_a_later_one_waits(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_order_id is not None
    world.walmart_fault(endpoint=CANCEL, mode="lose_response", count=1)
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("1").commerce_item_id, 1)])
    await poll_commerce(world)
    await world.step()  # the first cancellation is applied at Walmart, its answer lost: retried later
    assert walmart_units(world, po)["1"] == {"Acknowledged": 2, "Cancelled": 1}
    # Before the retry, the merchant refunds line 2 as well: a second cancellation waits behind the first.
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("2").commerce_item_id, 2)])
    await poll_commerce(world)
    await world.settle()

    assert walmart_units(world, po) == {"1": {"Acknowledged": 2, "Cancelled": 1}, "2": {"Cancelled": 2}}
    assert calls(world, CANCEL) == 2  # each cancellation sent once
    assert await commerce_items(world, po) == [("MUG-1", 3, 0, 1), ("TEE-2", 2, 0, 2)]
    order = world.order(po)
    assert [c.sync_state for c in order.cancellations] == [SyncState.SYNCED, SyncState.SYNCED]
    assert order.status is OrderStatus.OPEN and order.problem is None
    assert {job.state for job in world.jobs()} == {JobState.DONE}
    world.assert_nothing_duplicated()
