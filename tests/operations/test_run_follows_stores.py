"""Issue 15 items 1 and 3 (the running part): a running ``run`` picks up added, changed and removed stores
and their settings within one poll interval, with no restart. Real command, real database, both sandboxes."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from channel_manager.service.stores import add_store, remove_store, update_store_settings
from recovery.conftest import TOKEN, RunProcess, RunProcesses, World, calls, wait_until

pytestmark = pytest.mark.anyio

#: The reconciliation pass reads ``GET /v3/orders`` (the regular poll reads ``/released``).
RECONCILE = "GET /v3/orders"
RELEASED = "GET /v3/orders/released"
#: The runner looks at the stores every 2 s; the store's polls run every 5 s.
WITHIN = 30.0


def taken_in(world: World, store_id: int, po: str) -> bool:
    with world.database.unit_of_work() as uow:
        return uow.orders.get(store_id, po) is not None


async def start_polling_run(run_processes: RunProcesses) -> RunProcess:
    """``channel-manager run`` with its pollers (and one worker), no API."""
    process = RunProcess(run_processes.database_url, run_processes.data_dir, "run", "--workers", "1")
    process.args.remove("--no-pollers")
    run_processes.started.append(await process.start())
    return process


async def test_run_follows_added_changed_and_removed_stores(world: World, run_processes: RunProcesses) -> None:
    run = await start_polling_run(run_processes)
    first = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await wait_until(lambda: taken_in(world, world.store_id, first), WITHIN, "the first PO taken in by `run`")
    assert run.alive, run.output()

    # A changed setting takes effect without a restart: reconciliation every second instead of 15 minutes,
    # through clients built again (a new client asks Walmart for a new token).
    tokens, reconciles = calls(world, TOKEN), calls(world, RECONCILE)
    update_store_settings(world.database, world.store.name, {"reconcile_seconds": 1.0})
    await wait_until(lambda: calls(world, RECONCILE) >= reconciles + 3, WITHIN, "reconciliation every second")
    await wait_until(lambda: calls(world, TOKEN) > tokens, WITHIN, "the changed store's Walmart client rebuilt")

    # A removed store stops at once: no more calls for it, no FOREIGN KEY errors.
    remove_store(world.database, world.store.name, force=True)
    await asyncio.sleep(3.0)  # one store scan (2 s) and the polls under way
    before = {name: calls(world, name) for name in (RECONCILE, RELEASED)}
    await asyncio.sleep(4.0)  # four reconciliation turns, had the store kept going
    after = {name: calls(world, name) for name in (RECONCILE, RELEASED)}
    assert after == before, f"the removed store kept polling Walmart: {before} -> {after}\n{run.output()}"

    # A store added while running gets its pollers (SQLite may give it the removed store's id: that the
    # id is never reused is the store lifecycle's part of item 1; here the runner must follow either way).
    added = add_store(world.database, dataclasses.replace(world.store, id=None, name="Added later"))
    assert added.id is not None
    second = world.walmart_order([{"sku": "TEE-2", "quantity": 2}])
    await wait_until(lambda: taken_in(world, added.id or 0, second), WITHIN, "a PO taken in for the added store")

    assert run.alive, run.output()
    output = run.output()
    for text in ("FOREIGN KEY", "foreign key", "ForeignKeyViolation", "Traceback", "_failed"):
        assert text not in output, output
