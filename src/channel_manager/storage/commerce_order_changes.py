"""Commerce orders that changed while not linked to their PO yet: one row per (store, Commerce order), kept
until the order is linked and read in full (``service/commerce_changes.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select

from . import _sql
from .tables import commerce_order_changes, purchase_orders


class CommerceOrderChangeRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def record(
        self, store_id: int, commerce_order_id: int, purchase_order_id: str | None, changed_at: datetime | None,
        now: datetime,
    ) -> None:  # fmt: skip
        """Records (or refreshes) that the Commerce order changed; one row per Commerce order."""
        statement = _sql.insert(self._connection, commerce_order_changes).values(
            store_id=store_id,
            commerce_order_id=commerce_order_id,
            purchase_order_id=purchase_order_id,
            changed_at=changed_at,
            recorded_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[commerce_order_changes.c.store_id, commerce_order_changes.c.commerce_order_id],
            set_={"changed_at": statement.excluded.changed_at, "recorded_at": statement.excluded.recorded_at},
        )
        self._connection.execute(statement)

    def linked(self, store_id: int) -> list[int]:
        """Commerce order ids with a recorded change whose order is linked to a PO of the store now."""
        table = commerce_order_changes
        query = (
            select(table.c.commerce_order_id)
            .join(
                purchase_orders,
                (purchase_orders.c.store_id == table.c.store_id)
                & (purchase_orders.c.commerce_order_id == table.c.commerce_order_id),
            )
            .where(table.c.store_id == store_id)
            .order_by(table.c.recorded_at)
        )
        return [int(row) for row in self._connection.execute(query).scalars()]

    def forget(self, store_id: int, commerce_order_id: int, *, recorded_before: datetime | None = None) -> None:
        """Drops the row once the order was read in full (only if not recorded again since ``recorded_before``)."""
        table = commerce_order_changes
        statement = delete(table).where(table.c.store_id == store_id, table.c.commerce_order_id == commerce_order_id)
        if recorded_before is not None:
            statement = statement.where(table.c.recorded_at <= recorded_before)
        self._connection.execute(statement)

    def prune(self, store_id: int, recorded_before: datetime) -> int:
        """Drops rows of orders never linked (another channel's order, or a PO taken in elsewhere)."""
        table = commerce_order_changes
        statement = delete(table).where(table.c.store_id == store_id, table.c.recorded_at < recorded_before)
        return int(self._connection.execute(statement).rowcount or 0)
