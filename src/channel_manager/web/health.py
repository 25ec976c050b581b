"""``GET /health``: ok / not ok for anyone (a load balancer); the details only with a token.

Not ok (503) when no worker is alive (no process heartbeat), the database is unreachable, or the oldest due
job has waited too long (``service/health.py``); with a token, what is wrong and, per store, the last
successful poll of each kind and the job backlog."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from ..service.health import health_report
from .auth import bearer, identify
from .problems import responses
from .state import ServiceState

router = APIRouter(tags=["operations"])


class StoreHealthBody(BaseModel):
    id: int
    name: str
    last_successful_poll: dict[str, datetime] = Field(description="Poller -> when it last succeeded.")
    due_jobs: int
    oldest_due_job_since: datetime | None = None
    jobs_waiting_for: dict[str, int] = Field(
        default_factory=dict,
        description="Side (Walmart, Commerce) -> jobs whose last try found it unavailable (no answer, or a 5xx): "
        "they run as soon as it answers again.",
    )


class Health(BaseModel):
    status: Literal["ok", "unhealthy"]
    database: str | None = Field(None, description="With a token: the database URL, password masked.")
    jobs: dict[str, int] | None = Field(None, description="With a token: jobs per state.")
    orders: dict[str, int] | None = Field(None, description="With a token: orders per status.")
    webhook_events_waiting: int | None = Field(None, description="With a token: deliveries not processed yet.")
    uptime_seconds: float | None = None
    problems: list[str] | None = Field(None, description="With a token: what is wrong (empty when ok).")
    workers_alive: int | None = Field(None, description="With a token: workers of processes with a recent heartbeat.")
    processes_alive: int | None = Field(None, description="With a token: `run` processes with a recent heartbeat.")
    oldest_due_job_since: datetime | None = Field(
        None, description="With a token: since when the oldest due job waits."
    )
    stores: list[StoreHealthBody] | None = Field(None, description="With a token: per store, polls and backlog.")


def counts(state: ServiceState) -> tuple[dict[str, int], dict[str, int], int]:
    """Jobs per state, orders per status and webhook deliveries waiting (up to 1000): /health and /metrics."""
    with state.database.unit_of_work(read_only=True) as uow:
        jobs = uow.jobs.count_by_state()
        orders = uow.orders.count_by_status()
        unprocessed = len(uow.inbound_events.unprocessed(1000))
    return jobs, orders, unprocessed


@router.get(
    "/health",
    summary="Is the service up and its database reachable (details with any valid token)",
    response_model=Health,
    response_model_exclude_none=True,
    responses={
        503: {"model": Health, "description": "No worker alive, the database unreachable, or a job waiting too long"},
        **responses(401, 429),
    },
)
async def health(request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)) -> JSONResponse:
    state: ServiceState = request.app.state.service
    principal = await identify(request)
    try:
        jobs, orders, unprocessed = await state.context.run_db(counts, state)
        report = await state.context.run_db(health_report, state.context)
    except Exception:
        return JSONResponse({"status": "unhealthy"}, status_code=503)
    status_code = 200 if report.healthy else 503
    if principal is None:
        return JSONResponse({"status": "ok" if report.healthy else "unhealthy"}, status_code=status_code)
    body = Health(
        status="ok" if report.healthy else "unhealthy",
        problems=report.problems,
        workers_alive=report.workers_alive,
        processes_alive=report.processes_alive,
        oldest_due_job_since=report.oldest_due_job_since,
        stores=[
            StoreHealthBody(
                id=store.store_id,
                name=store.name,
                last_successful_poll=store.last_polls,
                due_jobs=store.due_jobs,
                oldest_due_job_since=store.oldest_due_job_since,
                jobs_waiting_for=store.waiting_for,
            )
            for store in report.stores
        ],
        database=state.database.url,
        jobs=jobs,
        orders=orders,
        webhook_events_waiting=unprocessed,
        uptime_seconds=round(time.time() - state.metrics.started_at, 1),
    )
    return JSONResponse(body.model_dump(mode="json", exclude_none=True), status_code=status_code)
