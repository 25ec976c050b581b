"""The sandbox's control API under ``/_sandbox/``: catalog and stock, faults, clock, counters,
stores, webhooks, and a raw dump of the orders. No authentication (a local test tool)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from channel_manager_sandboxes.commerce.catalog import DISABLED, ENABLED
from channel_manager_sandboxes.commerce.faults import FaultInjector, FaultRule
from channel_manager_sandboxes.commerce.gateway import Counters
from channel_manager_sandboxes.commerce.module_events import ModuleEvents
from channel_manager_sandboxes.commerce.state import CommerceSandbox
from channel_manager_sandboxes.commerce.truth import commerce_truth
from channel_manager_sandboxes.commerce.webhooks import WebhookDispatcher, WebhookTarget, load_private_key

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
    route: str = Field(
        default="*",
        description='"POST /V1/order/{orderId}/ship", "/V1/orders", "*" (every route) or "mutating" (every non-GET)',
    )
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
    signature: Literal["hmac", "rsa"] = Field(
        default="hmac", description="hmac: base64 HMAC-SHA256 with `secret`; rsa: RSA-SHA256 as Adobe Commerce"
    )
    private_key_pem: str | None = Field(default=None, description="rsa: sign with this key (default: a new pair)")


class ModuleIn(BaseModel):
    installed: bool | None = None
    events_url: str | None = None
    events_secret: str | None = None
    events_enabled: bool | None = None
    events_timeout: float | None = Field(default=None, gt=0)


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
    """The webhook subscription: URL, signature scheme and, for ``rsa``, the public key (PEM) to verify with."""
    return _webhooks(request).view()


@router.put("/webhooks")
def put_webhooks(body: WebhookIn, request: Request) -> dict[str, Any]:
    key = load_private_key(body.private_key_pem) if body.private_key_pem else None
    _webhooks(request).configure(WebhookTarget(body.url, body.secret, body.signature, key))
    return get_webhooks(request)


@router.delete("/webhooks")
def delete_webhooks(request: Request) -> bool:
    _webhooks(request).configure(None)
    return True


def _module_view(request: Request) -> dict[str, Any]:
    module = _sandbox(request).module
    config = module.config
    events: ModuleEvents = request.app.state.module_events
    return {
        "installed": config.installed,
        "events_url": config.events_url,
        "events_enabled": config.events_enabled,
        "events_secret_set": bool(config.events_secret),
        "events_timeout": config.events_timeout,
        "orders_placed": module.placed,
        "orders_replayed": module.replayed,
        "links": len(module.links),
        "events": events.outbox.stats.view(),
    }


@router.get("/module")
def get_module(request: Request) -> dict[str, Any]:
    """The companion module: installed or not, its event configuration and what it did."""
    return _module_view(request)


@router.put("/module")
def put_module(body: ModuleIn, request: Request) -> dict[str, Any]:
    config = _sandbox(request).module.config
    for name, value in body.model_dump().items():
        if value is not None:
            setattr(config, name, value)
    return _module_view(request)


@router.get("/module/links")
def module_links(request: Request) -> list[dict[str, Any]]:
    """The rows of ``channel_manager_order_link``."""
    sandbox = _sandbox(request)
    with sandbox.lock:
        return [vars(link).copy() for link in sandbox.module.links.values()]


@router.get("/truth")
def truth(request: Request) -> dict[str, Any]:
    """The store-side truth per Walmart PO (``ext_order_id``): how many orders, per line (by
    ``ext_order_item_id``) the quantities ordered, invoiced, shipped, refunded and canceled, tracking numbers,
    credit memos with their amounts; and the counters an independent verdict needs."""
    return commerce_truth(_sandbox(request))
