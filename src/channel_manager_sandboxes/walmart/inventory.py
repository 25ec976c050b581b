"""``GET``/``PUT /v3/inventory``: one quantity per seller and SKU (NOTES.md section 5)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
from channel_manager_sandboxes.walmart.model import Seller

_CONTENT = "INVALID_REQUEST_CONTENT.GMP_INVENTORY_API"


def _sku_required(sku: str | None) -> str:
    if not sku:
        raise SandboxHTTPError(400, "MISSING_REQUEST_PARAM.GMP_INVENTORY_API", "sku is required", field="sku")
    return sku


def _amount(body: Any, sku: str) -> int:
    quantity = body.get("quantity") if isinstance(body, Mapping) else None
    if not isinstance(quantity, Mapping) or quantity.get("unit") != "EACH":
        raise SandboxHTTPError(400, _CONTENT, "quantity with unit EACH is required", field="quantity")
    try:
        amount = int(Decimal(str(quantity.get("amount"))))
    except (InvalidOperation, ValueError):
        amount = -1
    if amount < 0:
        raise SandboxHTTPError(400, _CONTENT, "Invalid quantity amount", field="amount")
    if body.get("sku") not in (None, sku):
        raise SandboxHTTPError(400, _CONTENT, "sku in the body does not match the query", field="sku")
    return amount


class Inventory:
    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock

    def get_inventory(self, seller: Seller, sku: str | None) -> dict[str, Any]:
        sku = _sku_required(sku)
        with self.lock:
            if sku not in seller.inventory:
                raise SandboxHTTPError(404, "CONTENT_NOT_FOUND.GMP_INVENTORY_API", f"SKU {sku} not found")
            return {"sku": sku, "quantity": {"unit": "EACH", "amount": seller.inventory[sku]}}

    def set_inventory(self, seller: Seller, sku: str | None, body: Any) -> dict[str, Any]:
        sku = _sku_required(sku)
        amount = _amount(body, sku)
        with self.lock:
            seller.inventory[sku] = amount
        return {"sku": sku, "quantity": {"unit": "EACH", "amount": amount}}
