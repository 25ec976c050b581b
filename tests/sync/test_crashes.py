"""Workers that die: between intake steps, after a remote change but before its commit, while a call is in
flight (cancelled, or SIGKILLed as a real OS process), and two workers racing over the same orders.

A dying worker is simulated with :class:`Killed`, a ``BaseException`` no ``except Exception`` catches: raised
from the job's ``finish`` (after the real handler made its remote calls, before anything is committed) or
before the handler starts. The job stays ``running`` under its lease; once the engine's clock passes the
lease, a fresh worker with its own SyncContext (a new process) takes it over and must finish it without
repeating what already happened.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest

from channel_manager.commerce.search_criteria import SearchCriteria
from channel_manager.crypto import SecretBox
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import SyncState
from channel_manager.service.job_handlers import HANDLERS
from channel_manager.service.job_run import Handler, JobRun
from channel_manager.service.outbox import JobKind
from channel_manager.storage.jobs import JobState
from channel_manager.sync import pollers
from channel_manager.sync.worker import Worker

from .conftest import World

pytestmark = pytest.mark.anyio

ACKNOWLEDGE_ORDER = JobKind.ACKNOWLEDGE_ORDER
CREATE_COMMERCE_ORDER = JobKind.CREATE_COMMERCE_ORDER
SHIP_LINES = JobKind.SHIP_LINES
CANCEL_LINES = JobKind.CANCEL_LINES

SHIP = "POST /v3/orders/{purchaseOrderId}/shipping"
ACKNOWLEDGE = "POST /v3/orders/{purchaseOrderId}/acknowledge"
CANCEL = "POST /v3/orders/{purchaseOrderId}/cancel"
LINES = [{"sku": "MUG-1", "quantity": 3}, {"sku": "TEE-2", "quantity": 2}]
SECRET_KEY = SecretBox.generate_key()


@pytest.fixture
def secret_box() -> SecretBox:
    """A key the test knows, so a worker in another OS process can open the store's credentials."""
    return SecretBox(SECRET_KEY)


class Killed(BaseException):
    """The worker's process died here: nothing after this point runs, nothing is committed."""


def dying(kind: str, where: str = "finish") -> dict[str, Handler]:
    """The real handlers, except that the worker dies in a job of ``kind``: at its ``"start"`` (claimed,
    nothing sent) or at its ``"finish"`` (every remote call made, the local commit never happens)."""
    handler = HANDLERS[kind]

    async def die(*_: Any) -> None:
        raise Killed(f"killed in {kind} at {where}")

    async def run(job_run: JobRun) -> None:
        if where == "start":
            await die()
        job_run.finish = die  # type: ignore[method-assign]
        await handler(job_run)

    return {**HANDLERS, kind: run}


async def kill_worker_in(world: World, kind: str, where: str = "finish") -> None:
    """Runs the next job in a worker that dies in it; the job is left running under the dead worker's lease."""
    doomed = Worker(world.context, worker_id="doomed", handlers=dying(kind, where))
    with pytest.raises(Killed):
        await doomed.run_once()
    (job,) = world.jobs(state="running")
    assert (job.kind, job.locked_by) == (kind, "doomed")


async def take_over(world: World) -> Worker:
    """A new process: its own SyncContext and worker id. Nothing is claimable while the dead worker's lease
    holds; past it, the new worker finishes everything."""
    fresh = Worker(world.new_context(), worker_id="fresh")
    if world.jobs(state="running"):
        assert await fresh.run_once() == 0
    world.clock.advance(world.context.lease_seconds + 1)
    await world.settle(fresh)
    return fresh


async def poll_walmart(world: World) -> None:
    await pollers.poll_walmart_orders(world.context, await world.context.store(world.store_id))


async def poll_commerce(world: World) -> None:
    await pollers.poll_commerce_orders(world.context, await world.context.store(world.store_id))


async def the_commerce_order(world: World, po: str) -> Any:
    found = await world.merchant.search_orders(SearchCriteria().where("ext_order_id", po))
    assert len(found) == 1, f"{len(found)} Commerce orders for PO {po}"
    return found[0]


def walmart_units(world: World, po: str) -> dict[str, dict[str, int]]:
    return {number: line["by_status"] for number, line in world.walmart_truth(po)["lines"].items()}


def shipped(world: World, po: str, line: str) -> list[tuple[int, str]]:
    return [
        (entry["quantity"], entry["tracking"]["trackingNumber"])
        for entry in world.walmart_truth(po)["lines"][line]["shipments"]
    ]


def calls(world: World, endpoint: str) -> int:
    return int(world.walmart_counters()["calls"].get(endpoint, 0))


def assert_clean(world: World) -> None:
    assert {job.state for job in world.jobs()} == {JobState.DONE}
    world.assert_nothing_duplicated()
    assert world.walmart_counters()["duplicate_acknowledgements"] == 0


async def assert_taken_in_once(world: World, po: str) -> None:
    """Acknowledged once, one Commerce order (invoiced once), linked line by line, Open."""
    assert walmart_units(world, po) == {"1": {"Acknowledged": 3}, "2": {"Acknowledged": 2}}
    assert calls(world, ACKNOWLEDGE) == 1
    commerce = await the_commerce_order(world, po)
    assert sorted((i.sku, i.qty_ordered, i.qty_invoiced) for i in commerce.items) == [("MUG-1", 3, 3), ("TEE-2", 2, 2)]
    assert world.commerce_counters()["calls"]["POST /V1/orders"] == 1
    assert len(world.servers.commerce.invoices) == 1
    order = world.order(po)
    assert order.commerce_order_id == commerce.entity_id
    assert order.acknowledged_at is not None
    items = {i.sku: i.item_id for i in commerce.items}
    assert [(line.line_number, line.commerce_item_id) for line in order.lines] == [
        ("1", items["MUG-1"]),
        ("2", items["TEE-2"]),
    ]
    assert order.status is OrderStatus.OPEN and order.problem is None
    assert_clean(world)


# ---------------------------------------------------------------------- intake


async def _recorded(world: World, po: str) -> None:
    """The PO and its jobs are committed; the process dies before any job ran."""


async def _acknowledged_not_recorded(world: World, po: str) -> None:
    await kill_worker_in(world, ACKNOWLEDGE_ORDER, "finish")


async def _acknowledged_create_claimed(world: World, po: str) -> None:
    assert await world.worker.run_once() == 1  # acknowledge, committed
    await kill_worker_in(world, CREATE_COMMERCE_ORDER, "start")


async def _created_not_linked(world: World, po: str) -> None:
    assert await world.worker.run_once() == 1
    await kill_worker_in(world, CREATE_COMMERCE_ORDER, "finish")
    assert world.order(po).commerce_order_id is None
    assert len(world.servers.commerce.orders) == 1  # created (and invoiced) in Commerce, not linked here


CRASH_POINTS: dict[str, Callable[[World, str], Any]] = {
    "after_po_recorded": _recorded,
    "after_acknowledge_before_its_commit": _acknowledged_not_recorded,
    "after_acknowledge_before_create": _acknowledged_create_claimed,
    "after_commerce_create_before_link": _created_not_linked,
}


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])  # counts POST /V1/orders
@pytest.mark.parametrize("crash", list(CRASH_POINTS))
async def test_crash_between_intake_steps_takes_the_po_in_once(world: World, crash: str) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await poll_walmart(world)
    await CRASH_POINTS[crash](world, po)
    await take_over(world)
    await assert_taken_in_once(world, po)


# ---------------------------------------------------------------------- after Walmart applied a change


async def test_worker_killed_after_walmart_applied_a_partial_shipment(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZCRASH0001")
    await poll_commerce(world)
    await kill_worker_in(world, SHIP_LINES)
    assert shipped(world, po, "1") == [(2, "1ZCRASH0001")]  # Walmart has it; we never recorded it

    await take_over(world)
    assert shipped(world, po, "1") == [(2, "1ZCRASH0001")]
    assert walmart_units(world, po) == {"1": {"Acknowledged": 1, "Shipped": 2}, "2": {"Acknowledged": 2}}
    assert calls(world, SHIP) == 1  # the new worker read the PO and saw the shipment in effect
    commerce = await the_commerce_order(world, po)
    assert sorted((i.sku, i.qty_shipped) for i in commerce.items) == [("MUG-1", 2), ("TEE-2", 0)]
    order = world.order(po)
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    assert [s.sync_state for s in order.shipments] == [SyncState.SYNCED]
    assert (world.jobs()[-1].kind, world.jobs()[-1].attempts) == (SHIP_LINES, 2)
    assert_clean(world)


async def test_worker_killed_after_walmart_applied_a_cancellation(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZCRASH0002")
    await world.sync_commerce()
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.refund_order(
        order.commerce_order_id, [(order.line("1").commerce_item_id, 2), (order.line("2").commerce_item_id, 2)]
    )
    await poll_commerce(world)
    await kill_worker_in(world, CANCEL_LINES)

    await take_over(world)
    assert walmart_units(world, po) == {"1": {"Shipped": 1, "Cancelled": 2}, "2": {"Cancelled": 2}}
    assert calls(world, CANCEL) == 1
    commerce = await the_commerce_order(world, po)
    assert sorted((i.sku, i.qty_shipped, i.qty_refunded) for i in commerce.items) == [
        ("MUG-1", 1, 2),
        ("TEE-2", 0, 2),
    ]
    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED
    assert [c.sync_state for c in order.cancellations] == [SyncState.SYNCED]
    assert_clean(world)


async def test_worker_cancelled_during_a_ship_call_hands_over_without_shipping_twice(world: World) -> None:
    """A clean stop that runs out of grace cancels the worker mid-call: Walmart may have the change already."""
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 1}, tracking="1ZCRASH0003")  # 1 of 3: a repeat would be accepted
    await poll_commerce(world)
    world.walmart_fault(endpoint=SHIP, mode="lose_response", lost_as="timeout", hang_seconds=1.0, count=1)
    stop = asyncio.Event()
    task = asyncio.create_task(world.worker.run(stop))
    await wait_for(lambda: bool(shipped(world, po, "1")))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    await world.settle(Worker(world.new_context(), worker_id="fresh"))
    assert shipped(world, po, "1") == [(1, "1ZCRASH0003")]
    assert walmart_units(world, po) == {"1": {"Acknowledged": 2, "Shipped": 1}, "2": {"Acknowledged": 2}}
    assert calls(world, SHIP) == 1
    assert world.order(po).status is OrderStatus.PARTIALLY_SHIPPED
    assert_clean(world)


# ---------------------------------------------------------------------- a real process, SIGKILLed

WORKER_SCRIPT = """
import asyncio, sys
from channel_manager.crypto import SecretBox
from channel_manager.storage import Database
from channel_manager.sync.context import SyncContext
from channel_manager.sync.worker import Worker

async def main() -> None:
    database = Database.open(sys.argv[1], SecretBox(sys.argv[2].encode()))
    context = SyncContext(database, lease_seconds=30, walmart_options={"rate_limiting": False, "timeout": 10.0})
    await Worker(context, worker_id="victim", idle_seconds=0.05).run(asyncio.Event())

asyncio.run(main())
"""


async def test_worker_process_sigkilled_mid_ship_call(world: World) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2, "2": 1}, tracking="1ZKILL0001")
    # Walmart applies the shipment and then keeps the answer: the process is killed while it waits.
    world.walmart_fault(endpoint=SHIP, mode="lose_response", lost_as="timeout", hang_seconds=1.5, count=1)
    await poll_commerce(world)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER_SCRIPT, world.database.url, SECRET_KEY.decode()
    )
    try:
        await wait_for(lambda: bool(shipped(world, po, "1")), seconds=20)
    finally:
        process.kill()  # SIGKILL: no finally, no release, no commit
        await process.wait()
    assert process.returncode == -signal.SIGKILL
    (job,) = world.jobs(state="running")
    assert (job.kind, job.locked_by, job.attempts) == (SHIP_LINES, "victim", 1)

    await take_over(world)
    assert shipped(world, po, "1") == [(2, "1ZKILL0001")]
    assert shipped(world, po, "2") == [(1, "1ZKILL0001")]
    assert walmart_units(world, po) == {"1": {"Acknowledged": 1, "Shipped": 2}, "2": {"Acknowledged": 1, "Shipped": 1}}
    assert calls(world, SHIP) == 1
    commerce = await the_commerce_order(world, po)
    assert sorted((i.sku, i.qty_shipped) for i in commerce.items) == [("MUG-1", 2), ("TEE-2", 1)]
    assert world.order(po).status is OrderStatus.PARTIALLY_SHIPPED
    assert_clean(world)


# ---------------------------------------------------------------------- two workers racing (PostgreSQL)


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct"}])  # counts POST /V1/orders
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_workers_racing_over_the_same_orders_do_every_job_once(world: World) -> None:
    pos = [
        world.walmart_order([{"sku": "MUG-1", "quantity": 2 + n % 2}, {"sku": "TEE-2", "quantity": 1 + n % 3}])
        for n in range(10)
    ]
    contexts = [world.new_context(), world.new_context()]
    # Two pollers see the same POs at once: the unique key takes each in once.
    links = [await c.store(world.store_id) for c in contexts]
    await asyncio.gather(*(pollers.poll_walmart_orders(c, link) for c, link in zip(contexts, links, strict=True)))
    workers = [Worker(c, worker_id=f"racer-{n}", idle_seconds=0.05) for n, c in enumerate(contexts)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        await wait_for(lambda: all_done(world, 20), seconds=30)
        for n, po in enumerate(pos):  # every order in two shipments, one per line
            await world.ship_in_commerce(po, {"1": 2 + n % 2}, tracking=f"1ZRACE{n:02d}A")
            await world.ship_in_commerce(po, {"2": 1 + n % 3}, carrier=("fedex", "FedEx"), tracking=f"7489RACE{n:02d}")
        await poll_commerce(world)
        await wait_for(lambda: all_done(world, 40), seconds=30)
    finally:
        stop.set()
        await asyncio.gather(*tasks)

    jobs = world.jobs(limit=1000)
    assert len(jobs) == 40
    assert all(job.attempts == 1 for job in jobs), [(j.kind, j.attempts) for j in jobs if j.attempts != 1]
    assert sum(w.jobs_run for w in workers) == 40
    assert all(w.jobs_run > 0 for w in workers)
    for n, po in enumerate(pos):
        assert shipped(world, po, "1") == [(2 + n % 2, f"1ZRACE{n:02d}A")]
        assert shipped(world, po, "2") == [(1 + n % 3, f"7489RACE{n:02d}")]
        assert walmart_units(world, po) == {"1": {"Shipped": 2 + n % 2}, "2": {"Shipped": 1 + n % 3}}
        commerce = await the_commerce_order(world, po)
        assert all(i.qty_shipped == i.qty_ordered for i in commerce.items)
        assert world.order(po).status is OrderStatus.SHIPPED
    counters = world.walmart_counters()["calls"]
    assert (counters[ACKNOWLEDGE], counters[SHIP]) == (10, 20)
    assert world.commerce_counters()["calls"]["POST /V1/orders"] == 10
    assert_clean(world)


def all_done(world: World, expected: int) -> bool:
    jobs = world.jobs(limit=1000)
    return len(jobs) == expected and all(job.state is JobState.DONE for job in jobs)


async def wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)
