"""Every fault of the chaos run, on one seeded timeline, all in the same run, each counted by kind:

- Walmart (its control API): 5xx at random, 429 storms, timeouts (the change applied, the answer hangs past the
  client's timeout), "apply, then lose the answer" on every mutating endpoint, revoked tokens;
- Commerce (its control API): outages (every REST call 503) and "save, then lose the answer" on order saves
  and invoices;
- processes: SIGKILL of a ``run`` process every 10-20 s (restarted at once), SIGSTOP of one for longer than
  its lease, then SIGCONT; a restart of the run's private PostgreSQL;
- the operator: Retry (``channel-manager orders retry PO``) on every order the connector shows in Error.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .control import CommerceControl, WalmartControl
from .postgres import PrivateCluster
from .processes import Managed, api_headers, api_url, cli

WALMART_MUTATING = (
    "POST /v3/orders/{purchaseOrderId}/acknowledge",
    "POST /v3/orders/{purchaseOrderId}/shipping",
    "POST /v3/orders/{purchaseOrderId}/cancel",
    "POST /v3/orders/{purchaseOrderId}/refund",
    "POST /v3/returns/{returnOrderId}/refund",
    "PUT /v3/inventory",
)
#: Commerce writes only the connector makes (the merchant's own calls are never answered-then-lost).
COMMERCE_CONNECTOR_WRITES = (
    "POST /V1/channel-manager/orders",  # the default creation path (the companion module)
    "POST /V1/orders",
    "POST /V1/order/{orderId}/invoice",
)
WALMART_READ = "GET /v3/orders/{purchaseOrderId}"
UNREACHABLE = "(connector API)"
REQUIRED_FAULTS = (
    "walmart_5xx_400_lose_timeout (background)",
    "commerce_save_then_lose (background)",
    "walmart_429_storm",
    "walmart_tokens_revoked",
    "commerce_outage",
    "sigkill_run_process",
    "sigstop_past_lease",
    "postgres_restart",
    "operator_retry_sweep",
)


@dataclass
class FaultPlan:
    """How hard and how often; the CI and bench sizes differ only here."""

    duration: float = 90.0  # seconds of faults
    walmart_5xx_rate: float = 0.05
    walmart_refusal_rate: float = 0.03  # a one-off 400 on a mutating call: the job fails, the operator retries
    walmart_read_refusal_rate: float = 0.08  # a one-off 400 on GET /v3/orders/{po} (the check before a repeat)
    lose_rate: float = 0.12  # per mutating Walmart endpoint
    timeouts_per_endpoint: int = 2  # answers that hang past the worker's 20 s timeout (ack and ship)
    hang_seconds: float = 22.0
    storm_every: tuple[float, float] = (20.0, 30.0)
    storm_seconds: float = 4.0
    revoke_every: tuple[float, float] = (15.0, 25.0)
    commerce_lose_rate: float = 0.25
    commerce_5xx_rate: float = 0.03
    outage_every: tuple[float, float] = (30.0, 40.0)
    outage_seconds: float = 6.0
    kill_every: tuple[float, float] = (10.0, 20.0)
    pause_at: tuple[float, ...] = (12.0,)  # seconds into the faults
    pause_seconds: float = 65.0  # past the lease (60 s before the fixes)
    #: seconds into the faults; a negative time counts from their end. The last restart comes after the last
    #: SIGKILL (kills stop ``quiet_end`` seconds before the end), so no restart revives a worker it stopped.
    postgres_restart_at: tuple[float, ...] = (45.0, -6.0)
    quiet_end: float = 10.0
    retry_every: float = 8.0
    retries_per_sweep: int = 6

    @classmethod
    def kills_only(cls, duration: float) -> FaultPlan:
        """Nothing but a SIGKILL of a ``run`` process every 10-20 s (restarted at once): what intake costs
        when processes die, with no remote fault to add its own retries."""
        never = (duration * 10, duration * 10)
        return cls(
            duration=duration,
            walmart_5xx_rate=0.0,
            walmart_refusal_rate=0.0,
            walmart_read_refusal_rate=0.0,
            lose_rate=0.0,
            timeouts_per_endpoint=0,
            storm_every=never,
            revoke_every=never,
            commerce_lose_rate=0.0,
            commerce_5xx_rate=0.0,
            outage_every=never,
            pause_at=(),
            postgres_restart_at=(),
            retry_every=duration * 10,
        )

    @property
    def background(self) -> bool:
        """Whether any fault is on all the time (5xx, refusals, lost answers, timeouts)."""
        rates = (self.walmart_5xx_rate, self.walmart_refusal_rate, self.walmart_read_refusal_rate, self.lose_rate)
        return any(rates) or self.timeouts_per_endpoint > 0 or self.commerce_lose_rate > 0 or self.commerce_5xx_rate > 0


def _on(faults: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The faults that can fire (a rate or a count of 0 is a fault turned off)."""
    return [f for f in faults if f.get("error_rate", 1) > 0 and f.get("count", 1) > 0]


@dataclass
class Conductor:
    plan: FaultPlan
    walmart: WalmartControl
    commerce: CommerceControl
    runs: list[Managed]
    cluster: PrivateCluster
    env: dict[str, str]
    rng: random.Random
    http: httpx.AsyncClient
    injected: Counter[str] = field(default_factory=Counter)
    kill_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the conductor's own failures (reported)
    retry_failures: list[str] = field(default_factory=list)  # Retry pressed under faults may fail; kept
    _storm: bool = False
    _outage: bool = False
    _restarting: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ sandbox faults

    def walmart_faults(self) -> list[dict[str, Any]]:
        plan = self.plan
        faults: list[dict[str, Any]] = []
        if self._storm:
            faults.append({"endpoint": "*", "mode": "rate_limit_storm"})
        for status in (500, 503, 504):
            faults.append({"endpoint": "*", "mode": "error", "status": status, "error_rate": plan.walmart_5xx_rate / 3})
        for endpoint in WALMART_MUTATING:
            faults.append({"endpoint": endpoint, "mode": "lose_response", "status": 504, "error_rate": plan.lose_rate})
            faults.append(
                {"endpoint": endpoint, "mode": "error", "status": 400, "error_rate": plan.walmart_refusal_rate}
            )
        # A refused read of the PO: the check a retry makes before repeating a change fails for good.
        faults.append(
            {"endpoint": WALMART_READ, "mode": "error", "status": 400, "error_rate": plan.walmart_read_refusal_rate}
        )
        for endpoint in WALMART_MUTATING[:2]:
            faults.append(
                {
                    "endpoint": endpoint,
                    "mode": "lose_response",
                    "lost_as": "timeout",
                    "hang_seconds": plan.hang_seconds,
                    "error_rate": 0.05,
                    "count": plan.timeouts_per_endpoint,
                }
            )
        return faults

    def commerce_faults(self) -> list[dict[str, Any]]:
        plan = self.plan
        faults: list[dict[str, Any]] = []
        if self._outage:
            faults.append({"route": "*", "mode": "error", "status": 503})
        for route in COMMERCE_CONNECTOR_WRITES:
            faults.append(
                {"route": route, "mode": "lose_response", "status": 503, "error_rate": plan.commerce_lose_rate}
            )
        faults.append({"route": "*", "mode": "error", "status": 503, "error_rate": plan.commerce_5xx_rate})
        return faults

    async def _apply_faults(self) -> None:
        await self.walmart.set_faults(_on(self.walmart_faults()))
        await self.commerce.set_faults(_on(self.commerce_faults()))

    async def clear_faults(self) -> None:
        await self.walmart.set_faults([])
        await self.commerce.set_faults([])

    # ------------------------------------------------------------------ the timeline

    async def run(self, stop: asyncio.Event) -> None:
        """Plays every fault for ``plan.duration`` seconds (or until ``stop``), then clears them and resumes
        every process."""
        end = time.monotonic() + self.plan.duration
        if self.plan.background:
            self.injected.update(
                {"walmart_5xx_400_lose_timeout (background)": 1, "commerce_save_then_lose (background)": 1}
            )
        await self._apply_faults()
        tasks = [
            asyncio.create_task(self._every(self.plan.storm_every, end, stop, self._storm_once), name="storms"),
            asyncio.create_task(self._every(self.plan.revoke_every, end, stop, self._revoke), name="revoke"),
            asyncio.create_task(self._every(self.plan.outage_every, end, stop, self._outage_once), name="outage"),
            asyncio.create_task(
                self._every(self.plan.kill_every, end - self.plan.quiet_end, stop, self._kill_one), name="kills"
            ),
            *(asyncio.create_task(self._at(at, self._pause_one)) for at in self.plan.pause_at),
            *(
                asyncio.create_task(self._at(at if at >= 0 else self.plan.duration + at, self._restart_postgres))
                for at in self.plan.postgres_restart_at
            ),
            asyncio.create_task(
                self._every((self.plan.retry_every,) * 2, end, stop, self._operator_retry), name="retry"
            ),
        ]
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(0.0, end - time.monotonic()))
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self._storm = self._outage = False
            await self.clear_faults()
            await self.heal()

    async def heal(self) -> None:
        """Every ``run`` process continued (SIGCONT) and running; restarts whatever is down."""
        for process in self.runs:
            if process.stopped:
                process.resume()
            if not process.alive:
                await self._restart(process)

    async def _every(
        self, gap: tuple[float, float], end: float, stop: asyncio.Event, action: Callable[[], Any]
    ) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.rng.uniform(*gap))
            if time.monotonic() >= end:
                return
            try:
                await action()
            except Exception as error:  # reported with the run, never hidden
                self.errors.append(f"{getattr(action, '__name__', action)}: {type(error).__name__}: {error}")

    async def _at(self, delay: float, action: Callable[[], Any]) -> None:
        await asyncio.sleep(delay)
        try:
            await action()
        except Exception as error:
            self.errors.append(f"{getattr(action, '__name__', action)}: {type(error).__name__}: {error}")

    async def _storm_once(self) -> None:
        self._storm = True
        self.injected["walmart_429_storm"] += 1
        await self.walmart.set_faults(_on(self.walmart_faults()))
        await asyncio.sleep(self.plan.storm_seconds)
        self._storm = False
        await self.walmart.set_faults(_on(self.walmart_faults()))

    async def _revoke(self) -> None:
        await self.walmart.revoke_tokens()
        self.injected["walmart_tokens_revoked"] += 1

    async def _outage_once(self) -> None:
        self._outage = True
        self.injected["commerce_outage"] += 1
        await self.commerce.set_faults(_on(self.commerce_faults()))
        await asyncio.sleep(self.plan.outage_seconds)
        self._outage = False
        await self.commerce.set_faults(_on(self.commerce_faults()))

    async def _kill_one(self) -> None:
        candidates = [p for p in self.runs if p.alive and not p.stopped and p.name not in self._restarting]
        if not candidates:
            return
        victim = self.rng.choice(candidates)
        self._restarting.add(victim.name)
        try:
            victim.kill()
            self.injected["sigkill_run_process"] += 1
            self.kill_times.append(time.time())
            await asyncio.sleep(0.5)
            await self._restart(victim)
        finally:
            self._restarting.discard(victim.name)

    async def _restart(self, process: Managed) -> None:
        """Starts it again; a start that fails (e.g. while PostgreSQL restarts) is counted and tried again."""
        for attempt in range(5):
            try:
                await asyncio.to_thread(process.start)
                return
            except (RuntimeError, TimeoutError):
                self.injected["run_start_failed"] += 1
                process.kill()
                if attempt == 4:
                    raise
                await asyncio.sleep(2)

    async def _pause_one(self) -> None:
        candidates = [p for p in self.runs if p.alive and p.name not in self._restarting]
        if not candidates:
            return
        victim = candidates[-1]
        self._restarting.add(victim.name)  # not killed while it is stopped
        try:
            victim.pause()
            self.injected["sigstop_past_lease"] += 1
            await asyncio.sleep(self.plan.pause_seconds)
        finally:
            victim.resume()
            self._restarting.discard(victim.name)

    async def _restart_postgres(self) -> None:
        await asyncio.to_thread(self.cluster.restart)
        self.injected["postgres_restart"] += 1

    # ------------------------------------------------------------------ the operator

    async def errors_in_connector(self) -> dict[str, str]:
        """PO -> Status details of every order the connector shows in Error (its public API)."""
        for process in self.runs:
            if not process.alive or process.stopped:
                continue
            try:
                response = await self.http.get(
                    f"{api_url(process)}/api/orders",
                    params={"status": "Error", "limit": 1000},
                    headers=api_headers(self.env),
                    timeout=15,
                )
                response.raise_for_status()
            except httpx.HTTPError:
                continue
            return {
                str(row["purchase_order_id"]): str(row.get("status_details") or "Error")
                for row in response.json()["orders"]
            }
        return {UNREACHABLE: "no run process answered GET /api/orders"}

    async def order_records(self, purchase_order_ids: list[str]) -> dict[str, Any]:
        """PO -> the connector's own record of it (``GET /api/orders/{po}``: lines, jobs, timeline), for the
        report of a run that is not clean; a PO no process answered for maps to the error."""
        records: dict[str, Any] = {}
        process = next((p for p in self.runs if p.alive and not p.stopped), None)
        for po in purchase_order_ids:
            if process is None:
                records[po] = "no run process alive"
                continue
            try:
                response = await self.http.get(
                    f"{api_url(process)}/api/orders/{po}", headers=api_headers(self.env), timeout=15
                )
                records[po] = response.json() if response.status_code == 200 else f"HTTP {response.status_code}"
            except (httpx.HTTPError, ValueError) as error:
                records[po] = f"{type(error).__name__}: {error}"
        return records

    async def _operator_retry(self) -> None:
        in_error = sorted(po for po in await self.errors_in_connector() if po != UNREACHABLE)
        self.injected["operator_retry_sweep"] += 1
        for po in in_error[: self.plan.retries_per_sweep]:
            try:
                await asyncio.to_thread(cli, self.env, "orders", "retry", po, timeout=90)
            except RuntimeError as error:  # Retry itself failing under faults is expected; counted
                self.injected["operator_retry_failed"] += 1
                self.retry_failures.append(f"orders retry {po}: {str(error)[-200:]}")
            self.injected["operator_retry"] += 1
