"""Health and Prometheus metrics."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from .state import ServiceState

router = APIRouter(tags=["operations"])


def _counts(state: ServiceState) -> tuple[dict[str, int], dict[str, int], int]:
    with state.database.unit_of_work(read_only=True) as uow:
        jobs = uow.jobs.count_by_state()
        orders = uow.orders.count_by_status()
        unprocessed = len(uow.inbound_events.unprocessed(1000))
    return jobs, orders, unprocessed


@router.get("/health", summary="Is the service up and its database reachable")
async def health(request: Request) -> JSONResponse:
    state: ServiceState = request.app.state.service
    try:
        jobs, orders, unprocessed = await state.context.run_db(_counts, state)
    except Exception as error:
        return JSONResponse({"status": "unhealthy", "database": str(error)}, status_code=503)
    body: dict[str, Any] = {
        "status": "ok",
        "database": state.database.url,
        "jobs": jobs,
        "orders": orders,
        "webhook_events_waiting": unprocessed,
        "uptime_seconds": round(time.time() - state.metrics.started_at, 1),
    }
    return JSONResponse(body)


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
