"""``/api/audit`` (admin): the latest changes made through the API or the CLI, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ...service import audit
from .. import problems
from ..auth import Principal, admin
from ..schemas import AuditEventOut
from .common import READ, service

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="Who changed what, and when", responses=problems.responses(*READ))
async def recent(
    request: Request, limit: int = Query(100, ge=1, le=1000), _: Principal = Depends(admin)
) -> list[AuditEventOut]:
    state = service(request)
    events = await state.context.run_db(lambda: audit.recent(state.database, limit=limit))
    return [
        AuditEventOut(
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            store_id=e.store_id,
            order_id=e.order_id,
            details=e.details,
        )
        for e in events
    ]
