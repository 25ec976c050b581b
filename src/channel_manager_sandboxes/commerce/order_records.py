"""Building a new order entity (``sales-data-order-interface``) from its parts: the header with
Commerce's defaults, its items, totals, payment and shipping assignment. Pure functions on dicts."""

from __future__ import annotations

from typing import Any

from channel_manager_sandboxes.commerce.catalog import Product
from channel_manager_sandboxes.commerce.entities import num
from channel_manager_sandboxes.commerce.order_rules import money

PAYMENT_METHODS = {
    "channelpayment": "Channel Manager (Walmart Marketplace)",
    "checkmo": "Check / Money order",
    "free": "No Payment Information Required",
}
NESTED_ORDER_KEYS = {"items", "billing_address", "payment", "status_histories", "extension_attributes"}

_ORDER_DEFAULTS: dict[str, Any] = {
    "state": "new",
    "status": "pending",
    "customer_is_guest": 1,
    "customer_group_id": 0,
    "is_virtual": 0,
    "email_sent": 0,
    "base_to_global_rate": 1,
    "base_to_order_rate": 1,
    "store_to_base_rate": 0,
    "store_to_order_rate": 0,
    "discount_amount": 0,
    "base_discount_amount": 0,
    "tax_amount": 0,
    "base_tax_amount": 0,
    "shipping_amount": 0,
    "base_shipping_amount": 0,
    "shipping_tax_amount": 0,
    "base_shipping_tax_amount": 0,
}
_ITEM_DEFAULTS: dict[str, Any] = {
    "product_type": "simple",
    "is_virtual": 0,
    "qty_invoiced": 0,
    "qty_shipped": 0,
    "qty_refunded": 0,
    "qty_canceled": 0,
    "qty_backordered": 0,
    "qty_returned": 0,
    "discount_amount": 0,
    "base_discount_amount": 0,
    "discount_percent": 0,
    "amount_refunded": 0,
    "base_amount_refunded": 0,
    "row_invoiced": 0,
    "base_row_invoiced": 0,
    "tax_invoiced": 0,
    "base_tax_invoiced": 0,
    "tax_refunded": 0,
    "tax_canceled": 0,
    "no_discount": 0,
    "free_shipping": 0,
    "is_qty_decimal": 0,
    "tax_percent": 0,
}


def order_header(
    order_id: int, store_id: int, store_name: str | None, fields: dict[str, Any], now: str
) -> dict[str, Any]:
    currency = fields.get("order_currency_code") or "USD"
    order: dict[str, Any] = {
        "entity_id": order_id,
        **_ORDER_DEFAULTS,
        "store_id": store_id,
        "store_name": store_name,
        "order_currency_code": currency,
        "base_currency_code": currency,
        "store_currency_code": currency,
        "global_currency_code": currency,
    }
    order.update({k: v for k, v in fields.items() if k not in NESTED_ORDER_KEYS and k != "entity_id"})
    order["entity_id"] = order_id
    order["store_id"] = store_id
    order.setdefault("increment_id", None)
    order["created_at"] = fields.get("created_at") or now
    order["updated_at"] = now
    order["protect_code"] = f"{order_id:06x}"
    return order


def order_item(
    data: dict[str, Any],
    *,
    item_id: int,
    order_id: int,
    store_id: int,
    product: Product | None,
    reserved: bool,
    now: str,
) -> dict[str, Any]:
    """One order item. ``product`` is the catalog product when the store resolved the SKU (cart and module
    paths); a direct save keeps what the request sent (``product_id`` too) and resolves nothing."""
    qty_ordered = num(data.get("qty_ordered"))
    price = num(data.get("price"), product.price if product else 0)
    row_total = num(data.get("row_total"), price * qty_ordered)
    tax = num(data.get("tax_amount"))
    weight = product.weight if product else num(data.get("weight"), 1.0)
    item: dict[str, Any] = {**_ITEM_DEFAULTS, "weight": weight, "original_price": price, "base_original_price": price}
    item.update({k: v for k, v in data.items() if v is not None and k not in ("item_id", "order_id")})
    item.update(
        {
            "item_id": item_id,
            "order_id": order_id,
            "store_id": store_id,
            "product_id": product.product_id if product else data.get("product_id"),
            "qty_ordered": money(qty_ordered),
            "price": money(price),
            "base_price": money(price),
            "row_total": money(row_total),
            "base_row_total": money(row_total),
            "tax_amount": money(tax),
            "base_tax_amount": money(tax),
            "price_incl_tax": money(num(data.get("price_incl_tax"), price + (tax / qty_ordered if qty_ordered else 0))),
            "row_total_incl_tax": money(num(data.get("row_total_incl_tax"), row_total + tax)),
            "row_weight": money(weight * qty_ordered),
            "created_at": now,
            "updated_at": now,
            "_reserved": qty_ordered if reserved else 0.0,
            "_returned": 0.0,
        }
    )
    return item


def apply_totals(order: dict[str, Any], fields: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """Totals from the items unless the request gave them (a direct save writes what it is sent)."""
    subtotal = sum(i["row_total"] for i in items)
    item_tax = sum(i["tax_amount"] for i in items)
    shipping_amount = num(fields.get("shipping_amount"))
    shipping_tax = num(fields.get("shipping_tax_amount"))
    tax = num(fields.get("tax_amount"), item_tax + shipping_tax)
    grand_total = num(fields.get("grand_total"), subtotal + shipping_amount + tax)
    totals = {
        "subtotal": num(fields.get("subtotal"), subtotal),
        "tax_amount": tax,
        "shipping_amount": shipping_amount,
        "shipping_tax_amount": shipping_tax,
        "grand_total": grand_total,
        "shipping_incl_tax": num(fields.get("shipping_incl_tax"), shipping_amount + shipping_tax),
        "subtotal_incl_tax": num(fields.get("subtotal_incl_tax"), subtotal + item_tax),
        "total_due": grand_total,
        "total_paid": 0,
        "total_invoiced": 0,
        "total_refunded": 0,
        "total_canceled": 0,
        "total_offline_refunded": 0,
    }
    for key, value in totals.items():
        order[key] = money(value)
        order[f"base_{key}"] = money(value)
    order["total_qty_ordered"] = money(sum(i["qty_ordered"] for i in items))
    order["total_item_count"] = len(items)
    order["weight"] = money(sum(i["row_weight"] for i in items))


def payment_record(order: dict[str, Any], payment: dict[str, Any], payment_id: int) -> dict[str, Any]:
    method = str(payment.get("method") or "")
    return {
        "additional_information": [PAYMENT_METHODS.get(method, method)],
        **{k: v for k, v in payment.items() if v is not None},
        "entity_id": payment_id,
        "parent_id": order["entity_id"],
        "method": method,
        "amount_ordered": order["grand_total"],
        "base_amount_ordered": order["grand_total"],
        "shipping_amount": order["shipping_amount"],
        "base_shipping_amount": order["shipping_amount"],
    }


def extension_attributes(order: dict[str, Any], address: dict[str, Any] | None, method: str | None) -> dict[str, Any]:
    payment_method = order["payment"]["method"]
    return {
        "shipping_assignments": [
            {
                "shipping": {
                    "address": address,
                    "method": method,
                    "total": {
                        "shipping_amount": order["shipping_amount"],
                        "base_shipping_amount": order["shipping_amount"],
                        "shipping_incl_tax": order["shipping_incl_tax"],
                    },
                },
                "items": [],
                "stock_id": 1,
            }
        ],
        "payment_additional_info": [
            {"key": "method_title", "value": PAYMENT_METHODS.get(payment_method, payment_method)}
        ],
    }
