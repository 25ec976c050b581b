"""Order actions that are not documents: comments, hold, unhold and cancel (NOTES.md sections 5, 6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce import order_rules as rules
from channel_manager_sandboxes.commerce.entities import num
from channel_manager_sandboxes.commerce.errors import bad_request, required
from channel_manager_sandboxes.commerce.events import ORDER_CANCELED, ORDER_SAVED
from channel_manager_sandboxes.commerce.order_rules import EPSILON, money

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox


def requested_items(
    order: dict[str, Any],
    requested: list[dict[str, Any]] | None,
    available: Callable[[dict[str, Any]], float],
) -> list[tuple[dict[str, Any] | None, float, Any]]:
    """``[(order item or None, qty, requested id)]``; empty request = every item's available qty."""
    if not requested:
        return [(i, available(i), i["item_id"]) for i in rules.top_items(order) if available(i) > EPSILON]
    by_id = {i["item_id"]: i for i in order["items"]}
    result = []
    for entry in requested:
        raw_id = entry.get("order_item_id", entry.get("orderItemId"))
        try:
            item_id = int(str(raw_id))
        except (TypeError, ValueError):
            item_id = -1
        result.append((by_id.get(item_id), num(entry.get("qty")), raw_id))
    return result


class OrderActions:
    def __init__(self, sandbox: CommerceSandbox) -> None:
        self.sandbox = sandbox

    def _saved(self, order: dict[str, Any], event: str = ORDER_SAVED) -> bool:
        self.sandbox.touch(order)
        self.sandbox.emit(event, self.sandbox.order_store.render(order))
        return True

    def add_comment(self, order_id: int, history: dict[str, Any]) -> bool:
        with self.sandbox.lock:
            order = self.sandbox.order_store.order(order_id)
            if not history:
                raise required("statusHistory")
            status = history.get("status") or order["status"]  # 2.4 with AC-1342: keep the status
            self.sandbox.order_store.history(
                order,
                str(history.get("comment", "")),
                status,
                notified=int(history.get("is_customer_notified") or 0),
                visible=int(history.get("is_visible_on_front") or 0),
            )
            order["status"] = status
            return self._saved(order)

    def hold(self, order_id: int) -> bool:
        with self.sandbox.lock:
            order = self.sandbox.order_store.order(order_id)
            if not rules.can_hold(order):
                raise bad_request("A hold action is not available.")
            order["hold_before_state"], order["hold_before_status"] = order["state"], order["status"]
            order["state"] = order["status"] = "holded"
            return self._saved(order)

    def unhold(self, order_id: int) -> bool:
        with self.sandbox.lock:
            order = self.sandbox.order_store.order(order_id)
            if not rules.can_unhold(order):
                raise bad_request("You cannot remove the hold.")
            order["state"] = order.pop("hold_before_state", None) or "new"
            order["status"] = order.pop("hold_before_status", None) or rules.DEFAULT_STATUS[order["state"]]
            return self._saved(order)

    def cancel(self, order_id: int) -> bool:
        with self.sandbox.lock:
            order = self.sandbox.order_store.order(order_id)
            if not rules.can_cancel(order):
                return False
            for item in rules.top_items(order):
                self._cancel_item(item)
            for key in ("subtotal", "tax", "shipping"):
                amount = "subtotal" if key == "subtotal" else f"{key}_amount"
                value = money(num(order.get(amount)) - num(order.get(f"{key}_invoiced")))
                order[f"{key}_canceled"] = order[f"base_{key}_canceled"] = value
            order["total_canceled"] = order["base_total_canceled"] = money(
                num(order["grand_total"]) - num(order["total_paid"])
            )
            order["total_due"] = order["base_total_due"] = 0
            state = "canceled"
            if any(rules.to_refund(i) > EPSILON for i in rules.top_items(order)):
                state = "processing" if any(rules.to_ship(i) > EPSILON for i in rules.top_items(order)) else "complete"
            order["state"], order["status"] = state, rules.DEFAULT_STATUS[state]
            return self._saved(order, ORDER_CANCELED)

    def _cancel_item(self, item: dict[str, Any]) -> None:
        canceled = rules.to_cancel(item)
        if canceled <= 0:
            return
        item["qty_canceled"] = money(num(item["qty_canceled"]) + canceled)
        item["tax_canceled"] = money(
            num(item.get("tax_canceled")) + num(item["tax_amount"]) / num(item["qty_ordered"], 1) * canceled
        )
        release = min(canceled, item["_reserved"])
        item["_reserved"] -= release
        self.sandbox.catalog.release(item["sku"], release)
