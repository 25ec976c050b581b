"""``channel-manager run``: workers, pollers and the webhook processor in one process, with whatever
serves HTTP beside them (``web.server.Listeners``: the entrypoint composes them; ``sync`` knows no web)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ..logs import get_logger
from ..storage.unit_of_work import Database
from .context import SyncContext
from .pollers import run_store_pollers
from .worker import Worker

log = get_logger("channel_manager.run")


@dataclass(frozen=True)
class RunOptions:
    workers: int = 2
    pollers: bool = True
    #: How long workers get to finish the job they hold after a stop signal; then they release it.
    shutdown_grace_seconds: float = 20.0
    #: How often the runner looks for stores added while it runs.
    store_scan_seconds: float = 10.0


class Served(Protocol):
    """Something serving beside the workers (the HTTP listeners), started and stopped by the runner."""

    def start(self) -> list[asyncio.Task[None]]: ...

    async def wait_started(self) -> None: ...

    def stop(self) -> None: ...

    def describe(self) -> dict[str, str]: ...


async def run_service(
    database: Database,
    options: RunOptions,
    *,
    context: SyncContext,
    stop: asyncio.Event | None = None,
    started: asyncio.Event | None = None,
    served: Callable[[SyncContext], Served] | None = None,
) -> None:
    """Runs until SIGTERM/SIGINT (or ``stop``); then stops polling, lets workers finish or release their jobs,
    and returns. ``context`` comes from ``bootstrap.build_context``; ``served(context)`` builds what serves beside
    them (started first, stopped first)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)

    workers = [Worker(context) for _ in range(max(1, options.workers))]
    worker_tasks = [asyncio.create_task(w.run(stop), name=f"worker-{i}") for i, w in enumerate(workers)]
    background: list[asyncio.Task[object]] = []
    if options.pollers:
        background.append(asyncio.create_task(_poll_stores(context, stop, options), name="pollers"))
    server = served(context) if served is not None else None
    try:
        if server is not None:
            background.extend(server.start())
            await server.wait_started()
        log.info(
            "running",
            workers=len(workers),
            pollers=options.pollers,
            database=database.url,
            **(server.describe() if server is not None else {}),
        )
        if started is not None:
            started.set()
        await stop.wait()
    finally:
        log.info("stopping", grace_seconds=options.shutdown_grace_seconds)
        stop.set()
        if server is not None:
            server.stop()
        _, pending = await asyncio.wait(worker_tasks, timeout=options.shutdown_grace_seconds)
        for task in pending:
            task.cancel()  # a cancelled worker gives its job back (release) before it ends
        await asyncio.gather(*worker_tasks, return_exceptions=True)
        if background:
            await asyncio.wait(background, timeout=5)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await context.aclose()
        log.info("stopped", jobs_run=sum(w.jobs_run for w in workers))


async def _poll_stores(context: SyncContext, stop: asyncio.Event, options: RunOptions) -> None:
    """Starts each store's pollers, including stores connected while running."""
    running: dict[int, asyncio.Task[None]] = {}
    try:
        while not stop.is_set():
            for store_id in await context.run_db(_store_ids, context):
                if store_id not in running:
                    running[store_id] = asyncio.create_task(run_store_pollers(context, store_id, stop))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=options.store_scan_seconds)
    finally:
        await asyncio.gather(*running.values(), return_exceptions=True)


def _store_ids(context: SyncContext) -> list[int]:
    with context.unit_of_work() as uow:
        return [s.id for s in uow.stores.list() if s.id is not None]
