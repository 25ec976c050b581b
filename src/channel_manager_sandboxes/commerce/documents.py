"""What Commerce's sales documents (invoice, credit memo, shipment) share: the money of a line, the item row
and the comment each document holds, and the running totals an order and its payment keep (``x`` and
``base_x`` alike, the sandbox has one currency)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce.entities import num
from channel_manager_sandboxes.commerce.order_rules import money

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox


def line_money(item: dict[str, Any], quantity: float) -> tuple[float, float]:
    """Row total and tax of ``quantity`` units of an order item (its tax shared out per unit ordered)."""
    row = num(item["price"]) * quantity
    tax = num(item["tax_amount"]) / num(item["qty_ordered"], 1) * quantity
    return row, tax


def add_totals(target: dict[str, Any], deltas: Iterable[tuple[str, float]]) -> None:
    """Adds each amount to ``target[key]`` and ``target["base_" + key]``."""
    for key, delta in deltas:
        target[key] = target[f"base_{key}"] = money(num(target.get(key)) + delta)


def priced_item(
    sandbox: CommerceSandbox, kind: str, parent_id: int, item: dict[str, Any], quantity: float
) -> dict[str, Any]:
    """The row of an invoice or credit memo (``kind``) for ``quantity`` units of an order item."""
    row, tax = line_money(item, quantity)
    return {
        "entity_id": sandbox.next_id(f"{kind}_item"),
        "parent_id": parent_id,
        "order_item_id": item["item_id"],
        "sku": item["sku"],
        "name": item.get("name"),
        "qty": money(quantity),
        "price": item["price"],
        "base_price": item["price"],
        "row_total": money(row),
        "base_row_total": money(row),
        "tax_amount": money(tax),
        "product_id": item.get("product_id"),
    }


def comments(sandbox: CommerceSandbox, kind: str, parent_id: int, body: dict[str, Any], now: str) -> list[Any]:
    """The document's comments: the one the request's ``comment`` gives, if it has text."""
    comment = body.get("comment") or {}
    if not comment.get("comment"):
        return []
    return [
        {
            "entity_id": sandbox.next_id(f"{kind}_comment"),
            "parent_id": parent_id,
            "comment": str(comment["comment"]),
            "is_customer_notified": int(bool(body.get("notify"))),
            "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
            "created_at": now,
        }
    ]
