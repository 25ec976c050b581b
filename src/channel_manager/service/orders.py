"""Read-side use cases of orders: the Orders page and the order detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..domain.orders import PurchaseOrder
from ..domain.statuses import OrderStatus
from ..domain.sync import OrderEvent
from ..storage.errors import OrderNotFound, StorageError
from ..storage.unit_of_work import Database, UnitOfWork


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


def _find_order(uow: UnitOfWork, purchase_order_id: str, store_id: int | None) -> PurchaseOrder:
    store_ids = [store_id] if store_id is not None else [s.id for s in uow.stores.list() if s.id is not None]
    matches = [o for o in (uow.orders.get(sid, purchase_order_id) for sid in store_ids) if o is not None]
    if len(matches) > 1:
        raise StorageError(
            f"Walmart PO number {purchase_order_id!r} exists in {len(matches)} stores; name one with --store."
        )
    if not matches or matches[0].id is None:
        raise OrderNotFound(purchase_order_id)
    return matches[0]


def find_order(database: Database, purchase_order_id: str, *, store_id: int | None = None) -> PurchaseOrder:
    with database.unit_of_work(read_only=True) as uow:
        return _find_order(uow, purchase_order_id, store_id)


def order_detail(database: Database, purchase_order_id: str, *, store_id: int | None = None) -> OrderDetail:
    with database.unit_of_work(read_only=True) as uow:
        order = _find_order(uow, purchase_order_id, store_id)
        assert order.id is not None
        return OrderDetail(order, uow.orders.timeline(order.id), uow.attempts.list_for_order(order.id))


def retry_order(database: Database, purchase_order_id: str, *, store_id: int | None = None) -> int:
    """The merchant's Retry: every failed update of the order runs again now. How many were retried."""
    with database.unit_of_work() as uow:
        order = _find_order(uow, purchase_order_id, store_id)
        assert order.id is not None
        count = uow.jobs.retry_failed_for_order(order.id)
        if count:
            order.record(datetime.now(UTC), "retry_requested", f"Retry of {count} update(s) requested.")
            uow.orders.save(order)
        uow.commit()
    return count
