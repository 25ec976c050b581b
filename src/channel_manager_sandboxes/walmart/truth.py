"""The seller-side truth of a PO, for a verdict that does not trust the connector's own records:
per line its quantities by status, shipments with tracking, cancellations with reasons and the
amounts refunded per charge type (``GET /_sandbox/orders/{po}``, ``GET /_sandbox/sellers/{id}/truth``)."""

from __future__ import annotations

from typing import Any

from channel_manager_sandboxes.walmart.contract import CHARGE_TYPES, ORDER_STATUSES
from channel_manager_sandboxes.walmart.model import SHIPPED_STATUSES, Line, PurchaseOrder, Seller
from channel_manager_sandboxes.walmart.render import money, render_order


def _refunded(line: Line) -> dict[str, dict[str, float | int]]:
    out = {}
    for charge_type in CHARGE_TYPES:
        amount, tax = line.refunded(charge_type)
        out[charge_type] = {"amount": money(amount), "tax": money(tax)}
    return out


def line_truth(line: Line) -> dict[str, Any]:
    shipments: list[dict[str, Any]] = [
        {"quantity": e.quantity, "status": e.status, "tracking": e.tracking}
        for e in line.entries
        if e.status in SHIPPED_STATUSES
    ]
    cancelled = [
        {"quantity": e.quantity, "reason": e.cancellation_reason} for e in line.entries if e.status == "Cancelled"
    ]
    product, shipping = line.refunded("PRODUCT"), line.refunded("SHIPPING")
    return {
        "sku": line.sku,
        "quantity": line.quantity,
        "by_status": {s: line.qty(s) for s in ORDER_STATUSES if line.qty(s)},
        "shipments": shipments,
        "tracking_numbers": sorted({str(s["tracking"]["trackingNumber"]) for s in shipments if s["tracking"]}),
        "cancelled": cancelled,
        "cancel_reasons": sorted({str(c["reason"]) for c in cancelled if c["reason"]}),
        "refunded": _refunded(line),
        "refunded_product": money(product[0]),
        "refunded_tax": money(product[1] + shipping[1]),
        "refunded_shipping": money(shipping[0]),
        "refunded_product_tax": money(product[1]),
        "refunded_shipping_tax": money(shipping[1]),
        "intent_to_cancel": line.intent_to_cancel,
        "returned_quantity": line.returned_quantity,
    }


def order_truth(seller: Seller, order: PurchaseOrder, *, with_order: bool = True) -> dict[str, Any]:
    truth: dict[str, Any] = {
        "seller_id": seller.seller_id,
        "purchase_order_id": order.purchase_order_id,
        "lines": {line.number: line_truth(line) for line in order.lines},
    }
    if with_order:
        truth["order"] = render_order(order)
    return truth
