"""Orders: creating them (direct save, and for the cart and module paths), reading and rendering
them, the partial update of ``POST /V1/orders`` with an ``entity_id``, and their comment history."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce import order_records as records
from channel_manager_sandboxes.commerce.entities import clean, num
from channel_manager_sandboxes.commerce.errors import NOT_FOUND_ENTITY, bad_request, not_found, required
from channel_manager_sandboxes.commerce.events import ORDER_SAVED
from channel_manager_sandboxes.commerce.order_records import NESTED_ORDER_KEYS, PAYMENT_METHODS

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox


@dataclass
class NewOrder:
    """What a new order is made of, whichever path creates it."""

    store_id: int
    fields: dict[str, Any]
    items: list[dict[str, Any]]
    billing: dict[str, Any] | None
    shipping: dict[str, Any] | None
    shipping_method: str | None
    payment: dict[str, Any]
    histories: list[dict[str, Any]] = field(default_factory=list)
    resolve_products: bool = True
    """Look each SKU up in the catalog (product id, weight, default price) and reserve its quantity (MSI), as a
    quote does. A direct save (``POST /V1/orders``) does neither (NOTES.md section 7B)."""


class OrderStore:
    def __init__(self, sandbox: CommerceSandbox) -> None:
        self.sandbox = sandbox
        self.orders: dict[int, dict[str, Any]] = {}

    # ------------------------------------------------------------ reads

    def order(self, order_id: int) -> dict[str, Any]:
        order = self.orders.get(int(order_id))
        if order is None:
            raise not_found(NOT_FOUND_ENTITY)
        return order

    @staticmethod
    def render(order: dict[str, Any]) -> dict[str, Any]:
        data = clean(order)
        for assignment in data.get("extension_attributes", {}).get("shipping_assignments", []):
            assignment["items"] = copy.deepcopy(data["items"])
        return data

    def duplicate_ext_order_ids(self) -> int:
        """Orders beyond the first that share an ``ext_order_id`` (0 when the connector is right)."""
        counts = Counter(o["ext_order_id"] for o in self.orders.values() if o.get("ext_order_id"))
        return sum(n - 1 for n in counts.values() if n > 1)

    # ------------------------------------------------------------ history and addresses

    def history(
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
            "entity_id": self.sandbox.next_id("history"),
            "parent_id": order["entity_id"],
            "comment": comment,
            "status": status if status is not None else order.get("status"),
            "created_at": self.sandbox.clock.stamp(),
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
        address.update(
            {"entity_id": self.sandbox.next_id("address"), "parent_id": order_id, "address_type": address_type}
        )
        if isinstance(address.get("street"), str):
            address["street"] = [address["street"]]
        return address

    # ------------------------------------------------------------ creation

    def insert(self, new: NewOrder) -> dict[str, Any]:
        sandbox = self.sandbox
        order_id = sandbox.next_id("order")
        now = sandbox.clock.stamp()
        order = records.order_header(
            order_id, new.store_id, sandbox.store_book.store_name(new.store_id), new.fields, now
        )
        if not order["increment_id"]:
            order["increment_id"] = sandbox.next_increment("order", new.store_id)
        order["items"] = [self._item(data, order_id, new, now) for data in new.items]
        records.apply_totals(order, new.fields, order["items"])
        order["billing_address"] = self._address(new.billing, order_id, "billing")
        order["billing_address_id"] = (order["billing_address"] or {}).get("entity_id")
        order["payment"] = records.payment_record(order, new.payment, sandbox.next_id("payment"))
        shipping_address = self._address(new.shipping, order_id, "shipping")
        order["extension_attributes"] = records.extension_attributes(order, shipping_address, new.shipping_method)
        order["status_histories"] = []
        self.orders[order_id] = order
        for history in reversed(new.histories):
            self.history(
                order,
                str(history.get("comment", "")),
                history.get("status") or order["status"],
                notified=int(history.get("is_customer_notified") or 0),
                visible=int(history.get("is_visible_on_front") or 0),
            )
        return order

    def _item(self, data: dict[str, Any], order_id: int, new: NewOrder, now: str) -> dict[str, Any]:
        catalog = self.sandbox.catalog
        product = catalog.products.get(data["sku"]) if new.resolve_products else None
        item = records.order_item(
            data,
            item_id=self.sandbox.next_id("order_item"),
            order_id=order_id,
            store_id=new.store_id,
            product=product,
            reserved=new.resolve_products,
            now=now,
        )
        if new.resolve_products:
            catalog.reserve(item["sku"], item["_reserved"])
        return item

    def save_order(self, entity: dict[str, Any], store_id: int) -> dict[str, Any]:
        """``POST /V1/orders``: a partial update when ``entity_id`` is given, else a direct save."""
        sandbox = self.sandbox
        with sandbox.lock:
            if entity.get("entity_id"):
                return self._partial_update(entity)
            items = self._checked_direct_items(entity)
            payment = entity.get("payment") or {}
            if not payment.get("method"):
                raise required("method")
            if payment["method"] not in PAYMENT_METHODS:
                raise bad_request("The requested Payment Method is not available.")
            assignment = ((entity.get("extension_attributes") or {}).get("shipping_assignments") or [{}])[0]
            shipping = assignment.get("shipping") or {}
            new = NewOrder(
                store_id=int(entity.get("store_id") or store_id),
                fields={k: v for k, v in entity.items() if k not in NESTED_ORDER_KEYS},
                items=items,
                billing=entity.get("billing_address"),
                shipping=shipping.get("address"),
                shipping_method=shipping.get("method"),
                payment=payment,
                histories=entity.get("status_histories") or [],
                resolve_products=False,
            )
            data = self.render(self.insert(new))
            sandbox.emit(ORDER_SAVED, data)
            return data

    def _checked_direct_items(self, entity: dict[str, Any]) -> list[dict[str, Any]]:
        if not entity.get("customer_email"):
            raise required("customer_email")
        items = entity.get("items") or []
        if not items:
            raise bad_request("Please specify order items.")
        for item in items:
            sku = item.get("sku")
            if not sku:
                raise required("sku")
            if sku not in self.sandbox.catalog.products:
                raise bad_request(
                    'The product with SKU "%1" does not exist in this store. A direct order save needs '
                    "existing products (a real store also needs their product_id).",
                    [sku],
                )
            if num(item.get("qty_ordered")) <= 0:
                raise bad_request('The "%1" value must be greater than 0.', ["qty_ordered"])
        return items

    def _partial_update(self, entity: dict[str, Any]) -> dict[str, Any]:
        sandbox = self.sandbox
        order = self.order(int(entity["entity_id"]))
        for key, value in entity.items():
            if key in NESTED_ORDER_KEYS or key == "entity_id":
                continue
            order[key] = value
        if not entity.get("increment_id"):
            order["increment_id"] = sandbox.next_increment("order", order["store_id"])  # Commerce's quirk
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
                self.history(order, str(history.get("comment", "")), history.get("status"))
        sandbox.touch(order)
        data = self.render(order)
        sandbox.emit(ORDER_SAVED, data)
        return data
