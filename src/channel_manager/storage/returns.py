"""Walmart returns (RMAs)."""

from __future__ import annotations

import builtins
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from channel_manager.domain.returns import Return, ReturnLine, ReturnStatus

from . import _sql
from ._mapping import decimal_from_json, decimal_to_json
from .errors import ReturnNotFound
from .tables import returns

#: The money of a return line, kept in JSON as text (every other field is stored as it is).
_MONEY = ("unit_amount", "unit_tax")


def _line_to_json(line: ReturnLine) -> dict[str, Any]:
    data = asdict(line)
    return {**data, **{name: decimal_to_json(data[name]) for name in _MONEY}}


def _line_from_json(data: dict[str, Any]) -> ReturnLine:
    return ReturnLine(**{**data, **{name: decimal_from_json(data[name]) for name in _MONEY}})


def _values(item: Return) -> dict[str, Any]:
    return {
        "store_id": item.store_id,
        "return_order_id": item.return_order_id,
        "order_id": item.order_id,
        "purchase_order_id": item.purchase_order_id,
        "customer_order_id": item.customer_order_id,
        "lines": [_line_to_json(line) for line in item.lines],
        "requested_at": item.requested_at,
        "return_by": item.return_by,
        "status": item.status.value,
        "status_details": item.status_details,
        "refunded_by_walmart": item.refunded_by_walmart,
        "extra": dict(item.extra),
    }


def _from_row(row: RowMapping) -> Return:
    return Return(
        id=row["id"],
        version=row["version"],
        store_id=row["store_id"],
        return_order_id=row["return_order_id"],
        order_id=row["order_id"],
        purchase_order_id=row["purchase_order_id"],
        customer_order_id=row["customer_order_id"],
        lines=[_line_from_json(line) for line in row["lines"]],
        requested_at=row["requested_at"],
        return_by=row["return_by"],
        status=ReturnStatus(row["status"]),
        status_details=row["status_details"],
        refunded_by_walmart=row["refunded_by_walmart"],
        extra=dict(row["extra"]),
    )


class ReturnRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, item: Return) -> bool:
        """Inserts a new return; ``False`` (nothing written) when the store already has this RMA."""
        return_id = _sql.insert_new(
            self._connection, returns, _values(item), returns.c.store_id, returns.c.return_order_id
        )
        if return_id is None:
            return False
        item.id = return_id
        item.version = 1
        return True

    def save(self, item: Return) -> None:
        """Writes ``item`` if nobody saved it since it was read, else raises ``ConcurrentUpdate``."""
        _sql.save_versioned(
            self._connection, returns, item.id, item.version, _values(item),
            missing=ReturnNotFound(item.return_order_id), what=f"Return {item.return_order_id}",
        )  # fmt: skip
        item.version += 1

    def get(self, store_id: int, return_order_id: str) -> Return | None:
        query = select(returns).where(returns.c.store_id == store_id, returns.c.return_order_id == return_order_id)
        row = self._connection.execute(query).mappings().one_or_none()
        return None if row is None else _from_row(row)

    def list_for_order(self, order_id: int) -> builtins.list[Return]:
        query = select(returns).where(returns.c.order_id == order_id).order_by(returns.c.id)
        return [_from_row(row) for row in self._connection.execute(query).mappings()]

    def list(
        self, store_id: int | None = None, status: ReturnStatus | str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[Return]:
        """Returns, newest request first."""
        query = select(returns)
        if store_id is not None:
            query = query.where(returns.c.store_id == store_id)
        if status is not None:
            query = query.where(returns.c.status == ReturnStatus(status).value)
        query = query.order_by(returns.c.requested_at.desc(), returns.c.id.desc()).limit(limit).offset(offset)
        return [_from_row(row) for row in self._connection.execute(query).mappings()]
