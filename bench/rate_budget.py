"""Several processes, one Walmart budget: the 429 share and the achieved rate of N OS processes that push stock
(``PUT /v3/inventory``) as fast as the shared rate-limit budget (PostgreSQL) lets them, against the Walmart
sandbox with its rate limits on.

    .venv/bin/python bench/rate_budget.py --processes 4 --seconds 40 --requests 10 --per-seconds 1

The sandbox enforces ``--requests`` per ``--per-seconds`` per seller for stock updates; every process runs
``--concurrency`` callers through its own ``WalmartClient``, each with the shared budget. The figures come from
the sandbox's own counters (calls, 429s) and the processes' successful calls; the allowed number of calls in
the run is the full bucket plus the refill over the run: ``requests + rate * elapsed``. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from channel_manager.storage.database import create_engine_for, upgrade_database
from channel_manager.storage.rate_budgets import PostgresRateBudgets
from channel_manager.walmart.client import WalmartClient
from channel_manager.walmart.errors import WalmartRetryableError
from channel_manager.walmart.rate_limits import RateLimit, RateLimiter, seller_budget_key
from channel_manager_sandboxes.serving import BackgroundServer
from channel_manager_sandboxes.walmart import WalmartSandboxSettings, create_app

CLIENT_ID = "budget-client"
CLIENT_SECRET = "budget-Walmart-Secret-0042"
POSTGRES_URL_ENV = "CHANNEL_MANAGER_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"
ENDPOINT = "PUT /v3/inventory"


async def push_stock(args: argparse.Namespace) -> dict[str, Any]:
    """One process: ``concurrency`` callers pushing stock from the start to the deadline the parent sends."""
    engine = create_engine_for(args.database_url)
    limit = RateLimit(args.requests, args.per_seconds)
    limiter = RateLimiter(
        {"inventory_update": limit},
        shared=PostgresRateBudgets(engine),
        shared_account=seller_budget_key(args.walmart_url, CLIENT_ID),
    )
    ok = throttled = 0
    last_ok = 0.0
    async with WalmartClient(args.walmart_url, CLIENT_ID, CLIENT_SECRET, rate_limits=limiter, max_retries=0) as client:
        await client.access_token()
        print("ready", flush=True)  # the parent answers with the moment to start (epoch seconds) and to stop
        start_at, deadline = map(float, (await asyncio.to_thread(sys.stdin.readline)).split())
        await asyncio.sleep(max(0.0, start_at - time.time()))

        async def caller(number: int) -> None:
            nonlocal ok, throttled, last_ok
            sent = 0
            while time.time() < deadline:
                sent += 1
                try:
                    await client.set_inventory(f"BUDGET-{args.name}-{number}", sent)
                except WalmartRetryableError as error:
                    if error.http_status != 429:
                        raise
                    throttled += 1
                else:
                    ok += 1
                    last_ok = time.time()

        await asyncio.gather(*(caller(n) for n in range(args.concurrency)))
    engine.dispose()
    return {"ok": ok, "throttled": throttled, "last_ok": last_ok}


def fresh_database() -> tuple[str, sa.Engine, str]:
    server = sa.make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"cm_budget_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False), admin, name


def measure(processes: int, seconds: float, requests: int, per_seconds: float, concurrency: int) -> dict[str, Any]:
    limit = RateLimit(requests, per_seconds)
    database_url, admin, name = fresh_database()
    try:
        upgrade_database(database_url)
        app = create_app(WalmartSandboxSettings(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rate_limits=True))
        app.state.sandbox.rate_limits.limits["inventory_update"] = limit
        with BackgroundServer(app) as server:
            children = [
                subprocess.Popen(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        f"--name={n}",
                        f"--walmart-url={server.url}",
                        f"--database-url={database_url}",
                        f"--requests={requests}",
                        f"--per-seconds={per_seconds}",
                        f"--concurrency={concurrency}",
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for n in range(processes)
            ]
            for child in children:  # every process started, with its token
                assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            start_at = time.time() + 0.5
            for child in children:
                assert child.stdin is not None
                child.stdin.write(f"{start_at} {start_at + seconds}\n")
                child.stdin.flush()
            results = []
            for child in children:
                out, _ = child.communicate(timeout=seconds + 120)
                if child.returncode != 0:
                    raise SystemExit(f"a pushing process failed with exit code {child.returncode}")
                results.append(json.loads(out.strip().splitlines()[-1]))
            counters = httpx.get(f"{server.url}/_sandbox/counters", timeout=10).json()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    sent = int(counters["calls"].get(ENDPOINT, 0))
    throttled = int(counters["throttled"])
    ok = sum(r["ok"] for r in results)
    elapsed = max(r["last_ok"] for r in results) - start_at
    allowed = requests + limit.per_second * elapsed
    return {
        "processes": processes,
        "concurrency_per_process": concurrency,
        "limit": f"{requests} per {per_seconds:g} s",
        "seconds": round(elapsed, 2),
        "sent": sent,
        "answered_429": throttled,
        "share_429": round(throttled / sent, 4) if sent else 0.0,
        "succeeded": ok,
        "allowed": round(allowed, 1),
        "achieved_share_of_allowed": round(ok / allowed, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--per-seconds", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="0", help=argparse.SUPPRESS)
    parser.add_argument("--walmart-url", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(push_stock(args))))
        return
    print(json.dumps(measure(args.processes, args.seconds, args.requests, args.per_seconds, args.concurrency)))


if __name__ == "__main__":
    main()
