"""Products, MSI source items and reservations of the sandbox (NOTES.md section 10).

Salable quantity = sum of in-stock source quantities - open reservations. Reservations are made at
order placement and released when the quantity ships, is canceled or is refunded unshipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from channel_manager_sandboxes.commerce.errors import NOT_FOUND_PRODUCT, SandboxApiError, bad_request, not_found

ENABLED = 1
DISABLED = 2


@dataclass
class Product:
    product_id: int
    sku: str
    name: str
    price: float
    status: int = ENABLED
    type_id: str = "simple"
    weight: float = 1.0
    created_at: str = ""
    updated_at: str = ""

    def render(self) -> dict[str, Any]:
        return {
            "id": self.product_id,
            "sku": self.sku,
            "name": self.name,
            "price": self.price,
            "status": self.status,
            "type_id": self.type_id,
            "weight": self.weight,
        }


@dataclass
class Catalog:
    sources: set[str] = field(default_factory=lambda: {"default"})
    products: dict[str, Product] = field(default_factory=dict)
    source_items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    reserved: dict[str, float] = field(default_factory=dict)
    _next_id: int = 1

    def upsert(self, sku: str, name: str | None, price: float | None, status: int | None) -> Product:
        product = self.products.get(sku)
        if product is None:
            product = Product(self._next_id, sku, name or sku, float(price or 0), status or ENABLED)
            self._next_id += 1
            self.products[sku] = product
        else:
            if name is not None:
                product.name = name
            if price is not None:
                product.price = float(price)
            if status is not None:
                product.status = status
        return product

    def delete(self, sku: str) -> None:
        if self.products.pop(sku, None) is None:
            raise not_found(NOT_FOUND_PRODUCT)
        for key in [k for k in self.source_items if k[0] == sku]:
            del self.source_items[key]
        self.reserved.pop(sku, None)

    def product(self, sku: str) -> Product:
        product = self.products.get(sku)
        if product is None:
            raise not_found(NOT_FOUND_PRODUCT)
        return product

    def set_source_item(self, sku: str, source_code: str, quantity: float, status: int) -> dict[str, Any]:
        errors = []
        if sku not in self.products:
            errors.append({"message": 'Product with SKU "%sku" does not exist.', "parameters": {"sku": sku}})
        if source_code not in self.sources:
            errors.append({"message": 'Source with code "%code" does not exist.', "parameters": {"code": source_code}})
        if status not in (0, 1):
            errors.append({"message": '"%field" should be source item status.', "parameters": {"field": "status"}})
        if errors:
            raise SandboxApiError(400, "Validation Failed", errors=errors)
        row = {"sku": sku, "source_code": source_code, "quantity": float(quantity), "status": int(status)}
        self.source_items[(sku, source_code)] = row
        return row

    def source_rows(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.source_items.values()]

    def source_quantity(self, sku: str, source_code: str = "default") -> float:
        row = self.source_items.get((sku, source_code))
        return float(row["quantity"]) if row else 0.0

    def adjust_source(self, sku: str, source_code: str, delta: float) -> None:
        row = self.source_items.get((sku, source_code))
        if row is None:
            row = {"sku": sku, "source_code": source_code, "quantity": 0.0, "status": 1}
            self.source_items[(sku, source_code)] = row
        row["quantity"] = round(float(row["quantity"]) + delta, 4)

    def salable_quantity(self, sku: str) -> float:
        if sku not in self.products:
            raise not_found(NOT_FOUND_PRODUCT)
        on_hand = sum(
            float(row["quantity"]) for (s, _), row in self.source_items.items() if s == sku and row["status"] == 1
        )
        return round(on_hand - self.reserved.get(sku, 0.0), 4)

    def reserve(self, sku: str, quantity: float) -> None:
        self.reserved[sku] = round(self.reserved.get(sku, 0.0) + quantity, 4)

    def release(self, sku: str, quantity: float) -> None:
        self.reserved[sku] = round(self.reserved.get(sku, 0.0) - quantity, 4)

    def check_addable(self, sku: str, wanted: float) -> Product:
        """Cart rules: unknown → 404, disabled → 400, more than salable → 400."""
        product = self.product(sku)
        if product.status != ENABLED:
            raise bad_request("Product that you are trying to add is not available.")
        if wanted > self.salable_quantity(sku) + 1e-9:
            raise bad_request("The requested qty is not available")
        return product
