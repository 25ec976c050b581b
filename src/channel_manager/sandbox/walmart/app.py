"""The sandbox's HTTP face: Walmart's ``/v3`` paths, headers, error bodies and rate limits.

``create_app(settings)`` builds one app (one :class:`WalmartSandbox`, at ``app.state.sandbox``).
The control API is mounted under ``/_sandbox`` (see ``control.py``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from channel_manager.sandbox.walmart.control import router as control_router
from channel_manager.sandbox.walmart.delivery import NotificationDispatcher, send_test_notification
from channel_manager.sandbox.walmart.errors import SandboxHTTPError, throttled
from channel_manager.sandbox.walmart.faults import Fault, FaultMode
from channel_manager.sandbox.walmart.model import Seller
from channel_manager.sandbox.walmart.settings import WalmartSandboxSettings
from channel_manager.sandbox.walmart.state import WalmartSandbox

EVENT_TYPES = [
    {"resourceName": "ORDER", "eventType": name, "eventVersion": "V1", "description": text}
    for name, text in (
        ("PO_CREATED", "A purchase order was created"),
        ("PO_LINE_AUTOCANCELLED", "Purchase order lines were auto-cancelled"),
        ("INTENT_TO_CANCEL", "The customer asked to cancel order lines"),
        ("ORDER_UPDATES", "Order updates (subEventType names the change)"),
    )
]


@dataclass
class Context:
    sandbox: WalmartSandbox
    endpoint: str
    seller: Seller
    headers: dict[str, str] = field(default_factory=dict)
    lost: Fault | None = None


_FAULT_ERRORS = {
    400: ("INVALID_REQUEST.GMP_ORDER_API", "Invalid Request", False),
    401: ("UNAUTHORIZED.GMP_GATEWAY_API", "Unauthorized", True),
    403: ("FORBIDDEN.GMP_GATEWAY_API", "Forbidden", True),
    423: ("RESOURCE_IS_LOCKED.GMP_RECEIVER_API", "Resource is locked", False),
    500: ("SYSTEM_ERROR.GMP_ORDER_API", "System encountered some internal error", False),
    504: ("DOWNSTREAM_SYSTEM_TIME_OUT.GMP_ORDER_API", "Downstream system timed out", False),
}


def fault_error(status: int) -> SandboxHTTPError | None:
    """The error a fault answers with; None means a bare status (gateway unreachable)."""
    known = _FAULT_ERRORS.get(status)
    if known is None:
        return None
    code, description, gateway = known
    return SandboxHTTPError(status, code, description, gateway=gateway)


class BareStatus(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


async def gate(request: Request, endpoint: str, *, token_call: bool = False) -> Context:
    """Headers, token, rate limit and faults for one ``/v3`` call."""
    sandbox: WalmartSandbox = request.app.state.sandbox
    request.state.endpoint = endpoint
    sandbox.counters.calls[endpoint] += 1
    for name in ("WM_QOS.CORRELATION_ID", "WM_SVC.NAME"):
        if not request.headers.get(name):
            raise SandboxHTTPError(
                400, "MISSING_REQUEST_HEADER.GMP_GATEWAY_API", f"Missing header {name}", field=name, gateway=True
            )
    if token_call:
        seller = sandbox._basic_seller(request.headers.get("authorization"))
    else:
        seller = sandbox.authenticate(request.headers.get("WM_SEC.ACCESS_TOKEN"))
    request.state.seller_id = seller.seller_id
    allowed, headers = sandbox.rate_limits.check(seller.seller_id, endpoint)
    if not allowed:
        sandbox.counters.throttled += 1
        raise throttled(headers)
    decision = sandbox.faults.decide(endpoint, seller.seller_id)
    if decision.latency_ms:
        await asyncio.sleep(decision.latency_ms / 1000)
    context = Context(sandbox, endpoint, seller, headers)
    fault = decision.fault
    if fault is not None:
        sandbox.counters.faults_fired += 1
        if fault.mode is FaultMode.RATE_LIMIT_STORM:
            sandbox.counters.throttled += 1
            raise throttled({**headers, "x-current-token-count": "0", "Retry-After": "1"})
        if fault.mode is FaultMode.ERROR:
            error = fault_error(fault.status)
            if error is None:
                raise BareStatus(fault.status)
            raise error
        if fault.mode is FaultMode.LOSE_RESPONSE:
            context.lost = fault
    return context


async def answer(request: Request, context: Context, body: Any, status: int = 200) -> Response:
    """Walmart's answer, or (for a fault) the change applied and the answer lost."""
    fault = context.lost
    if fault is not None:
        context.sandbox.counters.lost_responses += 1
        if fault.lost_as == "timeout":
            await asyncio.sleep(fault.hang_seconds)
            error = fault_error(504)
        else:
            error = fault_error(fault.status)
        if error is None:
            raise BareStatus(fault.status)
        raise error
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    headers = dict(context.headers)
    correlation = request.headers.get("WM_QOS.CORRELATION_ID")
    if correlation:
        headers["WM_QOS.CORRELATION_ID"] = correlation
    return Response(content=text, status_code=status, media_type="application/json", headers=headers)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise SandboxHTTPError(
            400, "MALFORMED_REQUEST_CONTENT.GMP_ORDER_API", "Request content is not valid JSON", field="body"
        ) from None


def _params(request: Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query, keep_blank_values=True))


def create_app(settings: WalmartSandboxSettings | None = None, sandbox: WalmartSandbox | None = None) -> FastAPI:
    sandbox = sandbox or WalmartSandbox(settings)
    dispatcher = NotificationDispatcher(sandbox)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()

    app = FastAPI(
        title="Walmart Marketplace sandbox",
        version="1.0",
        description="A local stand-in for Walmart's Marketplace API (US, v3): the same `/v3` paths, headers, "
        "JSON shapes, errors and line rules, plus a control API under `/_sandbox` to create sellers, generate "
        "orders, move the clock, inject faults and read counters. See docs/walmart-sandbox.md.",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.state.dispatcher = dispatcher

    @app.exception_handler(SandboxHTTPError)
    async def walmart_error(request: Request, exc: SandboxHTTPError) -> Response:
        endpoint = getattr(request.state, "endpoint", request.url.path)
        sandbox.record_rejection(endpoint, exc, getattr(request.state, "seller_id", None))
        headers = dict(exc.headers)
        correlation = request.headers.get("WM_QOS.CORRELATION_ID")
        if correlation:
            headers["WM_QOS.CORRELATION_ID"] = correlation
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(BareStatus)
    async def bare_status(request: Request, exc: BareStatus) -> Response:
        endpoint = getattr(request.state, "endpoint", request.url.path)
        sandbox.record_rejection(endpoint, SandboxHTTPError(exc.status, "BARE_STATUS", "no body"))
        return Response(status_code=exc.status, content=b"", media_type="text/plain")

    v3 = "Walmart API (v3)"

    @app.post("/v3/token", tags=[v3])
    async def token(request: Request) -> Response:
        context = await gate(request, "POST /v3/token", token_call=True)
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        return await answer(request, context, sandbox.issue_token(request.headers.get("authorization"), form))

    @app.get("/v3/token/detail", tags=[v3])
    async def token_detail(request: Request) -> Response:
        context = await gate(request, "GET /v3/token/detail")
        return await answer(request, context, sandbox.token_detail(request.headers.get("WM_SEC.ACCESS_TOKEN")))

    @app.get("/v3/orders", tags=[v3])
    async def list_orders(request: Request) -> Response:
        context = await gate(request, "GET /v3/orders")
        text = sandbox.list_orders(context.seller, _params(request), released=False, base="/v3/orders")
        return await answer(request, context, text)

    @app.get("/v3/orders/released", tags=[v3])
    async def list_released(request: Request) -> Response:
        context = await gate(request, "GET /v3/orders/released")
        text = sandbox.list_orders(context.seller, _params(request), released=True, base="/v3/orders/released")
        return await answer(request, context, text)

    @app.get("/v3/orders/{purchaseOrderId}", tags=[v3])
    async def get_order(request: Request, purchaseOrderId: str) -> Response:
        context = await gate(request, "GET /v3/orders/{purchaseOrderId}")
        return await answer(request, context, sandbox.get_order_text(context.seller, purchaseOrderId))

    @app.post("/v3/orders/{purchaseOrderId}/acknowledge", tags=[v3])
    async def acknowledge(request: Request, purchaseOrderId: str) -> Response:
        context = await gate(request, "POST /v3/orders/{purchaseOrderId}/acknowledge")
        return await answer(request, context, sandbox.acknowledge(context.seller, purchaseOrderId))

    @app.post("/v3/orders/{purchaseOrderId}/shipping", tags=[v3])
    async def ship(request: Request, purchaseOrderId: str) -> Response:
        context = await gate(request, "POST /v3/orders/{purchaseOrderId}/shipping")
        body = await json_body(request)
        return await answer(request, context, sandbox.ship(context.seller, purchaseOrderId, body))

    @app.post("/v3/orders/{purchaseOrderId}/cancel", tags=[v3])
    async def cancel(request: Request, purchaseOrderId: str) -> Response:
        context = await gate(request, "POST /v3/orders/{purchaseOrderId}/cancel")
        body = await json_body(request)
        return await answer(request, context, sandbox.cancel(context.seller, purchaseOrderId, body))

    @app.post("/v3/orders/{purchaseOrderId}/refund", tags=[v3])
    async def refund(request: Request, purchaseOrderId: str) -> Response:
        context = await gate(request, "POST /v3/orders/{purchaseOrderId}/refund")
        body = await json_body(request)
        return await answer(request, context, sandbox.refund(context.seller, purchaseOrderId, body))

    @app.get("/v3/returns", tags=[v3])
    async def list_returns(request: Request) -> Response:
        context = await gate(request, "GET /v3/returns")
        return await answer(request, context, sandbox.list_returns(context.seller, _params(request)))

    @app.post("/v3/returns/{returnOrderId}/refund", tags=[v3])
    async def refund_return(request: Request, returnOrderId: str) -> Response:
        context = await gate(request, "POST /v3/returns/{returnOrderId}/refund")
        body = await json_body(request)
        return await answer(request, context, sandbox.refund_return(context.seller, returnOrderId, body))

    @app.get("/v3/inventory", tags=[v3])
    async def get_inventory(request: Request) -> Response:
        context = await gate(request, "GET /v3/inventory")
        return await answer(request, context, sandbox.get_inventory(context.seller, _params(request).get("sku")))

    @app.put("/v3/inventory", tags=[v3])
    async def put_inventory(request: Request) -> Response:
        context = await gate(request, "PUT /v3/inventory")
        body = await json_body(request)
        return await answer(request, context, sandbox.set_inventory(context.seller, _params(request).get("sku"), body))

    @app.get("/v3/webhooks/eventTypes", tags=[v3])
    async def event_types(request: Request) -> Response:
        context = await gate(request, "GET /v3/webhooks/eventTypes")
        return await answer(request, context, {"events": EVENT_TYPES})

    @app.post("/v3/webhooks/subscriptions", tags=[v3])
    async def subscribe(request: Request) -> Response:
        context = await gate(request, "POST /v3/webhooks/subscriptions")
        body = await json_body(request)
        return await answer(request, context, sandbox.subscribe(context.seller, body))

    @app.post("/v3/webhooks/test", tags=[v3])
    async def test_notification(request: Request) -> Response:
        context = await gate(request, "POST /v3/webhooks/test")
        delivery = sandbox.test_notification(context.seller, await json_body(request))
        return await answer(request, context, await send_test_notification(sandbox, delivery))

    @app.get("/v3/webhooks/subscriptions", tags=[v3])
    async def subscriptions(request: Request) -> Response:
        context = await gate(request, "GET /v3/webhooks/subscriptions")
        return await answer(request, context, sandbox.list_subscriptions(context.seller))

    @app.delete("/v3/webhooks/subscriptions/{subscriptionId}", tags=[v3])
    async def unsubscribe(request: Request, subscriptionId: str) -> Response:
        context = await gate(request, "DELETE /v3/webhooks/subscriptions/{subscriptionId}")
        return await answer(request, context, sandbox.delete_subscription(context.seller, subscriptionId))

    app.include_router(control_router)
    return app
