"""Builders the domain and storage tests share: valid order lines and store connections with overridable parts
(each test package keeps its own orders and stores on top of them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from channel_manager.domain.orders import OrderLine
from channel_manager.domain.quantities import LineQuantities
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import CommerceConnection, WalmartAccount

T0 = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)

WALMART_SECRET = "wm-client-secret-value"
TOKEN = "commerce-token-value"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make_line(
    number: str = "1",
    quantity: int = 1,
    *,
    price: str = "10.00",
    tax: str = "0.80",
    shipping: str = "0",
) -> OrderLine:
    return OrderLine(
        line_number=number,
        sku=f"SKU-{number}",
        product_name=f"Product {number}",
        quantities=LineQuantities.new(quantity),
        unit_price=Decimal(price),
        unit_tax=Decimal(tax),
        shipping_charge=Decimal(shipping),
    )


def make_walmart(**changes: object) -> WalmartAccount:
    values: dict[str, object] = {
        "base_url": "https://marketplace.walmartapis.com",
        "client_id": "client-id",
        "client_secret": Secret(WALMART_SECRET),
        "webhook_secret": Secret("wm-webhook-secret-value"),
    }
    values.update(changes)
    return WalmartAccount(**values)  # type: ignore[arg-type]


def make_commerce(**changes: object) -> CommerceConnection:
    values: dict[str, object] = {
        "base_url": "https://shop.example.com",
        "store_code": "default",
        "access_token": Secret(TOKEN),
        "webhook_secret": Secret("commerce-webhook-secret-value"),
    }
    values.update(changes)
    return CommerceConnection(**values)  # type: ignore[arg-type]
