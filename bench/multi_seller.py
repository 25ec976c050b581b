"""Many sellers in one deployment: N Walmart sellers (default 100), each linked to its own Commerce store view
through its own channel-manager store, Walmart's rate limits on, every seller offered more orders than its limit
allows, in push and polling modes, with 1, 2 and 4 connector processes on PostgreSQL. Not part of the test suite.

    .venv/bin/python bench/multi_seller.py [--sellers 100] [--seconds 120] [--writes-per-minute 3]
        [--processes 1,2,4] [--modes push,poll] [--out bench/results/multi-<stamp>.json]

``--writes-per-minute`` scales every seller's acknowledge and ship limit (Walmart: 60) in the sandbox and in the
connector's client alike: 100 sellers at Walmart's real rate are 100 full lifecycles a second, which two shared
cores cannot carry. Per run it prints: orders/s taken in and shipped, the achieved share of each seller's allowed
acknowledge and ship rate (min / median across sellers), the share of Walmart calls answered 429, intake and ship
latency p50 / p99 (they include each order's wait for its own seller's budget), connector CPU s per 1,000 full
lifecycles, database round trips (transactions, from pg_stat_database) and Walmart and Commerce calls per
lifecycle, peak RSS per process, and lost / duplicated read back from both sandboxes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from commerce_router import CommerceRouter
from harness import Connector, connector_env, fernet_key, fresh_database, prepared_database, start_connector
from phases import percentile
from report import _s
from run_bench import DEFAULT_SERVER, machine
from seller_load import SellerLoad
from seller_world import create_sellers, point_commerce_webhooks, start_world_sandboxes, subscribe_walmart

NEVER = 3600.0
#: The fewest calls one lifecycle needs. Walmart: acknowledge + ship, plus reading the PO (push: one
#: GET /v3/orders/{po} per PO_CREATED; polling: a share of a released-orders page). Commerce: create the order
#: (with the companion module one POST), invoice it, and read the merchant's shipment once.
MIN_WALMART_CALLS = 3
MIN_COMMERCE_CALLS = 3

XACTS_SQL = sa.text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")


def transactions(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(XACTS_SQL).scalar_one())


def counters(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/_sandbox/counters", timeout=30).json()


def _calls(after: dict[str, Any], before: dict[str, Any]) -> dict[str, int]:
    old = before.get("calls", {})
    return {k: v - old.get(k, 0) for k, v in after.get("calls", {}).items() if v - old.get(k, 0)}


def steady_share(stamps: list[float], bucket: int, rate: float) -> float:
    """A seller's steady rate over its allowed one: the calls after its first burst (a full bucket less the
    client's reserve of one token: ``bucket - 1`` calls), over the time from the burst's last call to its last.
    Phase-free, unlike counting calls in the window (a seller whose next token falls just past the end)."""
    stamps = sorted(stamps)
    burst = max(1, bucket - 1)
    if len(stamps) < burst + 2:
        return 0.0
    after = stamps[burst:]
    span = after[-1] - stamps[burst - 1]
    return len(after) / span / rate if span > 0 else 0.0


def run_one(args: argparse.Namespace, workdir: Path, key: str, mode: str, processes: int) -> dict[str, Any]:
    name = f"{mode}-{processes}p"
    logs = workdir / name
    logs.mkdir(parents=True, exist_ok=True)
    with fresh_database(args.postgres) as url:
        env = connector_env(dict(os.environ), logs, url, key)
        database = prepared_database(url, key)
        sandboxes = start_world_sandboxes(env, logs, args.writes_per_minute)
        connector: Connector | None = None
        try:
            poll = NEVER if mode == "push" else args.poll_seconds
            sellers = create_sellers(database, sandboxes, args.sellers, poll)
            connector = start_connector(
                env, logs, processes, args.workers_per_process, client_rate_limits=True,
                writes_per_minute=args.writes_per_minute,
            )  # fmt: skip
            router = CommerceRouter(connector.webhook_url, {s.view_id: s.store_id for s in sellers})
            with router:
                if mode == "push":
                    asyncio.run(subscribe_walmart(sandboxes, connector.webhook_url, sellers))
                    point_commerce_webhooks(sandboxes, router.url)
                time.sleep(2.0)  # the first polls of the fresh stores are done
                load = SellerLoad(
                    database.engine, sandboxes.walmart_url, sandboxes.commerce_url, sellers, args.writes_per_minute
                )
                result = asyncio.run(measure(args, database.engine, sandboxes, connector, load))
                result["commerce_webhooks_routed"] = router.forwarded
            result.update(phase=name, mode=mode, processes=processes, connector_exit_codes=connector.stop())
            connector = None
            return result
        finally:
            if connector is not None:
                connector.stop()
            sandboxes.stop()
            database.dispose()


async def measure(
    args: argparse.Namespace, engine: sa.Engine, sandboxes: Any, connector: Connector, load: SellerLoad
) -> dict[str, Any]:
    walmart_before, commerce_before = counters(sandboxes.walmart_url), counters(sandboxes.commerce_url)
    xacts_before, cpu_before = transactions(engine), connector.cpu_seconds()
    started, wall_started = time.monotonic(), time.time()
    until = started + args.seconds
    try:
        generating = asyncio.create_task(load.generate(started, until))
        while time.monotonic() < until:
            await load.observe(ship=True)
            await asyncio.sleep(0.5)
        await generating
        drain_until = time.monotonic() + args.drain_seconds  # shipments under way reach Walmart; nothing new
        while time.monotonic() < drain_until:
            await load.observe(ship=False)
            if load.shipping_done():
                break
            await asyncio.sleep(0.5)
        elapsed = time.monotonic() - started
        cpu = connector.cpu_seconds() - cpu_before
        rss = connector.peak_rss_mb()
        await asyncio.sleep(1.0)  # PostgreSQL publishes its transaction counts at most every second
        xacts = transactions(engine) - xacts_before - load.observer_transactions - 1
        truth = await load.walmart_truth()
    finally:
        await load.aclose()
    walmart_after, commerce_after = counters(sandboxes.walmart_url), counters(sandboxes.commerce_url)
    return summarise(args, load, wall_started, elapsed, cpu, rss, xacts, truth,
                     (walmart_before, walmart_after), (commerce_before, commerce_after))  # fmt: skip


def summarise(
    args: argparse.Namespace, load: SellerLoad, wall_started: float, elapsed: float, cpu: float, rss: list[float],
    xacts: int, truth: dict[str, int], walmart: tuple[dict[str, Any], dict[str, Any]],
    commerce: tuple[dict[str, Any], dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    window_end = wall_started + args.seconds
    allowed = args.writes_per_minute + args.writes_per_minute / 60.0 * args.seconds  # full bucket + refill
    ack_times: dict[int, list[float]] = {s.number: [] for s in load.sellers}
    ship_times: dict[int, list[float]] = {s.number: [] for s in load.sellers}
    for times in load.pos.values():
        if times.acknowledged_at is not None and times.acknowledged_at <= window_end and times.seller in ack_times:
            ack_times[times.seller].append(times.acknowledged_at)
        if times.ship_synced_at is not None and times.ship_synced_at <= window_end and times.seller in ship_times:
            ship_times[times.seller].append(times.ship_synced_at)
    acks = {seller: len(stamps) for seller, stamps in ack_times.items()}
    ships = {seller: len(stamps) for seller, stamps in ship_times.items()}
    ack_share = sorted(n / allowed for n in acks.values())
    ship_share = sorted(n / allowed for n in ships.values())
    rate = args.writes_per_minute / 60.0
    ack_steady = sorted(steady_share(stamps, args.writes_per_minute, rate) for stamps in ack_times.values())
    ship_steady = sorted(steady_share(stamps, args.writes_per_minute, rate) for stamps in ship_times.values())
    intake = sorted(t.intake_done_at - t.ordered_at for t in load.pos.values() if t.intake_done_at and t.ordered_at)
    shipped = sorted(
        t.ship_synced_at - t.ship_requested_at for t in load.pos.values() if t.ship_synced_at and t.ship_requested_at
    )
    lifecycles = len(shipped)
    walmart_calls = _calls(walmart[1], walmart[0])
    commerce_calls = _calls(commerce[1], commerce[0])
    merchant_calls = sum(1 for t in load.pos.values() if t.ship_requested_at is not None)
    wm_total, cm_total = sum(walmart_calls.values()), sum(commerce_calls.values()) - merchant_calls
    throttled = walmart[1]["throttled"] - walmart[0]["throttled"]
    requested = sum(1 for t in load.pos.values() if t.ship_requested_at is not None)
    taken_in = sum(1 for t in load.pos.values() if t.intake_done_at is not None)
    return {
        "sellers": len(load.sellers),
        "writes_per_minute_per_seller": args.writes_per_minute,
        "seconds": args.seconds,
        "elapsed_s": round(elapsed, 1),
        "orders_offered": sum(load.generated.values()),
        "allowed_acks_per_seller": round(allowed, 1),
        "intake_orders_per_s": round(sum(acks.values()) / args.seconds, 2),
        "shipped_orders_per_s": round(sum(ships.values()) / args.seconds, 2),
        "ack_share_min_median": [round(ack_share[0], 3), round(statistics.median(ack_share), 3)],
        "ship_share_min_median": [round(ship_share[0], 3), round(statistics.median(ship_share), 3)],
        "ack_steady_share_min_median": [round(ack_steady[0], 3), round(statistics.median(ack_steady), 3)],
        "ship_steady_share_min_median": [round(ship_steady[0], 3), round(statistics.median(ship_steady), 3)],
        "walmart_429_share": round(throttled / wm_total, 4) if wm_total else 0.0,
        "walmart_429": throttled,
        "intake_p50_p99_s": [percentile(intake, 0.5), percentile(intake, 0.99)],
        "ship_p50_p99_s": [percentile(shipped, 0.5), percentile(shipped, 0.99)],
        "lifecycles": lifecycles,
        "cpu_s": round(cpu, 1),
        "cpu_s_per_1000_lifecycles": round(cpu / lifecycles * 1000, 1) if lifecycles else None,
        "db_transactions_per_lifecycle": round(xacts / lifecycles, 1) if lifecycles else None,
        "walmart_calls_per_lifecycle": round(wm_total / lifecycles, 2) if lifecycles else None,
        "commerce_calls_per_lifecycle": round(cm_total / lifecycles, 2) if lifecycles else None,
        "walmart_calls": walmart_calls,
        "commerce_calls": commerce_calls,
        "peak_rss_mb": [round(r) for r in rss],
        "correctness": {
            "taken_in": taken_in,
            "ship_requested": requested,
            "shipments_synced": lifecycles,
            "merchant_ship_errors": load.ship_errors[:5],
            # shipped in Commerce but not at Walmart after the drain: unfinished, or lost
            "lost": max(0, requested - truth["walmart_shipped"]),
            "walmart_applied_twice": walmart[1]["applied_twice"],
            "walmart_duplicate_acknowledgements": walmart[1]["duplicate_acknowledgements"],
            "commerce_duplicate_orders": commerce[1].get("duplicate_ext_order_ids"),
            **truth,
        },
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def print_run(result: dict[str, Any]) -> None:
    if "error" in result:
        print(f"{result['phase']}: ERROR {result['error']}")
        return
    ok = result["correctness"]
    dup = (
        ok["walmart_applied_twice"] + ok["walmart_duplicate_acknowledgements"] + (ok["commerce_duplicate_orders"] or 0)
    )
    rows = [
        ("sellers x writes/min each", f"{result['sellers']} x {result['writes_per_minute_per_seller']} "
         f"({result['seconds']} s, {result['orders_offered']} orders offered)"),
        ("orders/s taken in / shipped", f"{result['intake_orders_per_s']} / {result['shipped_orders_per_s']}"),
        ("acks: share of allowed calls, min / median", "{:.1%} / {:.1%}".format(*result["ack_share_min_median"])),
        ("acks: steady rate / allowed, min / median", "{:.1%} / {:.1%}".format(*result["ack_steady_share_min_median"])),
        ("ships: share of allowed calls, min / median", "{:.1%} / {:.1%}".format(*result["ship_share_min_median"])),
        ("ships: steady rate / allowed, min / median",
         "{:.1%} / {:.1%}".format(*result["ship_steady_share_min_median"])),
        ("Walmart calls answered 429", f"{result['walmart_429']} ({result['walmart_429_share']:.2%})"),
        ("intake latency p50 / p99 s", " / ".join(_s(v) for v in result["intake_p50_p99_s"])),
        ("ship latency p50 / p99 s", " / ".join(_s(v) for v in result["ship_p50_p99_s"])),
        ("full lifecycles", str(result["lifecycles"])),
        ("connector CPU s / 1,000 lifecycles", _s(result["cpu_s_per_1000_lifecycles"])),
        ("DB transactions / lifecycle", _s(result["db_transactions_per_lifecycle"])),
        ("Walmart calls / lifecycle (min)", f"{_s(result['walmart_calls_per_lifecycle'])} ({MIN_WALMART_CALLS})"),
        ("Commerce calls / lifecycle (min)", f"{_s(result['commerce_calls_per_lifecycle'])} ({MIN_COMMERCE_CALLS})"),
        ("peak RSS MB per process", " / ".join(str(r) for r in result["peak_rss_mb"])),
        ("not at Walmart after the drain / duplicated", f"{ok['lost']} / {dup}"),
        ("load average (1 min) at end", str(result["load_average_1m"])),
    ]  # fmt: skip
    print(f"\n== {result['phase']} ==")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sellers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120.0, help="the measured window of each run")
    parser.add_argument("--drain-seconds", type=float, default=30.0)
    parser.add_argument("--writes-per-minute", type=int, default=3, help="each seller's ack and ship limit")
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--modes", default="push,poll")
    parser.add_argument("--poll-seconds", type=float, default=5.0)
    parser.add_argument("--workers-per-process", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("CHANNEL_MANAGER_TEST_POSTGRES_URL", DEFAULT_SERVER))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or Path(__file__).parent / "results" / f"multi-{stamp}.json"
    command = " ".join([".venv/bin/python", "bench/multi_seller.py", *(argv if argv is not None else sys.argv[1:])])
    result: dict[str, Any] = {"command": command, "started_at": stamp, "machine": machine(), "runs": []}
    key = fernet_key()
    with tempfile.TemporaryDirectory(prefix="cm-multi-") as workdir:
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            for processes in [int(p) for p in args.processes.split(",") if p.strip()]:
                print(f"-- {mode}, {processes} process(es), {args.sellers} sellers ...", flush=True)
                try:
                    run = run_one(args, Path(workdir), key, mode, processes)
                except Exception as error:  # one run failing still leaves the others
                    run = {"phase": f"{mode}-{processes}p", "error": f"{type(error).__name__}: {error}"}
                result["runs"].append(run)
                print_run(run)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nJSON result: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
