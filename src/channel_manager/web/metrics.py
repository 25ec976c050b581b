"""Prometheus metrics (``/health`` is in ``health.py``; the API app puts ``/metrics`` behind a token)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from ..service.health import HealthReport, health_report
from .state import ServiceState

router = APIRouter(tags=["operations"])


def _counts(state: ServiceState) -> tuple[dict[str, int], dict[str, int], int]:
    with state.database.unit_of_work(read_only=True) as uow:
        jobs = uow.jobs.count_by_state()
        orders = uow.orders.count_by_status()
        unprocessed = len(uow.inbound_events.unprocessed(1000))
    return jobs, orders, unprocessed


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
async def metrics(request: Request) -> PlainTextResponse:
    state: ServiceState = request.app.state.service
    jobs, orders, unprocessed = await state.context.run_db(_counts, state)
    report = await state.context.run_db(health_report, state.context)
    lines = [
        "# HELP channel_manager_jobs Sync jobs by state.",
        "# TYPE channel_manager_jobs gauge",
        *(f'channel_manager_jobs{{state="{name}"}} {count}' for name, count in sorted(jobs.items())),
        "# HELP channel_manager_orders Orders by Channel Manager status.",
        "# TYPE channel_manager_orders gauge",
        *(f'channel_manager_orders{{status="{name}"}} {count}' for name, count in sorted(orders.items())),
        "# HELP channel_manager_webhook_events_waiting Stored webhook deliveries not processed yet.",
        "# TYPE channel_manager_webhook_events_waiting gauge",
        f"channel_manager_webhook_events_waiting {unprocessed}",
        "# HELP channel_manager_webhooks_received_total Webhook deliveries accepted since start.",
        "# TYPE channel_manager_webhooks_received_total counter",
        *(
            f'channel_manager_webhooks_received_total{{source="{source}"}} {count}'
            for source, count in sorted(state.metrics.webhooks_received.items())
        ),
        *health_metric_lines(report, state.context.now()),
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


def health_metric_lines(report: HealthReport, now: datetime) -> list[str]:
    """``/health``'s verdict and its parts as Prometheus gauges."""
    oldest = (now - report.oldest_due_job_since).total_seconds() if report.oldest_due_job_since else 0.0
    return [
        "# HELP channel_manager_healthy 1 when /health answers ok.",
        "# TYPE channel_manager_healthy gauge",
        f"channel_manager_healthy {int(report.healthy)}",
        "# HELP channel_manager_workers_alive Workers of processes whose heartbeat is recent.",
        "# TYPE channel_manager_workers_alive gauge",
        f"channel_manager_workers_alive {report.workers_alive}",
        "# HELP channel_manager_oldest_due_job_seconds How long the oldest due job has waited to be claimed.",
        "# TYPE channel_manager_oldest_due_job_seconds gauge",
        f"channel_manager_oldest_due_job_seconds {oldest:.1f}",
        "# HELP channel_manager_store_due_jobs Jobs due or running, per store.",
        "# TYPE channel_manager_store_due_jobs gauge",
        *(f'channel_manager_store_due_jobs{{store="{s.store_id}"}} {s.due_jobs}' for s in report.stores),
        "# HELP channel_manager_last_successful_poll_timestamp_seconds When each poller of a store last succeeded.",
        "# TYPE channel_manager_last_successful_poll_timestamp_seconds gauge",
        *(
            f'channel_manager_last_successful_poll_timestamp_seconds{{store="{s.store_id}",poller="{name}"}} '
            f"{at.timestamp():.3f}"
            for s in report.stores
            for name, at in sorted(s.last_polls.items())
        ),
    ]
