"""One chaos run, start to verdict: a private PostgreSQL, both sandboxes and N ``channel-manager run``
processes (set up with the CLI), lifecycles arriving while every fault is on, then faults off, a bounded wait
for convergence, and the verdict from both sandboxes. Shared by ``tests/chaos`` and ``bench/chaos.py``."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .conductor import Conductor, FaultPlan
from .control import CommerceControl, WalmartControl
from .lifecycles import CATALOG, Lifecycle, Stage, plan, play
from .merchant import Merchant
from .postgres import PrivateCluster
from .processes import (
    CLIENT_ID,
    CLIENT_SECRET,
    COMMERCE_HOOK_SECRET,
    COMMERCE_TOKEN,
    STORE_NAME,
    Managed,
    ProcessGroup,
    api_headers,
    api_url,
    base_env,
    cli,
    connector_process,
    set_up_store,
    start_sandboxes,
)
from .verdict import Verdict, WalmartReader, judge

STORE_SETTINGS = {
    "order_poll_seconds": "2",
    "commerce_poll_seconds": "2",
    "returns_poll_seconds": "3",
    "reconcile_seconds": "15",
    "push_stock_changes": "true",
}


@dataclass
class ChaosConfig:
    lifecycles: int = 60
    run_processes: int = 2
    workers: int = 3
    seed: int = 14
    arrival_seconds: float = 50.0  # lifecycles start spread over this, from the first fault on
    faults: FaultPlan = field(default_factory=FaultPlan)
    driver_grace: float = 40.0  # the merchant keeps acting this long after the faults end
    settle_seconds: float = 60.0  # everything converged within this long after the faults end
    canaries: int = 4  # orders placed right after the faults end (a worker that died for good shows here)
    auto_cancel_after: float = 25.0  # Walmart auto-cancels those orders this long after they are placed
    keep_logs: Path | None = None  # copy the processes' logs here


@dataclass
class ChaosResult:
    verdict: Verdict
    lifecycles: list[Lifecycle]
    injected: Counter[str]
    figures: dict[str, Any]
    conductor_errors: list[str]
    retry_failures: list[str]
    logs: Path

    def report(self) -> str:
        lines = [self.verdict.details()]
        lines.append("faults injected: " + ", ".join(f"{k}={v}" for k, v in sorted(self.injected.items())))
        lines.append("figures: " + ", ".join(f"{k}={v}" for k, v in self.figures.items()))
        walmart, commerce = self.verdict.counters.get("walmart", {}), self.verdict.counters.get("commerce", {})
        keys = ("faults_fired", "lost_responses", "throttled", "rejected_total", "applied_twice", "calls_total")
        lines.append("walmart sandbox: " + ", ".join(f"{k}={walmart.get(k)}" for k in keys))
        lines.append(f"walmart rejected: {walmart.get('rejected')}")
        lines.append(
            "commerce sandbox: "
            + ", ".join(f"{k}={commerce.get(k)}" for k in ("faults_injected", "duplicate_ext_order_ids"))
        )
        if self.conductor_errors:
            lines.append("conductor errors: " + "; ".join(self.conductor_errors[:10]))
        lines.append(f"logs: {self.logs}")
        return "\n".join(lines)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def figures(lifecycles: list[Lifecycle], kill_times: list[float], converge: float | None) -> dict[str, Any]:
    intake = [lc.intake_at - lc.ordered_at for lc in lifecycles if lc.intake_at and lc.ordered_at]
    ship = [lc.ship_landed_at - lc.ship_requested_at for lc in lifecycles if lc.ship_landed_at and lc.ship_requested_at]
    killing = (min(kill_times), max(kill_times) + 20) if kill_times else (0.0, 0.0)
    under_kills = [
        lc.intake_at - lc.ordered_at
        for lc in lifecycles
        if lc.intake_at and lc.ordered_at and killing[0] <= lc.ordered_at <= killing[1]
    ]
    return {
        "lifecycles": len(lifecycles),
        "by_kind": dict(Counter(lc.kind for lc in lifecycles)),
        "intake_p50_s": percentile(intake, 0.5),
        "intake_p99_s": percentile(intake, 0.99),
        "intake_p99_with_kills_s": percentile(under_kills, 0.99),
        "intake_mean_s": round(statistics.fmean(intake), 2) if intake else None,
        "ship_p50_s": percentile(ship, 0.5),
        "ship_p99_s": percentile(ship, 0.99),
        "measured_intake": len(intake),
        "measured_ship": len(ship),
        "time_to_converge_s": None if converge is None else round(converge, 1),
    }


async def _seed_catalog(commerce: CommerceControl, lifecycles: list[Lifecycle]) -> None:
    for sku, (price, _) in CATALOG.items():
        await commerce.put_product(sku, sku, float(price), 1_000_000)
    for lc in lifecycles:
        if lc.stock_sku is not None:
            line = lc.lines["1"]
            await commerce.put_product(lc.stock_sku, lc.stock_sku, float(line.price), 50)


async def _connect_webhooks(
    http: httpx.AsyncClient, env: dict[str, str], commerce: CommerceControl, run0: Managed
) -> None:
    response = await http.get(f"{api_url(run0)}/api/stores", headers=api_headers(env))
    response.raise_for_status()
    stores = response.json()
    store_id = next(s["id"] for s in stores if s["name"] == STORE_NAME)
    assert run0.webhook_url is not None
    await commerce.set_webhook(f"{run0.webhook_url}/webhooks/commerce/{store_id}", COMMERCE_HOOK_SECRET)
    await asyncio.to_thread(cli, env, "stores", "subscribe", STORE_NAME, "--public-url", run0.webhook_url)


async def _drive(
    config: ChaosConfig,
    env: dict[str, str],
    urls: tuple[str, str],
    runs: list[Managed],
    cluster: PrivateCluster,
    logs: Path,
) -> ChaosResult:
    rng = random.Random(config.seed)
    walmart_url, commerce_url = urls
    everything = plan(config.lifecycles, rng, canaries=config.canaries)
    lifecycles, canaries = everything[: config.lifecycles], everything[config.lifecycles :]
    async with httpx.AsyncClient(timeout=30) as http:
        walmart, commerce = WalmartControl(walmart_url, http), CommerceControl(commerce_url, http)
        await _seed_catalog(commerce, everything)
        await _connect_webhooks(http, env, commerce, runs[0])
        merchant = Merchant(commerce_url, COMMERCE_TOKEN)
        started = time.monotonic()
        stage = Stage(
            walmart,
            merchant,
            random.Random(config.seed + 1),
            deadline=started + config.faults.duration + config.driver_grace,
        )
        # (moved to faults-off + driver_grace once the faults end)
        conductor = Conductor(
            config.faults, walmart, commerce, runs, cluster, env, random.Random(config.seed + 2), http
        )
        stop = asyncio.Event()
        finder = asyncio.create_task(stage.find_commerce_orders(stop))
        faults = asyncio.create_task(conductor.run(stop))
        playing: list[asyncio.Task[None]] = []
        try:
            gap = config.arrival_seconds / max(1, len(lifecycles))
            for lc in lifecycles:
                playing.append(asyncio.create_task(play(stage, lc, config.auto_cancel_after)))
                await asyncio.sleep(gap)
            await faults
            faults_off = time.monotonic()
            stage.deadline = faults_off + config.driver_grace
            converge_deadline = faults_off + config.settle_seconds
            for lc in canaries:
                lifecycles.append(lc)
                playing.append(asyncio.create_task(play(stage, lc, config.auto_cancel_after)))
            await asyncio.wait(playing, timeout=config.driver_grace + 10)
            reader = WalmartReader(walmart_url, CLIENT_ID, CLIENT_SECRET, http)
            converged: float | None = None
            while True:
                await conductor.heal()
                errors = await conductor.errors_in_connector()
                verdict = await judge(lifecycles, walmart, commerce, reader, merchant.salable, errors)
                if verdict.clean:
                    converged = time.monotonic() - faults_off
                    break
                if time.monotonic() > converge_deadline:
                    await _keep_records(conductor, verdict, logs)
                    break
                await asyncio.sleep(max(5.0, len(lifecycles) / 50))  # a verdict reads every PO back
        finally:
            stop.set()
            for task in (*playing, finder, faults):
                task.cancel()
            await asyncio.gather(*playing, finder, faults, return_exceptions=True)
            await merchant.aclose()
    walmart_counters, commerce_counters = verdict.counters["walmart"], verdict.counters["commerce"]
    conductor.injected.update(
        {
            "walmart_faults_answered": int(walmart_counters.get("faults_fired") or 0),
            "walmart_answers_lost": int(walmart_counters.get("lost_responses") or 0),
            "walmart_429_answers": int(walmart_counters.get("throttled") or 0),
            "commerce_faults_answered": int(commerce_counters.get("faults_injected") or 0),
        }
    )
    return ChaosResult(
        verdict,
        lifecycles,
        conductor.injected,
        figures(lifecycles, conductor.kill_times, converged),
        conductor.errors,
        conductor.retry_failures,
        logs,
    )


async def _keep_records(conductor: Conductor, verdict: Verdict, logs: Path, most: int = 60) -> None:
    """A run that did not converge keeps the connector's record of its first ``most`` problem POs
    (``logs/problem-orders.json``: jobs, attempts, timeline), for the diagnosis after the cluster is gone."""
    pos = sorted({po for category in verdict.problems.values() for po in category if po.isdigit()})[:most]
    try:
        records: Any = await conductor.order_records(pos)
    except Exception as error:  # the report must not fail on its own diagnosis
        records = {"error": f"{type(error).__name__}: {error}"}
    (logs / "problem-orders.json").write_text(json.dumps(records, indent=1, default=str))


def run_chaos(config: ChaosConfig) -> ChaosResult:
    """The whole run; every process and the PostgreSQL cluster are gone when it returns (or raises)."""
    root = Path(tempfile.mkdtemp(prefix="cm-chaos-"))
    logs = root / "logs"
    logs.mkdir()
    group = ProcessGroup(logs)
    cluster = PrivateCluster()
    try:
        database_url = cluster.start()
        data_dir = root / "data"
        data_dir.mkdir()
        env = base_env(data_dir, database_url)
        urls = start_sandboxes(group, env)
        set_up_store(env, *urls, STORE_SETTINGS)
        runs = [connector_process(group, env, i, config.workers) for i in range(config.run_processes)]
        for process in runs:
            process.start()
        result = asyncio.run(_drive(config, env, urls, runs, cluster, logs))
    finally:
        group.close()
        cluster.stop()
        if config.keep_logs is not None:
            shutil.copytree(logs, config.keep_logs, dirs_exist_ok=True)
        shutil.rmtree(root / "data", ignore_errors=True)
    if result.verdict.clean:
        shutil.rmtree(root, ignore_errors=True)  # a failed run keeps its processes' logs (the report names them)
    return result
