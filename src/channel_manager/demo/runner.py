"""``channel-manager demo``: the whole product on one machine, with a live view, until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.live import Live

from channel_manager_sandboxes.serving import free_port

from ..bootstrap import build_context, initialise, open_app
from ..logs import configure_logging
from ..settings import load_settings
from ..storage.unit_of_work import Database
from ..sync.retry import RetryPolicy
from ..sync.runner import RunOptions, run_service
from ..web.server import HttpOptions, listeners
from .board import Latencies, Snapshot, render, take_snapshot
from .console_user import demo_sign_in
from .environment import (
    DEMO_STORE_NAME,
    DemoStore,
    OtherStoresPresent,
    Sandboxes,
    connect_demo_store,
    merchant_client,
    other_store_names,
    start_sandboxes,
    subscribe_webhooks,
)
from .scenario import Pace, Scenario

#: After the run time is over, how long the demo lets the sync finish what is under way.
SETTLE_SECONDS = 45.0


@dataclass(frozen=True)
class DemoOptions:
    duration: float | None = None  # seconds of new orders and faults; None: until Ctrl-C
    orders: int | None = None  # stop generating after this many orders
    workers: int = 2
    seed: int = 42
    walmart_port: int = 0  # 0: a free port
    commerce_port: int = 0
    api_port: int = 0
    webhook_port: int = 0


@dataclass(frozen=True)
class DemoResult:
    database_url: str
    data_dir: Path
    log_file: Path
    replaced_previous: bool
    final: Snapshot | None
    settled: bool


def pace_for(options: DemoOptions) -> Pace:
    """Open-ended demos go at a watchable pace; a bounded run fits its orders and faults into its time."""
    if options.duration is None:
        return Pace()
    orders = options.orders or max(1, int(options.duration / 2))
    spread = max(0.5, options.duration * 0.4)
    return Pace(
        order_every=min(2.0, spread / orders),
        think=(0.5, 1.5),
        second_parcel_after=2.0,
        first_fault_after=max(1.0, options.duration * 0.15),
        fault_every=max(2.0, options.duration * 0.15),
        commerce_outage=min(6.0, max(1.0, options.duration * 0.1)),
    )


def run_demo(options: DemoOptions, console: Console) -> DemoResult:
    """Sets everything up in the configured data directory, runs, and returns where things are."""
    initialise()
    settings = load_settings()
    log_file = settings.data_dir / "demo.log"
    with log_file.open("a", encoding="utf-8") as log_stream:
        configure_logging(settings.log_format, settings.log_level or "INFO", stream=log_stream)
        application = open_app(settings, configure_logs=False)
        try:
            others = other_store_names(application.database)
            if others:
                raise OtherStoresPresent(
                    f"The database {application.database.url} already serves {', '.join(map(repr, others))}; the "
                    "demo's workers would sync those stores too. Give --data-dir an empty or demo-only directory, "
                    "or leave it out: the demo then makes a directory of its own"
                )
            sandboxes = start_sandboxes(options.walmart_port, options.commerce_port)
            try:
                demo_store = connect_demo_store(application.database, sandboxes)
                final, settled = asyncio.run(_run(application.database, sandboxes, demo_store, options, console))
            finally:
                sandboxes.stop()
            return DemoResult(
                database_url=str(application.database.url),
                data_dir=settings.data_dir,
                log_file=log_file,
                replaced_previous=demo_store.replaced_previous,
                final=final,
                settled=settled,
            )
        finally:
            application.close()


async def _run(
    database: Database, sandboxes: Sandboxes, demo: DemoStore, options: DemoOptions, console: Console
) -> tuple[Snapshot | None, bool]:
    loop = asyncio.get_running_loop()
    stop, started, winding_down = asyncio.Event(), asyncio.Event(), asyncio.Event()
    port = options.api_port or free_port()
    webhook_port = options.webhook_port or free_port()
    api_url = f"http://127.0.0.1:{port}"
    webhook_url = f"http://127.0.0.1:{webhook_port}"
    context = build_context(
        database,
        retry_policy=RetryPolicy(base_seconds=1.0, max_delay_seconds=10.0),
        lease_seconds=30.0,
        walmart_options={"timeout": 5.0},
        commerce_options={"timeout": 5.0},
    )
    run_options = RunOptions(workers=options.workers, pollers=True, shutdown_grace_seconds=5, store_scan_seconds=2)
    served = listeners(database, HttpOptions(port=port, webhook_port=webhook_port))
    service = asyncio.create_task(
        run_service(database, run_options, context=context, stop=stop, started=started, served=served)
    )
    await _wait_started(service, started)
    await subscribe_webhooks(sandboxes, demo, webhook_url)
    merchant = merchant_client(sandboxes)
    scenario = Scenario(
        database, demo.id, sandboxes, merchant, max_orders=options.orders, pace=pace_for(options), seed=options.seed
    )
    scenario.note(f"{DEMO_STORE_NAME} connected; Walmart and Commerce webhooks subscribed")
    user, password = await asyncio.to_thread(demo_sign_in, database)
    console.print(f"Console: {api_url}/console  (sign in as {user} / {password})", markup=False, soft_wrap=True)
    header = (
        f"channel-manager demo  |  Walmart sandbox {sandboxes.walmart_url}  Commerce sandbox {sandboxes.commerce_url}  "
        f"API {api_url}  webhooks {webhook_url}  |  database {database.url}\n"
        f"Console {api_url}/console  sign in as {user} / {password}"
    )
    latencies = Latencies()
    started_at = loop.time()
    scenario_task = asyncio.create_task(scenario.run(winding_down, stop))
    snapshot: Snapshot | None = None
    settled = False
    settle_deadline: float | None = None
    try:
        with Live(console=console, refresh_per_second=4, transient=False, auto_refresh=True) as live:
            while not stop.is_set():
                snapshot = await asyncio.to_thread(
                    take_snapshot, database, demo.id, scenario.orders, latencies, sandboxes.walmart,
                    sandboxes.commerce, list(scenario.events), started_at,
                )  # fmt: skip
                live.update(render(snapshot, header))
                now = loop.time()
                if options.duration is not None and now - started_at >= options.duration and settle_deadline is None:
                    winding_down.set()
                    await scenario.clear_faults()
                    scenario.note("time is up: no new orders or faults; letting the sync finish")
                    settle_deadline = now + SETTLE_SECONDS
                if settle_deadline is not None:
                    settled = (
                        scenario.all_done() and snapshot.jobs.get("pending", 0) + snapshot.jobs.get("running", 0) == 0
                    )
                    if settled or now >= settle_deadline:
                        break
                if service.done():
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        stop.set()
        winding_down.set()
        await asyncio.gather(scenario_task, return_exceptions=True)
        await scenario.aclose()
        await merchant.aclose()
        await service
    return snapshot, settled


async def _wait_started(service: asyncio.Task[None], started: asyncio.Event) -> None:
    waiter = asyncio.ensure_future(started.wait())
    done, _ = await asyncio.wait({service, waiter}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if service in done:
        waiter.cancel()
        service.result()  # raises what stopped it
        raise RuntimeError("the sync service stopped during start-up")
    if waiter not in done:
        waiter.cancel()
        raise RuntimeError("the sync service did not start within 30 s")
