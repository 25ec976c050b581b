"""Which SKUs a store sells on Walmart: those its Walmart orders carried."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from .tables import order_lines, purchase_orders


def store_sells_sku(connection: Connection, store_id: int, sku: str) -> bool:
    query = select(order_lines.c.id).where(order_lines.c.store_id == store_id, order_lines.c.sku == sku).limit(1)
    return connection.execute(query).first() is not None


def skus_after(connection: Connection, store_id: int, after: str, limit: int) -> list[str]:
    """The store's SKUs that sort after ``after``, in order, at most ``limit`` of them."""
    query = (
        select(order_lines.c.sku)
        .where(order_lines.c.store_id == store_id, order_lines.c.sku > after)
        .group_by(order_lines.c.sku)
        .order_by(order_lines.c.sku)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())


def open_units_of_sku(connection: Connection, store_id: int, sku: str) -> int:
    """Units of ``sku`` on the store's Walmart orders that have their Commerce order and are still to ship
    (neither shipped nor cancelled)."""
    left = order_lines.c.qty_ordered - order_lines.c.qty_shipped - order_lines.c.qty_cancelled
    query = (
        select(func.coalesce(func.sum(left), 0))
        .select_from(order_lines.join(purchase_orders, purchase_orders.c.id == order_lines.c.order_id))
        .where(
            order_lines.c.store_id == store_id,
            order_lines.c.sku == sku,
            purchase_orders.c.commerce_order_id.is_not(None),
            left > 0,
        )
    )
    return int(connection.execute(query).scalar_one())
