"""The sandbox's in-memory store: one object per concept (stores, catalog and stock, orders, carts,
order actions, invoices, shipments, credit memos, the companion module) behind one re-entrant lock.

:class:`CommerceSandbox` composes them and keeps the methods the REST routes, the control API and the
tests call; every public method takes the lock. Entities are kept as dicts in Commerce's own shape
(``entities.py``). Rules follow NOTES.md sections 4, 5, 7, 8, 9 and 10.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from channel_manager_sandboxes.commerce.carts import Carts
from channel_manager_sandboxes.commerce.catalog import Catalog
from channel_manager_sandboxes.commerce.clock import SandboxClock
from channel_manager_sandboxes.commerce.creditmemos import CreditMemos
from channel_manager_sandboxes.commerce.entities import clean
from channel_manager_sandboxes.commerce.errors import NOT_FOUND_ENTITY, not_found
from channel_manager_sandboxes.commerce.events import (
    CREDIT_MEMO_SAVED,
    ORDER_CANCELED,
    ORDER_SAVED,
    SHIPMENT_SAVED,
    STOCK_CHANGED,
    TRACK_SAVED,
    EventListener,
)
from channel_manager_sandboxes.commerce.invoices import Invoices
from channel_manager_sandboxes.commerce.module import ChannelModule, ModuleConfig
from channel_manager_sandboxes.commerce.order_actions import OrderActions
from channel_manager_sandboxes.commerce.orders import OrderStore
from channel_manager_sandboxes.commerce.shipments import Shipments
from channel_manager_sandboxes.commerce.stock import Stock
from channel_manager_sandboxes.commerce.stores import Stores

__all__ = [
    "CREDIT_MEMO_SAVED",
    "ORDER_CANCELED",
    "ORDER_SAVED",
    "SHIPMENT_SAVED",
    "STOCK_CHANGED",
    "TRACK_SAVED",
    "CommerceSandbox",
    "clean",
]


class CommerceSandbox:
    """State of one sandbox Commerce installation. Thread-safe."""

    def __init__(
        self, clock: SandboxClock | None = None, *, ship_id_as_string: bool = False, module: ModuleConfig | None = None
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock or SandboxClock()
        self.ship_id_as_string = ship_id_as_string
        self.catalog = Catalog()
        self.listeners: list[EventListener] = []
        self._ids: Counter[str] = Counter()
        self._increments: Counter[tuple[str, int]] = Counter()
        self.store_book = Stores(self.lock)
        self.stock = Stock(self.catalog, self.clock, self.lock, self.emit)
        self.order_store = OrderStore(self)
        self.cart_book = Carts(self)
        self.actions = OrderActions(self)
        self.invoicing = Invoices(self)
        self.shipping = Shipments(self)
        self.memos = CreditMemos(self)
        self.module = ChannelModule(self, module)
        self.add_store("default", "Default Store View")

    # ------------------------------------------------------------ plumbing shared by the parts

    def next_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    def next_increment(self, kind: str, store_id: int) -> str:
        self._increments[(kind, store_id)] += 1
        prefix = "" if store_id == 1 else str(store_id)
        return f"{prefix}{self._increments[(kind, store_id)]:09d}"

    def emit(self, event: str, data: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event, data)

    def touch(self, order: dict[str, Any]) -> str:
        stamp = self.clock.stamp()
        order["updated_at"] = stamp
        return stamp

    # ------------------------------------------------------------ the tables

    @property
    def stores(self) -> dict[str, dict[str, Any]]:
        return self.store_book.stores

    @property
    def orders(self) -> dict[int, dict[str, Any]]:
        return self.order_store.orders

    @property
    def carts(self) -> dict[int, dict[str, Any]]:
        return self.cart_book.carts

    @property
    def invoices(self) -> dict[int, dict[str, Any]]:
        return self.invoicing.invoices

    @property
    def shipments(self) -> dict[int, dict[str, Any]]:
        return self.shipping.shipments

    @property
    def creditmemos(self) -> dict[int, dict[str, Any]]:
        return self.memos.creditmemos

    # ------------------------------------------------------------ stores

    def add_store(self, code: str, name: str | None = None) -> dict[str, Any]:
        return self.store_book.add_store(code, name)

    def store_id_for(self, code: str | None) -> int:
        return self.store_book.store_id_for(code)

    def store_views(self) -> list[dict[str, Any]]:
        return self.store_book.store_views()

    # ------------------------------------------------------------ catalog and stock

    def upsert_product(self, sku: str, **fields: Any) -> dict[str, Any]:
        return self.stock.upsert_product(sku, **fields)

    def product_view(self, sku: str) -> dict[str, Any]:
        return self.stock.product_view(sku)

    def products(self) -> list[dict[str, Any]]:
        return self.stock.products()

    def delete_product(self, sku: str) -> None:
        self.stock.delete_product(sku)

    def save_source_items(self, items: list[dict[str, Any]]) -> None:
        self.stock.save_source_items(items)

    def source_item_rows(self) -> list[dict[str, Any]]:
        return self.stock.source_item_rows()

    def salable_quantity(self, sku: str, stock_id: int) -> float:
        return self.stock.salable_quantity(sku, stock_id)

    def is_enabled(self, sku: str) -> bool:
        return self.stock.is_enabled(sku)

    # ------------------------------------------------------------ orders

    def render_order(self, order: dict[str, Any]) -> dict[str, Any]:
        return self.order_store.render(order)

    def get_order(self, order_id: int) -> dict[str, Any]:
        with self.lock:
            return self.order_store.render(self.order_store.order(order_id))

    def order_rows(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.orders.values())

    def order_comments(self, order_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return clean(self.order_store.order(order_id)["status_histories"])

    def duplicate_ext_order_ids(self) -> int:
        with self.lock:
            return self.order_store.duplicate_ext_order_ids()

    def save_order(self, entity: dict[str, Any], store_id: int) -> dict[str, Any]:
        return self.order_store.save_order(entity, store_id)

    def create_cart(self, store_id: int) -> int:
        return self.cart_book.create_cart(store_id)

    def add_cart_item(self, cart_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self.cart_book.add_cart_item(cart_id, data)

    def set_shipping_information(self, cart_id: int, info: dict[str, Any]) -> dict[str, Any]:
        return self.cart_book.set_shipping_information(cart_id, info)

    def place_cart_order(self, cart_id: int, payment: dict[str, Any] | None) -> int:
        return self.cart_book.place_cart_order(cart_id, payment)

    def add_comment(self, order_id: int, history: dict[str, Any]) -> bool:
        return self.actions.add_comment(order_id, history)

    def hold(self, order_id: int) -> bool:
        return self.actions.hold(order_id)

    def unhold(self, order_id: int) -> bool:
        return self.actions.unhold(order_id)

    def cancel(self, order_id: int) -> bool:
        return self.actions.cancel(order_id)

    def invoice(self, order_id: int, body: dict[str, Any]) -> int:
        return self.invoicing.invoice(order_id, body)

    def ship(self, order_id: int, body: dict[str, Any]) -> int | str:
        return self.shipping.ship(order_id, body)

    def add_track(self, entity: dict[str, Any]) -> dict[str, Any]:
        return self.shipping.add_track(entity)

    def refund(self, order_id: int, body: dict[str, Any]) -> int:
        return self.memos.refund(order_id, body)

    # ------------------------------------------------------------ documents

    def _documents(self, kind: str) -> dict[int, dict[str, Any]]:
        return {"invoice": self.invoices, "shipment": self.shipments, "creditmemo": self.creditmemos}[kind]

    def get_document(self, kind: str, entity_id: int) -> dict[str, Any]:
        with self.lock:
            doc = self._documents(kind).get(int(entity_id))
            if doc is None:
                raise not_found(NOT_FOUND_ENTITY)
            return clean(doc)

    def document_rows(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._documents(kind).values())

    def snapshot(self) -> dict[str, Any]:
        """Everything, rendered; for ``GET /_sandbox/orders`` and debugging."""
        with self.lock:
            return {"orders": [self.render_order(o) for o in self.orders.values()]}
