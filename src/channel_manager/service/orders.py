"""Read-side use cases of orders: the Orders page and the order detail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.orders import PurchaseOrder
from ..domain.statuses import OrderStatus
from ..domain.sync import OrderEvent
from ..storage.errors import OrderNotFound, StorageError
from ..storage.unit_of_work import Database


@dataclass(frozen=True)
class OrderDetail:
    order: PurchaseOrder
    timeline: list[OrderEvent]
    attempts: list[Any]


def orders_page(
    database: Database,
    *,
    store_id: int | None = None,
    status: OrderStatus | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[dict[str, int], list[Any]]:
    """Status-card counts and one page of order rows."""
    with database.unit_of_work() as uow:
        counts = uow.orders.count_by_status(store_id=store_id)
        rows = uow.orders.list(
            store_id=store_id, status=status.value if status else None, search=search, limit=limit, offset=offset
        )
    return counts, rows


def order_detail(database: Database, purchase_order_id: str, *, store_id: int | None = None) -> OrderDetail:
    with database.unit_of_work() as uow:
        store_ids = [store_id] if store_id is not None else [s.id for s in uow.stores.list() if s.id is not None]
        matches = [o for o in (uow.orders.get(sid, purchase_order_id) for sid in store_ids) if o is not None]
        if len(matches) > 1:
            raise StorageError(
                f"Walmart PO number {purchase_order_id!r} exists in {len(matches)} stores; name one with --store."
            )
        order = matches[0] if matches else None
        if order is None or order.id is None:
            raise OrderNotFound(purchase_order_id)
        return OrderDetail(order, uow.orders.timeline(order.id), uow.attempts.list_for_order(order.id))
