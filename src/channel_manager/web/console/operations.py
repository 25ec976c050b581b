"""The Returns page (with its Refund action) and the Health page (backlog, failing jobs with one-click
Retry, see ``jobs.py``, last poll per store, rate-limit state, worker liveness)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...domain.reasons import RefundReason
from ...domain.returns import ReturnStatus
from ...service import console_overview, health, jobs_admin
from ...service import returns as return_service
from ...service.refunds import refund_return_through_commerce
from ..schemas import return_out
from ..state import service_state
from .errors import USER_ERRORS, describe
from .rendering import page, redirect
from .sessions import checked_form, first, require_session
from .store_names import store_names

router = APIRouter(prefix="/console")


@router.get("/returns")
async def returns_page(request: Request) -> Response:
    session = await require_session(request)
    state = service_state(request)
    status_text = request.query_params.get("status", "")
    status = ReturnStatus(status_text) if status_text in {s.value for s in ReturnStatus} else None

    def read() -> dict[str, Any]:
        rows = return_service.returns_page(state.database, status=status, limit=200)
        return {"returns": [return_out(r) for r in rows], "stores": store_names(state.database)}

    values = await state.context.run_db(read)
    return page(
        request, "returns.html", session, **values, statuses=list(ReturnStatus), status=status_text,
        refund_reasons=list(RefundReason),
    )  # fmt: skip


@router.post("/returns/{rma}/refund")
async def refund_return(request: Request, rma: str) -> Response:
    session, fields = await checked_form(request, Role.OPERATOR)
    state = service_state(request)
    store_text = first(fields, "store")
    store_id = int(store_text) if store_text.isdigit() else None
    reason_text = first(fields, "reason")
    if first(fields, "step") != "send":
        reason = f"reason {reason_text}" if reason_text else "the return's own reasons"
        summary = [
            f"Refund what return {rma} has not refunded yet, {reason}"
            + (", returning the units to stock." if first(fields, "return_to_stock") == "on" else "."),
            "First a credit memo in Commerce; then the refund to Walmart.",
        ]
        hidden = [(k, v) for k, values in fields.items() for v in values if k not in ("step", "csrf_token")]
        return page(
            request, "confirm.html", session, title=f"Refund return {rma}", summary=summary,
            action_url=f"/console/returns/{quote(rma, safe='')}/refund", hidden=hidden, back_url="/console/returns",
        )  # fmt: skip
    try:
        await refund_return_through_commerce(
            state.context, state.database, rma, store_id=store_id,
            reason=RefundReason.parse(reason_text) if reason_text else None,
            return_to_stock=first(fields, "return_to_stock") == "on", actor=f"console:{session.user.name}",
        )  # fmt: skip
    except USER_ERRORS as error:
        return redirect("/console/returns", f"Refund of return {rma} refused. {describe(error)[1]}", kind="error")
    state.context.work_available.set()
    return redirect(
        "/console/returns", f"Return {rma}: credit memo created in Commerce; the refund to Walmart is on its way."
    )


@router.get("/health")
async def health_page(request: Request) -> Response:
    session = await require_session(request)
    state = service_state(request)

    def read() -> dict[str, Any]:
        report = health.health_report(state.context)
        failing = jobs_admin.list_jobs(state.database, state="failed", limit=100)
        pending = jobs_admin.list_jobs(state.database, state="pending", limit=20)
        return {
            "report": report, "failing": failing, "pending": pending,
            "budgets": console_overview.rate_limit_usage(state.database),
        }  # fmt: skip

    values = await state.context.run_db(read)
    return page(request, "health.html", session, **values)
