"""The JSON API: the same service functions the CLI calls."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

from ..domain.statuses import OrderStatus
from ..service import orders as order_service
from ..service import stores as store_service
from ..storage.errors import OrderNotFound, StorageError, StoreNotFound
from .state import ServiceState

router = APIRouter(prefix="/api", tags=["api"])


def plain(value: Any) -> Any:
    """JSON-ready: dataclasses as objects, Decimals as strings, times in ISO 8601, secrets never."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in asdict(value).items() if k not in {"new_events"}}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _state(request: Request) -> ServiceState:
    return request.app.state.service  # type: ignore[no-any-return]


@router.get("/stores", summary="Connected stores (secrets are never returned)")
async def stores(request: Request) -> list[dict[str, Any]]:
    state = _state(request)
    found = await state.context.run_db(store_service.list_stores, state.database)
    return [
        {
            "id": s.id,
            "name": s.name,
            "walmart": {"base_url": s.walmart.base_url, "client_id": s.walmart.client_id},
            "commerce": {"base_url": s.commerce.base_url, "store_code": s.commerce.store_code},
            "settings": plain(s.settings.as_dict()),
        }
        for s in found
    ]


@router.get("/orders", summary="The Orders page: status counts and one page of orders")
async def orders(
    request: Request,
    store: str | None = None,
    status: OrderStatus | None = None,
    search: str | None = None,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    state = _state(request)

    def page() -> tuple[dict[str, int], list[Any]]:
        store_id = store_service.find_store(state.database, store).id if store else None
        return order_service.orders_page(
            state.database, store_id=store_id, status=status, search=search, limit=limit, offset=offset
        )

    try:
        counts, rows = await state.context.run_db(page)
    except StoreNotFound as error:
        raise HTTPException(404, str(error)) from None
    return {"counts": counts, "orders": plain(rows)}


@router.get("/orders/{purchase_order_id}", summary="One order: lines, shipments, timeline, sync attempts")
async def order(request: Request, purchase_order_id: str, store: str | None = None) -> dict[str, Any]:
    state = _state(request)

    def detail() -> order_service.OrderDetail:
        store_id = store_service.find_store(state.database, store).id if store else None
        return order_service.order_detail(state.database, purchase_order_id, store_id=store_id)

    try:
        found = await state.context.run_db(detail)
    except (OrderNotFound, StoreNotFound) as error:
        raise HTTPException(404, str(error)) from None
    except StorageError as error:
        raise HTTPException(409, str(error)) from None
    return {
        "order": {
            **plain(found.order),
            "status": found.order.status.value,
            "status_details": found.order.status_details,
        },
        "timeline": plain(found.timeline),
        "attempts": plain(found.attempts),
    }


@router.post("/orders/{purchase_order_id}/retry", summary="Retry the order's failed updates now")
async def retry_order(request: Request, purchase_order_id: str, store: str | None = None) -> dict[str, Any]:
    state = _state(request)

    def retry() -> int:
        store_id = store_service.find_store(state.database, store).id if store else None
        return order_service.retry_order(state.database, purchase_order_id, store_id=store_id)

    try:
        count = await state.context.run_db(retry)
    except (OrderNotFound, StoreNotFound) as error:
        raise HTTPException(404, str(error)) from None
    state.context.work_available.set()
    return {"retried_jobs": count}


@router.get("/jobs", summary="Sync jobs (the outbox), newest first")
async def jobs(request: Request, state_filter: str | None = Query(None, alias="state"), limit: int = 100) -> Any:
    state = _state(request)

    def listed() -> list[Any]:
        with state.database.unit_of_work(read_only=True) as uow:
            return uow.jobs.list(state=state_filter, limit=limit)

    return plain(await state.context.run_db(listed))
