"""Issue 14 item 5: rate-limit buckets are per process.

Walmart's limit is per seller and endpoint (NOTES section 6), but each process (each Walmart client) keeps
its own bucket, full at start: with N processes each assumes the whole budget, so N times the allowed calls
go out and Walmart answers the surplus with 429. Here four workers, each in its own SyncContext (as in its own
process), push the stock of many SKUs against the Walmart sandbox with its rate limits on.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

# Public names only, in one place (the engine is being refactored).
from channel_manager.service.inventory import queue_stock_pushes
from channel_manager.sync.worker import Worker
from channel_manager.walmart.rate_limits import RateLimit

from .conftest import INVENTORY_PUT, World, calls, wait_until

pytestmark = pytest.mark.anyio

PROCESSES = 4
SKUS = [f"RATE-{n:03d}" for n in range(40)]
#: Walmart's (published) limit for stock updates, small so the test is short: 10 at once, then 2 per second.
LIMIT = RateLimit(10, 5.0)


def enable_walmart_rate_limits(world: World) -> None:
    world.servers.walmart.rate_limits.limits["inventory_update"] = LIMIT
    url = f"{world.servers.walmart_url}/_sandbox/settings"
    httpx.put(url, json={"rate_limits": True}, timeout=10).raise_for_status()


def all_done(world: World) -> bool:
    jobs = world.jobs(limit=1000)
    return len(jobs) >= len(SKUS) and all(job.state.value == "done" for job in jobs)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("store_settings", [{"push_stock_changes": True}])
async def test_four_processes_share_one_walmart_budget_per_seller_and_endpoint(world: World) -> None:
    for n, sku in enumerate(SKUS):
        world.servers.commerce.upsert_product(sku, name=f"Product {sku}", price=5.0, quantity=10 + n)
    enable_walmart_rate_limits(world)
    with world.database.unit_of_work() as uow:
        assert queue_stock_pushes(uow, world.store_id, SKUS, world.clock()) == len(SKUS)
        uow.commit()

    options = {"rate_limiting": True, "rate_limits": {"inventory_update": LIMIT}, "timeout": 10.0}
    workers = [
        Worker(world.new_context(walmart_options=options), worker_id=f"process-{n}", idle_seconds=0.05)
        for n in range(PROCESSES)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(stop)) for worker in workers]
    try:
        await wait_until(lambda: all_done(world), 120, "every stock push done")
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    for n, sku in enumerate(SKUS):
        assert world.servers.walmart.sellers["seller-1"].inventory[sku] == 10 + n
    counters = world.walmart_counters()
    sent = calls(world, INVENTORY_PUT)
    throttled = counters["throttled"]
    assert throttled <= 0.01 * sent, (
        f"{throttled} of {sent} stock updates ({throttled / sent:.0%}) were answered 429: {PROCESSES} processes "
        f"each spent the seller's whole budget of {LIMIT.requests} per {LIMIT.per_seconds:g} s"
    )
    assert sent - throttled == len(SKUS)
