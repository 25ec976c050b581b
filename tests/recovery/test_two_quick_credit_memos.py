"""Issue 14 item 8: two quick credit memos on one line under-refund at Walmart and show as synced.

Ship 3 units, then a 1-unit memo and a 2-unit memo a moment apart. A Commerce poll reads the order (1 unit
refunded) and, a moment later, its memo list (both memos): the new unit is given to the newest memo, and the
next poll gives the older memo what is left. Commerce credited 3 units, Walmart refunded 2, and both refunds
say "applied at Walmart".
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

# Public names only, in one place (the engine is being refactored).
from .conftest import CATALOG, World, applied_twice, poll_commerce, the_commerce_order, wait_until

pytestmark = pytest.mark.anyio

MEMO_LIST = "GET /V1/creditmemos"


def commerce_calls(world: World, route: str) -> int:
    return int(world.commerce_counters()["calls"].get(route, 0))


async def test_two_quick_credit_memos_on_one_line_are_refunded_in_full(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 3}, tracking="1ZMEMOS00001")
    await world.sync_commerce()
    order = world.order(po)
    assert order.commerce_order_id is not None
    item_id = order.line("1").commerce_item_id

    await world.merchant.refund_order(order.commerce_order_id, [(item_id, 1.0)])  # memo 1: 1 unit
    # The poll reads the changed order, then its memo list; the list is a little slow to answer ...
    world.commerce_fault(route=MEMO_LIST, mode="delay", latency_ms=2000, count=1)  # under the 3 s timeout
    before = commerce_calls(world, MEMO_LIST)
    poll = asyncio.create_task(poll_commerce(world))
    await wait_until(lambda: commerce_calls(world, MEMO_LIST) > before, 10, "the poll asking for the memo list")
    # ... and in that moment the merchant makes the second memo.
    await world.merchant.refund_order(order.commerce_order_id, [(item_id, 2.0)])  # memo 2: 2 units
    await poll
    await world.drain()
    await world.sync_commerce()  # later polls see nothing new in Commerce
    await world.sync_commerce()

    commerce = await the_commerce_order(world, po)
    (item,) = commerce.items
    assert item.qty_refunded == 3
    line = world.walmart_truth(po)["lines"]["1"]
    credited = 3 * CATALOG["MUG-1"]
    assert Decimal(str(line["refunded_product"])) == credited, (
        f"Commerce credited 3 units ({credited}), Walmart refunded {line['refunded_product']}"
    )
    assert Decimal(str(line["refunded_product"])) + Decimal(str(line["refunded_tax"])) == Decimal(
        str(commerce.total_refunded)
    )
    order = world.order(po)
    assert sorted(sum(x.quantity for x in r.lines) for r in order.refunds) == [1, 2]
    assert applied_twice(world) == 0
