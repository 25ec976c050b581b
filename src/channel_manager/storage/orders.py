"""Purchase orders with their lines, shipments, cancellations, refunds and timeline.

Mapping between rows and the ``PurchaseOrder`` aggregate is explicit; the domain never sees SQLAlchemy.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, Table, and_, func, insert, or_, select, union

from channel_manager.domain.cancellations import Cancellation, ReasonSource
from channel_manager.domain.orders import Address, OrderLine, PurchaseOrder
from channel_manager.domain.quantities import LineQuantities, LineQuantity
from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.domain.refunds import Refund, RefundLine
from channel_manager.domain.shipments import Carrier, Shipment
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import OrderEvent, ProblemKey, Side, SyncProblem, SyncState

from . import _sql
from ._mapping import decimal_from_json, decimal_to_json, time_from_json, time_to_json
from .console_search import search_conditions
from .errors import OrderNotFound
from .tables import cancellations, order_events, order_lines, purchase_orders, refunds, shipments

po = purchase_orders


@dataclass(frozen=True)
class OrderSummary:
    """One row of the Orders page."""

    id: int
    store_id: int
    purchase_order_id: str  # the Walmart order number
    customer_order_id: str
    commerce_order_id: int | None
    commerce_increment_id: str | None  # the Commerce order number
    items_count: int  # units ordered, all lines together
    order_value: Decimal
    currency: str
    ordered_at: datetime
    ship_by: datetime | None
    deliver_by: datetime | None
    ship_method: str
    last_update_at: datetime | None
    status: OrderStatus
    status_details: str


#: What the Orders page sorts by; an order without a ship-by date or update sorts by its order date.
SORT_KEYS = ("ordered_at", "ship_by", "last_update_at", "order_value", "purchase_order_id")


def sort_key(sort: str) -> Any:
    if sort not in SORT_KEYS:
        raise ValueError(f"unknown sort {sort!r}; use one of: {', '.join(SORT_KEYS)}")
    if sort in ("ship_by", "last_update_at"):
        return func.coalesce(po.c[sort], po.c.ordered_at)
    return po.c[sort]


def sort_value(row: OrderSummary, sort: str) -> Any:
    """The value ``sort_key(sort)`` has for ``row``."""
    value = getattr(row, sort)
    return row.ordered_at if value is None else value


# ---------------------------------------------------------------------- domain -> row


def _problem_to_json(problem: SyncProblem | None) -> dict[str, Any] | None:
    if problem is None:
        return None
    return {
        "side": problem.side.value,
        "action": problem.action,
        "message": problem.message,
        "next_step": problem.next_step,
        "occurred_at": time_to_json(problem.occurred_at),
        "code": problem.code,
        "key": {"kind": problem.key.kind, "key": problem.key.key} if problem.key is not None else None,
    }


def _order_values(order: PurchaseOrder) -> dict[str, Any]:
    return {
        "store_id": order.store_id,
        "purchase_order_id": order.purchase_order_id,
        "customer_order_id": order.customer_order_id,
        "customer_email": order.customer_email,
        "ship_method": order.ship_method,
        "ordered_at": order.ordered_at,
        "ship_by": order.ship_by,
        "deliver_by": order.deliver_by,
        "currency": order.currency,
        "shipping_address": None if order.shipping_address is None else asdict(order.shipping_address),
        "commerce_order_id": order.commerce_order_id,
        "commerce_increment_id": order.commerce_increment_id,
        "acknowledged_at": order.acknowledged_at,
        "return_requested": order.return_requested,
        "problem": _problem_to_json(order.problem),
        "status": order.status.value,
        "status_details": order.status_details,
        "order_value": order.value,
        "items_count": order.ordered_quantity,
        "last_update_at": order.last_update_at,
    }


def _line_values(order: PurchaseOrder, order_id: int, line: OrderLine) -> dict[str, Any]:
    q = line.quantities
    return {
        "order_id": order_id,
        "store_id": order.store_id,
        "purchase_order_id": order.purchase_order_id,
        "line_number": line.line_number,
        "sku": line.sku,
        "product_name": line.product_name,
        "qty_ordered": q.ordered,
        "qty_created": q.created,
        "qty_acknowledged": q.acknowledged,
        "qty_shipped": q.shipped,
        "qty_cancelled": q.cancelled,
        "qty_returned": q.returned,
        "qty_refunded": q.refunded,
        "unit_price": line.unit_price,
        "unit_tax": line.unit_tax,
        "shipping_charge": line.shipping_charge,
        "shipping_tax": line.shipping_tax,
        "refunded_amount": line.refunded_amount,
        "commerce_item_id": line.commerce_item_id,
        "intent_to_cancel": line.intent_to_cancel,
        "intent_to_cancel_override": line.intent_to_cancel_override,
    }


def _quantities_to_json(lines: Iterable[LineQuantity]) -> builtins.list[dict[str, Any]]:
    """The lines of a shipment or a cancellation: units per PO line."""
    return [{"line_number": line.line_number, "quantity": line.quantity} for line in lines]


def _shipment_values(order_id: int, shipment: Shipment) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "key": shipment.key,
        "lines": _quantities_to_json(shipment.lines),
        "commerce_shipment_id": shipment.commerce_shipment_id,
        "carrier_name": shipment.carrier.name,
        "is_walmart_carrier": shipment.carrier.is_walmart_carrier,
        "method_code": shipment.method_code,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipped_at": shipment.shipped_at,
        "sync_state": shipment.sync_state.value,
        "first_synced_at": shipment.first_synced_at,
        "corrections": shipment.corrections,
    }


def _cancellation_values(order_id: int, cancellation: Cancellation) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "key": cancellation.key,
        "lines": _quantities_to_json(cancellation.lines),
        "reason": cancellation.reason.value,
        "reason_source": cancellation.reason_source.name,
        "started_by": cancellation.started_by.value,
        "created_at": cancellation.created_at,
        "sync_state": cancellation.sync_state.value,
    }


def _refund_values(order_id: int, refund: Refund) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "key": refund.key,
        "lines": [
            {
                "line_number": line.line_number,
                "quantity": line.quantity,
                "amount": decimal_to_json(line.amount),
                "tax": decimal_to_json(line.tax),
                "shipping": decimal_to_json(line.shipping),
                "shipping_tax": decimal_to_json(line.shipping_tax),
            }
            for line in refund.lines
        ],
        "reason": refund.reason.value,
        "created_at": refund.created_at,
        "return_order_id": refund.return_order_id,
        "commerce_credit_memo_id": refund.commerce_credit_memo_id,
        "sync_state": refund.sync_state.value,
    }


# ---------------------------------------------------------------------- row -> domain


def _problem_key_from_json(data: Any) -> ProblemKey | None:
    if not isinstance(data, dict):
        return None  # a problem stored before problems had keys
    return ProblemKey(str(data["kind"]), str(data.get("key") or ""))


def _problem_from_json(data: dict[str, Any] | None) -> SyncProblem | None:
    if data is None:
        return None
    occurred_at = time_from_json(data["occurred_at"])
    assert occurred_at is not None
    return SyncProblem(
        side=Side(data["side"]),
        action=data["action"],
        message=data["message"],
        next_step=data["next_step"],
        occurred_at=occurred_at,
        code=data.get("code"),
        key=_problem_key_from_json(data.get("key")),
    )


def _line_from_row(row: RowMapping) -> OrderLine:
    return OrderLine(
        line_number=row["line_number"],
        sku=row["sku"],
        product_name=row["product_name"],
        quantities=LineQuantities(
            ordered=row["qty_ordered"],
            created=row["qty_created"],
            acknowledged=row["qty_acknowledged"],
            shipped=row["qty_shipped"],
            cancelled=row["qty_cancelled"],
            returned=row["qty_returned"],
            refunded=row["qty_refunded"],
        ),
        unit_price=row["unit_price"],
        unit_tax=row["unit_tax"],
        shipping_charge=row["shipping_charge"],
        shipping_tax=row["shipping_tax"],
        refunded_amount=row["refunded_amount"],
        commerce_item_id=row["commerce_item_id"],
        intent_to_cancel=row["intent_to_cancel"],
        intent_to_cancel_override=row["intent_to_cancel_override"],
    )


def _shipment_from_row(row: RowMapping) -> Shipment:
    return Shipment(
        id=row["id"],
        key=row["key"],
        lines=tuple(LineQuantity(**line) for line in row["lines"]),
        carrier=Carrier(row["carrier_name"], row["is_walmart_carrier"]),
        method_code=row["method_code"],
        tracking_number=row["tracking_number"],
        tracking_url=row["tracking_url"],
        shipped_at=row["shipped_at"],
        commerce_shipment_id=row["commerce_shipment_id"],
        sync_state=SyncState(row["sync_state"]),
        first_synced_at=row["first_synced_at"],
        corrections=row["corrections"],
    )


def _cancellation_from_row(row: RowMapping) -> Cancellation:
    return Cancellation(
        id=row["id"],
        key=row["key"],
        lines=tuple(LineQuantity(**line) for line in row["lines"]),
        reason=CancellationReason(row["reason"]),
        reason_source=ReasonSource[row["reason_source"]],
        started_by=Side(row["started_by"]),
        created_at=row["created_at"],
        sync_state=SyncState(row["sync_state"]),
    )


def _refund_from_row(row: RowMapping) -> Refund:
    return Refund(
        id=row["id"],
        key=row["key"],
        lines=tuple(
            RefundLine(
                line["line_number"],
                line["quantity"],
                decimal_from_json(line["amount"]),
                decimal_from_json(line["tax"]),
                decimal_from_json(line.get("shipping", "0")),  # refunds stored before 0013 refunded no shipping
                decimal_from_json(line.get("shipping_tax", "0")),
            )
            for line in row["lines"]
        ),
        reason=RefundReason(row["reason"]),
        created_at=row["created_at"],
        return_order_id=row["return_order_id"],
        commerce_credit_memo_id=row["commerce_credit_memo_id"],
        sync_state=SyncState(row["sync_state"]),
    )


#: The Orders page reads only the columns ``OrderSummary`` names, and they are named alike.
_SUMMARY_COLUMNS = [po.c[field.name] for field in fields(OrderSummary)]


def _summary_from_row(row: RowMapping) -> OrderSummary:
    values = {column.name: row[column.name] for column in _SUMMARY_COLUMNS}
    return OrderSummary(**{**values, "status": OrderStatus(row["status"])})


class OrderRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # ------------------------------------------------------------------ writing

    def add(self, order: PurchaseOrder) -> bool:
        """Inserts a new PO; ``False`` (and nothing written) when the store already has it.

        The unique key (store, PO number) decides, so two processes taking in the same PO at once end with one
        row and no error. On success ``order.id`` and ``order.version`` are set and ``new_events`` are written.
        """
        order_id = _sql.insert_new(self._connection, po, _order_values(order), po.c.store_id, po.c.purchase_order_id)
        if order_id is None:
            return False
        order.id = order_id
        order.version = 1
        lines = _sql.insert(self._connection, order_lines).on_conflict_do_nothing(
            index_elements=[order_lines.c.store_id, order_lines.c.purchase_order_id, order_lines.c.line_number]
        )
        self._connection.execute(lines, [_line_values(order, order_id, line) for line in order.lines])
        self._write_children(order, order_id)
        return True

    def save(self, order: PurchaseOrder) -> None:
        """Writes every change of ``order`` if nobody saved it since it was read, else raises ``ConcurrentUpdate``."""
        order_id = _sql.save_versioned(
            self._connection, po, order.id, order.version, _order_values(order),
            missing=OrderNotFound(order.purchase_order_id), what=f"PO {order.purchase_order_id}",
        )  # fmt: skip
        self._upsert(
            order_lines,
            [_line_values(order, order_id, line) for line in order.lines],
            ("store_id", "purchase_order_id", "line_number"),
        )
        self._write_children(order, order_id)
        order.version += 1

    def _write_children(self, order: PurchaseOrder, order_id: int) -> None:
        key = ("order_id", "key")
        self._upsert(shipments, [_shipment_values(order_id, s) for s in order.shipments], key)
        self._upsert(cancellations, [_cancellation_values(order_id, c) for c in order.cancellations], key)
        self._upsert(refunds, [_refund_values(order_id, r) for r in order.refunds], key)
        if order.new_events:
            self._connection.execute(
                insert(order_events),
                [{"order_id": order_id, "at": e.at, "kind": e.kind, "message": e.message} for e in order.new_events],
            )
            order.new_events.clear()

    def _upsert(self, table: Table, rows: builtins.list[dict[str, Any]], key: tuple[str, ...]) -> None:
        if not rows:
            return
        statement = _sql.insert(self._connection, table)
        changing = [name for name in rows[0] if name not in key]
        statement = statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={name: statement.excluded[name] for name in changing},
        )
        self._connection.execute(statement, rows)

    # ------------------------------------------------------------------ reading one

    def get(self, store_id: int, purchase_order_id: str, *, for_update: bool = False) -> PurchaseOrder | None:
        query = select(po).where(po.c.store_id == store_id, po.c.purchase_order_id == purchase_order_id)
        return self._load(query, for_update)

    def get_by_id(self, order_id: int, *, for_update: bool = False) -> PurchaseOrder | None:
        return self._load(select(po).where(po.c.id == order_id), for_update)

    def get_by_commerce_order(self, store_id: int, commerce_order_id: int) -> PurchaseOrder | None:
        query = select(po).where(po.c.store_id == store_id, po.c.commerce_order_id == commerce_order_id)
        return self._load(query, False)

    def id_of_commerce_order(self, store_id: int, commerce_order_id: int) -> int | None:
        """The id of the store's PO linked to the Commerce order: one ``SELECT id``, not the aggregate (its
        lines, shipments, cancellations and refunds are four more statements)."""
        query = select(po.c.id).where(po.c.store_id == store_id, po.c.commerce_order_id == commerce_order_id)
        return self._connection.execute(query).scalar_one_or_none()

    def id_for_commerce_event(self, store_id: int, commerce_order_id: int, purchase_order_id: str | None) -> int | None:
        """The id of the store's PO a Commerce order's event is about, by one ``SELECT id``: the PO linked to the
        order, or the PO its ``ext_order_id`` names while that PO is linked to no Commerce order yet (its
        creation under way: the order's own "order saved" events arrive before the link is saved)."""
        condition = po.c.commerce_order_id == commerce_order_id
        if purchase_order_id:
            creating = and_(po.c.purchase_order_id == purchase_order_id, po.c.commerce_order_id.is_(None))
            condition = or_(condition, creating)
        query = select(po.c.id).where(po.c.store_id == store_id, condition).limit(1)
        return self._connection.execute(query).scalar_one_or_none()

    def require(self, store_id: int, purchase_order_id: str, *, for_update: bool = False) -> PurchaseOrder:
        """Like ``get``, but a missing PO raises ``OrderNotFound``."""
        order = self.get(store_id, purchase_order_id, for_update=for_update)
        if order is None:
            raise OrderNotFound(purchase_order_id)
        return order

    def _load(self, query: Select[Any], for_update: bool) -> PurchaseOrder | None:
        if for_update and self._connection.dialect.name == "postgresql":
            # SQLite needs nothing: the write transaction (BEGIN IMMEDIATE) already serialises writers.
            query = query.with_for_update(of=po)
        row = self._connection.execute(query).mappings().one_or_none()
        if row is None:
            return None
        order_id = row["id"]

        def children(table: Table) -> builtins.list[RowMapping]:
            query = select(table).where(table.c.order_id == order_id).order_by(table.c.id)
            return builtins.list(self._connection.execute(query).mappings())

        address = row["shipping_address"]
        return PurchaseOrder(
            id=order_id,
            version=row["version"],
            store_id=row["store_id"],
            purchase_order_id=row["purchase_order_id"],
            customer_order_id=row["customer_order_id"],
            customer_email=row["customer_email"],
            ship_method=row["ship_method"],
            ordered_at=row["ordered_at"],
            ship_by=row["ship_by"],
            deliver_by=row["deliver_by"],
            currency=row["currency"],
            shipping_address=None if address is None else Address(**address),
            commerce_order_id=row["commerce_order_id"],
            commerce_increment_id=row["commerce_increment_id"],
            acknowledged_at=row["acknowledged_at"],
            return_requested=row["return_requested"],
            problem=_problem_from_json(row["problem"]),
            last_update_at=row["last_update_at"],
            lines=[_line_from_row(line) for line in children(order_lines)],
            shipments=[_shipment_from_row(s) for s in children(shipments)],
            cancellations=[_cancellation_from_row(c) for c in children(cancellations)],
            refunds=[_refund_from_row(r) for r in children(refunds)],
        )

    def purchase_order_numbers(self, order_ids: Iterable[int]) -> builtins.dict[int, str]:
        """Internal order id -> Walmart PO number, for the ids that exist."""
        wanted = sorted(set(order_ids))
        if not wanted:
            return {}
        query = select(purchase_orders.c.id, purchase_orders.c.purchase_order_id).where(
            purchase_orders.c.id.in_(wanted)
        )
        return {row.id: row.purchase_order_id for row in self._connection.execute(query)}

    def timeline(self, order_id: int) -> builtins.list[OrderEvent]:
        query = select(order_events).where(order_events.c.order_id == order_id).order_by(order_events.c.id)
        rows = self._connection.execute(query).mappings()
        return [OrderEvent(at=row["at"], kind=row["kind"], message=row["message"]) for row in rows]

    # ------------------------------------------------------------------ the Orders page

    def _filtered(
        self,
        query: Select[Any],
        store_id: int | None,
        status: OrderStatus | str | None,
        search: str | None,
        ordered_from: datetime | None = None,
        ordered_to: datetime | None = None,
    ) -> Select[Any]:
        if ordered_from is not None:
            query = query.where(po.c.ordered_at >= ordered_from)
        if ordered_to is not None:
            query = query.where(po.c.ordered_at < ordered_to)
        if store_id is not None:
            query = query.where(po.c.store_id == store_id)
        if status is not None:
            query = query.where(po.c.status == OrderStatus(status).value)
        text = (search or "").strip()
        if text:
            query = query.where(or_(*search_conditions(text, self._connection.dialect.name)))
        return query

    def list(
        self,
        store_id: int | None = None,
        status: OrderStatus | str | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        ordered_from: datetime | None = None,
        ordered_to: datetime | None = None,
        sort: str = "ordered_at",
        descending: bool = True,
        after: tuple[Any, int] | None = None,
    ) -> builtins.list[OrderSummary]:
        """Orders newest first (or by ``sort``, one of ``SORT_KEYS``), filtered by store, status, order date
        (``ordered_from`` included, ``ordered_to`` not) and a search over PO, customer order, Commerce order
        number, buyer (e-mail, name) and SKU. ``after`` is the (sort value, id) of the last row of the page
        before: the next page starts after it (keyset paging)."""
        key = sort_key(sort)
        order = (key.desc(), po.c.id.desc()) if descending else (key.asc(), po.c.id.asc())

        def narrowed(query: Select[Any]) -> Select[Any]:
            query = self._filtered(query, store_id, status, None, ordered_from, ordered_to)
            if after is not None:
                value, last_id = after
                beyond = (key < value, po.c.id < last_id) if descending else (key > value, po.c.id > last_id)
                query = query.where(or_(beyond[0], and_(key == value, beyond[1])))
            return query

        query = narrowed(select(*_SUMMARY_COLUMNS))
        text = (search or "").strip()
        if text:
            # Each way of matching asks its own index for one page; the page is the best of their union (one
            # OR over them all would scan every order, for a rare text, or every match, for a common one).
            pages = [
                narrowed(select(po.c.id)).where(condition).order_by(*order).limit(limit + offset).subquery()
                for condition in search_conditions(text, self._connection.dialect.name)
            ]
            query = query.where(po.c.id.in_(union(*(select(page.c.id) for page in pages))))
        query = query.order_by(*order).limit(limit).offset(offset)
        return [_summary_from_row(row) for row in self._connection.execute(query).mappings()]

    def count(
        self, store_id: int | None = None, status: OrderStatus | str | None = None, search: str | None = None
    ) -> int:
        query = self._filtered(select(func.count()).select_from(po), store_id, status, search)
        return int(self._connection.execute(query).scalar_one())

    def count_by_status(self, store_id: int | None = None) -> dict[str, int]:
        """Orders per status (every status present, zero included), for the status cards."""
        return _sql.count_by(self._connection, po.c.status, [status.value for status in OrderStatus], store_id)
