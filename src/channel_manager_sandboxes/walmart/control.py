"""The sandbox's control API under ``/_sandbox`` (listed in the app's ``/openapi.json``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from channel_manager_sandboxes.walmart.faults import Fault, FaultMode
from channel_manager_sandboxes.walmart.state import WalmartSandbox

router = APIRouter(prefix="/_sandbox", tags=["Sandbox control"])
T = TypeVar("T")


def _sandbox(request: Request) -> WalmartSandbox:
    return request.app.state.sandbox


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0] if exc.args else exc)) from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


class SellerIn(BaseModel):
    seller_id: str = Field(description="Your name for the seller, used in control paths")
    client_id: str
    client_secret: str


class SellerOut(BaseModel):
    seller_id: str
    client_id: str
    partner_id: str
    orders: int = 0


class CatalogEntry(BaseModel):
    sku: str
    product_name: str | None = None
    price: float = 10.0


class GenerateOrders(BaseModel):
    count: int = Field(1, ge=1, le=100_000)
    lines_per_order: int | list[int] = Field([1, 3], description="A number or [min, max]")
    quantity_per_line: int | list[int] = Field([1, 3], description="A number or [min, max]")
    catalog: list[CatalogEntry] | None = Field(None, description="SKUs to draw from (default: a built-in catalog)")
    order_date: str | int | None = Field(None, description="ISO time or epoch ms (default: now on the sandbox clock)")
    spread_minutes: int = Field(0, ge=0, description="Spread order dates over this many minutes before order_date")
    ship_in_days: int = Field(2, ge=0, description="estimatedShipDate = orderDate + this")
    status: Literal["Created", "Acknowledged"] = "Created"


class ExactLine(BaseModel):
    sku: str
    quantity: int = Field(1, ge=1)
    unit_price: float = 10.0
    unit_tax: float | None = None
    shipping: float = 0.0
    shipping_tax: float = 0.0
    product_name: str | None = None
    line_number: str | None = None
    intent_to_cancel: bool = False
    status: Literal["Created", "Acknowledged"] = "Created"


class ExactOrder(BaseModel):
    lines: list[ExactLine] = Field(min_length=1)
    purchase_order_id: str | None = None
    customer_order_id: str | None = None
    customer_email: str | None = None
    order_date: str | int | None = None
    estimated_ship_date: str | int | None = None
    estimated_delivery_date: str | int | None = None
    method_code: str = "Standard"
    address: dict[str, Any] | None = None


class DeliverIn(BaseModel):
    quantity: int | None = Field(None, ge=1, description="Default: every shipped unit of the line")


class ReturnLineIn(BaseModel):
    line_number: str
    quantity: int = Field(1, ge=1)
    reason: str = "NO_LONGER_WANTED"


class ReturnIn(BaseModel):
    lines: list[ReturnLineIn] = Field(min_length=1)


class ClockAdvance(BaseModel):
    seconds: float = 0
    minutes: float = 0
    hours: float = 0
    days: float = 0


class FaultIn(BaseModel):
    endpoint: str = Field(
        "*",
        description='Endpoint template ("POST /v3/orders/{purchaseOrderId}/shipping"), a pattern ("POST *"), '
        '"*" (every call) or "mutating" (ack, ship, cancel, refund, return refund, inventory, subscriptions)',
    )
    seller_id: str | None = None
    mode: FaultMode = FaultMode.ERROR
    error_rate: float = Field(1.0, ge=0, le=1)
    status: int = Field(503, description="HTTP status of the error (error and lose_response modes)")
    latency_ms: int = Field(0, ge=0)
    count: int | None = Field(None, ge=1, description="How many times the fault fires (default: until removed)")
    lost_as: Literal["error", "timeout"] = "error"
    hang_seconds: float = Field(5.0, ge=0, description="timeout, or lose_response with lost_as=timeout: hang this long")


class SettingsIn(BaseModel):
    rate_limits: bool | None = None
    token_lifetime: int | None = Field(None, ge=1)
    require_acknowledgement: bool | None = None
    max_query_results: int | None = Field(None, ge=1, description="The cap on one order query's results")


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/sellers", response_model=SellerOut, status_code=201)
def create_seller(body: SellerIn, request: Request) -> SellerOut:
    sandbox = _sandbox(request)
    seller = _run(lambda: sandbox.create_seller(body.seller_id, body.client_id, body.client_secret))
    return SellerOut(seller_id=seller.seller_id, client_id=seller.client_id, partner_id=seller.partner_id)


@router.get("/sellers", response_model=list[SellerOut])
def list_sellers(request: Request) -> list[SellerOut]:
    sandbox = _sandbox(request)
    return [
        SellerOut(seller_id=s.seller_id, client_id=s.client_id, partner_id=s.partner_id, orders=len(s.orders))
        for s in sandbox.sellers.values()
    ]


@router.post("/sellers/{seller_id}/orders", status_code=201)
def generate_orders(seller_id: str, body: GenerateOrders, request: Request) -> dict[str, Any]:
    """Generate ``count`` realistic orders (catalog SKUs, non-ASCII names, taxes, ship dates)."""
    sandbox = _sandbox(request)
    ids = _run(
        lambda: sandbox.generate_orders(
            seller_id,
            body.count,
            lines_per_order=body.lines_per_order,
            quantity_per_line=body.quantity_per_line,
            catalog=[c.model_dump() for c in body.catalog] if body.catalog else None,
            order_date=body.order_date,
            spread_minutes=body.spread_minutes,
            ship_in_days=body.ship_in_days,
            status=body.status,
        )
    )
    return {"count": len(ids), "purchase_order_ids": ids}


@router.post("/sellers/{seller_id}/orders/exact", status_code=201)
def create_exact_order(seller_id: str, body: ExactOrder, request: Request) -> dict[str, Any]:
    """Create one order exactly as given (lines, SKUs, quantities, prices)."""
    sandbox = _sandbox(request)
    spec = body.model_dump()
    spec["lines"] = [{k: v for k, v in line.items() if v is not None} for line in spec["lines"]]
    order = _run(lambda: sandbox.create_order(seller_id, spec))
    return {"purchase_order_id": order.purchase_order_id, "order": sandbox.truth(order.purchase_order_id)["order"]}


@router.post("/sellers/{seller_id}/revoke-tokens")
def revoke_tokens(seller_id: str, request: Request) -> dict[str, int]:
    sandbox = _sandbox(request)
    _run(lambda: sandbox.seller(seller_id))
    return {"revoked": sandbox.revoke_tokens(seller_id)}


@router.get("/sellers/{seller_id}/truth")
def seller_truth(seller_id: str, request: Request) -> dict[str, Any]:
    """Every PO of the seller as in ``GET /_sandbox/orders/{po}`` (without the raw order), and the counters."""
    sandbox = _sandbox(request)
    return _run(lambda: sandbox.seller_truth(seller_id))


@router.get("/orders/{purchase_order_id}")
def order_truth(purchase_order_id: str, request: Request) -> dict[str, Any]:
    """The seller-side truth of a PO: quantities per status, shipments, cancellations, refunds."""
    sandbox = _sandbox(request)
    return _run(lambda: sandbox.truth(purchase_order_id))


@router.post("/orders/{purchase_order_id}/lines/{line_number}/deliver")
def deliver_line(
    purchase_order_id: str, line_number: str, request: Request, body: DeliverIn | None = None
) -> dict[str, Any]:
    sandbox = _sandbox(request)
    quantity = body.quantity if body else None
    return {"order": _run(lambda: sandbox.deliver_line(purchase_order_id, line_number, quantity))}


@router.post("/orders/{purchase_order_id}/lines/{line_number}/intent-to-cancel")
def intent_to_cancel(purchase_order_id: str, line_number: str, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    return {"order": _run(lambda: sandbox.set_intent_to_cancel(purchase_order_id, line_number))}


@router.post("/orders/{purchase_order_id}/returns", status_code=201)
def open_return(purchase_order_id: str, body: ReturnIn, request: Request) -> dict[str, Any]:
    """The customer returns shipped units; the return shows in ``GET /v3/returns``."""
    sandbox = _sandbox(request)
    return _run(lambda: sandbox.open_return(purchase_order_id, [line.model_dump() for line in body.lines]))


@router.post("/returns/{return_order_id}/auto-refund")
def auto_refund(return_order_id: str, request: Request) -> dict[str, Any]:
    """Walmart refunds the return itself (its 48-hour auto refund)."""
    sandbox = _sandbox(request)
    return _run(lambda: sandbox.auto_refund(return_order_id))


@router.get("/clock")
def clock(request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    return {
        "now": sandbox.clock.now().isoformat(),
        "now_ms": sandbox.clock.now_ms(),
        "offset_seconds": sandbox.clock.offset,
    }


@router.post("/clock/advance")
def advance_clock(body: ClockAdvance, request: Request) -> dict[str, Any]:
    """Move the sandbox clock forward (tokens expire, auto-cancel runs)."""
    sandbox = _sandbox(request)
    seconds = body.seconds + body.minutes * 60 + body.hours * 3600 + body.days * 86400
    moment = _run(lambda: sandbox.advance_clock(seconds))
    return {"now": moment.isoformat(), "now_ms": sandbox.clock.now_ms(), "offset_seconds": sandbox.clock.offset}


@router.post("/faults", status_code=201)
def add_fault(body: FaultIn, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    fault = sandbox.faults.add(Fault(**body.model_dump()))
    return fault.as_dict()


@router.get("/faults")
def list_faults(request: Request) -> list[dict[str, Any]]:
    return [f.as_dict() for f in _sandbox(request).faults.faults]


@router.delete("/faults")
def clear_faults(request: Request) -> dict[str, str]:
    _sandbox(request).faults.clear()
    return {"status": "cleared"}


@router.get("/counters")
def counters(request: Request) -> dict[str, Any]:
    """Calls per endpoint, 429s sent, rejections with reasons, changes applied twice (must stay 0)."""
    sandbox = _sandbox(request)
    with sandbox.lock:
        return sandbox.counters.as_dict()


@router.post("/counters/reset")
def reset_counters(request: Request) -> dict[str, str]:
    _sandbox(request).reset_counters()
    return {"status": "reset"}


@router.get("/settings")
def get_settings(request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    return {
        "rate_limits": sandbox.rate_limits.enabled,
        "token_lifetime": sandbox.settings.token_lifetime,
        "require_acknowledgement": sandbox.settings.require_acknowledgement,
        "max_query_results": sandbox.settings.max_query_results,
    }


@router.put("/settings")
def put_settings(body: SettingsIn, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    if body.rate_limits is not None:
        sandbox.rate_limits.enabled = body.rate_limits
        sandbox.settings.rate_limits = body.rate_limits
        sandbox.rate_limits.reset()
    if body.token_lifetime is not None:
        sandbox.settings.token_lifetime = body.token_lifetime
    if body.require_acknowledgement is not None:
        sandbox.settings.require_acknowledgement = body.require_acknowledgement
    if body.max_query_results is not None:
        sandbox.settings.max_query_results = body.max_query_results
    return get_settings(request)


@router.get("/notifications")
def notifications(request: Request) -> list[dict[str, Any]]:
    """Recent notification deliveries (event, URL, attempts, outcome)."""
    return [
        {
            "event_id": d.event_id,
            "event_type": d.event_type,
            "url": d.url,
            "seller_id": d.seller_id,
            "attempts": d.attempts,
            "status": d.status,
            "delivered": d.delivered,
            "error": d.error,
        }
        for d in list(_sandbox(request).deliveries)
    ]
