"""Issue 14 item 7: Commerce changes made before the connector links the Commerce order are lost, silently.

The Commerce order is saved but the answer is lost, and the merchant ships it in Commerce before the
connector adopts it. The Commerce poll skips the unlinked order and moves its cursor on (other orders
changed since); linking it later reads none of its shipments. Walmart keeps the lines Acknowledged, the order
shows Open with no Error and no job.
"""

from __future__ import annotations

import httpx
import pytest

# Public names only, in one place (the engine is being refactored).
from channel_manager.domain.statuses import OrderStatus

from .conftest import World, poll_commerce, poll_walmart, shipped, the_commerce_order, walmart_units

pytestmark = pytest.mark.anyio


def advance_commerce_clock(world: World, seconds: float) -> None:
    url = f"{world.servers.commerce_url}/_sandbox/clock/advance"
    httpx.post(url, json={"seconds": seconds}, timeout=10).raise_for_status()


#: Where the save's answer is lost: the order itself (a store that does not invoice on import), or the
#: invoice made right after it (the order is complete in Commerce, as if the worker died right after the save).
SAVES = [
    # The default creation path: the companion module's route.
    pytest.param("POST /V1/channel-manager/orders", {"invoice_on_import": False}, id="order_save_answer_lost"),
    pytest.param("POST /V1/order/{orderId}/invoice", {}, id="invoice_answer_lost"),
]


@pytest.mark.parametrize(("route", "store_settings"), SAVES)
async def test_shipment_made_in_commerce_before_the_order_is_linked_reaches_walmart(world: World, route: str) -> None:
    other = world.walmart_order([{"sku": "CAP-3", "quantity": 1}])
    await world.take_in()  # another order of the store, linked as usual

    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-2", "quantity": 1}])
    world.commerce_fault(route=route, mode="lose_response", status=503, count=1)
    await poll_walmart(world)
    await world.step()  # acknowledged
    await world.step()  # the Commerce order is saved, its answer lost: not linked yet
    assert world.order(po).commerce_order_id is None

    # The merchant sees the order in Commerce and ships all of it.
    commerce = await the_commerce_order(world, po)
    items = [(item.item_id, item.qty_ordered) for item in commerce.items if item.parent_item_id is None]
    await world.merchant.ship_order(commerce.entity_id, items, [("ups", "UPS", "1ZBEFORELINK1")])
    await poll_commerce(world)  # the unlinked order is skipped
    advance_commerce_clock(world, 60)  # a minute later, the other order ships too
    await world.ship_in_commerce(other, {"1": 1}, tracking="1ZOTHER00001")
    await poll_commerce(world)  # the cursor moves past the skipped order's change

    await world.settle()  # the Commerce order is found and linked
    assert world.order(po).commerce_order_id == commerce.entity_id
    await poll_commerce(world)
    await world.settle()

    assert shipped(world, other, "1") == [(1, "1ZOTHER00001")]
    assert walmart_units(world, po) == {"1": {"Shipped": 2}, "2": {"Shipped": 1}}, (
        f"the shipment made in Commerce before the link never reached Walmart: {walmart_units(world, po)}"
    )
    assert shipped(world, po, "1") == [(2, "1ZBEFORELINK1")]
    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED, f"{order.status.value}: {order.status_details}"


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_a_change_recorded_before_the_link_is_read_by_the_next_poll_when_the_adoption_read_fails(
    world: World,
) -> None:
    """The change of the unlinked order is recorded for the Commerce order: if reading it right after the
    link fails, the next Commerce poll reads it in full (the order itself did not change since)."""
    other = world.walmart_order([{"sku": "CAP-3", "quantity": 1}])
    await world.take_in()
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    world.commerce_fault(route="POST /V1/channel-manager/orders", mode="lose_response", status=503, count=1)
    await poll_walmart(world)
    await world.step()  # acknowledged
    await world.step()  # saved, answer lost
    commerce = await the_commerce_order(world, po)
    items = [(item.item_id, item.qty_ordered) for item in commerce.items if item.parent_item_id is None]
    await world.merchant.ship_order(commerce.entity_id, items, [("ups", "UPS", "1ZRECORDED01")])
    await poll_commerce(world)  # recorded, not skipped
    advance_commerce_clock(world, 60)
    await world.ship_in_commerce(other, {"1": 1}, tracking="1ZOTHER00002")
    await poll_commerce(world)  # the watermark moves past the unlinked order's change

    world.commerce_fault(route="GET /V1/shipments", mode="error", status=503, count=50)
    await world.settle()  # adopted and linked; the read after the link fails
    world.clear_faults()
    assert world.order(po).commerce_order_id == commerce.entity_id
    assert walmart_units(world, po) == {"1": {"Acknowledged": 2}}

    await poll_commerce(world)  # the other order is not new; the recorded change is read now
    await world.settle()
    assert shipped(world, po, "1") == [(2, "1ZRECORDED01")]
    assert shipped(world, other, "1") == [(1, "1ZOTHER00002")]
