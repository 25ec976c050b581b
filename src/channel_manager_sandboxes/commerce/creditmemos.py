"""``POST /V1/order/{id}/refund`` (NOTES.md section 9): offline credit memos with shipping and
adjustments, never more than was paid; refunded unshipped units release their reservation and
``return_to_stock_items`` puts shipped units back into the default source."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce import order_rules as rules
from channel_manager_sandboxes.commerce.documents import add_totals, comments, line_money, priced_item
from channel_manager_sandboxes.commerce.entities import clean, num, validation_error
from channel_manager_sandboxes.commerce.events import CREDIT_MEMO_SAVED
from channel_manager_sandboxes.commerce.order_actions import requested_items
from channel_manager_sandboxes.commerce.order_rules import EPSILON, money

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

Lines = list[tuple[dict[str, Any] | None, float, Any]]


def _state_messages(order: dict[str, Any]) -> list[str]:
    if order["state"] in ("payment_review", "holded", "canceled", "closed"):
        return [f"A creditmemo can not be created when an order has a status of {order['status']}"]
    if not rules.can_creditmemo(order):
        return ["The order does not allow a creditmemo to be created."]
    return []


def _line_messages(lines: Lines) -> list[str]:
    messages = []
    for item, wanted, raw_id in lines:
        if item is None:
            messages.append(f'The creditmemo contains product SKU "{raw_id}" that is not part of the original order.')
        elif wanted > rules.to_refund(item) + EPSILON:
            messages.append(
                "The quantity to creditmemo must not be greater than the unrefunded quantity "
                f'for product SKU "{item["sku"]}".'
            )
    return messages


def _amounts(order: dict[str, Any], lines: Lines, arguments: dict[str, Any], messages: list[str]) -> dict[str, float]:
    """subtotal, tax, shipping, adjustments and grand total of the memo (appends what is wrong to ``messages``)."""
    currency = order["order_currency_code"]
    remaining_shipping = max(0.0, num(order.get("shipping_invoiced")) - num(order.get("shipping_refunded")))
    given_shipping = arguments.get("shipping_amount")
    shipping = remaining_shipping if given_shipping is None else num(given_shipping)
    if shipping > remaining_shipping + EPSILON:
        messages.append(
            f"Maximum shipping amount allowed to refund is: {rules.format_price(remaining_shipping, currency)}"
        )
    # Commerce refunds the shipping's tax with the shipping, in the same share of the shipping invoiced.
    shipping_tax = 0.0
    if shipping > 0 and num(order.get("shipping_invoiced")) > 0:
        tax_left = max(0.0, num(order.get("shipping_tax_invoiced")) - num(order.get("shipping_tax_refunded")))
        share = shipping / max(remaining_shipping, EPSILON)
        shipping_tax = min(tax_left, round(tax_left * share, 2))
    subtotal = tax = 0.0
    for item, wanted, _ in lines:
        if item is not None and wanted > 0:
            row, row_tax = line_money(item, wanted)
            subtotal += row
            tax += row_tax
    positive = num(arguments.get("adjustment_positive"))
    negative = num(arguments.get("adjustment_negative"))
    grand = subtotal + tax + shipping + shipping_tax + positive - negative
    available = rules.refundable_amount(order)
    if not messages and grand > available + 0.00001:
        messages.append(f"The most money available to refund is {rules.format_price(available, currency)}.")
    if not messages and grand <= 0:
        messages.append("The credit memo's total must be positive.")
    return {
        "subtotal": subtotal,
        "tax": tax,
        "shipping": shipping,
        "shipping_tax": shipping_tax,
        "positive": positive,
        "negative": negative,
        "grand": grand,
    }


class CreditMemos:
    def __init__(self, sandbox: CommerceSandbox) -> None:
        self.sandbox = sandbox
        self.creditmemos: dict[int, dict[str, Any]] = {}

    def refund(self, order_id: int, body: dict[str, Any]) -> int:
        sandbox = self.sandbox
        with sandbox.lock:
            order = sandbox.order_store.order(order_id)
            messages = _state_messages(order)
            if messages:
                raise validation_error("Creditmemo", messages)
            lines = requested_items(order, body.get("items"), rules.to_refund)
            messages = _line_messages(lines)
            arguments = body.get("arguments") or {}
            amounts = _amounts(order, lines, arguments, messages)
            if messages:
                raise validation_error("Creditmemo", messages)
            memo_id = sandbox.next_id("creditmemo")
            extension = arguments.get("extension_attributes") or {}
            return_ids = {int(i) for i in extension.get("return_to_stock_items") or []}
            memo_items = [self._item(memo_id, item, wanted, return_ids) for item, wanted, _ in lines if wanted > 0]
            self._add_to_order(order, amounts)
            memo = self._document(order, memo_id, memo_items, amounts, body)
            self.creditmemos[memo_id] = memo
            rules.resolve_state(order, in_progress=False)
            refunded = rules.format_price(amounts["grand"], order["order_currency_code"])
            sandbox.order_store.history(order, f"We refunded {refunded} offline.", order["status"])
            sandbox.touch(order)
            sandbox.emit(CREDIT_MEMO_SAVED, clean(memo))
            return memo_id

    def _item(self, memo_id: int, item: dict[str, Any] | None, wanted: float, return_ids: set[int]) -> dict[str, Any]:
        assert item is not None
        catalog = self.sandbox.catalog
        row, item_tax = line_money(item, wanted)
        unshipped_before = rules.to_ship(item)
        item["qty_refunded"] = money(num(item["qty_refunded"]) + wanted)
        add_totals(item, (("amount_refunded", row),))
        item["tax_refunded"] = money(num(item["tax_refunded"]) + item_tax)
        release = min(wanted, unshipped_before, item["_reserved"])
        item["_reserved"] -= release
        catalog.release(item["sku"], release)
        if item["item_id"] in return_ids:
            back = min(wanted, num(item["qty_shipped"]) - item["_returned"])
            if back > 0:
                item["_returned"] += back
                catalog.adjust_source(item["sku"], "default", back)
                self.sandbox.stock.stock_changed(item["sku"])
        memo_item = priced_item(self.sandbox, "creditmemo", memo_id, item, wanted)
        memo_item.update(base_tax_amount=memo_item["tax_amount"], discount_amount=0, base_cost=0)
        return memo_item

    @staticmethod
    def _add_to_order(order: dict[str, Any], amounts: dict[str, float]) -> None:
        add_totals(
            order,
            (
                ("total_refunded", amounts["grand"]),
                ("total_offline_refunded", amounts["grand"]),
                ("subtotal_refunded", amounts["subtotal"]),
                ("tax_refunded", amounts["tax"] + amounts["shipping_tax"]),
                ("shipping_refunded", amounts["shipping"]),
                ("shipping_tax_refunded", amounts["shipping_tax"]),
                ("adjustment_positive", amounts["positive"]),
                ("adjustment_negative", amounts["negative"]),
            ),
        )
        payment = order["payment"]
        payment["amount_refunded"] = payment["base_amount_refunded"] = order["total_refunded"]

    def _document(
        self,
        order: dict[str, Any],
        memo_id: int,
        items: list[dict[str, Any]],
        amounts: dict[str, float],
        body: dict[str, Any],
    ) -> dict[str, Any]:
        now = self.sandbox.clock.stamp()
        invoices = self.sandbox.invoices.values()
        memo: dict[str, Any] = {
            "entity_id": memo_id,
            "increment_id": self.sandbox.next_increment("creditmemo", order["store_id"]),
            "order_id": order["entity_id"],
            "store_id": order["store_id"],
            "invoice_id": max((i["entity_id"] for i in invoices if i["order_id"] == order["entity_id"]), default=None),
            "state": 2,
            "creditmemo_status": None,
            "order_currency_code": order["order_currency_code"],
            "base_currency_code": order["base_currency_code"],
            "billing_address_id": order.get("billing_address_id"),
            "adjustment": money(amounts["positive"] - amounts["negative"]),
            "discount_amount": 0,
            "created_at": now,
            "updated_at": now,
            "items": items,
            "comments": comments(self.sandbox, "creditmemo", memo_id, body, now),
        }
        memo["tax_amount"] = memo["base_tax_amount"] = money(amounts["tax"] + amounts["shipping_tax"])
        memo["shipping_incl_tax"] = memo["base_shipping_incl_tax"] = money(
            amounts["shipping"] + amounts["shipping_tax"]
        )
        for key, amount in (
            ("subtotal", "subtotal"),
            ("shipping_amount", "shipping"),
            ("shipping_tax_amount", "shipping_tax"),
            ("adjustment_positive", "positive"),
            ("adjustment_negative", "negative"),
            ("grand_total", "grand"),
        ):
            memo[key] = memo[f"base_{key}"] = money(amounts[amount])
        return memo
