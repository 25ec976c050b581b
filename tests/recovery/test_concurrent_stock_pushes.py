"""Issue 14 item 4: stock pushes for one SKU run concurrently.

A push reads Commerce's salable quantity, then PUTs it to Walmart. Jobs without an order are not
serialised, so a second push of the same SKU (queued while the first one runs) is claimed by another worker
at once: it reads the new quantity and sends it, and then the first push's older quantity lands. Commerce
salable 0, Walmart left at 9: Walmart oversells.
"""

from __future__ import annotations

import asyncio

import pytest

# Public names only, in one place (the engine is being refactored).
from channel_manager.service.inventory import on_commerce_stock_event
from channel_manager.sync.worker import Worker

from .conftest import INVENTORY_PUT, World, calls, wait_until

pytestmark = pytest.mark.anyio

SKU = "MUG-1"


def walmart_stock(world: World, sku: str) -> int:
    """The inventory Walmart holds for the SKU (the sandbox's own record)."""
    return int(world.servers.walmart.sellers["seller-1"].inventory[sku])


async def stock_changed(world: World, sku: str) -> None:
    """Commerce's stock webhook for ``sku`` arrives (the handler the service runs for it)."""
    link = await world.context.store(world.store_id)
    await on_commerce_stock_event(world.context, link, {"data": {"sku": sku}})


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
# The cart path reserves the Walmart order's units in Commerce (the direct save reserves nothing, as in a real
# store): salable = source - 2 below.
@pytest.mark.parametrize("store_settings", [{"push_stock_changes": True, "order_creation_path": "cart"}])
async def test_two_quick_stock_changes_leave_walmart_at_commerces_last_quantity(world: World) -> None:
    world.walmart_order([{"sku": SKU, "quantity": 2}])
    await world.take_in()  # 2 units reserved in Commerce by the Walmart order

    await world.merchant.set_source_item(SKU, 11)  # salable 9
    await stock_changed(world, SKU)
    world.clock.advance(1)  # past the coalescing delay

    # Worker A (another process) runs the push: it reads 9, and its PUT is slow to land at Walmart.
    worker_a = Worker(world.new_context(walmart_options={**world.context.walmart_options, "timeout": 15.0}))
    before = calls(world, INVENTORY_PUT)
    world.walmart_fault(endpoint=INVENTORY_PUT, mode="latency", latency_ms=3000)
    task_a = asyncio.create_task(worker_a.run_once())
    await wait_until(lambda: calls(world, INVENTORY_PUT) > before, 10, "worker A's PUT reaching Walmart")
    world.clear_faults()

    # Meanwhile the merchant sells out in Commerce; the new push is queued and worker B looks for work.
    await world.merchant.set_source_item(SKU, 2)  # salable 0
    assert await world.merchant.get_salable_quantity(SKU) == 0
    await stock_changed(world, SKU)
    world.clock.advance(1)
    await world.worker.run_once()

    await asyncio.wait_for(asyncio.gather(task_a, return_exceptions=True), timeout=30)
    await world.settle()  # whatever is still queued runs

    salable = await world.merchant.get_salable_quantity(SKU)
    assert walmart_stock(world, SKU) == salable == 0, (
        f"Walmart offers {walmart_stock(world, SKU)} of {SKU} while Commerce has {salable:g} salable: "
        "the older push landed last"
    )
    assert {job.state.value for job in world.jobs()} == {"done"}
