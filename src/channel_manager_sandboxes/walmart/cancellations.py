"""``POST /v3/orders/{id}/cancel``: the seller cancels open units with one of Walmart's reasons
(NOTES.md section 3.3; the reasons are Walmart's own list in ``contract.py``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.walmart.contract import CANCEL_REASONS
from channel_manager_sandboxes.walmart.dates import iso
from channel_manager_sandboxes.walmart.errors import order_error
from channel_manager_sandboxes.walmart.model import Line, PurchaseOrder, Seller, StatusEntry
from channel_manager_sandboxes.walmart.payload import as_list, envelope, order_lines, quantity
from channel_manager_sandboxes.walmart.render import render_order

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.state import WalmartSandbox

MAX_LINES = 100


def _planned(order: PurchaseOrder, raw_lines: list[Any]) -> list[tuple[Line, int, str]]:
    po = order.purchase_order_id
    plan: list[tuple[Line, int, str]] = []
    wanted: Counter[str] = Counter()
    for raw in raw_lines:
        number = str(raw.get("lineNumber", "")) if isinstance(raw, Mapping) else ""
        line = order.line(number)
        if line is None:
            raise order_error(f"Invalid lineNumber {number} for PO {po}", field="lineNumber")
        for status in as_list(raw, "orderLineStatuses", "orderLineStatus"):
            if not isinstance(status, Mapping) or status.get("status") != "Cancelled":
                raise order_error(f"Invalid status in line number {number}: use Cancelled", field="status")
            reason = status.get("cancellationReason")
            if reason not in CANCEL_REASONS:
                raise order_error(
                    f"Invalid cancellationReason {reason} in line number {number}", field="cancellationReason"
                )
            units = quantity(status.get("statusQuantity"))
            plan.append((line, units, reason))
            wanted[number] += units
        if not wanted[number]:
            raise order_error(f"orderLineStatuses is required in line number {number}", field="orderLineStatuses")
    for number, units in wanted.items():
        line = order.line(number)
        assert line is not None
        _check_open(po, line, units)
    return plan


def _check_open(po: str, line: Line, units: int) -> None:
    if units <= line.open_quantity:
        return
    if line.open_quantity == 0:
        state = "CANCELLED" if line.qty("Cancelled") == line.quantity else "SHIPPED"
        raise order_error(f"Unable to process this request. The Line: {line.number} of PO: {po} is in {state} status")
    raise order_error(
        f"INVALID_REQUEST_CONTENT :: Failed when called cancel API for {po}. Qty more than allowed: "
        f"the Line: {line.number} has {line.open_quantity} units that can be cancelled"
    )


class Cancellations:
    def __init__(self, sandbox: WalmartSandbox) -> None:
        self.sandbox = sandbox

    def cancel(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        sandbox = self.sandbox
        sandbox.orders.tick()
        raw_lines = order_lines(envelope(body, "orderCancellation"))
        if len(raw_lines) > MAX_LINES:
            raise order_error(f"A cancellation request takes at most {MAX_LINES} lines", field="orderLine")
        with sandbox.lock:
            order = sandbox.orders.order(seller, purchase_order_id, "cancel API")
            plan = _planned(order, raw_lines)
            now = sandbox.clock.now_ms()
            for line, units, reason in plan:
                line.take(("Created", "Acknowledged"), units)
                line.put(StatusEntry("Cancelled", units, cancellation_reason=reason))
                line.status_date_ms = now
                if not line.open_quantity:
                    line.intent_to_cancel = False
            order.touch(now)
            sandbox.counters.accept(seller, "cancel", purchase_order_id, body, iso(now))
            return {"order": render_order(order)}
