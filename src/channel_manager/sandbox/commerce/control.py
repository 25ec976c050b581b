"""The sandbox's control API under ``/_sandbox/``: catalog and stock, faults, clock, counters,
stores, webhooks, and a raw dump of the orders. No authentication (a local test tool)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from channel_manager.sandbox.commerce.catalog import DISABLED, ENABLED
from channel_manager.sandbox.commerce.faults import FaultInjector, FaultRule
from channel_manager.sandbox.commerce.gateway import Counters
from channel_manager.sandbox.commerce.state import CommerceSandbox
from channel_manager.sandbox.commerce.webhooks import WebhookDispatcher, WebhookTarget

router = APIRouter(prefix="/_sandbox", tags=["Sandbox control"])


class ProductIn(BaseModel):
    name: str | None = None
    price: float | None = None
    status: Literal["enabled", "disabled"] | None = None
    quantity: float | None = Field(default=None, description="Absolute quantity at `source_code`.")
    source_code: str = "default"


class StockIn(BaseModel):
    quantity: float
    source_code: str = "default"
    status: int | None = Field(default=None, description="1 in stock, 0 out of stock; default from quantity.")


class FaultIn(BaseModel):
    route: str = Field(default="*", description='"POST /V1/order/{orderId}/ship", "/V1/orders" or "*"')
    mode: Literal["error", "lose_response", "delay"] = "error"
    error_rate: float = Field(default=1.0, ge=0, le=1)
    status: int = 503
    latency_ms: int = Field(default=0, ge=0)
    count: int | None = Field(default=None, ge=1, description="Fire at most this many times.")


class ClockAdvanceIn(BaseModel):
    seconds: float


class StoreIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str | None = None


class WebhookIn(BaseModel):
    url: str
    secret: str = ""


def _sandbox(request: Request) -> CommerceSandbox:
    return request.app.state.sandbox


def _faults(request: Request) -> FaultInjector:
    return request.app.state.faults


def _counters(request: Request) -> Counters:
    return request.app.state.counters


def _webhooks(request: Request) -> WebhookDispatcher:
    return request.app.state.webhooks


@router.get("/products")
def list_products(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).products()


@router.put("/products/{sku:path}/stock")
def put_stock(sku: str, stock: StockIn, request: Request) -> dict[str, Any]:
    status = stock.status if stock.status is not None else int(stock.quantity > 0)
    sandbox = _sandbox(request)
    sandbox.save_source_items(
        [{"sku": sku, "source_code": stock.source_code, "quantity": stock.quantity, "status": status}]
    )
    return sandbox.product_view(sku)


@router.get("/products/{sku:path}")
def get_product(sku: str, request: Request) -> dict[str, Any]:
    return _sandbox(request).product_view(sku)


@router.put("/products/{sku:path}")
def put_product(sku: str, product: ProductIn, request: Request) -> dict[str, Any]:
    """Create or update a simple product; ``quantity`` sets its stock at ``source_code``."""
    status = None if product.status is None else (ENABLED if product.status == "enabled" else DISABLED)
    return _sandbox(request).upsert_product(
        sku,
        name=product.name,
        price=product.price,
        status=status,
        quantity=product.quantity,
        source_code=product.source_code,
    )


@router.delete("/products/{sku:path}")
def delete_product(sku: str, request: Request) -> bool:
    _sandbox(request).delete_product(sku)
    return True


@router.get("/faults")
def list_faults(request: Request) -> list[dict[str, Any]]:
    return _faults(request).rules()


@router.post("/faults")
def add_fault(fault: FaultIn, request: Request) -> dict[str, Any]:
    return _faults(request).add(FaultRule(**fault.model_dump())).view()


@router.delete("/faults")
def clear_faults(request: Request) -> bool:
    _faults(request).clear()
    return True


@router.get("/clock")
def get_clock(request: Request) -> dict[str, Any]:
    clock = _sandbox(request).clock
    return {"now": clock.stamp(), "offset_seconds": clock.offset_seconds}


@router.post("/clock/advance")
def advance_clock(body: ClockAdvanceIn, request: Request) -> dict[str, Any]:
    clock = _sandbox(request).clock
    clock.advance(body.seconds)
    return {"now": clock.stamp(), "offset_seconds": clock.offset_seconds}


@router.get("/counters")
def get_counters(request: Request) -> dict[str, Any]:
    webhooks = _webhooks(request).stats
    return {
        **_counters(request).view(),
        "duplicate_ext_order_ids": _sandbox(request).duplicate_ext_order_ids(),
        "orders": len(_sandbox(request).orders),
        "webhooks": {
            "queued": webhooks.queued,
            "delivered": webhooks.delivered,
            "failed_attempts": webhooks.failed_attempts,
            "dropped": webhooks.dropped,
        },
    }


@router.post("/counters/reset")
def reset_counters(request: Request) -> bool:
    _counters(request).reset()
    return True


@router.get("/orders")
def all_orders(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).snapshot()["orders"]


@router.get("/stores")
def list_stores(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).store_views()


@router.post("/stores")
def add_store(store: StoreIn, request: Request) -> dict[str, Any]:
    return _sandbox(request).add_store(store.code, store.name)


@router.get("/webhooks")
def get_webhooks(request: Request) -> dict[str, Any]:
    target = _webhooks(request).target
    stats = _webhooks(request).stats
    return {
        "url": target.url if target else None,
        "secret_set": bool(target and target.secret),
        "delivered": stats.delivered,
        "failed_attempts": stats.failed_attempts,
        "dropped": stats.dropped,
        "last_error": stats.last_error,
    }


@router.put("/webhooks")
def put_webhooks(body: WebhookIn, request: Request) -> dict[str, Any]:
    _webhooks(request).configure(WebhookTarget(body.url, body.secret))
    return get_webhooks(request)


@router.delete("/webhooks")
def delete_webhooks(request: Request) -> bool:
    _webhooks(request).configure(None)
    return True
