"""Prometheus metrics (``/health`` is in ``health.py``; the API app puts ``/metrics`` behind a token)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

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
    ]
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
