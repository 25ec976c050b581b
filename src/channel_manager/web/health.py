"""``GET /health``: ok / not ok for anyone (a load balancer); the details only with a token."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from .auth import bearer, identify
from .problems import responses
from .state import ServiceState

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok", "unhealthy"]
    database: str | None = Field(None, description="With a token: the database URL, password masked.")
    jobs: dict[str, int] | None = Field(None, description="With a token: jobs per state.")
    orders: dict[str, int] | None = Field(None, description="With a token: orders per status.")
    webhook_events_waiting: int | None = Field(None, description="With a token: deliveries not processed yet.")
    uptime_seconds: float | None = None


def _counts(state: ServiceState) -> tuple[dict[str, int], dict[str, int], int]:
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
    responses={503: {"model": Health, "description": "The database cannot be reached"}, **responses(401, 429)},
)
async def health(request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)) -> JSONResponse:
    state: ServiceState = request.app.state.service
    principal = await identify(request)
    try:
        jobs, orders, unprocessed = await state.context.run_db(_counts, state)
    except Exception:
        return JSONResponse({"status": "unhealthy"}, status_code=503)
    if principal is None:
        return JSONResponse({"status": "ok"})
    body = Health(
        status="ok",
        database=state.database.url,
        jobs=jobs,
        orders=orders,
        webhook_events_waiting=unprocessed,
        uptime_seconds=round(time.time() - state.metrics.started_at, 1),
    )
    return JSONResponse(body.model_dump(exclude_none=True))
