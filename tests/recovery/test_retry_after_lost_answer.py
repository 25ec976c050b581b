"""Issue 14 item 1: the merchant's Retry applies a change twice.

Retry resets a failed job's attempts to 0, and the "read Walmart before repeating" check only runs from the
second attempt. A job that failed after Walmart had applied its call (the answer lost, then a permanent
error on the next try) is sent again by Retry: a partial shipment of 1 of 3 units becomes ``Shipped 2``.
A refund without a return is paid twice the same way (8.50 + 0.68 tax became 17.00 + 1.36).
"""

from __future__ import annotations

import pytest

# Public names only, in one place (the engine is being refactored).
from channel_manager.domain.statuses import OrderStatus
from channel_manager.service.orders import retry_order

from .conftest import GET_ORDER, REFUND, SHIP, World, applied_twice, calls, poll_commerce, shipped, walmart_units

pytestmark = pytest.mark.anyio

LINES = [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}]


async def test_retry_after_a_lost_ship_answer_and_a_permanent_error_does_not_ship_again(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZRETRY0001")  # 1 of 3: a repeat would be accepted
    await poll_commerce(world)

    # Attempt 1: Walmart applies the shipment, the answer is lost.
    world.walmart_fault(endpoint=SHIP, mode="lose_response", status=503, count=1)
    await world.step()
    assert shipped(world, po, "1") == [(1, "1ZRETRY0001")]
    # Attempt 2: the read before repeating gets a permanent error; the job fails, the order shows Error.
    world.walmart_fault(endpoint=GET_ORDER, mode="error", status=403)
    await world.step()
    assert world.order(po).status is OrderStatus.ERROR
    world.clear_faults()

    # The merchant fixes "the cause" and presses Retry.
    assert retry_order(world.database, po) == 1
    await world.settle()

    assert applied_twice(world) == 0, (
        f"Retry shipped the unit again: Walmart shows {walmart_units(world, po)['1']} on line 1 "
        f"({world.walmart_counters()['applied_twice_details']})"
    )
    assert shipped(world, po, "1") == [(1, "1ZRETRY0001")]
    assert walmart_units(world, po) == {"1": {"Acknowledged": 2, "Shipped": 1}, "2": {"Acknowledged": 2}}
    assert calls(world, SHIP) == 1
    order = world.order(po)
    assert order.status is OrderStatus.PARTIALLY_SHIPPED, order.status_details
    assert order.problem is None


async def test_retry_after_a_lost_refund_answer_and_a_permanent_error_does_not_refund_again(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZRETRY0002")
    await world.sync_commerce()
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.refund_order(order.commerce_order_id, [(order.line("1").commerce_item_id, 1.0)])
    await poll_commerce(world)

    world.walmart_fault(endpoint=REFUND, mode="lose_response", status=503, count=1)
    await world.step()  # refunded at Walmart, the answer lost
    first = world.walmart_truth(po)["lines"]["1"]
    assert (first["refunded_product"], first["refunded_tax"]) == (8.5, 0.68)
    world.walmart_fault(endpoint=GET_ORDER, mode="error", status=403)
    await world.step()  # the read before repeating is refused: the job fails
    assert world.order(po).status is OrderStatus.ERROR
    world.clear_faults()

    assert retry_order(world.database, po) == 1
    await world.settle()

    line = world.walmart_truth(po)["lines"]["1"]
    assert (line["refunded_product"], line["refunded_tax"]) == (8.5, 0.68), (
        f"Retry refunded again: Walmart paid {line['refunded_product']} + {line['refunded_tax']} tax "
        "for a credit memo of 8.50 + 0.68"
    )
    assert applied_twice(world) == 0
    assert calls(world, REFUND) == 1
    assert world.order(po).problem is None
