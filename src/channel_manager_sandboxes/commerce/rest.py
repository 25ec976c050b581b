"""The Commerce REST routes the sandbox serves (``/rest[/<store>]/V1/...``), thin over the state."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from channel_manager_sandboxes.commerce.errors import SandboxApiError, bad_request, required
from channel_manager_sandboxes.commerce.gateway import STORE_CODE_KEY
from channel_manager_sandboxes.commerce.search import parse_criteria, search
from channel_manager_sandboxes.commerce.state import CommerceSandbox, clean

router = APIRouter(prefix="/rest", tags=["Commerce REST (sandbox)"])


def _sandbox(request: Request) -> CommerceSandbox:
    return request.app.state.sandbox


def _store_id(request: Request) -> int:
    return _sandbox(request).store_id_for(request.scope.get(STORE_CODE_KEY))


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise bad_request("Decoding error: \nSyntax error") from None
    if not isinstance(data, dict):
        raise bad_request("Decoding error: \nSyntax error")
    return data


def _arg(body: dict[str, Any], name: str, snake: str | None = None) -> Any:
    """The body's argument ``name``, or its ``snake`` spelling (Commerce's REST accepts both)."""
    return body.get(name, body.get(snake)) if snake else body.get(name)


async def _required(request: Request, name: str, snake: str | None = None, kind: type = dict) -> Any:
    """The body's argument ``name`` (or its ``snake`` spelling), which must be a ``kind``; else Commerce's
    "required" error naming it."""
    value = _arg(await _body(request), name, snake)
    if not isinstance(value, kind):
        raise required(name)
    return value


_FIELD = re.compile(r"([^,\[\]]+)(\[(?:[^\[\]]|\[[^\]]*\])*\])?")


def _parse_fields(spec: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(spec):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(spec[start:i])
            start = i + 1
    parts.append(spec[start:])
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if "[" in part and part.endswith("]"):
            name, inner = part.split("[", 1)
            out[name] = _parse_fields(inner[:-1])
        else:
            out[part] = None
    return out


def _project(value: Any, fields: dict[str, Any]) -> Any:
    """``?fields=items[entity_id,increment_id],total_count`` partial responses."""
    if isinstance(value, list):
        return [_project(v, fields) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: (v if fields[k] is None else _project(v, fields[k])) for k, v in value.items() if k in fields}


def answer(request: Request, payload: Any) -> JSONResponse:
    spec = request.query_params.get("fields")
    if spec and isinstance(payload, (dict, list)):
        payload = _project(payload, _parse_fields(spec))
    return JSONResponse(payload)


def _search(request: Request, rows: list[dict[str, Any]], render: Any = clean) -> JSONResponse:
    criteria = parse_criteria(request.query_params.multi_items())
    return answer(request, search(rows, criteria, render))


# ----------------------------------------------------------------------------- store


@router.get("/V1/store/storeViews")
async def store_views(request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).store_views())


# ----------------------------------------------------------------------------- orders


@router.get("/V1/orders")
async def list_orders(request: Request) -> JSONResponse:
    sandbox = _sandbox(request)
    with sandbox.lock:
        return _search(request, sandbox.order_rows(), sandbox.render_order)


@router.get("/V1/orders/{id}")
async def get_order(id: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).get_order(id))


@router.get("/V1/orders/{id}/statuses")
async def get_order_status(id: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).get_order(id).get("status"))


async def _save_order(request: Request) -> JSONResponse:
    entity = await _required(request, "entity")
    return answer(request, _sandbox(request).save_order(entity, _store_id(request)))


@router.post("/V1/orders")
async def save_order(request: Request) -> JSONResponse:
    return await _save_order(request)


@router.put("/V1/orders/create")
async def create_order(request: Request) -> JSONResponse:
    return await _save_order(request)


@router.post("/V1/orders/{id}/cancel")
async def cancel_order(id: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).cancel(id))


@router.post("/V1/orders/{id}/hold")
async def hold_order(id: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).hold(id))


@router.post("/V1/orders/{id}/unhold")
async def unhold_order(id: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).unhold(id))


@router.post("/V1/orders/{id}/comments")
async def add_order_comment(id: int, request: Request) -> JSONResponse:
    history = await _required(request, "statusHistory", "status_history")
    return answer(request, _sandbox(request).add_comment(id, history))


@router.get("/V1/orders/{id}/comments")
async def list_order_comments(id: int, request: Request) -> JSONResponse:
    items = _sandbox(request).order_comments(id)
    return answer(request, {"items": items, "search_criteria": {"filter_groups": []}, "total_count": len(items)})


@router.post("/V1/order/{orderId}/invoice")
async def invoice_order(orderId: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).invoice(orderId, await _body(request)))


@router.post("/V1/order/{orderId}/ship")
async def ship_order(orderId: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).ship(orderId, await _body(request)))


@router.post("/V1/order/{orderId}/refund")
async def refund_order(orderId: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).refund(orderId, await _body(request)))


# ----------------------------------------------------------------------------- documents


#: Commerce's sales documents (NOTES.md section 9): each kind listed by a search and read by its id.
DOCUMENTS = (
    ("invoice", "/V1/invoices", "/V1/invoices/{id}"),
    ("shipment", "/V1/shipments", "/V1/shipment/{id}"),
    ("creditmemo", "/V1/creditmemos", "/V1/creditmemo/{id}"),
)


def _serve_documents(kind: str, listing: str, single: str) -> None:
    async def list_documents(request: Request) -> JSONResponse:
        return _search(request, _sandbox(request).document_rows(kind))

    async def get_document(id: int, request: Request) -> JSONResponse:
        return answer(request, _sandbox(request).get_document(kind, id))

    router.add_api_route(listing, list_documents, methods=["GET"], name=f"list_{kind}s")
    router.add_api_route(single, get_document, methods=["GET"], name=f"get_{kind}")


for _kind, _listing, _single in DOCUMENTS:
    _serve_documents(_kind, _listing, _single)


@router.post("/V1/shipment/track")
async def add_shipment_track(request: Request) -> JSONResponse:
    entity = await _required(request, "entity")
    return answer(request, _sandbox(request).add_track(entity))


# ----------------------------------------------------------------------------- carts


@router.post("/V1/carts/")
async def create_cart(request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).create_cart(_store_id(request)))


@router.post("/V1/carts/{cartId}/items")
async def add_cart_item(cartId: int, request: Request) -> JSONResponse:
    item = await _required(request, "cartItem", "cart_item")
    return answer(request, _sandbox(request).add_cart_item(cartId, item))


@router.post("/V1/carts/{cartId}/shipping-information")
async def set_shipping_information(cartId: int, request: Request) -> JSONResponse:
    body = await _body(request)
    info = _arg(body, "addressInformation", "address_information")
    return answer(request, _sandbox(request).set_shipping_information(cartId, info or {}))


@router.put("/V1/carts/{cartId}/order")
async def place_order(cartId: int, request: Request) -> JSONResponse:
    body = await _body(request)
    return answer(request, _sandbox(request).place_cart_order(cartId, _arg(body, "paymentMethod", "payment_method")))


# ----------------------------------------------------------------------------- inventory


@router.get("/V1/inventory/source-items")
async def list_source_items(request: Request) -> JSONResponse:
    return _search(request, _sandbox(request).source_item_rows())


@router.post("/V1/inventory/source-items")
async def save_source_items(request: Request) -> JSONResponse:
    items = await _required(request, "sourceItems", "source_items", list)
    _sandbox(request).save_source_items(items)
    return answer(request, [])


@router.get("/V1/inventory/get-product-salable-quantity/{sku}/{stockId}")
async def salable_quantity(sku: str, stockId: int, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).salable_quantity(sku, stockId))


# ----------------------------------------------------------------------------- catalog (admin schema)


def _product_entity(row: dict[str, Any]) -> dict[str, Any]:
    return row["_entity"]


@router.get("/V1/products")
@router.get("/V1/products/")
async def list_products(request: Request) -> JSONResponse:
    """catalog-data-product-search-results-interface; filter groups and condition types as for orders."""
    return _search(request, _sandbox(request).stock.product_rows(), _product_entity)


@router.get("/V1/products/{sku:path}")
async def get_product(sku: str, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).stock.product_entity(sku))


@router.get("/V1/stockItems/{productSku:path}")
async def get_stock_item(productSku: str, request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).stock.stock_item(productSku))


# ----------------------------------------------------------------------------- the companion module


@router.get("/V1/channel-manager/info")
async def module_info(request: Request) -> JSONResponse:
    return answer(request, _sandbox(request).module.info())


@router.post("/V1/channel-manager/orders")
async def module_place_order(request: Request) -> JSONResponse:
    sandbox = _sandbox(request)
    sandbox.module.require_installed()
    return answer(request, sandbox.module.place(await _body(request), _store_id(request)))


def error_response(exc: SandboxApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)
