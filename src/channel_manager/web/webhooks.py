"""Webhook receivers: ``POST /webhooks/walmart/{store_id}`` and ``POST /webhooks/commerce/{store_id}``.

A delivery is checked (signature), stored de-duplicated on its event id, and only then answered 2xx; the
inbound processor does the work afterwards. A refused delivery gets a 4xx naming the cause.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from ..commerce.webhooks import SIGNATURE_HEADER as COMMERCE_SIGNATURE_HEADER
from ..commerce.webhooks import parse_webhook, verify_webhook
from ..service.inbound import COMMERCE, WALMART, commerce_event_id, record_delivery
from ..storage.errors import StoreNotFound
from ..walmart.notifications import NotificationError, parse_notification, verify_notification
from .state import ServiceState

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


async def _store(state: ServiceState, store_id: int):  # type: ignore[no-untyped-def]
    try:
        return (await state.context.store(store_id)).store
    except StoreNotFound:
        raise HTTPException(404, f"There is no store with id {store_id}.") from None


@router.post("/walmart/{store_id}", summary="Receive a Walmart order notification (PO_CREATED, ...)")
async def walmart_notification(store_id: int, request: Request) -> JSONResponse:
    state: ServiceState = request.app.state.service
    store = await _store(state, store_id)
    body = await request.body()
    secret = store.walmart.webhook_secret
    if secret is None:
        raise HTTPException(403, f"Walmart webhooks are not set up for store {store.name!r}: it has no webhook secret.")
    if not verify_notification(body, dict(request.headers), client_secret=secret.reveal()):
        raise HTTPException(401, "Walmart notification refused: the HMAC signature is missing or wrong.")
    try:
        notification = parse_notification(body)
    except (NotificationError, ValueError) as error:
        raise HTTPException(400, f"Walmart notification refused: {error}") from None
    if not notification.event_id:
        raise HTTPException(400, "Walmart notification refused: it has no source.eventId.")
    new = await state.context.run_db(
        record_delivery, state.context, store_id, WALMART, notification.event_id, notification.event_type,
        json.loads(body),
    )  # fmt: skip
    if new:
        state.context.work_available.set()
    state.metrics.webhooks_received[WALMART] += 1
    return JSONResponse({"status": "accepted" if new else "duplicate", "eventId": notification.event_id})


@router.post("/commerce/{store_id}", summary="Receive an Adobe Commerce webhook (order, shipment, credit memo)")
async def commerce_webhook(store_id: int, request: Request) -> JSONResponse:
    state: ServiceState = request.app.state.service
    store = await _store(state, store_id)
    body = await request.body()
    secret = store.commerce.webhook_secret
    if secret is None:
        raise HTTPException(
            403, f"Commerce webhooks are not set up for store {store.name!r}: it has no webhook secret."
        )
    if not verify_webhook(body, request.headers.get(COMMERCE_SIGNATURE_HEADER), secret.reveal()):
        raise HTTPException(401, "Commerce webhook refused: the signature is missing or wrong.")
    try:
        event = parse_webhook(body)
    except ValueError as error:
        raise HTTPException(400, f"Commerce webhook refused: {error}") from None
    event_id = commerce_event_id(body)
    new = await state.context.run_db(
        record_delivery, state.context, store_id, COMMERCE, event_id, event.event_name, json.loads(body)
    )
    if new:
        state.context.work_available.set()
    state.metrics.webhooks_received[COMMERCE] += 1
    return JSONResponse({"op": "success"})
