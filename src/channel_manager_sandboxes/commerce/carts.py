"""The admin cart (quote) path: ``POST /V1/carts/``, items, shipping information, place order
(NOTES.md section 7A). Prices come from the catalog; the cart item's price is ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce.entities import num
from channel_manager_sandboxes.commerce.errors import bad_request, not_found, required
from channel_manager_sandboxes.commerce.events import ORDER_SAVED
from channel_manager_sandboxes.commerce.order_records import PAYMENT_METHODS
from channel_manager_sandboxes.commerce.order_rules import money
from channel_manager_sandboxes.commerce.orders import NewOrder

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

CHANNEL_CARRIER = "channelshipping"
CHANNEL_SHIPPING_TITLE = "Channel Shipping"
# docs/module-contract: the method code is the Walmart method code lower-cased; the title is Walmart's.
WALMART_METHOD_TITLES = {
    "standard": "Standard",
    "express": "Express",
    "oneday": "OneDay",
    "freight": "Freight",
    "whiteglove": "WhiteGlove",
    "value": "Value",
}


def shipping_description(carrier: str, method: str) -> str:
    if carrier == CHANNEL_CARRIER:
        return f"{CHANNEL_SHIPPING_TITLE} - {WALMART_METHOD_TITLES.get(method, str(method).title())}"
    return "Flat Rate - Fixed"


def cart_shipping_amount(cart: dict[str, Any]) -> float:
    if cart["carrier"] == "flatrate":
        return 5.0 * sum(i["qty"] for i in cart["items"])
    return 0.0  # Channel Shipping: the marketplace collected shipping; the carrier charges nothing


def cart_totals(cart: dict[str, Any]) -> dict[str, Any]:
    subtotal = sum(i["price"] * i["qty"] for i in cart["items"])
    shipping = cart_shipping_amount(cart)
    return {
        "grand_total": money(subtotal + shipping),
        "base_grand_total": money(subtotal + shipping),
        "subtotal": money(subtotal),
        "base_subtotal": money(subtotal),
        "shipping_amount": money(shipping),
        "base_shipping_amount": money(shipping),
        "tax_amount": 0,
        "base_tax_amount": 0,
        "discount_amount": 0,
        "base_discount_amount": 0,
        "items_qty": money(sum(i["qty"] for i in cart["items"])),
        "weee_tax_applied_amount": 0,
        "quote_currency_code": "USD",
        "base_currency_code": "USD",
        "total_segments": [
            {"code": "subtotal", "title": "Subtotal", "value": money(subtotal)},
            {"code": "shipping", "title": "Shipping & Handling", "value": money(shipping)},
            {"code": "grand_total", "title": "Grand Total", "value": money(subtotal + shipping)},
        ],
    }


class Carts:
    def __init__(self, sandbox: CommerceSandbox) -> None:
        self.sandbox = sandbox
        self.carts: dict[int, dict[str, Any]] = {}

    def _cart(self, cart_id: int) -> dict[str, Any]:
        cart = self.carts.get(int(cart_id))
        if cart is None or not cart["active"]:
            raise not_found(
                "No such entity with %fieldName = %fieldValue", {"fieldName": "cartId", "fieldValue": cart_id}
            )
        return cart

    def create_cart(self, store_id: int) -> int:
        with self.sandbox.lock:
            cart_id = self.sandbox.next_id("quote")
            self.carts[cart_id] = {
                "id": cart_id,
                "store_id": store_id,
                "items": [],
                "active": True,
                "shipping_address": None,
                "billing_address": None,
                "carrier": None,
                "method": None,
                "order_id": None,
            }
            return cart_id

    def add_cart_item(self, cart_id: int, data: dict[str, Any]) -> dict[str, Any]:
        with self.sandbox.lock:
            cart = self._cart(cart_id)
            sku = str(data.get("sku") or "")
            wanted = num(data.get("qty"))
            if wanted <= 0:
                raise bad_request("The qty value is required to update quote item.")
            existing = next((i for i in cart["items"] if i["sku"] == sku), None)
            total = wanted + (existing["qty"] if existing else 0)
            product = self.sandbox.catalog.check_addable(sku, total)
            if existing is None:
                existing = {
                    "item_id": self.sandbox.next_id("quote_item"),
                    "sku": sku,
                    "qty": 0,
                    "name": product.name,
                    "price": product.price,
                    "product_type": product.type_id,
                    "quote_id": str(cart_id),
                }
                cart["items"].append(existing)
            existing["qty"] = money(total)
            existing["price"] = product.price
            return dict(existing)

    def set_shipping_information(self, cart_id: int, info: dict[str, Any]) -> dict[str, Any]:
        with self.sandbox.lock:
            cart = self._cart(cart_id)
            if not info:
                raise required("addressInformation")
            address = info.get("shipping_address") or info.get("shippingAddress")
            if not address:
                raise bad_request("The shipping address is missing. Set the address and try again.")
            carrier = info.get("shipping_carrier_code") or info.get("shippingCarrierCode")
            method = info.get("shipping_method_code") or info.get("shippingMethodCode")
            if not (carrier == CHANNEL_CARRIER and method) and not (carrier == "flatrate" and method == "flatrate"):
                raise bad_request("Carrier with such method not found: %1, %2", [carrier, method])
            cart.update(
                {
                    "shipping_address": address,
                    "billing_address": info.get("billing_address") or info.get("billingAddress") or address,
                    "carrier": carrier,
                    "method": method,
                }
            )
            return {
                "payment_methods": [{"code": code, "title": title} for code, title in PAYMENT_METHODS.items()],
                "totals": cart_totals(cart),
            }

    def place_cart_order(self, cart_id: int, payment: dict[str, Any] | None) -> int:
        sandbox = self.sandbox
        with sandbox.lock:
            cart = self._cart(cart_id)
            method = (payment or {}).get("method")
            if not cart["items"]:
                raise bad_request("Unable to place order: the cart has no items.")
            if not cart["carrier"]:
                raise bad_request("The shipping method is missing. Select the shipping method and try again.")
            if not method or method not in PAYMENT_METHODS:
                raise bad_request("The requested Payment Method is not available.")
            billing = cart["billing_address"] or {}
            email = billing.get("email") or (cart["shipping_address"] or {}).get("email")
            if not email:
                raise bad_request("Email has a wrong format")
            for item in cart["items"]:
                sandbox.catalog.check_addable(item["sku"], item["qty"])
            order = sandbox.order_store.insert(self._new_order(cart, billing, email, method, payment or {}))
            cart["active"] = False
            cart["order_id"] = order["entity_id"]
            sandbox.emit(ORDER_SAVED, sandbox.order_store.render(order))
            return int(order["entity_id"])

    @staticmethod
    def _new_order(
        cart: dict[str, Any], billing: dict[str, Any], email: str, method: str, payment: dict[str, Any]
    ) -> NewOrder:
        items = [
            {
                "sku": i["sku"],
                "name": i["name"],
                "qty_ordered": i["qty"],
                "price": i["price"],
                "quote_item_id": i["item_id"],
            }
            for i in cart["items"]
        ]
        fields = {
            "quote_id": cart["id"],
            "customer_email": email,
            "customer_firstname": billing.get("firstname"),
            "customer_lastname": billing.get("lastname"),
            "shipping_amount": cart_shipping_amount(cart),
            "shipping_description": shipping_description(cart["carrier"], cart["method"]),
        }
        return NewOrder(
            store_id=cart["store_id"],
            fields=fields,
            items=items,
            billing=billing,
            shipping=cart["shipping_address"],
            shipping_method=f"{cart['carrier']}_{cart['method']}",
            payment={"method": method, "po_number": payment.get("po_number")},
        )
