"""The store's catalog as the sandbox's control API and Commerce's REST routes see it: products,
MSI source items, salable quantity (NOTES.md section 10), and the admin schema's shapes for
``GET /V1/products``, ``GET /V1/products/{sku}`` and ``GET /V1/stockItems/{sku}``."""

from __future__ import annotations

import threading
from typing import Any

from channel_manager_sandboxes.commerce.catalog import ENABLED, Catalog, Product
from channel_manager_sandboxes.commerce.clock import SandboxClock
from channel_manager_sandboxes.commerce.entities import num
from channel_manager_sandboxes.commerce.errors import bad_request, not_found
from channel_manager_sandboxes.commerce.events import STOCK_CHANGED, EventListener

DEFAULT_ATTRIBUTE_SET = 4
VISIBILITY_BOTH = 4
# cataloginventory-data-stock-item-interface: the store-wide defaults of a legacy stock item
# (``low_stock_date`` is null, so omitted, for an item in stock).
STOCK_ITEM_DEFAULTS: dict[str, Any] = {
    "stock_id": 1,
    "is_qty_decimal": False,
    "show_default_notification_message": False,
    "use_config_min_qty": True,
    "min_qty": 0,
    "use_config_min_sale_qty": 1,
    "min_sale_qty": 1,
    "use_config_max_sale_qty": True,
    "max_sale_qty": 10000,
    "use_config_backorders": True,
    "backorders": 0,
    "use_config_notify_stock_qty": True,
    "notify_stock_qty": 1,
    "use_config_qty_increments": True,
    "qty_increments": 0,
    "use_config_enable_qty_inc": True,
    "enable_qty_increments": False,
    "use_config_manage_stock": True,
    "manage_stock": True,
    "is_decimal_divided": False,
    "stock_status_changed_auto": 0,
}


class Stock:
    def __init__(self, catalog: Catalog, clock: SandboxClock, lock: threading.RLock, emit: EventListener) -> None:
        self.catalog = catalog
        self.clock = clock
        self.lock = lock
        self.emit = emit

    # ------------------------------------------------------------ control API

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
            product = self.catalog.upsert(sku, name, price, status)
            product.updated_at = self.clock.stamp()
            product.created_at = product.created_at or product.updated_at
            if quantity is not None:
                self.set_source_item(sku, source_code, quantity, 1 if quantity > 0 else 0)
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

    def is_enabled(self, sku: str) -> bool:
        with self.lock:
            product = self.catalog.products.get(sku)
            return product is not None and product.status == ENABLED

    # ------------------------------------------------------------ MSI

    def set_source_item(self, sku: str, source_code: str, quantity: float, status: int) -> dict[str, Any]:
        row = self.catalog.set_source_item(sku, source_code, quantity, status)
        self.stock_changed(sku)
        return row

    def stock_changed(self, sku: str, source_code: str = "default") -> None:
        row = self.catalog.source_items.get((sku, source_code)) or {"sku": sku, "source_code": source_code}
        self.emit(STOCK_CHANGED, {**row, "salable_qty": self.catalog.salable_quantity(sku)})

    def save_source_items(self, items: list[dict[str, Any]]) -> None:
        with self.lock:
            if not items:
                raise bad_request("Input data is empty")
            for item in items:
                self.set_source_item(
                    str(item.get("sku", "")),
                    str(item.get("source_code") or "default"),
                    num(item.get("quantity")),
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

    # ------------------------------------------------------------ REST catalog (admin schema shapes)

    def stock_item(self, sku: str) -> dict[str, Any]:
        """``GET /V1/stockItems/{sku}``: the legacy stock item, which maps to the default source."""
        with self.lock:
            return self._stock_item(self.catalog.product(sku))

    def _stock_item(self, product: Product) -> dict[str, Any]:
        row = self.catalog.source_items.get((product.sku, "default"))
        qty = float(row["quantity"]) if row else 0.0
        return {
            "item_id": product.product_id,
            "product_id": product.product_id,
            **STOCK_ITEM_DEFAULTS,
            "qty": qty,
            "is_in_stock": bool(row and row["status"] == 1 and qty > 0),
        }

    def product_entity(self, sku: str) -> dict[str, Any]:
        """``GET /V1/products/{sku}`` (catalog-data-product-interface)."""
        with self.lock:
            return self._entity(self.catalog.product(sku))

    def _entity(self, product: Product) -> dict[str, Any]:
        return {
            "id": product.product_id,
            "sku": product.sku,
            "name": product.name,
            "attribute_set_id": DEFAULT_ATTRIBUTE_SET,
            "price": product.price,
            "status": product.status,
            "visibility": VISIBILITY_BOTH,
            "type_id": product.type_id,
            "created_at": product.created_at,
            "updated_at": product.updated_at,
            "weight": product.weight,
            "extension_attributes": {"website_ids": [1], "stock_item": self._stock_item(product)},
            "product_links": [],
            "options": [],
            "media_gallery_entries": [],
            "tier_prices": [],
            "custom_attributes": [
                {"attribute_code": "url_key", "value": product.sku.lower().replace(" ", "-").replace("/", "-")},
                {"attribute_code": "tax_class_id", "value": "2"},
            ],
        }

    def product_rows(self) -> list[dict[str, Any]]:
        """Rows for ``GET /V1/products`` searches: the entity plus the columns filters may name."""
        with self.lock:
            rows = []
            for product in self.catalog.products.values():
                entity = self._entity(product)
                rows.append({**entity, "entity_id": product.product_id, "_entity": entity})
            return rows
