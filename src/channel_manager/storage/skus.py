"""Which SKUs a store sells on Walmart: those its Walmart orders carried."""

from __future__ import annotations

from sqlalchemy import Connection, select

from .tables import order_lines


def store_sells_sku(connection: Connection, store_id: int, sku: str) -> bool:
    query = select(order_lines.c.id).where(order_lines.c.store_id == store_id, order_lines.c.sku == sku).limit(1)
    return connection.execute(query).first() is not None
