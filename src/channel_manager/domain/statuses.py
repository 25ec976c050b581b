"""The Channel Manager order status (Open, Partially shipped, Shipped, Canceled, Error)."""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    OPEN = "Open"
    PARTIALLY_SHIPPED = "Partially shipped"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"
    ERROR = "Error"


def status_from_quantities(ordered: int, shipped: int, cancelled: int) -> OrderStatus:
    """The status an order has by its quantities alone (an unresolved sync problem makes it Error)."""
    if cancelled >= ordered:
        return OrderStatus.CANCELED
    if shipped == 0:
        return OrderStatus.OPEN
    if shipped + cancelled >= ordered:
        return OrderStatus.SHIPPED
    return OrderStatus.PARTIALLY_SHIPPED
