"""Read-side use cases of orders: the Orders page and the order detail."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..domain.returns import Return
from ..domain.statuses import OrderStatus
from ..storage.api_access import AuditEvent
from ..storage.errors import OrderNotFound, StorageError
from ..storage.orders import SORT_KEYS, OrderSummary, sort_value
from ..storage.unit_of_work import Database, UnitOfWork
from . import audit


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an order's timeline: what the sync recorded (no actor), or a change someone made."""

    at: datetime
    kind: str
    message: str
    actor: str | None = None


@dataclass(frozen=True)
class OrderDetail:
    order: PurchaseOrder
    timeline: list[TimelineEntry]
    attempts: list[Any]
    returns: list[Return]


class InvalidCursor(DomainError):
    def __init__(self) -> None:
        super().__init__("The paging cursor is not one this list gave (or it was given for another sort order).")


def encode_cursor(row: OrderSummary, sort: str, descending: bool) -> str:
    value = sort_value(row, sort)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    raw = json.dumps({"s": sort, "d": descending, "v": text, "i": row.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[Any, int]:
    """The (sort value, id) a cursor from ``encode_cursor`` stands for; ``InvalidCursor`` otherwise."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict) or data.get("s") != sort or data.get("d") is not descending:
            raise InvalidCursor()
        text, row_id = data["v"], data["i"]
        if not isinstance(text, str) or not isinstance(row_id, int) or isinstance(row_id, bool):
            raise InvalidCursor()
        value: Any = text
        if sort in ("ordered_at", "ship_by", "last_update_at"):
            value = datetime.fromisoformat(text)
            if value.tzinfo is None:
                raise InvalidCursor()
        elif sort == "order_value":
            value = Decimal(text)
        return value, row_id
    except (ValueError, KeyError, TypeError, binascii.Error, InvalidOperation, UnicodeDecodeError):
        raise InvalidCursor() from None


def _timeline(uow: UnitOfWork, order_id: int) -> list[TimelineEntry]:
    entries = [TimelineEntry(e.at, e.kind, e.message) for e in uow.orders.timeline(order_id)]
    entries += [_audit_entry(e) for e in uow.audit.list_for_order(order_id)]
    return sorted(entries, key=lambda e: e.at)


def _audit_entry(event: AuditEvent) -> TimelineEntry:
    summary = str(event.details.get("summary") or event.action)
    return TimelineEntry(event.at, event.action, f"{summary} (by {event.actor})", event.actor)


def orders_page(
    database: Database,
    *,
    store_id: int | None = None,
    status: OrderStatus | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    ordered_from: datetime | None = None,
    ordered_to: datetime | None = None,
    sort: str = "ordered_at",
    descending: bool = True,
    cursor: str | None = None,
) -> tuple[dict[str, int], list[Any]]:
    """Status-card counts and one page of order rows (the page after ``cursor``, see ``encode_cursor``)."""
    if sort not in SORT_KEYS:
        raise DomainError(f"Orders sort by one of: {', '.join(SORT_KEYS)}; not {sort!r}.")
    after = decode_cursor(cursor, sort, descending) if cursor else None
    with database.unit_of_work() as uow:
        counts = uow.orders.count_by_status(store_id=store_id)
        rows = uow.orders.list(
            store_id=store_id, status=status.value if status else None, search=search, limit=limit, offset=offset,
            ordered_from=ordered_from, ordered_to=ordered_to, sort=sort, descending=descending, after=after,
        )  # fmt: skip
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
        return OrderDetail(
            order, _timeline(uow, order.id), uow.attempts.list_for_order(order.id), uow.returns.list_for_order(order.id)
        )


def retry_order(
    database: Database, purchase_order_id: str, *, store_id: int | None = None, actor: str | None = None
) -> int:
    """The merchant's Retry: every failed update of the order runs again now. How many were retried."""
    with database.unit_of_work() as uow:
        order = _find_order(uow, purchase_order_id, store_id)
        assert order.id is not None
        count = uow.jobs.retry_failed_for_order(order.id)
        if count:
            order.record(datetime.now(UTC), "retry_requested", f"Retry of {count} update(s) requested.")
            uow.orders.save(order)
        audit.record(
            uow, actor, "order.retry", purchase_order_id, f"Retry requested ({count} failed update(s) run again)",
            store_id=order.store_id, order_id=order.id, details={"retried_jobs": count},
        )  # fmt: skip
        uow.commit()
    return count
