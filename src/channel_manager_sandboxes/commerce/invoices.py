"""``POST /V1/order/{id}/invoice`` (NOTES.md section 9): invoices the uninvoiced quantity, pays it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce import order_rules as rules
from channel_manager_sandboxes.commerce.documents import add_totals, line_money, priced_item
from channel_manager_sandboxes.commerce.entities import num, validation_error
from channel_manager_sandboxes.commerce.events import ORDER_SAVED
from channel_manager_sandboxes.commerce.order_actions import requested_items
from channel_manager_sandboxes.commerce.order_rules import EPSILON, money

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

Lines = list[tuple[dict[str, Any] | None, float, Any]]


def _messages(order: dict[str, Any], lines: Lines) -> list[str]:
    messages: list[str] = []
    if order["state"] in ("payment_review", "holded", "canceled", "complete", "closed"):
        messages.append(f"An invoice cannot be created when an order has a status of {order['status']}")
    elif not rules.can_invoice(order):
        messages.append("The order does not allow an invoice to be created.")
    for item, wanted, raw_id in lines:
        if item is None:
            messages.append(
                f'The invoice contains one or more items that are not part of the original order: item id "{raw_id}".'
            )
        elif wanted > rules.to_invoice(item) + EPSILON:
            messages.append(
                "The quantity to invoice must not be greater than the uninvoiced quantity "
                f'for product SKU "{item["sku"]}".'
            )
    if not messages and sum(q for _, q, _ in lines) <= 0:
        messages.append("You can't create an invoice without products.")
    return messages


class Invoices:
    def __init__(self, sandbox: CommerceSandbox) -> None:
        self.sandbox = sandbox
        self.invoices: dict[int, dict[str, Any]] = {}

    def invoice(self, order_id: int, body: dict[str, Any]) -> int:
        sandbox = self.sandbox
        with sandbox.lock:
            order = sandbox.order_store.order(order_id)
            lines = requested_items(order, body.get("items"), rules.to_invoice)
            messages = _messages(order, lines)
            if messages:
                raise validation_error("Invoice", messages)
            invoice_id = sandbox.next_id("invoice")
            invoice_items, subtotal, tax = self._items(invoice_id, lines)
            shipping = max(0.0, num(order["shipping_amount"]) - num(order.get("shipping_invoiced")))
            shipping_tax = max(0.0, num(order.get("shipping_tax_amount")) - num(order.get("shipping_tax_invoiced")))
            tax += shipping_tax
            grand = subtotal + tax + shipping
            add_totals(
                order,
                (
                    ("subtotal_invoiced", subtotal),
                    ("tax_invoiced", tax),
                    ("shipping_invoiced", shipping),
                    ("shipping_tax_invoiced", shipping_tax),
                    ("total_invoiced", grand),
                    ("total_paid", grand),
                ),
            )
            due = max(0.0, num(order["grand_total"]) - num(order["total_paid"]))
            order["total_due"] = order["base_total_due"] = money(due)
            payment = order["payment"]
            payment["amount_paid"] = payment["base_amount_paid"] = order["total_paid"]
            payment["shipping_captured"] = payment["base_shipping_captured"] = order["shipping_invoiced"]
            totals = {"subtotal": subtotal, "tax_amount": tax, "shipping_amount": shipping, "grand_total": grand}
            self.invoices[invoice_id] = self._document(order, invoice_id, invoice_items, totals)
            rules.resolve_state(order, in_progress=True)
            sandbox.touch(order)
            sandbox.emit(ORDER_SAVED, sandbox.order_store.render(order))
            return invoice_id

    def _items(self, invoice_id: int, lines: Lines) -> tuple[list[dict[str, Any]], float, float]:
        subtotal = tax = 0.0
        invoice_items = []
        for item, wanted, _ in lines:
            assert item is not None
            if wanted <= 0:
                continue
            row, item_tax = line_money(item, wanted)
            add_totals(item, (("row_invoiced", row), ("tax_invoiced", item_tax)))
            item["qty_invoiced"] = money(num(item["qty_invoiced"]) + wanted)
            subtotal += row
            tax += item_tax
            invoice_items.append(priced_item(self.sandbox, "invoice", invoice_id, item, wanted))
        return invoice_items, subtotal, tax

    def _document(
        self, order: dict[str, Any], invoice_id: int, items: list[dict[str, Any]], totals: dict[str, float]
    ) -> dict[str, Any]:
        now = self.sandbox.clock.stamp()
        document: dict[str, Any] = {
            "entity_id": invoice_id,
            "increment_id": self.sandbox.next_increment("invoice", order["store_id"]),
            "order_id": order["entity_id"],
            "store_id": order["store_id"],
            "state": 2,
            "billing_address_id": order.get("billing_address_id"),
            "order_currency_code": order["order_currency_code"],
            "base_currency_code": order["base_currency_code"],
        }
        for key, value in totals.items():
            document[key] = document[f"base_{key}"] = money(value)
        document.update(
            {
                "discount_amount": 0,
                "total_qty": money(sum(i["qty"] for i in items)),
                "created_at": now,
                "updated_at": now,
                "items": items,
                "comments": [],
            }
        )
        return document
