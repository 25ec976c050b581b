"""Automatic recovery after an outage: a job's backoff grows while Walmart or Commerce does not answer (60 s,
120 s, ... up to 5 minutes), so without more the work queued during an outage would trickle out minutes after
the side is back, and a job that gave up would wait for an operator's Retry. The side's first answer after
the outage wakes the store's jobs that waited it out (``service/side_health.py``, ``sync/wakeup.py``).

Real HTTP to both sandboxes; the engine's clock is moved instead of waiting for the backoff, and stays far
before each job's own next try, so only the wake can make it run.
"""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from channel_manager.service.health import health_report
from channel_manager.service.outbox import JobKind
from channel_manager.storage.jobs import JobState
from channel_manager.storage.tables import jobs
from channel_manager.sync import pollers
from channel_manager.sync.retry import RetryPolicy
from channel_manager.sync.worker import Worker

from .conftest import World, commerce_orders_for

pytestmark = pytest.mark.anyio

#: A production-like backoff (no jitter): 60 s after the first failure, 120 s after the second...
PATIENT = RetryPolicy(base_seconds=60.0, max_delay_seconds=300.0, jitter=0.0, ambiguous_floor_seconds=1.5)
LINES = [{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-2", "quantity": 1}]


def creation_job(world: World, po: str) -> object:
    order = world.order(po)
    found = [job for job in world.jobs() if job.order_id == order.id and job.kind == JobKind.CREATE_COMMERCE_ORDER]
    assert len(found) == 1
    return found[0]


async def run_due(worker: Worker, rounds: int = 20) -> None:
    for _ in range(rounds):
        if not await worker.run_once(limit=5):
            return


async def fail_creation_through_an_outage(world: World, worker: Worker, po: str, tries: int) -> None:
    """Commerce answers, then is down (every route 503) for ``tries`` tries of the PO's creation."""
    link = await worker.context.store(world.store_id)
    await pollers.poll_commerce_orders(worker.context, link)  # Commerce answers: up in this process's eyes
    await pollers.poll_walmart_orders(worker.context, link)
    world.commerce_fault(route="*", mode="error", status=503)
    await run_due(worker)  # the acknowledgement, and the first try of the creation
    for _ in range(tries - 1):
        job = creation_job(world, po)
        assert job.state is JobState.PENDING, job  # type: ignore[attr-defined]
        world.clock.advance((job.run_after - world.clock()).total_seconds() + 0.01)  # type: ignore[attr-defined]
        await run_due(worker)
    world.clear_faults()


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])
async def test_an_order_queued_during_a_commerce_outage_is_created_when_commerce_answers_again(world: World) -> None:
    worker = Worker(world.new_context(retry_policy=PATIENT))
    first = world.walmart_order([dict(line) for line in LINES])
    await fail_creation_through_an_outage(world, worker, first, tries=3)
    waiting = creation_job(world, first)
    assert waiting.state is JobState.PENDING and waiting.attempts == 3  # type: ignore[attr-defined]
    assert waiting.waiting_on == "Commerce"  # type: ignore[attr-defined]
    next_try = waiting.run_after  # type: ignore[attr-defined]
    assert (next_try - world.clock()).total_seconds() > 200  # 240 s of backoff after the third failure
    (store,) = health_report(world.context, require_workers=False).stores
    assert store.waiting_for == {"Commerce": 1}  # /health and /metrics show what waits for which side

    world.clock.advance(2)  # Commerce is back; the first order's own next try is minutes away
    second = world.walmart_order([dict(line) for line in LINES])
    await pollers.poll_walmart_orders(worker.context, await worker.context.store(world.store_id))
    await run_due(worker)  # the second order is created: Commerce answered, the first one's job is woken

    assert world.clock() < next_try
    assert len(await commerce_orders_for(world, first)) == 1
    assert len(await commerce_orders_for(world, second)) == 1
    assert world.order(first).commerce_order_id is not None
    assert "Error cleared: create the order in Commerce succeeded." in [m for _, m in world.timeline(first)]
    assert health_report(world.context, require_workers=False).stores[0].waiting_for == {}
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])
async def test_a_job_that_gave_up_during_an_outage_runs_again_when_the_side_answers(world: World) -> None:
    worker = Worker(world.new_context(retry_policy=PATIENT))
    po = world.walmart_order([dict(line) for line in LINES])
    link = await worker.context.store(world.store_id)
    await pollers.poll_walmart_orders(worker.context, link)
    with world.database.engine.begin() as connection:  # a job with three tries in all (creation's are 50)
        connection.execute(sa.update(jobs).where(jobs.c.kind == JobKind.CREATE_COMMERCE_ORDER).values(max_attempts=3))
    await fail_creation_through_an_outage(world, worker, po, tries=3)
    gave_up = creation_job(world, po)
    assert gave_up.state is JobState.FAILED and gave_up.waiting_on == "Commerce"  # type: ignore[attr-defined]
    order = world.order(po)
    assert order.status.value == "Error"
    assert "runs again by itself as soon as Commerce answers again, or use Retry." in order.status_details

    world.clock.advance(2)
    await pollers.poll_commerce_orders(worker.context, link)  # Commerce answers again...
    stop_after_one_pass = _OnePass()
    await pollers.run_every(worker.context, link, stop_after_one_pass, 60.0, stop_after_one_pass.stop)  # ...the wake
    await run_due(worker)

    assert creation_job(world, po).state is JobState.DONE  # type: ignore[attr-defined]
    assert len(await commerce_orders_for(world, po)) == 1
    assert world.order(po).status.value == "Open"
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])
async def test_one_refused_call_among_answers_keeps_its_backoff(world: World) -> None:
    """A single 503 of one route while Commerce answers the rest is no outage: nothing to wake."""
    worker = Worker(world.new_context(retry_policy=PATIENT))
    first = world.walmart_order([dict(line) for line in LINES])
    link = await worker.context.store(world.store_id)
    await pollers.poll_commerce_orders(worker.context, link)
    await pollers.poll_walmart_orders(worker.context, link)
    world.commerce_fault(route="POST /V1/orders", mode="error", status=503, count=1)
    await run_due(worker)
    waiting = creation_job(world, first)
    assert waiting.state is JobState.PENDING and waiting.attempts == 1  # type: ignore[attr-defined]

    world.clock.advance(2)
    second = world.walmart_order([dict(line) for line in LINES])
    await pollers.poll_walmart_orders(worker.context, link)
    await run_due(worker)
    assert len(await commerce_orders_for(world, second)) == 1
    still = creation_job(world, first)
    assert still.state is JobState.PENDING and still.run_after == waiting.run_after  # type: ignore[attr-defined]


class _OnePass:
    """A polling pass that answers nothing new and stops its loop after one run."""

    __name__ = "one_pass"

    def __init__(self) -> None:
        self.stop = asyncio.Event()

    async def __call__(self, context: object, link: object) -> pollers.PollResult:
        self.stop.set()
        return pollers.PollResult()
