"""Issue 14 item 6: a tracking correction after a lost ship answer leaves the order in Error for good.

The merchant ships in Commerce; Walmart applies the shipment but the answer is lost. The merchant then
corrects the tracking number (``POST /V1/shipment/track``) while reads of the PO fail. The shipment was
never marked as sent, so it goes again as a full shipment with the new number instead of a
``PARTIAL_UPDATE``; Walmart refuses it (the lines are shipped), the order stays in Error ("Walmart shows these
lines shipped with another tracking number... Not retried automatically"), Retry fails the same way, and
Walmart keeps the old number.
"""

from __future__ import annotations

import pytest

# Public names only, in one place (the engine is being refactored).
from channel_manager.domain.statuses import OrderStatus
from channel_manager.service.orders import retry_order

from .conftest import GET_ORDER, SHIP, World, applied_twice, poll_commerce, shipped, walmart_units

pytestmark = pytest.mark.anyio

LINES = [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}]


async def test_tracking_correction_after_a_lost_ship_answer_reaches_walmart(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    shipment_id = await world.ship_in_commerce(po, {"1": 3, "2": 2}, tracking="1ZOLDNUMBER1")
    await poll_commerce(world)

    world.walmart_fault(endpoint=SHIP, mode="lose_response", status=503, count=1)
    await world.step()  # Walmart applies the shipment; the answer is lost
    assert shipped(world, po, "1") == [(3, "1ZOLDNUMBER1")]
    world.walmart_fault(endpoint=GET_ORDER, mode="error", status=503)
    await world.step()  # the retry cannot read the PO: retried later

    # The merchant corrects the tracking number in Commerce while Walmart's PO cannot be read.
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.add_shipment_track(order.commerce_order_id, shipment_id, "ups", "UPS", "1ZNEWNUMBER2")
    world.clock.advance(600)  # ten minutes later: well inside Walmart's 4-hour correction window
    await poll_commerce(world)
    world.clear_faults()  # Walmart's reads work again
    await world.settle()
    if world.order(po).status is OrderStatus.ERROR:
        assert retry_order(world.database, po) >= 1  # the merchant presses Retry
        await world.settle()

    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED, f"order in {order.status.value}: {order.status_details}"
    assert order.problem is None
    assert shipped(world, po, "1") == [(3, "1ZNEWNUMBER2")], "Walmart kept the old tracking number"
    assert shipped(world, po, "2") == [(2, "1ZNEWNUMBER2")]
    assert walmart_units(world, po) == {"1": {"Shipped": 3}, "2": {"Shipped": 2}}
    assert applied_twice(world) == 0
