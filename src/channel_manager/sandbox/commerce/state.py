"""The sandbox's in-memory store: stores, catalog, carts, orders, invoices, shipments, credit memos.

One re-entrant lock guards everything; every public method takes it. Entities are kept as dicts in
Commerce's own shape (internal bookkeeping under keys starting with ``_``) and rendered with nulls
and internal keys dropped. Rules follow NOTES.md sections 4, 5, 7, 8 and 9.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from channel_manager.sandbox.commerce import order_rules as rules
from channel_manager.sandbox.commerce.catalog import ENABLED, Catalog
from channel_manager.sandbox.commerce.clock import SandboxClock
from channel_manager.sandbox.commerce.errors import (
    NOT_FOUND_ENTITY,
    SandboxApiError,
    bad_request,
    not_found,
    required,
)
from channel_manager.sandbox.commerce.order_rules import EPSILON, money

ORDER_SAVED = "observer.sales_order_save_after"
SHIPMENT_SAVED = "observer.sales_order_shipment_save_after"
CREDIT_MEMO_SAVED = "observer.sales_order_creditmemo_save_after"
ORDER_CANCELED = "observer.order_cancel_after"
STOCK_CHANGED = "observer.cataloginventory_stock_item_save_commit_after"

PAYMENT_METHODS = {
    "channelpayment": "Offline Channel Payment",
    "checkmo": "Check / Money order",
    "free": "No Payment Information Required",
}
CHANNEL_SHIPPING_TITLE = "Channel Shipping"
WALMART_METHOD_TITLES = {
    "standard": "Standard",
    "express": "Express",
    "oneday": "OneDay",
    "freight": "Freight",
    "whiteglove": "WhiteGlove",
    "value": "Value",
}
_NESTED_ORDER_KEYS = {"items", "billing_address", "payment", "status_histories", "extension_attributes"}

EventListener = Callable[[str, dict[str, Any]], None]


def clean(value: Any) -> Any:
    """Deep copy without nulls and without ``_`` bookkeeping keys (Commerce omits null fields)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None and not str(k).startswith("_")}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _validation(kind: str, messages: list[str]) -> SandboxApiError:
    return bad_request(f"{kind} Document Validation Error(s):\n" + "\n".join(messages))


class CommerceSandbox:
    """State of one sandbox Commerce installation. Thread-safe."""

    def __init__(self, clock: SandboxClock | None = None, *, ship_id_as_string: bool = False) -> None:
        self.lock = threading.RLock()
        self.clock = clock or SandboxClock()
        self.ship_id_as_string = ship_id_as_string
        self.catalog = Catalog()
        self.stores: dict[str, dict[str, Any]] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.carts: dict[int, dict[str, Any]] = {}
        self.invoices: dict[int, dict[str, Any]] = {}
        self.shipments: dict[int, dict[str, Any]] = {}
        self.creditmemos: dict[int, dict[str, Any]] = {}
        self.listeners: list[EventListener] = []
        self._ids: Counter[str] = Counter()
        self._increments: Counter[tuple[str, int]] = Counter()
        self.add_store("default", "Default Store View")

    # ------------------------------------------------------------------ plumbing

    def _id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def _increment(self, kind: str, store_id: int) -> str:
        self._increments[(kind, store_id)] += 1
        prefix = "" if store_id == 1 else str(store_id)
        return f"{prefix}{self._increments[(kind, store_id)]:09d}"

    def _emit(self, event: str, data: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event, data)

    def _touch(self, order: dict[str, Any]) -> str:
        stamp = self.clock.stamp()
        order["updated_at"] = stamp
        return stamp

    # ------------------------------------------------------------------ stores

    def add_store(self, code: str, name: str | None = None) -> dict[str, Any]:
        with self.lock:
            if code in self.stores:
                return dict(self.stores[code])
            store_id = len(self.stores) + 1
            store = {
                "id": store_id,
                "code": code,
                "name": name or code,
                "website_id": 1,
                "store_group_id": 1,
                "is_active": 1,
            }
            self.stores[code] = store
            return dict(store)

    def store_id_for(self, code: str | None) -> int:
        with self.lock:
            if code in (None, "", "all", "default"):
                return 1
            store = self.stores.get(code)
            if store is None:
                raise not_found("The store that was requested wasn't found. Verify the store and try again.")
            return int(store["id"])

    def store_views(self) -> list[dict[str, Any]]:
        with self.lock:
            admin = {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1}
            return [admin, *(dict(s) for s in self.stores.values())]

    # ------------------------------------------------------------------ catalog

    def upsert_product(
        self,
        sku: str,
        *,
        name: str | None = None,
        price: float | None = None,
        status: int | None = None,
        quantity: float | None = None,
        source_code: str = "default",
    ) -> dict[str, Any]:
        with self.lock:
            self.catalog.upsert(sku, name, price, status)
            if quantity is not None:
                self._set_source_item(sku, source_code, quantity, 1 if quantity > 0 else 0)
            return self.product_view(sku)

    def product_view(self, sku: str) -> dict[str, Any]:
        with self.lock:
            product = self.catalog.product(sku)
            return {
                **product.render(),
                "source_items": [r for r in self.catalog.source_rows() if r["sku"] == sku],
                "reserved_qty": self.catalog.reserved.get(sku, 0.0),
                "salable_qty": self.catalog.salable_quantity(sku),
            }

    def products(self) -> list[dict[str, Any]]:
        with self.lock:
            return [self.product_view(sku) for sku in self.catalog.products]

    def delete_product(self, sku: str) -> None:
        with self.lock:
            self.catalog.delete(sku)

    def _set_source_item(self, sku: str, source_code: str, quantity: float, status: int) -> dict[str, Any]:
        row = self.catalog.set_source_item(sku, source_code, quantity, status)
        self._emit(STOCK_CHANGED, {**row, "salable_qty": self.catalog.salable_quantity(sku)})
        return row

    def save_source_items(self, items: list[dict[str, Any]]) -> None:
        with self.lock:
            if not items:
                raise bad_request("Input data is empty")
            for item in items:
                self._set_source_item(
                    str(item.get("sku", "")),
                    str(item.get("source_code") or "default"),
                    _num(item.get("quantity")),
                    int(item.get("status", 1)),
                )

    def source_item_rows(self) -> list[dict[str, Any]]:
        with self.lock:
            return self.catalog.source_rows()

    def salable_quantity(self, sku: str, stock_id: int) -> float:
        with self.lock:
            if stock_id != 1:
                raise not_found("The stock that was requested doesn't exist. Verify the stock and try again.")
            return self.catalog.salable_quantity(sku)

    # ------------------------------------------------------------------ orders: reads

    def _order(self, order_id: int) -> dict[str, Any]:
        order = self.orders.get(int(order_id))
        if order is None:
            raise not_found(NOT_FOUND_ENTITY)
        return order

    def render_order(self, order: dict[str, Any]) -> dict[str, Any]:
        data = clean(order)
        for assignment in data.get("extension_attributes", {}).get("shipping_assignments", []):
            assignment["items"] = copy.deepcopy(data["items"])
        return data

    def get_order(self, order_id: int) -> dict[str, Any]:
        with self.lock:
            return self.render_order(self._order(order_id))

    def order_rows(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.orders.values())

    def order_comments(self, order_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return clean(self._order(order_id)["status_histories"])

    def duplicate_ext_order_ids(self) -> int:
        """Orders beyond the first that share an ``ext_order_id`` (0 when the connector is right)."""
        with self.lock:
            counts = Counter(o["ext_order_id"] for o in self.orders.values() if o.get("ext_order_id"))
            return sum(n - 1 for n in counts.values() if n > 1)

    # ------------------------------------------------------------------ orders: creation

    def _history(
        self,
        order: dict[str, Any],
        comment: str,
        status: str | None = None,
        *,
        notified: int = 0,
        visible: int = 0,
        entity_name: str = "order",
    ) -> dict[str, Any]:
        row = {
            "entity_id": self._id("history"),
            "parent_id": order["entity_id"],
            "comment": comment,
            "status": status if status is not None else order.get("status"),
            "created_at": self.clock.stamp(),
            "is_customer_notified": int(notified),
            "is_visible_on_front": int(visible),
            "entity_name": entity_name,
        }
        order["status_histories"].insert(0, row)  # Commerce lists newest first
        return row

    def _address(self, data: dict[str, Any] | None, order_id: int, address_type: str) -> dict[str, Any] | None:
        if not data:
            return None
        address = {k: v for k, v in data.items() if k not in ("same_as_billing", "save_in_address_book")}
        address.update({"entity_id": self._id("address"), "parent_id": order_id, "address_type": address_type})
        if isinstance(address.get("street"), str):
            address["street"] = [address["street"]]
        return address

    def _insert_order(
        self,
        *,
        store_id: int,
        fields: dict[str, Any],
        items: list[dict[str, Any]],
        billing: dict[str, Any] | None,
        shipping: dict[str, Any] | None,
        shipping_method: str | None,
        payment: dict[str, Any],
        histories: list[dict[str, Any]],
    ) -> dict[str, Any]:
        order_id = self._id("order")
        now = self.clock.stamp()
        currency = fields.get("order_currency_code") or "USD"
        order: dict[str, Any] = {
            "entity_id": order_id,
            "state": "new",
            "status": "pending",
            "store_id": store_id,
            "store_name": next((s["name"] for s in self.stores.values() if s["id"] == store_id), None),
            "customer_is_guest": 1,
            "customer_group_id": 0,
            "is_virtual": 0,
            "email_sent": 0,
            "order_currency_code": currency,
            "base_currency_code": currency,
            "store_currency_code": currency,
            "global_currency_code": currency,
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
        order.update({k: v for k, v in fields.items() if k not in _NESTED_ORDER_KEYS and k != "entity_id"})
        order["entity_id"] = order_id
        order["store_id"] = store_id
        order.setdefault("increment_id", None)
        if not order["increment_id"]:
            order["increment_id"] = self._increment("order", store_id)
        order["created_at"] = fields.get("created_at") or now
        order["updated_at"] = now
        order["protect_code"] = f"{order_id:06x}"
        order_items = []
        for data in items:
            product = self.catalog.products.get(data["sku"])
            qty_ordered = _num(data.get("qty_ordered"))
            price = _num(data.get("price"), product.price if product else 0)
            row_total = _num(data.get("row_total"), price * qty_ordered)
            tax = _num(data.get("tax_amount"))
            item: dict[str, Any] = {
                "product_type": "simple",
                "is_virtual": 0,
                "weight": product.weight if product else 1.0,
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
                "original_price": price,
                "base_original_price": price,
                "tax_percent": 0,
            }
            item.update({k: v for k, v in data.items() if v is not None and k not in ("item_id", "order_id")})
            item.update(
                {
                    "item_id": self._id("order_item"),
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
                    "price_incl_tax": money(
                        _num(data.get("price_incl_tax"), price + (tax / qty_ordered if qty_ordered else 0))
                    ),
                    "row_total_incl_tax": money(_num(data.get("row_total_incl_tax"), row_total + tax)),
                    "row_weight": money((product.weight if product else 1.0) * qty_ordered),
                    "created_at": now,
                    "updated_at": now,
                    "_reserved": qty_ordered,
                    "_returned": 0.0,
                }
            )
            self.catalog.reserve(item["sku"], qty_ordered)
            order_items.append(item)
        order["items"] = order_items
        subtotal = sum(i["row_total"] for i in order_items)
        tax = _num(fields.get("tax_amount"), sum(i["tax_amount"] for i in order_items))
        shipping_amount = _num(fields.get("shipping_amount"))
        grand_total = _num(fields.get("grand_total"), subtotal + shipping_amount + tax)
        totals = {
            "subtotal": _num(fields.get("subtotal"), subtotal),
            "tax_amount": tax,
            "shipping_amount": shipping_amount,
            "grand_total": grand_total,
            "shipping_incl_tax": _num(fields.get("shipping_incl_tax"), shipping_amount),
            "subtotal_incl_tax": _num(
                fields.get("subtotal_incl_tax"), subtotal + sum(i["tax_amount"] for i in order_items)
            ),
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
        order["total_qty_ordered"] = money(sum(i["qty_ordered"] for i in order_items))
        order["total_item_count"] = len(order_items)
        order["weight"] = money(sum(i["row_weight"] for i in order_items))
        order["billing_address"] = self._address(billing, order_id, "billing")
        order["billing_address_id"] = (order["billing_address"] or {}).get("entity_id")
        method = str(payment.get("method") or "")
        order["payment"] = {
            "additional_information": [PAYMENT_METHODS.get(method, method)],
            **{k: v for k, v in payment.items() if v is not None},
            "entity_id": self._id("payment"),
            "parent_id": order_id,
            "method": method,
            "amount_ordered": order["grand_total"],
            "base_amount_ordered": order["grand_total"],
            "shipping_amount": order["shipping_amount"],
            "base_shipping_amount": order["shipping_amount"],
        }
        shipping_address = self._address(shipping, order_id, "shipping")
        order["extension_attributes"] = {
            "shipping_assignments": [
                {
                    "shipping": {
                        "address": shipping_address,
                        "method": shipping_method,
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
            "payment_additional_info": [{"key": "method_title", "value": PAYMENT_METHODS.get(method, method)}],
        }
        order["status_histories"] = []
        self.orders[order_id] = order
        for history in reversed(histories):
            self._history(
                order,
                str(history.get("comment", "")),
                history.get("status") or order["status"],
                notified=int(history.get("is_customer_notified") or 0),
                visible=int(history.get("is_visible_on_front") or 0),
            )
        return order

    def save_order(self, entity: dict[str, Any], store_id: int) -> dict[str, Any]:
        """``POST /V1/orders``: a partial update when ``entity_id`` is given, else a direct save."""
        with self.lock:
            if entity.get("entity_id"):
                return self._partial_update(entity)
            if not entity.get("customer_email"):
                raise required("customer_email")
            items = entity.get("items") or []
            if not items:
                raise bad_request("Please specify order items.")
            for item in items:
                sku = item.get("sku")
                if not sku:
                    raise required("sku")
                if sku not in self.catalog.products:
                    raise bad_request(
                        'The product with SKU "%1" does not exist in this store. A direct order save needs '
                        "existing products (a real store also needs their product_id).",
                        [sku],
                    )
                if _num(item.get("qty_ordered")) <= 0:
                    raise bad_request('The "%1" value must be greater than 0.', ["qty_ordered"])
            payment = entity.get("payment") or {}
            if not payment.get("method"):
                raise required("method")
            if payment["method"] not in PAYMENT_METHODS:
                raise bad_request("The requested Payment Method is not available.")
            assignment = ((entity.get("extension_attributes") or {}).get("shipping_assignments") or [{}])[0]
            shipping = assignment.get("shipping") or {}
            fields = {k: v for k, v in entity.items() if k not in _NESTED_ORDER_KEYS}
            order = self._insert_order(
                store_id=int(entity.get("store_id") or store_id),
                fields=fields,
                items=items,
                billing=entity.get("billing_address"),
                shipping=shipping.get("address"),
                shipping_method=shipping.get("method"),
                payment=payment,
                histories=entity.get("status_histories") or [],
            )
            data = self.render_order(order)
            self._emit(ORDER_SAVED, data)
            return data

    def _partial_update(self, entity: dict[str, Any]) -> dict[str, Any]:
        order = self._order(int(entity["entity_id"]))
        for key, value in entity.items():
            if key in _NESTED_ORDER_KEYS or key == "entity_id":
                continue
            order[key] = value
        if not entity.get("increment_id"):
            order["increment_id"] = self._increment("order", order["store_id"])  # Commerce's quirk
        by_id = {i["item_id"]: i for i in order["items"]}
        for data in entity.get("items") or []:
            item = by_id.get(data.get("item_id"))
            if item is None:
                continue
            for key, value in data.items():
                if key not in ("item_id", "order_id") and not str(key).startswith("qty_"):
                    item[key] = value
        for history in entity.get("status_histories") or []:
            if not history.get("entity_id"):
                self._history(order, str(history.get("comment", "")), history.get("status"))
        self._touch(order)
        data = self.render_order(order)
        self._emit(ORDER_SAVED, data)
        return data

    # ------------------------------------------------------------------ carts

    def _cart(self, cart_id: int) -> dict[str, Any]:
        cart = self.carts.get(int(cart_id))
        if cart is None or not cart["active"]:
            raise not_found(
                "No such entity with %fieldName = %fieldValue", {"fieldName": "cartId", "fieldValue": cart_id}
            )
        return cart

    def create_cart(self, store_id: int) -> int:
        with self.lock:
            cart_id = self._id("quote")
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
        with self.lock:
            cart = self._cart(cart_id)
            sku = str(data.get("sku") or "")
            wanted = _num(data.get("qty"))
            if wanted <= 0:
                raise bad_request("The qty value is required to update quote item.")
            existing = next((i for i in cart["items"] if i["sku"] == sku), None)
            total = wanted + (existing["qty"] if existing else 0)
            product = self.catalog.check_addable(sku, total)
            if existing is None:
                existing = {
                    "item_id": self._id("quote_item"),
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
        with self.lock:
            cart = self._cart(cart_id)
            if not info:
                raise required("addressInformation")
            address = info.get("shipping_address") or info.get("shippingAddress")
            if not address:
                raise bad_request("The shipping address is missing. Set the address and try again.")
            carrier = info.get("shipping_carrier_code") or info.get("shippingCarrierCode")
            method = info.get("shipping_method_code") or info.get("shippingMethodCode")
            if not (carrier == "channelshipping" and method) and not (carrier == "flatrate" and method == "flatrate"):
                raise bad_request("Carrier with such method not found: %1, %2", [carrier, method])
            cart.update(
                {
                    "shipping_address": address,
                    "billing_address": info.get("billing_address") or info.get("billingAddress") or address,
                    "carrier": carrier,
                    "method": method,
                }
            )
            subtotal = sum(i["price"] * i["qty"] for i in cart["items"])
            shipping = self._cart_shipping_amount(cart)
            return {
                "payment_methods": [{"code": code, "title": title} for code, title in PAYMENT_METHODS.items()],
                "totals": {
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
                },
            }

    @staticmethod
    def _cart_shipping_amount(cart: dict[str, Any]) -> float:
        if cart["carrier"] == "flatrate":
            return 5.0 * sum(i["qty"] for i in cart["items"])
        return 0.0  # Channel Shipping: the marketplace collected shipping; the carrier charges nothing

    def place_cart_order(self, cart_id: int, payment: dict[str, Any] | None) -> int:
        with self.lock:
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
                self.catalog.check_addable(item["sku"], item["qty"])
            carrier_title = CHANNEL_SHIPPING_TITLE if cart["carrier"] == "channelshipping" else "Flat Rate"
            method_title = (
                WALMART_METHOD_TITLES.get(cart["method"], str(cart["method"]).title())
                if cart["carrier"] == "channelshipping"
                else "Fixed"
            )
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
                "quote_id": cart_id,
                "customer_email": email,
                "customer_firstname": billing.get("firstname"),
                "customer_lastname": billing.get("lastname"),
                "shipping_amount": self._cart_shipping_amount(cart),
                "shipping_description": f"{carrier_title} - {method_title}",
            }
            order = self._insert_order(
                store_id=cart["store_id"],
                fields=fields,
                items=items,
                billing=billing,
                shipping=cart["shipping_address"],
                shipping_method=f"{cart['carrier']}_{cart['method']}",
                payment={"method": method, "po_number": (payment or {}).get("po_number")},
                histories=[],
            )
            cart["active"] = False
            cart["order_id"] = order["entity_id"]
            self._emit(ORDER_SAVED, self.render_order(order))
            return int(order["entity_id"])

    # ------------------------------------------------------------------ order actions

    def add_comment(self, order_id: int, history: dict[str, Any]) -> bool:
        with self.lock:
            order = self._order(order_id)
            if not history:
                raise required("statusHistory")
            status = history.get("status") or order["status"]  # 2.4 with AC-1342: keep the status
            self._history(
                order,
                str(history.get("comment", "")),
                status,
                notified=int(history.get("is_customer_notified") or 0),
                visible=int(history.get("is_visible_on_front") or 0),
            )
            order["status"] = status
            self._touch(order)
            self._emit(ORDER_SAVED, self.render_order(order))
            return True

    def hold(self, order_id: int) -> bool:
        with self.lock:
            order = self._order(order_id)
            if not rules.can_hold(order):
                raise bad_request("A hold action is not available.")
            order["hold_before_state"], order["hold_before_status"] = order["state"], order["status"]
            order["state"] = order["status"] = "holded"
            self._touch(order)
            self._emit(ORDER_SAVED, self.render_order(order))
            return True

    def unhold(self, order_id: int) -> bool:
        with self.lock:
            order = self._order(order_id)
            if not rules.can_unhold(order):
                raise bad_request("You cannot remove the hold.")
            order["state"] = order.pop("hold_before_state", None) or "new"
            order["status"] = order.pop("hold_before_status", None) or rules.DEFAULT_STATUS[order["state"]]
            self._touch(order)
            self._emit(ORDER_SAVED, self.render_order(order))
            return True

    def cancel(self, order_id: int) -> bool:
        with self.lock:
            order = self._order(order_id)
            if not rules.can_cancel(order):
                return False
            for item in rules.top_items(order):
                canceled = rules.to_cancel(item)
                if canceled <= 0:
                    continue
                item["qty_canceled"] = money(_num(item["qty_canceled"]) + canceled)
                item["tax_canceled"] = money(
                    _num(item.get("tax_canceled")) + _num(item["tax_amount"]) / _num(item["qty_ordered"], 1) * canceled
                )
                release = min(canceled, item["_reserved"])
                item["_reserved"] -= release
                self.catalog.release(item["sku"], release)
            for key in ("subtotal", "tax", "shipping"):
                amount = "subtotal" if key == "subtotal" else f"{key}_amount"
                value = money(_num(order.get(amount)) - _num(order.get(f"{key}_invoiced")))
                order[f"{key}_canceled"] = order[f"base_{key}_canceled"] = value
            order["total_canceled"] = order["base_total_canceled"] = money(
                _num(order["grand_total"]) - _num(order["total_paid"])
            )
            order["total_due"] = order["base_total_due"] = 0
            state = "canceled"
            if any(rules.to_refund(i) > EPSILON for i in rules.top_items(order)):
                state = "processing" if any(rules.to_ship(i) > EPSILON for i in rules.top_items(order)) else "complete"
            order["state"], order["status"] = state, rules.DEFAULT_STATUS[state]
            self._touch(order)
            self._emit(ORDER_CANCELED, self.render_order(order))
            return True

    def _requested_items(
        self,
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
            result.append((by_id.get(item_id), _num(entry.get("qty")), raw_id))
        return result

    def invoice(self, order_id: int, body: dict[str, Any]) -> int:
        with self.lock:
            order = self._order(order_id)
            messages: list[str] = []
            if order["state"] in ("payment_review", "holded", "canceled", "complete", "closed"):
                messages.append(f"An invoice cannot be created when an order has a status of {order['status']}")
            elif not rules.can_invoice(order):
                messages.append("The order does not allow an invoice to be created.")
            lines = self._requested_items(order, body.get("items"), rules.to_invoice)
            for item, wanted, raw_id in lines:
                if item is None:
                    messages.append(
                        f"The invoice contains one or more items that are not part of the original "
                        f'order: item id "{raw_id}".'
                    )
                elif wanted > rules.to_invoice(item) + EPSILON:
                    messages.append(
                        "The quantity to invoice must not be greater than the uninvoiced quantity "
                        f'for product SKU "{item["sku"]}".'
                    )
            if not messages and sum(q for _, q, _ in lines) <= 0:
                messages.append("You can't create an invoice without products.")
            if messages:
                raise _validation("Invoice", messages)
            now = self.clock.stamp()
            invoice_id = self._id("invoice")
            subtotal = tax = 0.0
            invoice_items = []
            for item, wanted, _ in lines:
                assert item is not None
                if wanted <= 0:
                    continue
                row = _num(item["price"]) * wanted
                item_tax = _num(item["tax_amount"]) / _num(item["qty_ordered"], 1) * wanted
                item["qty_invoiced"] = money(_num(item["qty_invoiced"]) + wanted)
                item["row_invoiced"] = item["base_row_invoiced"] = money(_num(item["row_invoiced"]) + row)
                item["tax_invoiced"] = item["base_tax_invoiced"] = money(_num(item["tax_invoiced"]) + item_tax)
                subtotal += row
                tax += item_tax
                invoice_items.append(
                    {
                        "entity_id": self._id("invoice_item"),
                        "parent_id": invoice_id,
                        "order_item_id": item["item_id"],
                        "sku": item["sku"],
                        "name": item.get("name"),
                        "qty": money(wanted),
                        "price": item["price"],
                        "base_price": item["price"],
                        "row_total": money(row),
                        "base_row_total": money(row),
                        "tax_amount": money(item_tax),
                        "product_id": item.get("product_id"),
                    }
                )
            shipping = max(0.0, _num(order["shipping_amount"]) - _num(order.get("shipping_invoiced")))
            shipping_tax = max(0.0, _num(order.get("shipping_tax_amount")) - _num(order.get("shipping_tax_invoiced")))
            tax += shipping_tax
            grand = subtotal + tax + shipping
            for key, delta in (
                ("subtotal_invoiced", subtotal),
                ("tax_invoiced", tax),
                ("shipping_invoiced", shipping),
                ("shipping_tax_invoiced", shipping_tax),
                ("total_invoiced", grand),
                ("total_paid", grand),
            ):
                order[key] = order[f"base_{key}"] = money(_num(order.get(key)) + delta)
            due = max(0.0, _num(order["grand_total"]) - _num(order["total_paid"]))
            order["total_due"] = order["base_total_due"] = money(due)
            payment = order["payment"]
            payment["amount_paid"] = payment["base_amount_paid"] = order["total_paid"]
            payment["shipping_captured"] = payment["base_shipping_captured"] = order["shipping_invoiced"]
            self.invoices[invoice_id] = {
                "entity_id": invoice_id,
                "increment_id": self._increment("invoice", order["store_id"]),
                "order_id": order["entity_id"],
                "store_id": order["store_id"],
                "state": 2,
                "billing_address_id": order.get("billing_address_id"),
                "order_currency_code": order["order_currency_code"],
                "base_currency_code": order["base_currency_code"],
                "subtotal": money(subtotal),
                "base_subtotal": money(subtotal),
                "tax_amount": money(tax),
                "base_tax_amount": money(tax),
                "shipping_amount": money(shipping),
                "base_shipping_amount": money(shipping),
                "grand_total": money(grand),
                "base_grand_total": money(grand),
                "discount_amount": 0,
                "total_qty": money(sum(i["qty"] for i in invoice_items)),
                "created_at": now,
                "updated_at": now,
                "items": invoice_items,
                "comments": [],
            }
            rules.resolve_state(order, in_progress=True)
            self._touch(order)
            self._emit(ORDER_SAVED, self.render_order(order))
            return invoice_id

    def ship(self, order_id: int, body: dict[str, Any]) -> int | str:
        with self.lock:
            order = self._order(order_id)
            messages: list[str] = []
            if order["state"] in ("holded", "payment_review", "canceled"):
                messages.append(f"A shipment cannot be created when an order has a status of {order['status']}")
            elif not rules.can_ship(order):
                messages.append("The order does not allow a shipment to be created.")
            lines = self._requested_items(order, body.get("items"), rules.to_ship)
            for item, wanted, raw_id in lines:
                if item is None:
                    messages.append(
                        f'The shipment contains product SKU "{raw_id}" that is not part of the original order.'
                    )
                elif wanted > rules.to_ship(item) + EPSILON:
                    messages.append(
                        "The quantity to ship must not be greater than the unshipped quantity for "
                        f'product SKU "{item["sku"]}".'
                    )
            if not messages and sum(q for _, q, _ in lines) <= 0:
                messages.append("You can't create a shipment without products.")
            tracks = body.get("tracks") or []
            messages.extend(
                "Please enter a tracking number."
                for t in tracks
                if not str(t.get("track_number") or t.get("trackNumber") or "").strip()
            )
            if messages:
                raise _validation("Shipment", messages)
            arguments = body.get("arguments") or {}
            source_code = str(
                (arguments.get("extension_attributes") or arguments.get("extensionAttributes") or {}).get("source_code")
                or "default"
            )
            if source_code not in self.catalog.sources or any(
                item is not None and wanted > self.catalog.source_quantity(item["sku"], source_code) + EPSILON
                for item, wanted, _ in lines
            ):
                raise bad_request("Could not save a shipment, see error log for details")
            now = self.clock.stamp()
            shipment_id = self._id("shipment")
            shipment_items = []
            for item, wanted, _ in lines:
                assert item is not None
                if wanted <= 0:
                    continue
                item["qty_shipped"] = money(_num(item["qty_shipped"]) + wanted)
                self.catalog.adjust_source(item["sku"], source_code, -wanted)
                release = min(wanted, item["_reserved"])
                item["_reserved"] -= release
                self.catalog.release(item["sku"], release)
                shipment_items.append(
                    {
                        "entity_id": self._id("shipment_item"),
                        "parent_id": shipment_id,
                        "order_item_id": item["item_id"],
                        "sku": item["sku"],
                        "name": item.get("name"),
                        "qty": money(wanted),
                        "price": item["price"],
                        "weight": item.get("weight"),
                        "product_id": item.get("product_id"),
                        "row_total": money(_num(item["price"]) * wanted),
                    }
                )
            comment = body.get("comment") or {}
            shipment = {
                "entity_id": shipment_id,
                "increment_id": self._increment("shipment", order["store_id"]),
                "order_id": order["entity_id"],
                "store_id": order["store_id"],
                "created_at": now,
                "updated_at": now,
                "total_qty": money(sum(i["qty"] for i in shipment_items)),
                "email_sent": int(bool(body.get("notify"))),
                "billing_address_id": order.get("billing_address_id"),
                "packages": [],
                "items": shipment_items,
                "tracks": [
                    {
                        "entity_id": self._id("track"),
                        "order_id": order["entity_id"],
                        "parent_id": shipment_id,
                        "track_number": str(t.get("track_number") or t.get("trackNumber")),
                        "title": str(t.get("title") or ""),
                        "carrier_code": str(t.get("carrier_code") or t.get("carrierCode") or "custom"),
                        "description": str(t.get("description") or ""),
                        "qty": 0,
                        "weight": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for t in tracks
                ],
                "comments": [
                    {
                        "entity_id": self._id("shipment_comment"),
                        "parent_id": shipment_id,
                        "comment": str(comment["comment"]),
                        "is_customer_notified": int(bool(body.get("notify"))),
                        "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
                        "created_at": now,
                    }
                ]
                if comment.get("comment")
                else [],
                "extension_attributes": {"source_code": source_code},
            }
            self.shipments[shipment_id] = shipment
            rules.resolve_state(order, in_progress=True)
            self._touch(order)
            self._emit(SHIPMENT_SAVED, clean(shipment))
            return str(shipment_id) if self.ship_id_as_string else shipment_id

    def add_track(self, entity: dict[str, Any]) -> dict[str, Any]:
        """``POST /V1/shipment/track``: a track added to a shipment after the fact (a corrected or extra
        tracking number). Bumps the shipment's and the order's ``updated_at``; answers the track."""
        with self.lock:
            parent = entity.get("parent_id", entity.get("parentId"))
            if parent is None:
                raise required("parent_id")
            shipment = self.shipments.get(int(parent))
            if shipment is None:
                raise not_found(NOT_FOUND_ENTITY)
            order_id = entity.get("order_id", entity.get("orderId"))
            if order_id is not None and int(order_id) != shipment["order_id"]:
                raise bad_request("The shipment does not belong to order %1.", [order_id])
            number = str(entity.get("track_number") or entity.get("trackNumber") or "").strip()
            if not number:
                raise bad_request("Please enter a tracking number.")
            order = self._order(shipment["order_id"])
            now = self.clock.stamp()
            track = {
                "entity_id": self._id("track"),
                "order_id": shipment["order_id"],
                "parent_id": shipment["entity_id"],
                "track_number": number,
                "title": str(entity.get("title") or ""),
                "carrier_code": str(entity.get("carrier_code") or entity.get("carrierCode") or "custom"),
                "description": str(entity.get("description") or ""),
                "qty": _num(entity.get("qty")),
                "weight": _num(entity.get("weight")),
                "created_at": now,
                "updated_at": now,
            }
            shipment["tracks"].append(track)
            shipment["updated_at"] = now
            self._touch(order)
            self._emit(SHIPMENT_SAVED, clean(shipment))
            return clean(track)

    def refund(self, order_id: int, body: dict[str, Any]) -> int:
        with self.lock:
            order = self._order(order_id)
            currency = order["order_currency_code"]
            messages: list[str] = []
            if order["state"] in ("payment_review", "holded", "canceled", "closed"):
                messages.append(f"A creditmemo can not be created when an order has a status of {order['status']}")
            elif not rules.can_creditmemo(order):
                messages.append("The order does not allow a creditmemo to be created.")
            if messages:
                raise _validation("Creditmemo", messages)
            lines = self._requested_items(order, body.get("items"), rules.to_refund)
            for item, wanted, raw_id in lines:
                if item is None:
                    messages.append(
                        f'The creditmemo contains product SKU "{raw_id}" that is not part of the original order.'
                    )
                elif wanted > rules.to_refund(item) + EPSILON:
                    messages.append(
                        "The quantity to creditmemo must not be greater than the unrefunded quantity "
                        f'for product SKU "{item["sku"]}".'
                    )
            arguments = body.get("arguments") or {}
            remaining_shipping = max(0.0, _num(order.get("shipping_invoiced")) - _num(order.get("shipping_refunded")))
            given_shipping = arguments.get("shipping_amount")
            shipping = remaining_shipping if given_shipping is None else _num(given_shipping)
            if shipping > remaining_shipping + EPSILON:
                messages.append(
                    f"Maximum shipping amount allowed to refund is: {rules.format_price(remaining_shipping, currency)}"
                )
            positive = _num(arguments.get("adjustment_positive"))
            negative = _num(arguments.get("adjustment_negative"))
            subtotal = tax = 0.0
            for item, wanted, _ in lines:
                if item is not None and wanted > 0:
                    subtotal += _num(item["price"]) * wanted
                    tax += _num(item["tax_amount"]) / _num(item["qty_ordered"], 1) * wanted
            grand = subtotal + tax + shipping + positive - negative
            available = rules.refundable_amount(order)
            if not messages and grand > available + 0.00001:
                messages.append(f"The most money available to refund is {rules.format_price(available, currency)}.")
            if not messages and grand <= 0:
                messages.append("The credit memo's total must be positive.")
            if messages:
                raise _validation("Creditmemo", messages)
            now = self.clock.stamp()
            memo_id = self._id("creditmemo")
            extension = arguments.get("extension_attributes") or {}
            return_ids = {int(i) for i in extension.get("return_to_stock_items") or []}
            memo_items = []
            for item, wanted, _ in lines:
                assert item is not None
                if wanted <= 0:
                    continue
                row = _num(item["price"]) * wanted
                item_tax = _num(item["tax_amount"]) / _num(item["qty_ordered"], 1) * wanted
                unshipped_before = rules.to_ship(item)
                item["qty_refunded"] = money(_num(item["qty_refunded"]) + wanted)
                item["amount_refunded"] = item["base_amount_refunded"] = money(_num(item["amount_refunded"]) + row)
                item["tax_refunded"] = money(_num(item["tax_refunded"]) + item_tax)
                release = min(wanted, unshipped_before, item["_reserved"])
                item["_reserved"] -= release
                self.catalog.release(item["sku"], release)
                if item["item_id"] in return_ids:
                    back = min(wanted, _num(item["qty_shipped"]) - item["_returned"])
                    if back > 0:
                        item["_returned"] += back
                        self.catalog.adjust_source(item["sku"], "default", back)
                        row_stock = self.catalog.source_items[(item["sku"], "default")]
                        salable = self.catalog.salable_quantity(item["sku"])
                        self._emit(STOCK_CHANGED, {**row_stock, "salable_qty": salable})
                memo_items.append(
                    {
                        "entity_id": self._id("creditmemo_item"),
                        "parent_id": memo_id,
                        "order_item_id": item["item_id"],
                        "sku": item["sku"],
                        "name": item.get("name"),
                        "qty": money(wanted),
                        "price": item["price"],
                        "base_price": item["price"],
                        "row_total": money(row),
                        "base_row_total": money(row),
                        "tax_amount": money(item_tax),
                        "base_tax_amount": money(item_tax),
                        "discount_amount": 0,
                        "base_cost": 0,
                        "product_id": item.get("product_id"),
                    }
                )
            for key, delta in (
                ("total_refunded", grand),
                ("total_offline_refunded", grand),
                ("subtotal_refunded", subtotal),
                ("tax_refunded", tax),
                ("shipping_refunded", shipping),
                ("adjustment_positive", positive),
                ("adjustment_negative", negative),
            ):
                order[key] = order[f"base_{key}"] = money(_num(order.get(key)) + delta)
            payment = order["payment"]
            payment["amount_refunded"] = payment["base_amount_refunded"] = order["total_refunded"]
            comment = body.get("comment") or {}
            memo = {
                "entity_id": memo_id,
                "increment_id": self._increment("creditmemo", order["store_id"]),
                "order_id": order["entity_id"],
                "store_id": order["store_id"],
                "invoice_id": max(
                    (i["entity_id"] for i in self.invoices.values() if i["order_id"] == order["entity_id"]),
                    default=None,
                ),
                "state": 2,
                "creditmemo_status": None,
                "order_currency_code": currency,
                "base_currency_code": order["base_currency_code"],
                "billing_address_id": order.get("billing_address_id"),
                "subtotal": money(subtotal),
                "base_subtotal": money(subtotal),
                "tax_amount": money(tax),
                "base_tax_amount": money(tax),
                "shipping_amount": money(shipping),
                "base_shipping_amount": money(shipping),
                "adjustment": money(positive - negative),
                "adjustment_positive": money(positive),
                "adjustment_negative": money(negative),
                "base_adjustment_positive": money(positive),
                "base_adjustment_negative": money(negative),
                "discount_amount": 0,
                "grand_total": money(grand),
                "base_grand_total": money(grand),
                "created_at": now,
                "updated_at": now,
                "items": memo_items,
                "comments": [
                    {
                        "entity_id": self._id("creditmemo_comment"),
                        "parent_id": memo_id,
                        "comment": str(comment["comment"]),
                        "is_customer_notified": int(bool(body.get("notify"))),
                        "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
                        "created_at": now,
                    }
                ]
                if comment.get("comment")
                else [],
            }
            self.creditmemos[memo_id] = memo
            rules.resolve_state(order, in_progress=False)
            self._history(order, f"We refunded {rules.format_price(grand, currency)} offline.", order["status"])
            self._touch(order)
            self._emit(CREDIT_MEMO_SAVED, clean(memo))
            return memo_id

    # ------------------------------------------------------------------ documents

    def get_document(self, kind: str, entity_id: int) -> dict[str, Any]:
        with self.lock:
            table = {"invoice": self.invoices, "shipment": self.shipments, "creditmemo": self.creditmemos}[kind]
            doc = table.get(int(entity_id))
            if doc is None:
                raise not_found(NOT_FOUND_ENTITY)
            return clean(doc)

    def document_rows(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            table = {"invoice": self.invoices, "shipment": self.shipments, "creditmemo": self.creditmemos}[kind]
            return list(table.values())

    def snapshot(self) -> dict[str, Any]:
        """Everything, rendered; for ``GET /_sandbox/orders`` and debugging."""
        with self.lock:
            return {"orders": [self.render_order(o) for o in self.orders.values()]}

    def is_enabled(self, sku: str) -> bool:
        with self.lock:
            product = self.catalog.products.get(sku)
            return product is not None and product.status == ENABLED
