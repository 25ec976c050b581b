"""Issue 14 item 2: one database error stops all work for good.

The worker has no guard around claim / run / record-failure and the runner never restarts a worker task. So
after a 2-second PostgreSQL outage (or SQLite "database is locked" past the busy timeout) no job runs again,
while the process keeps running (pollers and webhooks keep accepting work, ``/health`` says ok).

A real ``channel-manager run`` process reaches PostgreSQL through a TCP proxy that the test cuts for 2 s and
restores (the shared PostgreSQL server itself is never restarted); on SQLite, the test holds the database's
write lock for longer than the busy timeout. Then a new PO arrives and must be taken in.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlalchemy as sa

from .conftest import (
    RunProcesses,
    TcpProxy,
    World,
    commerce_orders_for,
    poll_walmart,
    wait_until,
)

pytestmark = pytest.mark.anyio

#: How long work may take to resume after the database is back (the fix backs off and resumes).
RESUMED_WITHIN = 30.0
LINES = [{"sku": "MUG-1", "quantity": 1}]


def acknowledged_at_walmart(world: World, po: str) -> bool:
    return all(set(line["by_status"]) == {"Acknowledged"} for line in world.walmart_truth(po)["lines"].values())


async def taken_in(world: World, po: str) -> bool:
    """Acknowledged at Walmart and in Commerce (the sandboxes' own record), and nothing left to do (so the
    outage meets idle workers looking for work, not a job half done)."""
    if not acknowledged_at_walmart(world, po) or len(await commerce_orders_for(world, po)) != 1:
        return False
    return all(job.state.value == "done" for job in world.jobs())


async def new_po_is_taken_in(world: World, processes: RunProcesses, seconds: float, when: str) -> None:
    po = world.walmart_order([dict(line) for line in LINES])
    await poll_walmart(world)  # the poll reaches the database directly: work is queued

    def what() -> str:
        jobs = [(j.kind, j.state.value, j.attempts) for j in world.jobs()]
        alive = [p.log_path.stem for p in processes.started if p.alive]
        return f"PO {po} taken in {when} (jobs: {jobs}; processes alive: {alive})\n{processes.outputs()[-3000:]}"

    await wait_until(lambda: taken_in(world, po), seconds, what)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_work_resumes_after_a_two_second_postgresql_outage(
    world: World, run_processes: RunProcesses, postgres_proxy: TcpProxy, database_url: str
) -> None:
    process = await run_processes.start("worker", "--workers", "2", database_url=postgres_proxy.url_for(database_url))
    await new_po_is_taken_in(world, run_processes, 60, "before the outage")

    postgres_proxy.cut()  # PostgreSQL is unreachable for the process ...
    await asyncio.sleep(2.0)
    postgres_proxy.restore()  # ... and back two seconds later
    assert process.alive

    await new_po_is_taken_in(world, run_processes, RESUMED_WITHIN, "after the outage")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_work_resumes_after_sqlite_stays_locked_past_the_busy_timeout(
    world: World, run_processes: RunProcesses, database_url: str
) -> None:
    process = await run_processes.start("worker", "--workers", "2")
    await new_po_is_taken_in(world, run_processes, 60, "before the lock")

    # Another program holds the write lock for longer than the 5 s busy timeout.
    path = sa.make_url(database_url).database
    assert path
    locker = sqlite3.connect(path, timeout=1, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        await asyncio.sleep(7.0)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert process.alive

    await new_po_is_taken_in(world, run_processes, RESUMED_WITHIN, "after the lock")
