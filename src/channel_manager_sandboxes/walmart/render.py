"""Walmart's JSON shapes for the sandbox's records (epoch-ms dates, explicit nulls, string quantities)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from channel_manager_sandboxes.walmart.model import Line, PurchaseOrder, ReturnLine, ReturnOrder, StatusEntry


def money(value: Decimal) -> float | int:
    number = float(value.quantize(Decimal("0.01")))
    return int(number) if number == int(number) else number


def _status_entry(entry: StatusEntry) -> dict[str, Any]:
    return {
        "status": entry.status,
        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(entry.quantity)},
        "cancellationReason": entry.cancellation_reason,
        "trackingInfo": entry.tracking,
        "returnCenterAddress": None,
    }


def _charge(charge_type: str, name: str, amount: Decimal, tax: Decimal | None, tax_name: str) -> dict[str, Any]:
    return {
        "chargeType": charge_type,
        "chargeName": name,
        "chargeAmount": {"currency": "USD", "amount": money(amount)},
        "tax": None if tax is None else {"taxName": tax_name, "taxAmount": {"currency": "USD", "amount": money(tax)}},
    }


def render_line(line: Line, purchase_order: PurchaseOrder) -> dict[str, Any]:
    amount, tax = line.charged("PRODUCT")
    charges = [_charge("PRODUCT", "ItemPrice", amount, tax if line.unit_tax else None, "Tax1")]
    if line.shipping:
        ship_amount, ship_tax = line.charged("SHIPPING")
        charges.append(_charge("SHIPPING", "Shipping", ship_amount, ship_tax if line.shipping_tax else None, "Tax2"))
    refund = None
    if line.refund_charges:
        refund = {
            "refundId": line.refund_id,
            "refundComments": line.refund_comments,
            "refundCharges": {"refundCharge": line.refund_charges},
        }
    return {
        "lineNumber": line.number,
        "item": {"productName": line.product_name, "sku": line.sku, "condition": "New"},
        "charges": {"charge": charges},
        "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": str(line.quantity)},
        "statusDate": line.status_date_ms,
        "orderLineStatuses": {"orderLineStatus": [_status_entry(e) for e in line.entries]},
        "refund": refund,
        "returnOrderId": line.return_order_id,
        "intentToCancel": "true" if line.intent_to_cancel else None,
        "sellerOrderId": line.seller_order_id,
        "originalCarrierMethod": None,
        "referenceLineId": None,
        "fulfillment": {
            "fulfillmentOption": "S2H",
            "shipMethod": line.ship_method,
            "storeId": None,
            "pickUpDateTime": purchase_order.estimated_delivery_ms,
            "pickUpBy": None,
            "shippingProgramType": None,
        },
        "serialNumbers": [],
    }


def render_order(order: PurchaseOrder) -> dict[str, Any]:
    if order._json is None:
        order._json = {
            "purchaseOrderId": order.purchase_order_id,
            "customerOrderId": order.customer_order_id,
            "customerEmailId": order.customer_email,
            "orderDate": order.order_date_ms,
            "shippingInfo": {
                "phone": order.phone,
                "estimatedDeliveryDate": order.estimated_delivery_ms,
                "estimatedShipDate": order.estimated_ship_ms,
                "methodCode": order.method_code,
                "postalAddress": order.address,
            },
            "orderLines": {"orderLine": [render_line(line, order) for line in order.lines]},
            "shipNode": {"type": order.ship_node_type},
        }
    return order._json


def order_text(order: PurchaseOrder) -> str:
    if order._text is None:
        order._text = json.dumps(render_order(order), separators=(",", ":"), ensure_ascii=False)
    return order._text


def _return_money(value: Decimal) -> dict[str, Any]:
    return {"currencyAmount": money(value), "currencyUnit": "USD"}


def render_return_line(line: ReturnLine) -> dict[str, Any]:
    quantity = {"unitOfMeasure": "EACH", "measurementValue": line.quantity}
    refund_status = (
        "REFUNDED"
        if line.refunded_quantity >= line.quantity
        else "PARTIALLY_REFUNDED"
        if line.refunded_quantity
        else "NOT_REFUNDED"
    )
    line_total = line.unit_price * line.quantity
    taxes = line.unit_tax * line.quantity
    return {
        "returnOrderLineNumber": line.number,
        "salesOrderLineNumber": int(line.po_line_number),
        "sellerOrderId": line.seller_order_id,
        "returnReason": line.reason,
        "purchaseOrderId": line.purchase_order_id,
        "purchaseOrderLineNumber": int(line.po_line_number),
        "isReturnForException": False,
        "item": {"sku": line.sku, "productName": line.product_name, "condition": "New"},
        "charges": [
            {
                "chargeCategory": "PRODUCT",
                "chargeName": "ItemPrice",
                "chargePerUnit": _return_money(line.unit_price),
                "isDiscount": False,
                "isBillable": True,
                "tax": [{"taxName": "Tax1", "taxPerUnit": _return_money(line.unit_tax)}],
            }
        ],
        "unitPrice": _return_money(line.unit_price),
        "chargeTotals": [
            {"name": "lineUnitPrice", "value": _return_money(line.unit_price)},
            {"name": "lineProductTaxes", "value": _return_money(taxes)},
            {"name": "lineSubTotal", "value": _return_money(line_total)},
            {"name": "lineTotal", "value": _return_money(line_total + taxes)},
        ],
        "cancellableQty": line.quantity - line.refunded_quantity,
        "quantity": quantity,
        "returnExpectedFlag": True,
        "isFastReplacement": False,
        "isKeepIt": False,
        "lastItem": True,
        "refundedQty": line.refunded_quantity,
        "rechargeableQty": 0,
        "refundChannel": line.refund_channel,
        "returnTrackingDetail": line.events,
        "status": line.status,
        "statusTime": line.status_time,
        "currentDeliveryStatus": "NOT_SHIPPED",
        "currentRefundStatus": refund_status,
        "currentTrackingStatuses": [
            {
                "status": line.status,
                "statusTime": line.status_time,
                "currentRefundStatus": refund_status,
                "quantity": quantity,
            }
        ],
    }


def render_return(order: ReturnOrder) -> dict[str, Any]:
    total = sum(((line.unit_price + line.unit_tax) * line.quantity for line in order.lines), Decimal(0))
    return {
        "returnOrderId": order.return_order_id,
        "customerEmailId": order.customer_email,
        "customerName": {"firstName": order.first_name, "lastName": order.last_name},
        "customerOrderId": order.customer_order_id,
        "returnOrderDate": order.created_at,
        "returnByDate": order.return_by,
        "refundMode": "POST_DELIVERY",
        "returnType": "REFUND",
        "totalRefundAmount": _return_money(total),
        "returnLineGroups": [
            {
                "groupNo": 1,
                "returnLines": [{"returnOrderLineNumber": line.number} for line in order.lines],
                "labels": [],
                "returnExpectedFlag": True,
            }
        ],
        "returnChannel": {"channelName": "ONLINE"},
        "returnOrderLines": [render_return_line(line) for line in order.lines],
    }


def notification_lines(order: PurchaseOrder, lines: list[Line], status: str) -> list[dict[str, Any]]:
    return [
        {
            "lineNumber": line.number,
            "sku": line.sku,
            "productName": line.product_name,
            "quantity": {"unitOfMeasure": "EACH", "measurementValue": str(line.quantity)},
            "status": status,
            "statusDate": line.status_date_ms,
            "cancellationReason": next((e.cancellation_reason for e in line.entries if e.status == "Cancelled"), None),
            "shippingMethod": order.method_code,
            "shipNodeType": order.ship_node_type,
        }
        for line in lines
    ]
