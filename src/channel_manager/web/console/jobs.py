"""The Jobs page: every update to Walmart or Commerce (the outbox) by state and store, newest first, as
``channel-manager jobs list`` shows them; and Retry of a failed job (``jobs retry``), from here or Health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...service import jobs_admin
from ..state import service_state
from .errors import USER_ERRORS, describe
from .rendering import page, redirect
from .sessions import checked_form, first, require_session
from .store_names import store_names

router = APIRouter(prefix="/console/jobs")
LIMIT, MAX_LIMIT = 50, 1000  # as `jobs list --limit`


@router.get("")
async def jobs_page(request: Request) -> Response:
    session = await require_session(request)
    state = service_state(request)
    wanted = request.query_params.get("state", "")
    wanted = wanted if wanted in jobs_admin.JOB_STATES else ""
    store_text = request.query_params.get("store", "")
    store_id = int(store_text) if store_text.isdigit() and int(store_text) < 2**31 else None
    limit_text = request.query_params.get("limit", "")
    limit = min(max(int(limit_text[:7]), 1), MAX_LIMIT) if limit_text.isdigit() else LIMIT

    def read() -> tuple[jobs_admin.JobsPage, dict[int, str]]:
        found = jobs_admin.list_jobs(state.database, state=wanted or None, store_id=store_id, limit=limit)
        return found, store_names(state.database)

    jobs, stores = await state.context.run_db(read)
    return page(
        request, "jobs.html", session, jobs=jobs, states=jobs_admin.JOB_STATES, wanted=wanted,
        store=str(store_id) if store_id is not None else "", stores=stores, limit=limit,
    )  # fmt: skip


@router.post("/{job_id}/retry")
async def retry_job(request: Request, job_id: int) -> Response:
    session, fields = await checked_form(request, Role.OPERATOR)
    state = service_state(request)
    back = first(fields, "next")
    back = back if back.startswith("/console/") and "//" not in back else "/console/health"
    try:
        await state.context.run_db(
            lambda: jobs_admin.retry_job(state.database, job_id, actor=f"console:{session.user.name}")
        )
    except USER_ERRORS as error:
        return redirect(back, f"Job {job_id} not retried. {describe(error)[1]}", kind="error")
    state.context.work_available.set()
    return redirect(back, f"Job {job_id} runs again now.")
