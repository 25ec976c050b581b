"""Incoming Walmart notifications (webhooks): check who sent them and read them.

Authentication (NOTES section 7: Walmart delivers with the ``authDetails`` given at subscription). channel-manager
subscribes with :func:`subscription_auth` and its receiver checks the same (docs/decisions.md D-WH1):

* ``HMAC``: ``authDetails = {"authMethod": "HMAC", "clientSecret": <the store's webhook secret>,
  "authHeaderName": "WM_SEC.SIGNATURE"}``; the header named holds HMAC-SHA256(key=clientSecret, msg=<the raw
  request body bytes>), base64 (standard, padded). The header is named in the subscription on purpose, not
  left to a default; Walmart's docs do not fix the digest's encoding, so hex is accepted too.
* ``BASIC_AUTH`` (checked by :func:`verify_notification` when asked): header ``Authorization`` (or
  ``authHeaderName``) holds ``Basic base64(user:password)``.

Use ``source.eventId`` as the idempotency key and re-read the PO: the payload is thin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channel_manager.walmart.models import _to_datetime

SIGNATURE_HEADER = "WM_SEC.SIGNATURE"
AUTH_METHOD = "HMAC"
ORDER_EVENT_TYPES = ("PO_CREATED", "PO_LINE_AUTOCANCELLED", "INTENT_TO_CANCEL", "FRAUD_CANCEL")
_ALIASES = {"ORDER_INTENT_TO_CANCEL": "INTENT_TO_CANCEL", "PO_LINE_AUTO_CANCELLED": "PO_LINE_AUTOCANCELLED"}


class NotificationError(ValueError):
    """The body is not a Walmart notification we can read."""


def sign_notification(body: bytes, client_secret: str) -> str:
    """The HMAC signature header value for ``body``."""
    digest = hmac.new(client_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def subscription_auth(client_secret: str) -> dict[str, str]:
    """The ``authDetails`` channel-manager subscribes (and sends its test notification) with."""
    return {"authMethod": AUTH_METHOD, "clientSecret": client_secret, "authHeaderName": SIGNATURE_HEADER}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    folded = name.casefold()
    for key, value in headers.items():
        if key.casefold() == folded:
            return value
    return None


def verify_notification(
    body: bytes,
    headers: Mapping[str, str],
    *,
    client_secret: str | None = None,
    username: str | None = None,
    password: str | None = None,
    header_name: str | None = None,
) -> bool:
    """True when the delivery carries a valid HMAC signature (``client_secret``) or basic auth."""
    if client_secret is not None:
        received = _header(headers, header_name or SIGNATURE_HEADER)
        if not received:
            return False
        digest = hmac.new(client_secret.encode(), body, hashlib.sha256).digest()
        given = received.strip().encode()
        as_base64 = hmac.compare_digest(given, base64.b64encode(digest))
        as_hex = hmac.compare_digest(given.lower(), digest.hex().encode())
        return as_base64 | as_hex
    if username is not None and password is not None:
        received = _header(headers, header_name or "Authorization")
        if not received:
            return False
        expected = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        return hmac.compare_digest(received.strip().encode(), expected.encode())
    raise ValueError("verify_notification needs client_secret, or username and password")


@dataclass(frozen=True)
class NotificationLine:
    line_number: str
    sku: str | None
    quantity: int | None
    status: str | None
    cancellation_reason: str | None
    raw: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class OrderNotification:
    """An order event: ``event_type`` is the concrete change (the sub-event of ``ORDER_UPDATES``)."""

    event_type: str
    event_id: str | None
    event_time: datetime | None
    purchase_order_id: str | None
    customer_order_id: str | None
    partner_id: str | None
    lines: tuple[NotificationLine, ...]
    envelope_type: str
    payload: Mapping[str, Any] = field(repr=False)


def parse_notification(body: bytes | str | Mapping[str, Any]) -> OrderNotification:
    """Read a ``PO_CREATED``, ``PO_LINE_AUTOCANCELLED``, ``INTENT_TO_CANCEL`` or ``ORDER_UPDATES`` delivery."""
    if isinstance(body, bytes | str):
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise NotificationError(f"Walmart notification is not JSON: {exc}") from exc
    else:
        data = body
    if not isinstance(data, Mapping):
        raise NotificationError("Walmart notification is not a JSON object")
    source = _mapping(data.get("source"))
    payload = _mapping(data.get("payload"))
    meta = _mapping(data.get("meta"))
    envelope = str(source.get("eventType") or data.get("eventType") or "")
    if not envelope:
        raise NotificationError("Walmart notification has no eventType")
    event_type = envelope
    if envelope in ("ORDER_UPDATES", "ORDER_MANAGEMENT_EVENT"):
        sub = payload.get("subEventType") or meta.get("subEventType") or source.get("subEventType")
        if not sub:
            raise NotificationError(f"Walmart {envelope} notification has no subEventType")
        event_type = str(sub)
    event_type = _ALIASES.get(event_type, event_type)
    if event_type not in ORDER_EVENT_TYPES:
        raise NotificationError(f"Walmart notification type {event_type} is not an order event")
    order = _mapping(payload.get("order")) if isinstance(payload.get("order"), Mapping) else payload
    raw_lines = order.get("orderLines") or []
    if isinstance(raw_lines, Mapping):
        raw_lines = raw_lines.get("orderLine") or []
    lines = []
    for raw in raw_lines:
        if not isinstance(raw, Mapping):
            continue
        quantity = raw.get("quantity") or raw.get("orderLineQuantity") or {}
        amount = quantity.get("measurementValue", quantity.get("amount")) if isinstance(quantity, Mapping) else None
        lines.append(
            NotificationLine(
                line_number=str(raw.get("lineNumber")),
                sku=raw.get("sku") or (raw.get("item") or {}).get("sku"),
                quantity=int(float(amount)) if amount not in (None, "") else None,
                status=raw.get("status"),
                cancellation_reason=raw.get("cancellationReason"),
                raw=raw,
            )
        )
    event_id = source.get("eventId") or data.get("eventId")
    event_time = source.get("eventTime") or data.get("eventTime")
    return OrderNotification(
        event_type=event_type,
        event_id=str(event_id) if event_id is not None else None,
        event_time=_to_datetime(event_time),
        purchase_order_id=_opt_str(order.get("purchaseOrderId")),
        customer_order_id=_opt_str(order.get("customerOrderId")),
        partner_id=_opt_str(order.get("partnerId") or payload.get("partnerId") or data.get("partnerId")),
        lines=tuple(lines),
        envelope_type=envelope,
        payload=payload,
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}
