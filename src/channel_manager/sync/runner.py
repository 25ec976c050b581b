"""``channel-manager run``: workers, pollers and the webhook processor in one process, with whatever
serves HTTP beside them (``web.server.Listeners``: the entrypoint composes them; ``sync`` knows no web)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from ..domain.stores import ChannelStore
from ..logs import get_logger
from ..service.jobs import beat, stopped
from ..storage.unit_of_work import Database
from .context import SyncContext
from .pollers import run_store_pollers
from .worker import Worker, new_worker_id

#: How often a process writes its workers' heartbeat; ``/health`` takes a process older than
#: ``service.health.WORKER_GONE_AFTER`` for dead.
HEARTBEAT_SECONDS = 2.5

log = get_logger("channel_manager.run")


@dataclass(frozen=True)
class RunOptions:
    workers: int = 2
    pollers: bool = True
    #: How long workers get to finish the job they hold after a stop signal; then they release it.
    shutdown_grace_seconds: float = 20.0
    #: How often the runner looks for stores added, changed or removed while it runs (less than any poll
    #: interval, so a change takes effect within one).
    store_scan_seconds: float = 2.0
    #: A store's Walmart or Commerce connection pool unused this long is closed (opened again by the next call).
    client_idle_seconds: float = 300.0


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
    worker_tasks = [
        asyncio.create_task(_supervised(f"worker-{i}", lambda w=w: w.run(stop), stop), name=f"worker-{i}")
        for i, w in enumerate(workers)
    ]
    process_id = new_worker_id()
    with contextlib.suppress(Exception):  # the first heartbeat before the service says it started
        await context.run_db(beat, context, process_id, len(workers))
    background: list[asyncio.Task[object]] = [
        asyncio.create_task(
            _supervised("heartbeat", lambda: _heartbeat(context, process_id, len(workers), stop), stop),
            name="heartbeat",
        )
    ]
    background.append(
        asyncio.create_task(_supervised("stores", lambda: _follow_stores(context, stop, options), stop), name="stores")
    )
    background.append(
        asyncio.create_task(
            _supervised("idle_clients", lambda: _close_idle_clients(context, stop, options), stop), name="idle_clients"
        )
    )
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
        with contextlib.suppress(Exception):
            await context.run_db(stopped, context, process_id)
        await context.aclose()
        log.info("stopped", jobs_run=sum(w.jobs_run for w in workers))


#: A supervised task that ended by an error is started again after this long (doubling up to the maximum).
RESTART_SECONDS = 0.5
MAX_RESTART_SECONDS = 10.0


async def _supervised(name: str, start: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    """Runs ``start()`` until ``stop`` is set, starting it again whenever it ends (an error, or returning
    early): no task of the process stops for good while the process runs."""
    delay = RESTART_SECONDS
    while not stop.is_set():
        try:
            await start()
        except Exception as error:
            log.error("task_failed", task=name, error=str(error), restart_in=delay)
        else:
            if stop.is_set():
                return
            log.warning("task_ended", task=name, restart_in=delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(MAX_RESTART_SECONDS, delay * 2)


async def _heartbeat(context: SyncContext, process_id: str, workers: int, stop: asyncio.Event) -> None:
    """Writes this process's heartbeat every ``HEARTBEAT_SECONDS`` (``/health`` counts recent ones); a failed
    write is tried again at the next beat."""
    while not stop.is_set():
        try:
            await context.run_db(beat, context, process_id, workers)
        except Exception as error:
            log.warning("heartbeat_failed", error=str(error))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=HEARTBEAT_SECONDS)


async def _close_idle_clients(context: SyncContext, stop: asyncio.Event, options: RunOptions) -> None:
    """Every fifth of ``client_idle_seconds``, closes the stores' connection pools idle for that long."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=options.client_idle_seconds / 5)
        if not stop.is_set():
            closed = await context.close_idle_clients(options.client_idle_seconds)
            if closed:
                log.debug("idle_clients_closed", clients=closed)


async def _follow_stores(context: SyncContext, stop: asyncio.Event, options: RunOptions) -> None:
    """Follows the stores while running: every ``store_scan_seconds`` the stores are read again; an added
    store gets its pollers, a changed one (credentials, URLs, any setting) its clients rebuilt and its
    pollers restarted with the new intervals, a removed one its pollers stopped and its clients closed at
    once. A worker-only process (no pollers) still drops the clients of changed and removed stores."""
    followed: dict[int, tuple[ChannelStore, asyncio.Task[None] | None]] = {}

    async def stop_following(store_id: int) -> None:
        _, task = followed.pop(store_id)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def start(store: ChannelStore) -> None:
        assert store.id is not None
        task = asyncio.create_task(run_store_pollers(context, store.id, stop)) if options.pollers else None
        followed[store.id] = (store, task)

    try:
        while not stop.is_set():
            try:
                stores = {s.id: s for s in await context.run_db(_stores, context) if s.id is not None}
            except Exception as error:  # the database is away: keep what runs, look again next turn
                log.warning("store_scan_failed", error=str(error))
                stores = None
            if stores is not None:
                for store_id in [i for i in followed if i not in stores]:
                    await stop_following(store_id)
                    await context.forget_store(store_id)
                    log.info("store_removed", store_id=store_id)
                for store_id, (_, task) in list(followed.items()):
                    if task is not None and task.done() and not stop.is_set():  # ended by an error: start again
                        if not task.cancelled() and task.exception() is not None:
                            log.error("store_pollers_failed", store_id=store_id, error=str(task.exception()))
                        del followed[store_id]
                for store_id, store in stores.items():
                    known = followed.get(store_id)
                    if known is not None and known[0] != store:
                        await stop_following(store_id)
                        await context.forget_store(store_id, grace_seconds=options.shutdown_grace_seconds)
                        log.info("store_changed", store_id=store_id, store=store.name)
                    if store_id not in followed:
                        start(store)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=options.store_scan_seconds)
    finally:
        await asyncio.gather(*(task for _, task in followed.values() if task is not None), return_exceptions=True)


def _stores(context: SyncContext) -> list[ChannelStore]:
    with context.unit_of_work() as uow:
        return uow.stores.list()
