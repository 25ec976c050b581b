"""One benchmark phase = a fresh world (database, sandboxes, connector processes), a load, and measurements."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from channel_manager.walmart.client import WalmartClient
from channel_manager.walmart.rate_limits import DEFAULT_RATE_LIMITS, endpoint_group
from driver import Driver
from harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    COMMERCE_HOOK_SECRET,
    WALMART_HOOK_SECRET,
    Connector,
    Sandboxes,
    add_store,
    connector_env,
    fresh_database,
    prepared_database,
    start_connector,
    start_sandboxes,
)

NEVER = 3600.0  # a poll interval that does not come round during a phase


@dataclass(frozen=True)
class Setup:
    server_url: str  # PostgreSQL server (a fresh database is created on it per phase)
    sqlite: bool
    workdir: Path
    key: str
    base_env: dict[str, str]


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    processes: int
    workers_per_process: int
    orders: int
    rate: float | None  # orders per second; None = all at once
    push: bool  # webhooks both ways, no polling; else polling only
    poll_seconds: float = 5.0
    ship: bool = True
    rate_limits: bool = False


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    return values[min(len(values) - 1, max(0, math.ceil(fraction * len(values)) - 1))]


def latency_summary(values: list[float]) -> dict[str, Any]:
    return {
        "count": len(values),
        "p50_s": _round(percentile(values, 0.50)),
        "p99_s": _round(percentile(values, 0.99)),
        "max_s": _round(values[-1] if values else None),
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


async def subscribe(sandboxes: Sandboxes, webhook_url: str, store_id: int) -> None:
    async with WalmartClient(sandboxes.walmart_url, CLIENT_ID, CLIENT_SECRET, rate_limiting=False) as walmart:
        await walmart.subscribe(
            "PO_CREATED", f"{webhook_url}/webhooks/walmart/{store_id}", auth_method="HMAC",
            client_secret=WALMART_HOOK_SECRET,
        )  # fmt: skip
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.put(
            f"{sandboxes.commerce_url}/_sandbox/webhooks",
            json={"url": f"{webhook_url}/webhooks/commerce/{store_id}", "secret": COMMERCE_HOOK_SECRET},
        )
        response.raise_for_status()


def counters(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/_sandbox/counters", timeout=10).json()


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def run_phase(setup: Setup, spec: PhaseSpec) -> dict[str, Any]:
    logs = setup.workdir / spec.name
    logs.mkdir(parents=True, exist_ok=True)
    sqlite_dir = setup.workdir if setup.sqlite else None
    with fresh_database(setup.server_url, sqlite_dir) as url:
        env = connector_env(setup.base_env, logs, url, setup.key)
        database = prepared_database(url, setup.key)
        sandboxes = start_sandboxes(env, logs, rate_limits=spec.rate_limits)
        connector: Connector | None = None
        try:
            interval = NEVER if spec.push else spec.poll_seconds
            store_id = add_store(
                database, sandboxes.walmart_url, sandboxes.commerce_url,
                order_poll_seconds=interval, commerce_poll_seconds=interval, reconcile_seconds=NEVER,
                returns_poll_seconds=NEVER,
            )  # fmt: skip
            connector = start_connector(
                env, logs, spec.processes, spec.workers_per_process, client_rate_limits=spec.rate_limits
            )
            if spec.push:
                asyncio.run(subscribe(sandboxes, connector.webhook_url, store_id))
            time.sleep(1.0)  # first polls of a fresh store are done
            result = asyncio.run(_measure(database.engine, sandboxes, connector, spec))
            result["connector_exit_codes"] = connector.stop()
            connector = None
            return result
        finally:
            if connector is not None:
                connector.stop()
            sandboxes.stop()
            database.dispose()


async def _measure(engine: sa.Engine, sandboxes: Sandboxes, connector: Connector, spec: PhaseSpec) -> dict[str, Any]:
    walmart_before, commerce_before = counters(sandboxes.walmart_url), counters(sandboxes.commerce_url)
    cpu_before = connector.cpu_seconds()
    driver = Driver(engine, sandboxes.walmart_url, sandboxes.commerce_url, ship=spec.ship and not spec.rate_limits)
    started = time.monotonic()
    offered = spec.orders / spec.rate if spec.rate else 0.0
    timeout = offered + 120 + (spec.orders / 0.9 if spec.rate_limits else 0)  # acks at 60/min when limited
    try:
        generating = asyncio.create_task(driver.generate(spec.orders, spec.rate))
        done = await driver.run_until_complete(timeout, generating=generating)
        await generating
        if spec.rate_limits and done:  # then every order shipped at once: ship calls are the bottleneck
            await driver.ship_now(list(driver.generated))
            driver.ship = True
            done = await driver.run_until_complete(spec.orders / 0.9 + 120)
        elapsed = time.monotonic() - started
        cpu = connector.cpu_seconds() - cpu_before
        rss = connector.peak_rss_mb()
        truth = await driver.walmart_truth_check() if driver.ship else {}
    finally:
        await driver.aclose()
    walmart_after, commerce_after = counters(sandboxes.walmart_url), counters(sandboxes.commerce_url)
    n = len(driver.generated)
    observation = driver.observation
    intake = observation.intake_latencies()
    times = [t for t in observation.orders.values() if t.ordered_at and t.intake_done_at]
    intake_window = (
        (max(t.intake_done_at or 0 for t in times) - min(t.ordered_at or 0 for t in times)) if times else None
    )
    walmart_calls = _delta(walmart_after["calls"], walmart_before["calls"])
    result: dict[str, Any] = {
        "phase": spec.name,
        "processes": spec.processes,
        "workers_per_process": spec.workers_per_process,
        "mode": "push" if spec.push else f"polling every {spec.poll_seconds:g} s",
        "orders": n,
        "offered_rate_per_s": spec.rate,
        "completed": done,
        "elapsed_s": round(elapsed, 1),
        "intake": {
            **latency_summary(intake),
            "orders_per_s": _round(len(intake) / intake_window, 1) if intake_window else None,
        },
        "outbound": latency_summary(observation.ship_latencies()) if driver.ship else None,
        "walmart_calls_per_order": _round(sum(walmart_calls.values()) / n, 2) if n else None,
        "walmart_calls": walmart_calls,
        "commerce_calls_per_order": _commerce_calls_per_order(commerce_before, commerce_after, n),
        "cpu_s_per_1000_orders": _round(cpu / n * 1000, 1) if n else None,
        "cpu_s": _round(cpu, 1),
        "peak_rss_mb": [round(r, 1) for r in rss],
        "correctness": {
            "orders_taken_in": len(intake),
            "shipments_synced": len(observation.ship_latencies()),
            "merchant_ship_errors": len(driver.ship_errors),
            "merchant_ship_error_texts": driver.ship_errors[:10],
            "walmart_applied_twice": walmart_after["applied_twice"],
            "walmart_duplicate_acknowledgements": walmart_after["duplicate_acknowledgements"],
            "commerce_duplicate_orders": commerce_after.get("duplicate_ext_order_ids"),
            "failed_jobs": _failed_jobs(engine),
            **truth,
        },
    }
    if spec.rate_limits:
        result["rate_limits"] = rate_limit_report(engine)
        result["walmart_429_total"] = walmart_after["throttled"] - walmart_before["throttled"]
    return result


def _commerce_calls_per_order(before: dict[str, Any], after: dict[str, Any], orders: int) -> float | None:
    """Connector calls to Commerce per order (the merchant's one ship call per order is left out)."""
    if not orders or not isinstance(after.get("calls"), dict):
        return None
    calls = sum(_delta(after["calls"], before.get("calls", {})).values())
    return _round(calls / orders - 1, 2)


def _failed_jobs(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM jobs WHERE state = 'failed'")).scalar_one())


def rate_limit_report(engine: sa.Engine) -> dict[str, Any]:
    """Per Walmart endpoint, from the connector's own attempt records: calls, 429 share, and for the endpoints
    that had a backlog (acknowledge, ship) the achieved rate against the allowed one.

    The bucket starts full (60 calls at once), so the steady rate is (successful calls - bucket size) over the
    time from the first call to the last successful one, against Walmart's refill rate."""
    with engine.connect() as connection:
        rows = list(
            connection.execute(
                sa.text("SELECT endpoint, started_at, http_status FROM sync_attempts WHERE side = 'Walmart'")
            )
        )
    report: dict[str, Any] = {}
    by_endpoint: dict[str, list[tuple[float, int | None]]] = {}
    for endpoint, started_at, status in rows:
        stamp = started_at.timestamp() if hasattr(started_at, "timestamp") else 0.0
        by_endpoint.setdefault(endpoint, []).append((stamp, status))
    for endpoint, calls in sorted(by_endpoint.items()):
        calls.sort()
        ok = [t for t, s in calls if s is not None and s < 400]
        throttled = sum(1 for _, s in calls if s == 429)
        entry: dict[str, Any] = {
            "calls": len(calls),
            "ok": len(ok),
            "answered_429": throttled,
            "share_429": round(throttled / len(calls), 4) if calls else 0.0,
        }
        limit = DEFAULT_RATE_LIMITS.get(endpoint_group(endpoint))
        if limit is not None:
            entry["allowed_per_min"] = limit.requests
        if limit is not None and endpoint_group(endpoint) in {"acknowledge", "ship"} and len(ok) > limit.requests:
            window = ok[-1] - calls[0][0]
            steady = (len(ok) - limit.requests) / window if window > 0 else None
            entry["window_s"] = round(window, 1)
            entry["steady_rate_per_min"] = _round(steady * 60 if steady else None, 2)
            entry["achieved_over_allowed"] = _round(steady / limit.per_second if steady else None, 3)
        report[endpoint] = entry
    return report
