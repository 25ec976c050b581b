"""``/api/returns``: the Returns page, one return, and its Refund (through Commerce first)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ...domain.reasons import RefundReason
from ...domain.returns import ReturnStatus
from ...service import returns as return_service
from ...service.refunds import refund_return_through_commerce
from .. import idempotency, problems
from ..auth import Principal, operator, viewer
from ..schemas import OrderActionOut, ReturnOut, ReturnRefundIn, return_out
from ..state import ServiceState
from .common import READ, WRITE, ReturnOrderId, StoreRef, service, store_id_of
from .orders import order_action

router = APIRouter(prefix="/returns", tags=["returns"])


@router.get("", summary="The Returns page: returns (RMAs), newest first", responses=problems.responses(*READ))
async def list_returns(
    request: Request,
    store: StoreRef = None,
    status: ReturnStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
    _: Principal = Depends(viewer),
) -> list[ReturnOut]:
    state = service(request)

    def page() -> list[ReturnOut]:
        rows = return_service.returns_page(
            state.database, store_id=store_id_of(state, store), status=status, limit=limit
        )
        return [return_out(r) for r in rows]

    return await state.context.run_db(page)


@router.get(
    "/{return_order_id}", summary="One return: lines, reasons, refund state", responses=problems.responses(*READ)
)
async def show_return(
    request: Request, return_order_id: ReturnOrderId, store: StoreRef = None, _: Principal = Depends(viewer)
) -> ReturnOut:
    state = service(request)

    def found() -> ReturnOut:
        return return_out(
            return_service.find_return(state.database, return_order_id, store_id=store_id_of(state, store))
        )

    return await state.context.run_db(found)


@router.post(
    "/{return_order_id}/refund",
    summary="Refund what the return has not refunded yet: a credit memo in Commerce, then Walmart's refund",
    responses=problems.responses(*WRITE),
)
async def refund_return(
    request: Request,
    return_order_id: ReturnOrderId,
    body: ReturnRefundIn,
    store: StoreRef = None,
    principal: Principal = Depends(operator),
    key: idempotency.IdempotencyKey = None,
) -> OrderActionOut:
    reason = RefundReason.parse(body.reason) if body.reason else None  # the document allows only these
    state = service(request)
    item = await state.context.run_db(
        lambda: return_service.find_return(state.database, return_order_id, store_id=store_id_of(state, store))
    )

    async def action(state: ServiceState, store_id: int | None) -> object:
        return await refund_return_through_commerce(
            state.context, state.database, return_order_id, store_id=store_id, reason=reason,
            return_to_stock=body.return_to_stock, actor=principal.actor,
        )  # fmt: skip

    return await order_action(  # type: ignore[no-any-return]
        request, principal, key, item.purchase_order_id, item.store_id, action
    )
