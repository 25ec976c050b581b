"""``/api/jobs``: the outbox of updates to Walmart and Commerce, and Retry of a failed one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from ...service import jobs_admin
from .. import idempotency, problems
from ..auth import Principal, operator, viewer
from ..schemas import JobOut, JobsPageOut, job_out
from .common import READ, StoreRef, service, store_id_of

router = APIRouter(prefix="/jobs", tags=["jobs"])
JobId = Annotated[int, Path(ge=1, le=2**53, description="The job id (see `GET /api/jobs?state=failed`).")]


@router.get("", summary="Sync jobs, newest first, with the count per state", responses=problems.responses(*READ))
async def list_jobs(
    request: Request,
    state_filter: Literal["pending", "running", "done", "failed"] | None = Query(None, alias="state"),
    store: StoreRef = None,
    limit: int = Query(50, ge=1, le=1000),
    _: Principal = Depends(viewer),
) -> JobsPageOut:
    state = service(request)

    def page() -> JobsPageOut:
        found = jobs_admin.list_jobs(
            state.database, state=state_filter, store_id=store_id_of(state, store), limit=limit
        )
        return JobsPageOut(counts=found.counts, jobs=[job_out(j) for j in found.jobs])

    return await state.context.run_db(page)


@router.post(
    "/{job_id}/retry",
    summary="Run a failed job again (the workers pick it up at once)",
    responses=problems.responses(*READ),
)
async def retry_job(
    request: Request, job_id: JobId, principal: Principal = Depends(operator), key: idempotency.IdempotencyKey = None
) -> JobOut:
    state = service(request)

    async def act() -> JobOut:
        job = await state.context.run_db(lambda: jobs_admin.retry_job(state.database, job_id, actor=principal.actor))
        state.context.work_available.set()
        return job_out(job)

    return await idempotency.answer(request, principal, key, act)  # type: ignore[return-value]
