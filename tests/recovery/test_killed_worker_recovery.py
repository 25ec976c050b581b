"""Issue 14 item 9: recovery after a killed worker takes a full lease.

A ``channel-manager run`` process is SIGKILLed while its worker waits for Walmart. Its job keeps the dead
worker's lease (60 s, undocumented), so the process started in its place does nothing for a full minute: with
processes killed every 10-20 s, intake p99 was 60-70 s against about 1 s without faults. The issue asks that a
killed worker's job is picked up in seconds.
"""

from __future__ import annotations

import pytest

from .conftest import ACKNOWLEDGE, RunProcesses, World, calls, commerce_orders_for, poll_walmart, wait_until

pytestmark = pytest.mark.anyio

#: How long the replacement process may take to finish the dead one's PO ("in seconds"; the issue's target
#: for intake p99 under a kill every 10-20 s is 20 s).
PICKED_UP_WITHIN = 20.0


def acknowledged_at_walmart(world: World, po: str) -> bool:
    return all(set(line["by_status"]) == {"Acknowledged"} for line in world.walmart_truth(po)["lines"].values())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_po_held_by_a_killed_process_is_taken_in_by_its_replacement_within_seconds(
    world: World, run_processes: RunProcesses
) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-2", "quantity": 1}])
    # Walmart is slow to answer the acknowledgement: the process is killed while it waits.
    world.walmart_fault(endpoint=ACKNOWLEDGE, mode="latency", latency_ms=30_000)
    await poll_walmart(world)
    victim = await run_processes.start("victim", "--workers", "1")
    await wait_until(lambda: calls(world, ACKNOWLEDGE) >= 1, 60, "the first process calling Walmart")
    (job,) = world.jobs(state="running")
    assert job.kind == "acknowledge_order"
    await victim.sigkill()
    world.clear_faults()

    await run_processes.start("replacement", "--workers", "1")  # restarted, as a supervisor would

    async def taken_in() -> bool:
        # ... and its jobs finished: the Commerce order shows in Commerce a moment before its job links it.
        finished = all(job.state.value == "done" for job in world.jobs())
        return acknowledged_at_walmart(world, po) and len(await commerce_orders_for(world, po)) == 1 and finished

    def what() -> str:
        jobs = [(j.kind, j.state.value, j.attempts, j.locked_until) for j in world.jobs()]
        return f"PO {po} acknowledged at Walmart and created in Commerce by the replacement process (jobs: {jobs})"

    await wait_until(taken_in, PICKED_UP_WITHIN, what)
    order = world.order(po)
    assert order.commerce_order_id == (await commerce_orders_for(world, po))[0].entity_id
    assert world.walmart_counters()["duplicate_acknowledgements"] == 0
