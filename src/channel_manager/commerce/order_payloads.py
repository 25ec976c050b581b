"""Request bodies that turn a channel order into a Commerce order, by each creation path.

- module route: ``POST /V1/channel-manager/orders`` ``{"order": ...}`` (the companion module places it through a
  quote with Walmart's prices as custom prices: totals, MSI reservations, events; docs/commerce-module.md);
- cart flow: ``POST /V1/carts/`` → items → shipping-information → ``PUT /V1/carts/{id}/order`` (the store's own
  offline payment method and carrier; Commerce's catalog prices, NOTES §7A);
- direct save: ``POST /V1/orders`` ``{"entity": ...}`` with Walmart's prices verbatim (no reservation, no totals,
  no side effects on a real store: NOTES §7B).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from channel_manager.commerce.models import (
    CHANNEL_PAYMENT_METHOD,
    CHANNEL_PAYMENT_TITLE,
    CHANNEL_SHIPPING_CARRIER,
    ChannelAddress,
    ChannelOrder,
    ChannelOrderLine,
    CommerceOrderItem,
)
from channel_manager.commerce.search_criteria import commerce_timestamp


def money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.0001")))


def split_name(full_name: str) -> tuple[str, str]:
    """Commerce wants first and last name; a one-word name is used for both."""
    parts = full_name.strip().split()
    if not parts:
        return "Customer", "Customer"
    if len(parts) == 1:
        return parts[0], parts[0]
    return " ".join(parts[:-1]), parts[-1]


def order_address(order: ChannelOrder, address: ChannelAddress, address_type: str) -> dict[str, Any]:
    first, last = split_name(address.name)
    street = [address.address1] + ([address.address2] if address.address2 else [])
    return {
        "address_type": address_type,
        "firstname": first,
        "lastname": last,
        "street": street,
        "city": address.city,
        "region_code": address.state,
        "region": address.state,
        "postcode": address.postal_code,
        "country_id": address.country,
        "telephone": address.phone or order.phone or "0000000000",
        "email": order.customer_email,
    }


def quote_address(order: ChannelOrder, address: ChannelAddress) -> dict[str, Any]:
    data = order_address(order, address, "shipping")
    del data["address_type"]
    data["same_as_billing"] = 1
    return data


def _line_tax_percent(line: ChannelOrderLine) -> float:
    if line.row_total == 0:
        return 0.0
    return money(line.tax_amount / line.row_total * 100)


def module_address(order: ChannelOrder, address: ChannelAddress) -> dict[str, Any]:
    first, last = split_name(address.name)
    return {
        "firstname": first,
        "lastname": last,
        "street": [address.address1] + ([address.address2] if address.address2 else []),
        "city": address.city,
        "region_code": address.state,
        "postcode": address.postal_code,
        "country_id": address.country,
        "telephone": address.phone or order.phone or "0000000000",
    }


def module_order_body(order: ChannelOrder, *, store_id: int = 1) -> dict[str, Any]:
    """``POST /V1/channel-manager/orders`` body (the module's ``ChannelOrderInterface``)."""
    first, last = split_name(order.customer_name)
    return {
        "order": {
            "channel": order.channel_name.lower(),
            "external_order_id": order.purchase_order_id,
            "store_id": store_id,
            "currency_code": order.currency,
            "increment_id": order.increment_id,
            "customer": {
                "email": order.customer_email,
                "firstname": first,
                "lastname": last,
                "mode": order.customer_mode,
            },
            "shipping_address": module_address(order, order.shipping_address),
            "shipping": {
                "method": order.ship_method_code,
                "amount": money(order.shipping_amount),
                "tax_amount": money(order.shipping_tax_amount),
            },
            "items": [
                {
                    "line_number": line.line_number,
                    "sku": line.sku,
                    "qty": line.quantity,
                    "price": money(line.unit_price),
                    "tax_amount": money(line.tax_amount),
                }
                for line in order.lines
            ],
            "comment": order.comment(),
        }
    }


def _direct_item(line: ChannelOrderLine, *, store_id: int, product_ids: dict[str, int] | None) -> dict[str, Any]:
    """One item of a ``POST /V1/orders`` entity, at Walmart's price and tax."""
    tax = line.tax_amount
    return {
        **({"product_id": product_ids[line.sku]} if product_ids and line.sku in product_ids else {}),
        "sku": line.sku,
        "name": line.product_name,
        "product_type": "simple",
        "qty_ordered": line.quantity,
        "price": money(line.unit_price),
        "base_price": money(line.unit_price),
        "original_price": money(line.unit_price),
        "price_incl_tax": money(line.unit_price + tax / line.quantity),
        "row_total": money(line.row_total),
        "base_row_total": money(line.row_total),
        "row_total_incl_tax": money(line.row_total + tax),
        "tax_amount": money(tax),
        "base_tax_amount": money(tax),
        "tax_percent": _line_tax_percent(line),
        "discount_amount": 0,
        "ext_order_item_id": line.line_number,
        "store_id": store_id,
    }


def _direct_totals(order: ChannelOrder) -> dict[str, Any]:
    """The order's totals, each with its ``base_`` twin (the order is in one currency), and what is due."""
    totals = {
        "subtotal": money(order.subtotal),
        "shipping_amount": money(order.shipping_amount),
        "shipping_tax_amount": money(order.shipping_tax_amount),
        "tax_amount": money(order.tax_amount),
        "discount_amount": 0,
        "grand_total": money(order.grand_total),
    }
    return {
        **totals,
        **{f"base_{key}": value for key, value in totals.items()},
        "shipping_incl_tax": money(order.shipping_amount + order.shipping_tax_amount),
        "total_due": money(order.grand_total),
        "base_total_due": money(order.grand_total),
    }


def _direct_payment(order: ChannelOrder) -> dict[str, Any]:
    return {
        "method": CHANNEL_PAYMENT_METHOD,
        "amount_ordered": money(order.grand_total),
        "base_amount_ordered": money(order.grand_total),
        "po_number": order.purchase_order_id,
        "additional_information": [CHANNEL_PAYMENT_TITLE],
    }


def _direct_shipping_assignment(order: ChannelOrder) -> dict[str, Any]:
    """The order's one shipping assignment: the shipping address, the channel carrier's method, the amount."""
    shipping_amount = money(order.shipping_amount)
    return {
        "shipping": {
            "address": order_address(order, order.shipping_address, "shipping"),
            "method": f"{CHANNEL_SHIPPING_CARRIER}_{order.shipping_method_code}",
            "total": {
                "shipping_amount": shipping_amount,
                "base_shipping_amount": shipping_amount,
            },
        },
        "items": [],
    }


def direct_order_entity(
    order: ChannelOrder, *, store_id: int = 1, product_ids: dict[str, int] | None = None
) -> dict[str, Any]:
    """``POST /V1/orders`` body for a new order carrying Walmart's prices verbatim (``product_ids`` by SKU)."""
    first, last = split_name(order.customer_name)
    entity: dict[str, Any] = {
        "store_id": store_id,
        "state": "new",
        "status": "pending",
        "ext_order_id": order.purchase_order_id,
        "ext_customer_id": order.customer_order_id,
        "customer_email": order.customer_email,
        "customer_firstname": first,
        "customer_lastname": last,
        "customer_is_guest": 1,
        "customer_group_id": 0,
        "order_currency_code": order.currency,
        "base_currency_code": order.currency,
        "store_currency_code": order.currency,
        "global_currency_code": order.currency,
        "base_to_global_rate": 1,
        "base_to_order_rate": 1,
        "shipping_description": order.shipping_description,
        "total_qty_ordered": sum(line.quantity for line in order.lines),
        "total_item_count": len(order.lines),
        "is_virtual": 0,
        **_direct_totals(order),
        "items": [_direct_item(line, store_id=store_id, product_ids=product_ids) for line in order.lines],
        "billing_address": order_address(order, order.shipping_address, "billing"),
        "payment": _direct_payment(order),
        "status_histories": [
            {
                "comment": order.comment(),
                "status": "pending",
                "is_customer_notified": 0,
                "is_visible_on_front": 0,
                "entity_name": "order",
            }
        ],
        "extension_attributes": {"shipping_assignments": [_direct_shipping_assignment(order)]},
        "created_at": commerce_timestamp(order.order_date),
    }
    return {"entity": entity}


def cart_item(cart_id: int, line: ChannelOrderLine) -> dict[str, Any]:
    return {"cartItem": {"sku": line.sku, "qty": line.quantity, "quote_id": str(cart_id)}}


def shipping_information(
    order: ChannelOrder, *, carrier_code: str = CHANNEL_SHIPPING_CARRIER, method_code: str | None = None
) -> dict[str, Any]:
    """The cart's addresses and shipping method: the store's own carrier and method when given, else the
    module's ``channelshipping_<walmart method>``."""
    address = quote_address(order, order.shipping_address)
    return {
        "addressInformation": {
            "shipping_address": address,
            "billing_address": address,
            "shipping_carrier_code": carrier_code,
            "shipping_method_code": method_code or order.shipping_method_code,
        }
    }


def place_order_body(payment_method: str = CHANNEL_PAYMENT_METHOD, po_number: str | None = None) -> dict[str, Any]:
    return {"paymentMethod": {"method": payment_method, "po_number": po_number}}


def match_items_to_lines(items: Sequence[CommerceOrderItem], lines: Sequence[ChannelOrderLine]) -> dict[int, list[str]]:
    """Map Commerce order items (placed by the cart flow) back to Walmart line numbers.

    A cart merges lines of the same SKU into one item, so items are matched by SKU, lines of one
    SKU in order; returns ``{item_id: [line_number, ...]}``. Raises ``ValueError`` when the order's
    items and quantities differ from the PO's.
    """
    by_sku: dict[str, list[ChannelOrderLine]] = {}
    for line in lines:
        by_sku.setdefault(line.sku, []).append(line)
    mapping: dict[int, list[str]] = {}
    for item in items:
        if item.parent_item_id:
            continue
        group = by_sku.pop(item.sku, None)
        if group is None:
            raise ValueError(f"order item {item.item_id} (SKU {item.sku}) is not in the purchase order")
        if sum(line.quantity for line in group) != item.qty_ordered:
            raise ValueError(f"order item {item.item_id} (SKU {item.sku}) has another quantity than the PO")
        mapping[item.item_id] = [line.line_number for line in group]
    if by_sku:
        raise ValueError(f"SKUs {', '.join(sorted(by_sku))} of the purchase order are missing from the order")
    return mapping


def tag_order_entity(
    entity_id: int,
    increment_id: str,
    purchase_order_id: str,
    customer_order_id: str,
    item_lines: dict[int, list[str]],
    skus: dict[int, str],
) -> dict[str, Any]:
    """``POST /V1/orders`` partial update: store the PO number (and line numbers) on a placed order.

    ``increment_id`` is resent, otherwise Commerce generates a new one (NOTES.md section 6).
    """
    return {
        "entity": {
            "entity_id": entity_id,
            "increment_id": increment_id,
            "ext_order_id": purchase_order_id,
            "ext_customer_id": customer_order_id,
            "items": [
                {"item_id": item_id, "sku": skus[item_id], "ext_order_item_id": ",".join(numbers)}
                for item_id, numbers in item_lines.items()
            ],
        }
    }
