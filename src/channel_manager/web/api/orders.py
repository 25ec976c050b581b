"""``/api/orders``: the Orders page, the order detail, and the merchant's actions (ship, cancel, refund
through Commerce first, as the CLI does; retry; resync)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from ...domain.reasons import CancellationReason, RefundReason
from ...domain.statuses import OrderStatus
from ...service import commerce_actions
from ...service import orders as order_service
from ...service.refunds import refund_through_commerce
from ...service.resync import resync_order
from ...storage.orders import SORT_KEYS
from .. import idempotency, problems
from ..auth import Principal, operator, viewer
from ..problems import FieldError, validation_problem
from ..schemas import (
    CancelIn,
    OrderActionOut,
    OrderDetailOut,
    OrdersPage,
    RefundIn,
    ShipIn,
    detail_out,
    order_out,
    summary_out,
)
from ..state import ServiceState
from .common import READ, WRITE, PurchaseOrderId, QueryDateTime, StoreRef, service, store_id_of, utc

router = APIRouter(prefix="/orders", tags=["orders"])
SortKey = Literal["ordered_at", "ship_by", "last_update_at", "order_value", "purchase_order_id"]
assert set(SortKey.__args__) == set(SORT_KEYS)  # type: ignore[attr-defined]


@router.get("", summary="The Orders page: status counts and one page of orders", responses=problems.responses(*READ))
async def list_orders(
    request: Request,
    store: StoreRef = None,
    status: OrderStatus | None = None,
    search: str | None = Query(
        None,
        max_length=200,
        description=(
            "PO, Commerce or customer order number, buyer e-mail or SKU starts with this, or the buyer's name "
            "contains it (case ignored)."
        ),
    ),
    ordered_from: QueryDateTime | None = Query(
        None, description="Ordered at or after (ISO 8601; UTC without an offset)."
    ),
    ordered_to: QueryDateTime | None = Query(None, description="Ordered before."),
    sort: SortKey = "ordered_at",
    order: Literal["asc", "desc"] = "desc",
    limit: int = Query(50, ge=1, le=1000),
    cursor: str | None = Query(None, max_length=500, description="`next_cursor` of the page before."),
    _: Principal = Depends(viewer),
) -> OrdersPage:
    state = service(request)
    descending = order == "desc"

    def page() -> OrdersPage:
        counts, rows = order_service.orders_page(
            state.database, store_id=store_id_of(state, store), status=status, search=search, limit=limit,
            ordered_from=utc(ordered_from), ordered_to=utc(ordered_to), sort=sort, descending=descending,
            cursor=cursor,
        )  # fmt: skip
        more = len(rows) == limit
        next_cursor = order_service.encode_cursor(rows[-1], sort, descending) if rows and more else None
        return OrdersPage(counts=counts, orders=[summary_out(r) for r in rows], next_cursor=next_cursor)

    try:
        return await state.context.run_db(page)
    except order_service.InvalidCursor as error:
        raise validation_problem([FieldError(field="query.cursor", message=str(error))]) from None


@router.get(
    "/{purchase_order_id}",
    summary="One order: lines by state, shipments, cancellations, returns, refunds, timeline, every sync attempt",
    responses=problems.responses(*READ),
)
async def show_order(
    request: Request, purchase_order_id: PurchaseOrderId, store: StoreRef = None, _: Principal = Depends(viewer)
) -> OrderDetailOut:
    state = service(request)

    def detail() -> OrderDetailOut:
        found = order_service.order_detail(state.database, purchase_order_id, store_id=store_id_of(state, store))
        return detail_out(found)

    return await state.context.run_db(detail)


async def _after(
    state: ServiceState, purchase_order_id: str, store_id: int | None, retried: int | None = None
) -> OrderActionOut:
    """Wakes the workers (they send what the action queued) and answers the order as it stands."""
    state.context.work_available.set()
    order = await state.context.run_db(
        lambda: order_service.find_order(state.database, purchase_order_id, store_id=store_id)
    )
    return OrderActionOut(order=order_out(order), retried_jobs=retried)


Action = Callable[[ServiceState, int | None], Awaitable[object]]


async def order_action(
    request: Request,
    principal: Principal,
    key: str | None,
    purchase_order_id: str,
    store: str | int | None,
    action: Action,
) -> Any:
    """Runs ``action(state, store_id)`` once per Idempotency-Key, then answers the order. ``store`` is the
    caller's store name or id, or an id already known (an int)."""
    state = service(request)

    async def act() -> OrderActionOut:
        store_id = store if isinstance(store, int) else await state.context.run_db(store_id_of, state, store)
        retried = await action(state, store_id)
        return await _after(state, purchase_order_id, store_id, retried if isinstance(retried, int) else None)

    return await idempotency.answer(request, principal, key, act)


@dataclass(frozen=True)
class OrderCall:
    """What every action on one order is called with: the order, the caller's store, the operator and the
    Idempotency-Key (one dependency, so each route declares only its body)."""

    request: Request
    purchase_order_id: str
    store: str | None
    principal: Principal
    key: str | None

    @property
    def actor(self) -> str:
        return self.principal.actor

    async def run(self, action: Action) -> Any:
        return await order_action(self.request, self.principal, self.key, self.purchase_order_id, self.store, action)


def _order_call(
    request: Request,
    purchase_order_id: PurchaseOrderId,
    store: StoreRef = None,
    principal: Principal = Depends(operator),
    key: idempotency.IdempotencyKey = None,
) -> OrderCall:
    return OrderCall(request, purchase_order_id, store, principal, key)


OnOrder = Annotated[OrderCall, Depends(_order_call)]


@router.post(
    "/{purchase_order_id}/ship",
    summary="Ship lines (carrier, tracking): created in Commerce first, then sent to Walmart",
    responses=problems.responses(*WRITE),
)
async def ship(body: ShipIn, call: OnOrder) -> OrderActionOut:
    async def action(state: ServiceState, store_id: int | None) -> object:
        if body.resends_waiting_shipment:
            chosen = await commerce_actions.ship_waiting_despite_intent(
                state.context, state.database, call.purchase_order_id, store_id=store_id, actor=call.actor
            )
            return chosen.retried
        assert body.carrier is not None
        return await commerce_actions.ship_through_commerce(
            state.context, state.database, call.purchase_order_id, store_id=store_id, lines=body.lines,
            carrier=body.carrier, tracking_number=body.tracking_number, tracking_url=body.tracking_url,
            override_intent_to_cancel=body.override_intent_to_cancel, actor=call.actor,
        )  # fmt: skip

    return await call.run(action)  # type: ignore[no-any-return]


@router.post(
    "/{purchase_order_id}/cancel",
    summary="Cancel the whole order or lines of its unshipped remainder, with a Walmart reason (Commerce first)",
    responses=problems.responses(*WRITE),
)
async def cancel(body: CancelIn, call: OnOrder) -> OrderActionOut:
    reason = CancellationReason.parse(body.reason)  # the document allows only reasons this parses

    async def action(state: ServiceState, store_id: int | None) -> object:
        return await commerce_actions.cancel_through_commerce(
            state.context, state.database, call.purchase_order_id, store_id=store_id, reason=reason,
            lines=body.lines, actor=call.actor,
        )  # fmt: skip

    return await call.run(action)  # type: ignore[no-any-return]


@router.post(
    "/{purchase_order_id}/refund",
    summary="Refund shipped units (lines, amount, reason): a credit memo in Commerce first, then Walmart's refund",
    responses=problems.responses(*WRITE),
)
async def refund(body: RefundIn, call: OnOrder) -> OrderActionOut:
    reason = RefundReason.parse(body.reason) if body.reason else None

    async def action(state: ServiceState, store_id: int | None) -> object:
        return await refund_through_commerce(
            state.context, state.database, call.purchase_order_id, store_id=store_id, lines=body.lines,
            amount=body.amount, reason=reason, return_to_stock=body.return_to_stock, actor=call.actor,
        )  # fmt: skip

    return await call.run(action)  # type: ignore[no-any-return]


@router.post(
    "/{purchase_order_id}/retry", summary="Retry the order's failed updates now", responses=problems.responses(*WRITE)
)
async def retry(call: OnOrder) -> OrderActionOut:
    async def action(state: ServiceState, store_id: int | None) -> object:
        return await state.context.run_db(
            lambda: order_service.retry_order(
                state.database, call.purchase_order_id, store_id=store_id, actor=call.actor
            )
        )

    return await call.run(action)  # type: ignore[no-any-return]


@router.post(
    "/{purchase_order_id}/resync",
    summary="Read the order again from Walmart and Commerce, record what was missed, retry what failed",
    responses=problems.responses(*WRITE),
)
async def resync(call: OnOrder) -> OrderActionOut:
    async def action(state: ServiceState, store_id: int | None) -> object:
        return await resync_order(
            state.context, state.database, call.purchase_order_id, store_id=store_id, actor=call.actor
        )

    return await call.run(action)  # type: ignore[no-any-return]
