"""Walmart's ``/v3`` paths (NOTES.md sections 1-7), thin over :class:`WalmartSandbox`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from channel_manager_sandboxes.walmart.contract import ORDER_EVENT_TYPES
from channel_manager_sandboxes.walmart.delivery import send_test_notification
from channel_manager_sandboxes.walmart.gateway import answer, gate, json_body, query_params
from channel_manager_sandboxes.walmart.model import Seller
from channel_manager_sandboxes.walmart.state import WalmartSandbox

router = APIRouter(tags=["Walmart API (v3)"])

_EVENT_DESCRIPTIONS = {
    "PO_CREATED": "A purchase order was created",
    "PO_LINE_AUTOCANCELLED": "Purchase order lines were auto-cancelled",
    "INTENT_TO_CANCEL": "The customer asked to cancel order lines",
    "ORDER_UPDATES": "Order updates (subEventType names the change)",
}
EVENT_TYPES = [
    {"resourceName": "ORDER", "eventType": name, "eventVersion": "V1", "description": _EVENT_DESCRIPTIONS[name]}
    for name in ORDER_EVENT_TYPES
]


@router.post("/v3/token")
async def token(request: Request) -> Response:
    context = await gate(request, "POST /v3/token", token_call=True)
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    return await answer(request, context, context.sandbox.issue_token(request.headers.get("authorization"), form))


@router.get("/v3/token/detail")
async def token_detail(request: Request) -> Response:
    context = await gate(request, "GET /v3/token/detail")
    return await answer(request, context, context.sandbox.token_detail(request.headers.get("WM_SEC.ACCESS_TOKEN")))


@router.get("/v3/orders")
async def list_orders(request: Request) -> Response:
    context = await gate(request, "GET /v3/orders")
    text = context.sandbox.list_orders(context.seller, query_params(request), released=False, base="/v3/orders")
    return await answer(request, context, text)


@router.get("/v3/orders/released")
async def list_released(request: Request) -> Response:
    context = await gate(request, "GET /v3/orders/released")
    text = context.sandbox.list_orders(context.seller, query_params(request), released=True, base="/v3/orders/released")
    return await answer(request, context, text)


@router.get("/v3/orders/{purchaseOrderId}")
async def get_order(request: Request, purchaseOrderId: str) -> Response:
    context = await gate(request, "GET /v3/orders/{purchaseOrderId}")
    return await answer(request, context, context.sandbox.get_order_text(context.seller, purchaseOrderId))


@router.post("/v3/orders/{purchaseOrderId}/acknowledge")
async def acknowledge(request: Request, purchaseOrderId: str) -> Response:
    context = await gate(request, "POST /v3/orders/{purchaseOrderId}/acknowledge")
    return await answer(request, context, context.sandbox.acknowledge(context.seller, purchaseOrderId))


#: The updates of one PO (NOTES.md sections 4-6): a JSON body POSTed to ``/v3/orders/{purchaseOrderId}/<path>``,
#: answered with the order as it then stands.
ORDER_UPDATES: tuple[tuple[str, Callable[[WalmartSandbox, Seller, str, Any], dict[str, Any]]], ...] = (
    ("shipping", WalmartSandbox.ship),
    ("cancel", WalmartSandbox.cancel),
    ("refund", WalmartSandbox.refund),
)


def _serve_order_update(path: str, update: Callable[[WalmartSandbox, Seller, str, Any], dict[str, Any]]) -> None:
    endpoint = f"POST /v3/orders/{{purchaseOrderId}}/{path}"

    async def order_update(request: Request, purchaseOrderId: str) -> Response:
        context = await gate(request, endpoint)
        body = await json_body(request)
        return await answer(request, context, update(context.sandbox, context.seller, purchaseOrderId, body))

    router.add_api_route(endpoint.split(" ", 1)[1], order_update, methods=["POST"], name=update.__name__)


for _path, _update in ORDER_UPDATES:
    _serve_order_update(_path, _update)


@router.get("/v3/returns")
async def list_returns(request: Request) -> Response:
    context = await gate(request, "GET /v3/returns")
    return await answer(request, context, context.sandbox.list_returns(context.seller, query_params(request)))


@router.post("/v3/returns/{returnOrderId}/refund")
async def refund_return(request: Request, returnOrderId: str) -> Response:
    context = await gate(request, "POST /v3/returns/{returnOrderId}/refund")
    body = await json_body(request)
    return await answer(request, context, context.sandbox.refund_return(context.seller, returnOrderId, body))


@router.get("/v3/inventory")
async def get_inventory(request: Request) -> Response:
    context = await gate(request, "GET /v3/inventory")
    return await answer(
        request, context, context.sandbox.get_inventory(context.seller, query_params(request).get("sku"))
    )


@router.put("/v3/inventory")
async def put_inventory(request: Request) -> Response:
    context = await gate(request, "PUT /v3/inventory")
    body = await json_body(request)
    return await answer(
        request, context, context.sandbox.set_inventory(context.seller, query_params(request).get("sku"), body)
    )


@router.get("/v3/webhooks/eventTypes")
async def event_types(request: Request) -> Response:
    context = await gate(request, "GET /v3/webhooks/eventTypes")
    return await answer(request, context, {"events": EVENT_TYPES})


@router.post("/v3/webhooks/subscriptions")
async def subscribe(request: Request) -> Response:
    context = await gate(request, "POST /v3/webhooks/subscriptions")
    body = await json_body(request)
    return await answer(request, context, context.sandbox.subscribe(context.seller, body))


@router.post("/v3/webhooks/test")
async def test_notification(request: Request) -> Response:
    context = await gate(request, "POST /v3/webhooks/test")
    delivery = context.sandbox.test_notification(context.seller, await json_body(request))
    return await answer(request, context, await send_test_notification(context.sandbox, delivery))


@router.get("/v3/webhooks/subscriptions")
async def subscriptions(request: Request) -> Response:
    context = await gate(request, "GET /v3/webhooks/subscriptions")
    return await answer(request, context, context.sandbox.list_subscriptions(context.seller))


@router.delete("/v3/webhooks/subscriptions/{subscriptionId}")
async def unsubscribe(request: Request, subscriptionId: str) -> Response:
    context = await gate(request, "DELETE /v3/webhooks/subscriptions/{subscriptionId}")
    return await answer(request, context, context.sandbox.delete_subscription(context.seller, subscriptionId))
