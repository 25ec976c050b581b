"""Issue 14 item 1 and issue 15 item 2, on the paths the reproductions do not take: the merchant's Retry of a
job waiting in backoff acts now, and a job given back mid-call (the worker stopped) reads Walmart before it
sends again; ``/health``'s verdict from the workers' heartbeats and the oldest due job."""

from __future__ import annotations

import asyncio

import pytest

from channel_manager.domain.statuses import OrderStatus
from channel_manager.service.health import OLDEST_DUE_JOB_LIMIT, WORKER_GONE_AFTER, health_report
from channel_manager.service.jobs import beat
from channel_manager.service.orders import retry_order
from channel_manager.sync.retry import RetryPolicy
from channel_manager.sync.worker import Worker

from .conftest import GET_ORDER, SHIP, World, applied_twice, calls, poll_commerce, poll_walmart, shipped, wait_until

pytestmark = pytest.mark.anyio

LINES = [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}]
#: A retry policy whose backoff is long: a job that failed once waits minutes for its next try.
PATIENT = RetryPolicy(base_seconds=300, max_delay_seconds=600, jitter=0.0, ambiguous_floor_seconds=300)


async def test_retry_of_a_job_waiting_in_backoff_runs_it_now(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZBACKOFF01")
    await poll_commerce(world)
    patient = Worker(world.new_context(retry_policy=PATIENT))

    world.walmart_fault(endpoint=SHIP, mode="error", status=503, count=1)  # refused before it is applied
    world.clock.advance(1)
    assert await patient.run_once() == 1
    (job,) = [j for j in world.jobs() if j.kind == "ship_lines"]
    assert job.state.value == "pending" and job.run_after > world.clock()  # waiting minutes in backoff
    assert await patient.run_once() == 0
    world.clear_faults()

    assert retry_order(world.database, po) == 1  # the merchant's Retry
    assert await patient.run_once() == 1  # due now: no clock moved

    assert shipped(world, po, "1") == [(1, "1ZBACKOFF01")]
    assert world.order(po).status is OrderStatus.PARTIALLY_SHIPPED
    assert applied_twice(world) == 0


async def test_a_job_given_back_mid_call_reads_walmart_before_sending_again(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZRELEASE01")  # 1 of 3: a repeat would be accepted
    await poll_commerce(world)
    world.clock.advance(1)

    # Walmart applies the call and is slow to answer; the worker is stopped while it waits (a clean shutdown
    # gives the job back).
    world.walmart_fault(endpoint=SHIP, mode="lose_response", lost_as="timeout", hang_seconds=10, count=1)
    worker = Worker(world.new_context(walmart_options={**world.context.walmart_options, "timeout": 15.0}))
    task = asyncio.create_task(worker.run_once())
    await wait_until(lambda: shipped(world, po, "1") == [(1, "1ZRELEASE01")], 10, "Walmart applying the call")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    (job,) = [j for j in world.jobs() if j.kind == "ship_lines"]
    assert job.state.value == "pending" and job.attempts == 0  # given back, its attempt not counted
    assert job.may_be_in_effect
    world.clear_faults()

    reads = calls(world, GET_ORDER)
    await world.settle()

    assert calls(world, GET_ORDER) > reads, "the job sent again without reading Walmart first"
    assert calls(world, SHIP) == 1
    assert applied_twice(world) == 0
    assert shipped(world, po, "1") == [(1, "1ZRELEASE01")]
    assert world.order(po).status is OrderStatus.PARTIALLY_SHIPPED


async def test_health_needs_a_live_worker_and_no_job_waiting_too_long(world: World) -> None:
    context = world.context
    report = health_report(context)
    assert not report.healthy and "No worker is alive" in report.problems[0]

    beat(context, "process-a", 2)
    report = health_report(context)
    assert report.healthy, report.problems
    assert (report.processes_alive, report.workers_alive) == (1, 2)

    world.clock.advance(WORKER_GONE_AFTER.total_seconds() + 1)  # the process was killed: no more beats
    assert not health_report(context).healthy

    beat(context, "process-b", 1)
    world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    assert health_report(context).healthy  # nothing due

    world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await poll_walmart(world)  # two jobs due, no worker runs them
    report = health_report(context)
    (store,) = report.stores
    assert store.due_jobs == 2 and store.oldest_due_job_since is not None
    world.clock.advance(OLDEST_DUE_JOB_LIMIT.total_seconds() + 1)
    beat(context, "process-b", 1)
    report = health_report(context)
    assert not report.healthy and "waited" in report.problems[0]
