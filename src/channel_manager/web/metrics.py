"""Prometheus metrics (prometheus_client): the database's view at scrape time, plus this process's own
counters of calls to Walmart and Commerce (``channel_manager.metrics``). ``/health`` is in ``health.py``; the
API app puts ``/metrics`` behind a token."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..metrics import REGISTRY
from ..service.health import HealthReport, health_report
from .state import ServiceState

router = APIRouter(tags=["operations"])


@dataclass(frozen=True)
class _Snapshot:
    """What the database says at scrape time (the same for every process on that database)."""

    jobs: dict[str, int]
    orders: dict[str, int]
    webhook_events_waiting: int
    backlog: int
    oldest_due_seconds: float
    failures: list[tuple[str, str, str, str, int]]  # store id, store name, kind, failed/retrying, count


def _snapshot(state: ServiceState) -> _Snapshot:
    now = datetime.now(UTC)
    with state.database.unit_of_work(read_only=True) as uow:
        jobs, orders, unprocessed = (
            uow.jobs.count_by_state(),
            uow.orders.count_by_status(),
            len(uow.inbound_events.unprocessed(1000)),
        )
        backlog, oldest = uow.jobs.backlog(now)
        names = {s.id: s.name for s in uow.stores.list()}
        failures = [
            (str(store_id), names.get(store_id, ""), kind, what, count)
            for store_id, kind, what, count in uow.jobs.failures_by_store_and_kind()
        ]
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return _Snapshot(jobs, orders, unprocessed, backlog, age, failures)


class _SnapshotCollector(Collector):
    def __init__(self, snapshot: _Snapshot, webhooks_received: Mapping[str, int], uptime: float) -> None:
        self.snapshot = snapshot
        self.webhooks_received = webhooks_received
        self.uptime = uptime

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        yield _by_label("channel_manager_jobs", "Sync jobs by state.", "state", snap.jobs)
        yield _gauge(
            "channel_manager_jobs_backlog", "Pending jobs that are due now and wait for a worker.", snap.backlog
        )
        yield _gauge(
            "channel_manager_oldest_due_job_age_seconds",
            "How long the oldest due pending job has waited past its due time (0: none waiting).",
            snap.oldest_due_seconds,
        )
        failures = GaugeMetricFamily(
            "channel_manager_job_failures",
            "Jobs whose last attempt failed, by store and job kind: failed (gave up, waits for Retry) or "
            "retrying (will run again by itself).",
            labels=["store_id", "store", "kind", "state"],
        )
        for store_id, store, kind, what, count in sorted(snap.failures):
            failures.add_metric([store_id, store, kind, what], count)
        yield failures
        yield _by_label("channel_manager_orders", "Orders by status.", "status", snap.orders)
        yield _gauge(
            "channel_manager_webhook_events_waiting",
            "Stored webhook deliveries not processed yet.",
            snap.webhook_events_waiting,
        )
        received = CounterMetricFamily(
            "channel_manager_webhooks_received",
            "Webhook deliveries accepted by this process since it started.",
            labels=["source"],
        )
        for source, count in sorted(self.webhooks_received.items()):
            received.add_metric([source], count)
        yield received
        yield _gauge("channel_manager_uptime_seconds", "Seconds since this process started.", self.uptime)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def _by_label(name: str, documentation: str, label: str, counts: Mapping[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in sorted(counts.items()):
        family.add_metric([value], count)
    return family


class _HealthCollector(Collector):
    """``/health``'s verdict and its parts as gauges."""

    def __init__(self, report: HealthReport) -> None:
        self.report = report

    def collect(self) -> Iterator[Metric]:
        report = self.report
        yield _gauge("channel_manager_healthy", "1 when /health answers ok.", int(report.healthy))
        yield _gauge(
            "channel_manager_workers_alive", "Workers of processes whose heartbeat is recent.", report.workers_alive
        )
        due = GaugeMetricFamily("channel_manager_store_due_jobs", "Jobs due or running, per store.", labels=["store"])
        polls = GaugeMetricFamily(
            "channel_manager_last_successful_poll_timestamp_seconds",
            "When each poller of a store last succeeded.",
            labels=["store", "poller"],
        )
        waiting = GaugeMetricFamily(
            "channel_manager_store_jobs_waiting_for_side",
            "Jobs of a store whose last try found the side unavailable; they run when it answers again.",
            labels=["store", "side"],
        )
        for store in report.stores:
            due.add_metric([str(store.store_id)], store.due_jobs)
            for side, count in sorted(store.waiting_for.items()):
                waiting.add_metric([str(store.store_id), side], count)
            for name, at in sorted(store.last_polls.items()):
                polls.add_metric([str(store.store_id), name], at.timestamp())
        yield due
        yield polls
        yield waiting


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
async def metrics(request: Request) -> Response:
    state: ServiceState = request.app.state.service
    snapshot = await state.context.run_db(_snapshot, state)
    scrape = CollectorRegistry(auto_describe=False)
    uptime = time.time() - state.metrics.started_at
    scrape.register(_SnapshotCollector(snapshot, dict(state.metrics.webhooks_received), uptime))
    scrape.register(_HealthCollector(await state.context.run_db(health_report, state.context)))
    body = generate_latest(scrape) + generate_latest(REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
