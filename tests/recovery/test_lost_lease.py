"""Issue 14 item 3: a worker that lost its lease keeps going.

``extend_lease`` returning False is ignored, so two workers run one job: worker A claims a shipment and
stalls before its call (here: its token request to Walmart hangs) past its lease; worker B takes the job
over, reads the PO (nothing shipped yet), ships, and finishes. Then A's call goes out as well: a partial
shipment of 1 of 3 units becomes ``Shipped 2`` at Walmart.
"""

from __future__ import annotations

import asyncio

import pytest

# Public names only, in one place (the engine is being refactored).
from channel_manager.domain.statuses import OrderStatus
from channel_manager.sync.worker import Worker

from .conftest import SHIP, TOKEN, World, applied_twice, calls, poll_commerce, shipped, wait_until, walmart_units

pytestmark = pytest.mark.anyio

LINES = [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}]
#: A's lease, in the engine's (test) clock; its keeper tries to extend it every few real seconds.
LEASE_SECONDS = 3.0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_worker_that_lost_its_lease_does_not_ship_after_the_new_owner(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()  # world's own worker (B below) holds a Walmart token from here on
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZLEASE0001")  # 1 of 3: a repeat would be accepted
    await poll_commerce(world)
    world.clock.advance(1)  # the job is due

    # Worker A: a new process (its own clients, no token yet), a short lease, a client that waits long.
    context_a = world.new_context(
        lease_seconds=LEASE_SECONDS, walmart_options={**world.context.walmart_options, "timeout": 15.0}
    )
    worker_a = Worker(context_a, worker_id="stalled")
    world.walmart_fault(endpoint=TOKEN, mode="latency", latency_ms=6000)
    task_a = asyncio.create_task(worker_a.run_once())
    await wait_until(lambda: calls(world, TOKEN) >= 2, 10, "worker A asking Walmart for a token")
    world.clear_faults()  # A's token request is already hanging; nothing else is slowed down

    # A's lease runs out (engine clock); B claims the job, reads the PO, ships and finishes.
    world.clock.advance(LEASE_SECONDS + 1)
    assert await world.worker.run_once() == 1
    (job,) = [j for j in world.jobs() if j.kind == "ship_lines"]
    assert job.state.value == "done" and job.attempts == 2
    assert shipped(world, po, "1") == [(1, "1ZLEASE0001")]

    # A's token arrives; what does A do with a job it lost? (However it ends, only Walmart's state counts.)
    await asyncio.wait_for(asyncio.gather(task_a, return_exceptions=True), timeout=30)

    assert applied_twice(world) == 0, (
        f"the worker that lost its lease shipped too: Walmart shows {walmart_units(world, po)['1']} on line 1"
    )
    assert shipped(world, po, "1") == [(1, "1ZLEASE0001")]
    assert walmart_units(world, po) == {"1": {"Acknowledged": 2, "Shipped": 1}, "2": {"Acknowledged": 2}}
    assert calls(world, SHIP) == 1
    assert world.order(po).status is OrderStatus.PARTIALLY_SHIPPED
