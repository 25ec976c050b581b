"""``POST /v3/orders/{id}/refund``: refunds of shipped lines, per charge type (PRODUCT, SHIPPING) with
tax, never more than was charged (NOTES.md section 3.4; reasons and charge types from ``contract.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.walmart.contract import CHARGE_TYPES, REFUND_REASONS, RETURN_REFUND_REASON
from channel_manager_sandboxes.walmart.dates import iso
from channel_manager_sandboxes.walmart.errors import order_error
from channel_manager_sandboxes.walmart.model import SHIPPED_STATUSES, Line, PurchaseOrder, ReturnLine, Seller
from channel_manager_sandboxes.walmart.payload import as_list, decimal, envelope, order_lines
from channel_manager_sandboxes.walmart.render import money, render_order

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.state import WalmartSandbox

Charge = dict[str, Any]
_CHARGE_NAMES = {"PRODUCT": "ItemPrice", "SHIPPING": "Shipping"}


def refund_charge(reason: str, charge_type: str, amount: Decimal, tax: Decimal) -> Charge:
    """A refund charge of ``amount`` (+ ``tax``), both positive, in Walmart's negative-amount shape."""
    return {
        "refundReason": reason,
        "charge": {
            "chargeType": charge_type,
            "chargeName": _CHARGE_NAMES[charge_type],
            "chargeAmount": {"currency": "USD", "amount": money(-amount)},
            "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": money(-tax)}} if tax else None,
        },
    }


def checked_refund_charge(raw: Any, number: str) -> Charge:
    """One ``refundCharge`` of a partial refund request, checked."""
    if not isinstance(raw, Mapping):
        raise order_error(f"Invalid refundCharge in line number {number}", field="refundCharge")
    reason = raw.get("refundReason")
    if reason not in REFUND_REASONS:
        raise order_error(f"Invalid refundReason {reason} in line number {number}", field="refundReason")
    charge = raw.get("charge")
    if not isinstance(charge, Mapping):
        raise order_error(f"charge is required in line number {number}", field="charge")
    charge_type = charge.get("chargeType")
    if charge_type not in CHARGE_TYPES:
        raise order_error(f"Invalid chargeType {charge_type} in line number {number}", field="chargeType")
    amount = decimal((charge.get("chargeAmount") or {}).get("amount"), "chargeAmount")
    tax_raw = charge.get("tax")
    tax = decimal(tax_raw["taxAmount"]["amount"], "taxAmount") if isinstance(tax_raw, Mapping) else Decimal(0)
    if amount > 0 or tax > 0:
        raise order_error(f"Refund amount should be negative in line number {number}", field="chargeAmount")
    if amount == 0 and tax == 0:
        raise order_error(f"Refund amount should not be zero in line number {number}", field="chargeAmount")
    return {
        "refundReason": reason,
        "charge": {
            "chargeType": charge_type,
            "chargeName": str(charge.get("chargeName") or "ItemPrice"),
            "chargeAmount": {"currency": "USD", "amount": money(amount)},
            "tax": {
                "taxName": str(tax_raw.get("taxName") or "Tax1"),
                "taxAmount": {"currency": "USD", "amount": money(tax)},
            }
            if isinstance(tax_raw, Mapping)
            else None,
        },
    }


def _full_refund_charges(line: Line, raw: Mapping[str, Any], po: str) -> list[Charge]:
    """``isFullRefund``: whatever is left of each charge, with the request's (first) reason."""
    reasons = [
        rc.get("refundReason")
        for r in as_list(raw, "refunds", "refund")
        for rc in as_list(r, "refundCharges", "refundCharge")
        if isinstance(rc, Mapping)
    ]
    reason = reasons[0] if reasons else "Others"
    if reason not in REFUND_REASONS:
        raise order_error(f"Invalid refundReason {reason} in line number {line.number}", field="refundReason")
    charges = []
    for charge_type in CHARGE_TYPES:
        charged, charged_tax = line.charged(charge_type)
        done, done_tax = line.refunded(charge_type)
        if charged - done > 0 or charged_tax - done_tax > 0:
            charges.append(refund_charge(reason, charge_type, charged - done, charged_tax - done_tax))
    if not charges:
        raise order_error(
            f"Unable to process this request. The Line: {line.number} of PO: {po} is already fully refunded",
            field="isFullRefund",
        )
    return charges


def _partial_refund_charges(raw: Mapping[str, Any], number: str) -> tuple[list[Charge], str | None]:
    charges: list[Charge] = []
    comments = None
    for item in as_list(raw, "refunds", "refund"):
        comments = item.get("refundComments") if isinstance(item, Mapping) else None
        charges.extend(checked_refund_charge(rc, number) for rc in as_list(item, "refundCharges", "refundCharge"))
    if not charges:
        raise order_error(f"refundCharges is required in line number {number}", field="refundCharges")
    return charges, comments


def _refundable_line(order: PurchaseOrder, raw: Mapping[str, Any]) -> Line:
    po, number = order.purchase_order_id, str(raw.get("lineNumber", ""))
    line = order.line(number)
    if line is None:
        raise order_error(f"Invalid lineNumber {number} for PO {po}", field="lineNumber")
    if not line.qty(*SHIPPED_STATUSES):
        if line.qty("Cancelled") == line.quantity:
            state = "CANCELLED"
        else:
            state = "ACKNOWLEDGED" if line.qty("Acknowledged") else "CREATED"
        raise order_error(
            f"Unable to process this request. The Line: {number} of PO: {po} is in {state} status; "
            "only shipped lines can be refunded"
        )
    return line


def _check_not_over(line: Line, charges: list[Charge], pending: dict[tuple[str, str], tuple[Decimal, Decimal]]) -> None:
    """Refunded so far (in this request too) + requested <= charged, per charge type and for its tax."""
    for charge in charges:
        key = (line.number, charge["charge"]["chargeType"])
        amount = -Decimal(str(charge["charge"]["chargeAmount"]["amount"]))
        tax = -Decimal(str((charge["charge"].get("tax") or {}).get("taxAmount", {}).get("amount", 0)))
        before = pending.get(key, line.refunded(key[1]))
        total = (before[0] + amount, before[1] + tax)
        charged, charged_tax = line.charged(key[1])
        if total[0] > charged or total[1] > charged_tax:
            raise order_error(
                f"Refund amount exceeds the charged amount in line number {line.number}: "
                f"charged {money(charged)} (tax {money(charged_tax)}), refunded {money(before[0])} "
                f"(tax {money(before[1])}), requested {money(amount)} (tax {money(tax)})",
                field="chargeAmount",
            )
        pending[key] = total


def _with_the_whole_item_price(
    line: Line, charges: list[Charge], pending: dict[tuple[str, str], tuple[Decimal, Decimal]]
) -> list[Charge]:
    """Even with ``isFullRefund: false``, a refund that brings the line's item price to the whole amount
    charged also refunds what is left of its tax and shipping (NOTES.md section 3.4)."""
    if not any(c["charge"]["chargeType"] == "PRODUCT" for c in charges):
        return []
    charged, charged_tax = line.charged("PRODUCT")
    done, done_tax = pending.get((line.number, "PRODUCT"), line.refunded("PRODUCT"))
    if done < charged:
        return []
    reason = charges[0]["refundReason"]
    extra = []
    if charged_tax > done_tax:
        extra.append(refund_charge(reason, "PRODUCT", Decimal(0), charged_tax - done_tax))
        pending[(line.number, "PRODUCT")] = (done, charged_tax)
    shipping, shipping_tax = line.charged("SHIPPING")
    done_shipping, done_shipping_tax = pending.get((line.number, "SHIPPING"), line.refunded("SHIPPING"))
    if shipping > done_shipping or shipping_tax > done_shipping_tax:
        extra.append(
            refund_charge(
                reason,
                "SHIPPING",
                max(Decimal(0), shipping - done_shipping),
                max(Decimal(0), shipping_tax - done_shipping_tax),
            )
        )
        pending[(line.number, "SHIPPING")] = (shipping, shipping_tax)
    return extra


class Refunds:
    def __init__(self, sandbox: WalmartSandbox) -> None:
        self.sandbox = sandbox
        self._return_ids = sandbox.return_ids

    def refund(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        sandbox = self.sandbox
        sandbox.orders.tick()
        raw_lines = order_lines(envelope(body, "orderRefund"))
        if len({bool(raw.get("isFullRefund")) for raw in raw_lines if isinstance(raw, Mapping)}) > 1:
            raise order_error("A refund request must be all full or all partial refunds", field="isFullRefund")
        with sandbox.lock:
            order = sandbox.orders.order(seller, purchase_order_id, "refund API")
            plan = self._plan(order, raw_lines)
            now = sandbox.clock.now_ms()
            for line, charges, comments, full in plan:
                line.refund_charges.extend(charges)
                line.refund_id = line.refund_id or str(uuid.uuid4())
                if comments:
                    line.refund_comments = comments
                if full and line.return_order_id is None:
                    line.return_order_id = str(next(self._return_ids))
                line.status_date_ms = now
            order.touch(now)
            sandbox.counters.accept(seller, "refund", purchase_order_id, body, iso(now))
            return {"order": render_order(order)}

    @staticmethod
    def _plan(order: PurchaseOrder, raw_lines: list[Any]) -> list[tuple[Line, list[Charge], str | None, bool]]:
        plan = []
        pending: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        for raw in raw_lines:
            line = _refundable_line(order, raw)
            full = bool(raw.get("isFullRefund"))
            if full:
                charges, comments = _full_refund_charges(line, raw, order.purchase_order_id), None
            else:
                charges, comments = _partial_refund_charges(raw, line.number)
            _check_not_over(line, charges, pending)
            if not full:
                charges.extend(_with_the_whole_item_price(line, charges, pending))
            plan.append((line, charges, comments, full))
        return plan


def refund_po_line_for_return(order: PurchaseOrder, rline: ReturnLine, units: int, now: int) -> None:
    """A refunded return refunds its PO line's PRODUCT charge for those units (never more than is left)."""
    line = order.line(rline.po_line_number)
    if line is None:
        return
    charged, charged_tax = line.charged("PRODUCT")
    done, done_tax = line.refunded("PRODUCT")
    amount = min(line.unit_price * units, charged - done)
    tax = min(line.unit_tax * units, charged_tax - done_tax)
    if amount <= 0 and tax <= 0:
        return
    line.refund_charges.append(refund_charge(RETURN_REFUND_REASON, "PRODUCT", amount, tax))
    line.refund_id = line.refund_id or str(uuid.uuid4())
    order.touch(now)
