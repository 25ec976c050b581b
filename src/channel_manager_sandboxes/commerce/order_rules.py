"""Commerce's order quantity arithmetic and state guards (NOTES.md sections 4 and 5), on order dicts.

Pure functions: no locking, no clock, no I/O.
"""

from __future__ import annotations

from typing import Any

Order = dict[str, Any]
Item = dict[str, Any]

DEFAULT_STATUS = {
    "new": "pending",
    "pending_payment": "pending_payment",
    "processing": "processing",
    "complete": "complete",
    "closed": "closed",
    "canceled": "canceled",
    "holded": "holded",
    "payment_review": "payment_review",
}

EPSILON = 1e-6


def money(value: float) -> float:
    """Commerce stores DECIMAL(20,4); integral amounts come out as JSON integers."""
    rounded = round(value + 0.0, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def qty(value: float) -> float:
    return money(value)


def _f(item: Item, key: str) -> float:
    return float(item.get(key) or 0)


def to_invoice(item: Item) -> float:
    return max(0.0, _f(item, "qty_ordered") - _f(item, "qty_invoiced") - _f(item, "qty_canceled"))


def to_ship(item: Item) -> float:
    return max(
        0.0, _f(item, "qty_ordered") - _f(item, "qty_shipped") - _f(item, "qty_refunded") - _f(item, "qty_canceled")
    )


def to_refund(item: Item) -> float:
    return max(0.0, _f(item, "qty_invoiced") - _f(item, "qty_refunded"))


def to_cancel(item: Item) -> float:
    return min(to_invoice(item), to_ship(item))


def top_items(order: Order) -> list[Item]:
    return [i for i in order["items"] if not i.get("parent_item_id")]


def can_hold(order: Order) -> bool:
    return order["state"] not in ("canceled", "payment_review", "complete", "closed", "holded")


def can_unhold(order: Order) -> bool:
    return order["state"] == "holded"


def can_cancel(order: Order) -> bool:
    if order["state"] in ("canceled", "holded", "payment_review", "complete", "closed"):
        return False
    return any(to_invoice(i) > EPSILON for i in top_items(order))


def can_invoice(order: Order) -> bool:
    if order["state"] in ("payment_review", "holded", "canceled", "complete", "closed"):
        return False
    return any(to_invoice(i) > EPSILON and not i.get("locked_do_invoice") for i in top_items(order))


def can_ship(order: Order) -> bool:
    if order["state"] in ("holded", "payment_review", "canceled") or order.get("is_virtual"):
        return False
    return any(to_ship(i) > EPSILON and not i.get("locked_do_ship") for i in top_items(order))


def refundable_amount(order: Order) -> float:
    return float(order.get("total_paid") or 0) - float(order.get("total_refunded") or 0)


def can_creditmemo(order: Order) -> bool:
    if order["state"] in ("payment_review", "holded", "canceled", "closed"):
        return False
    return round(float(order.get("total_paid") or 0), 2) - float(order.get("total_refunded") or 0) > EPSILON


def resolve_state(order: Order, in_progress: bool) -> None:
    """StateResolver after ship / invoice / refund; sets ``state`` and its default ``status``."""
    if order["state"] in ("canceled", "holded", "payment_review"):
        return
    state = "processing" if order["state"] == "processing" else "new"
    items = top_items(order)
    nothing_to_invoice = all(to_invoice(i) <= EPSILON for i in items)
    nothing_to_ship = all(to_ship(i) <= EPSILON for i in items) or bool(order.get("is_virtual"))
    if nothing_to_invoice and nothing_to_ship:
        if float(order.get("base_grand_total") or 0) == 0 or can_creditmemo({**order, "state": "complete"}):
            state = "complete"
        elif float(order.get("total_refunded") or 0) > 0:
            state = "closed"
    if state == "new" and in_progress:
        state = "processing"
    if state != order["state"]:
        order["state"] = state
        order["status"] = DEFAULT_STATUS[state]


def format_price(amount: float, currency: str = "USD") -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$"}.get(currency, currency + " ")
    return f"{symbol}{amount:,.2f}"
