"""Webhook receivers, on their own listener: ``POST /webhooks/walmart/{store_id}`` and
``POST /webhooks/commerce/{store_id}``.

In this order, and nothing else first: the body is read up to ``WebhookLimits.max_body_bytes`` (a longer
one is 413 before it is read whole: the Content-Length is checked, then the streamed bytes counted); only
the store's webhook secret of that side is decrypted; the signature is compared in constant time (401
otherwise); a Walmart delivery older than the replay window (its signed ``eventTime``) is refused (401).
Only then is it stored (de-duplicated on its event id, with the job that processes it) and answered 2xx.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from ..commerce.webhooks import (
    MODULE_SIGNATURE_HEADER,
    MODULE_TIMESTAMP_HEADER,
    parse_module_event,
    parse_webhook,
    verify_module_event,
    verify_rsa_webhook,
    verify_webhook,
)
from ..commerce.webhooks import SIGNATURE_HEADER as COMMERCE_SIGNATURE_HEADER
from ..domain.secret import Secret
from ..logs import get_logger
from ..service import stores as store_service
from ..service.inbound import COMMERCE, WALMART, commerce_event_id, record_delivery
from ..walmart.notifications import SIGNATURE_HEADER, NotificationError, parse_notification, verify_notification
from .problems import ProblemError, responses
from .state import ServiceState

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
#: Keys of the store's webhook trust blob besides "walmart" and "commerce" (storage/stores.py).
COMMERCE_PUBLIC_KEY = "commerce_public_key"
COMMERCE_MODULE = "commerce_module"
log = get_logger("channel_manager.web.webhooks")
StoreId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The store's id (`channel-manager stores list`).")]


@dataclass(frozen=True)
class WebhookLimits:
    max_body_bytes: int = 256 * 1024
    #: A Walmart delivery whose (signed) eventTime is older than this is a replay.
    replay_window: timedelta = timedelta(hours=1)


def _limits(request: Request) -> WebhookLimits:
    return getattr(request.app.state, "webhook_limits", WebhookLimits())


def _too_large(limit: int) -> ProblemError:
    return ProblemError(413, "Too large", f"A webhook body is at most {limit} bytes.", slug="too-large")


async def capped_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to be longer than ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ProblemError(400, "Bad request", "The Content-Length header is not a number.", slug="bad-request")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _secret(state: ServiceState, store_id: int, source: str, label: str) -> Secret:
    name, secret = await state.context.run_db(store_service.webhook_secret, state.database, store_id, source)
    if secret is None:
        raise ProblemError(
            403, "Webhooks not set up", f"{label} webhooks are not set up for store {name!r}: it has no webhook "
            "secret.", slug="no-webhook-secret", side=source,  # type: ignore[arg-type]
        )  # fmt: skip
    return secret


def _refused(side: str, detail: str) -> ProblemError:
    return ProblemError(401, "Unauthorized", detail, slug="bad-signature", side=side)  # type: ignore[arg-type]


RECEIVER_RESPONSES = responses(400, 401, 403, 404, 413, 422)


@router.post(
    "/walmart/{store_id}",
    summary="Receive a Walmart order notification (PO_CREATED, ...), signed as subscribed: HMAC-SHA256 of the body "
    "with the store's webhook secret in WM_SEC.SIGNATURE",
    responses=RECEIVER_RESPONSES,
)
async def walmart_notification(store_id: StoreId, request: Request) -> JSONResponse:
    state: ServiceState = request.app.state.service
    limits = _limits(request)
    body = await capped_body(request, limits.max_body_bytes)
    secret = await _secret(state, store_id, WALMART, "Walmart")
    if not verify_notification(
        body, dict(request.headers), client_secret=secret.reveal(), header_name=SIGNATURE_HEADER
    ):
        raise _refused("walmart", "Walmart notification refused: the HMAC signature is missing or wrong.")
    try:
        notification = parse_notification(body)
    except (NotificationError, ValueError, OverflowError, OSError) as error:
        raise ProblemError(400, "Bad request", f"Walmart notification refused: {error}", side="walmart") from None
    if notification.event_time is not None and notification.event_time < datetime.now(UTC) - limits.replay_window:
        log.warning("stale walmart notification refused", store_id=store_id, event_id=notification.event_id)
        raise _refused("walmart", "Walmart notification refused: its eventTime is outside the replay window.")
    if not notification.event_id:
        raise ProblemError(
            400, "Bad request", "Walmart notification refused: it has no source.eventId.", side="walmart"
        )
    new = await state.context.run_db(
        record_delivery, state.context, store_id, WALMART, notification.event_id, notification.event_type,
        json.loads(body),
    )  # fmt: skip
    if new:
        state.context.work_available.set()
    state.metrics.webhooks_received[WALMART] += 1
    return JSONResponse({"status": "accepted" if new else "duplicate", "eventId": notification.event_id})


async def _check_commerce_signature(state: ServiceState, store_id: int, body: bytes, request: Request) -> None:
    """Adobe Commerce's RSA-SHA256 signature with the store's public key (only the public key is read); the
    shared-secret HMAC form only when the store has no public key."""
    signature = request.headers.get(COMMERCE_SIGNATURE_HEADER)
    _, public_key = await state.context.run_db(
        store_service.webhook_secret, state.database, store_id, COMMERCE_PUBLIC_KEY
    )
    if public_key is not None:
        if not verify_rsa_webhook(body, signature, public_key.reveal()):
            raise _refused("commerce", "Commerce webhook refused: the RSA signature is missing or wrong.")
        return
    secret = await _secret(state, store_id, COMMERCE, "Commerce")
    if not verify_webhook(body, signature, secret.reveal()):
        raise _refused("commerce", "Commerce webhook refused: the signature is missing or wrong.")


async def _check_module_signature(state: ServiceState, store_id: int, body: bytes, request: Request) -> None:
    """The companion module's HMAC of "<timestamp>.<body>" with its event secret, within the replay window."""
    secret = await _secret(state, store_id, COMMERCE_MODULE, "Channel Manager module event")
    refused = verify_module_event(
        body,
        request.headers.get(MODULE_TIMESTAMP_HEADER),
        request.headers.get(MODULE_SIGNATURE_HEADER),
        secret.reveal(),
        now=time.time(),
    )
    if refused is not None:
        raise _refused("commerce", f"Channel Manager module event refused: {refused}.")


@router.post(
    "/commerce/{store_id}",
    summary="Receive an Adobe Commerce webhook (RSA-SHA256 in x-adobe-commerce-webhook-signature) or a Channel "
    "Manager module event (HMAC in X-Channel-Manager-Signature)",
    responses=RECEIVER_RESPONSES,
)
async def commerce_webhook(store_id: StoreId, request: Request) -> JSONResponse:
    state: ServiceState = request.app.state.service
    body = await capped_body(request, _limits(request).max_body_bytes)
    if MODULE_SIGNATURE_HEADER in request.headers:
        await _check_module_signature(state, store_id, body, request)
        try:
            module_event = parse_module_event(body)
        except ValueError as error:
            raise ProblemError(
                400, "Bad request", f"Channel Manager module event refused: {error}", side="commerce"
            ) from None
        event_id, event_name, payload = module_event.event_id, module_event.webhook["eventName"], module_event.webhook
    else:
        await _check_commerce_signature(state, store_id, body, request)
        try:
            event = parse_webhook(body)
        except ValueError as error:
            raise ProblemError(400, "Bad request", f"Commerce webhook refused: {error}", side="commerce") from None
        event_id, event_name, payload = commerce_event_id(body), event.event_name, json.loads(body)
    new = await state.context.run_db(record_delivery, state.context, store_id, COMMERCE, event_id, event_name, payload)
    if new:
        state.context.work_available.set()
    state.metrics.webhooks_received[COMMERCE] += 1
    return JSONResponse({"op": "success"})
