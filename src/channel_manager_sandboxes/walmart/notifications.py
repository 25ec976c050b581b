"""Webhook subscriptions and the notifications they get (NOTES.md section 7).

An event queues a :class:`Delivery` per matching subscription; ``delivery.py`` POSTs it in the
background, so the request that caused the event never waits for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from channel_manager_sandboxes.walmart.clock import SandboxClock
from channel_manager_sandboxes.walmart.contract import DEFAULT_HMAC_HEADER
from channel_manager_sandboxes.walmart.dates import iso
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
from channel_manager_sandboxes.walmart.model import Line, PurchaseOrder, Seller, Subscription
from channel_manager_sandboxes.walmart.render import notification_lines

_REQUIRED = ("eventType", "eventVersion", "resourceName", "eventUrl", "status")
_HIDDEN_AUTH = ("clientSecret", "password")


@dataclass
class Delivery:
    """One notification to POST: the sandbox's dispatcher sends it (with retries)."""

    event_id: str
    event_type: str
    url: str
    body: bytes
    headers: dict[str, str]
    seller_id: str
    attempts: int = 0
    status: int | None = None
    delivered: bool = False
    error: str | None = None


def _invalid(description: str, name: str) -> SandboxHTTPError:
    return SandboxHTTPError(400, "INVALID_REQUEST_CONTENT.GMP_NOTIFICATION_API", description, field=name)


#: What each ``authDetails.authMethod`` needs (NOTES section 7).
_AUTH_FIELDS: dict[str, tuple[str, ...]] = {
    "HMAC": ("clientSecret",),
    "BASIC_AUTH": ("userName", "password"),
    "OAUTH": ("authUrl", "clientId", "clientSecret"),
}


def checked_auth(raw: Any) -> dict[str, Any]:
    """A subscription's (or test notification's) ``authDetails``, refused with 400 when it cannot be used."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _invalid("authDetails must be an object", "authDetails")
    method = str(raw.get("authMethod") or "")
    if method not in _AUTH_FIELDS:
        raise _invalid(f"authDetails.authMethod must be one of {', '.join(_AUTH_FIELDS)}", "authMethod")
    for name in _AUTH_FIELDS[method]:
        if not raw.get(name):
            raise _invalid(f"authDetails.{name} is required for {method}", name)
    return dict(raw)


def hmac_signature(body: bytes, client_secret: str) -> str:
    """NOTES.md section 7: HMAC-SHA256 of the body with the subscription's ``clientSecret``, base64."""
    return base64.b64encode(hmac.new(client_secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def auth_headers(auth: Mapping[str, Any], body: bytes) -> dict[str, str]:
    """The authentication header a subscription's ``authDetails`` asks for."""
    method = str(auth.get("authMethod") or "").upper()
    if method == "HMAC" and auth.get("clientSecret"):
        return {str(auth.get("authHeaderName") or DEFAULT_HMAC_HEADER): hmac_signature(body, str(auth["clientSecret"]))}
    if method == "BASIC_AUTH" and auth.get("userName") is not None:
        token = base64.b64encode(f"{auth['userName']}:{auth.get('password', '')}".encode()).decode()
        return {str(auth.get("authHeaderName") or "Authorization"): "Basic " + token}
    return {}


def delivery_headers(body: bytes, headers: Mapping[str, Any], auth: Mapping[str, Any]) -> dict[str, str]:
    """The headers of one notification: the subscription's own, plus its HMAC signature or Basic auth."""
    result = {"Content-Type": "application/json", **{k: str(v) for k, v in headers.items()}}
    result.update(auth_headers(auth, body))
    return result


def subscription_json(seller: Seller, sub: Subscription) -> dict[str, Any]:
    data: dict[str, Any] = {
        "eventType": sub.event_type,
        "subscriptionId": sub.subscription_id,
        "partnerId": seller.partner_id,
        "eventVersion": sub.event_version,
        "resourceName": sub.resource_name,
        "status": sub.status,
        "eventUrl": sub.event_url,
    }
    if sub.auth:
        data["authDetails"] = {k: v for k, v in sub.auth.items() if k not in _HIDDEN_AUTH}
    return data


class Notifications:
    def __init__(self, clock: SandboxClock, lock: threading.RLock) -> None:
        self.clock = clock
        self.lock = lock
        self.deliveries: deque[Delivery] = deque(maxlen=1000)
        self.pending: list[Delivery] = []
        """Deliveries queued while no dispatcher runs (handed to it when it starts)."""
        self.dispatch: Callable[[Delivery], None] | None = None

    def subscribe(self, seller: Seller, body: Any) -> dict[str, Any]:
        events = body.get("events") if isinstance(body, Mapping) else None
        if not isinstance(events, list) or not events:
            raise _invalid("events is required", "events")
        created = []
        with self.lock:
            for raw in events:
                for name in _REQUIRED:
                    if not isinstance(raw, Mapping) or not raw.get(name):
                        raise _invalid(f"{name} is required", name)
                sub = Subscription(
                    str(uuid.uuid4()),
                    raw["eventType"],
                    raw["eventVersion"],
                    raw["resourceName"],
                    raw["eventUrl"],
                    raw["status"],
                    dict(raw.get("headers") or {}),
                    checked_auth(raw.get("authDetails")),
                )
                seller.subscriptions[sub.subscription_id] = sub
                created.append(subscription_json(seller, sub))
        return {"events": created}

    def list_subscriptions(self, seller: Seller) -> dict[str, Any]:
        with self.lock:
            return {"events": [subscription_json(seller, s) for s in seller.subscriptions.values()]}

    def delete_subscription(self, seller: Seller, subscription_id: str) -> dict[str, Any]:
        with self.lock:
            if seller.subscriptions.pop(subscription_id, None) is None:
                raise SandboxHTTPError(
                    404, "CONTENT_NOT_FOUND.GMP_NOTIFICATION_API", f"Subscription {subscription_id} not found"
                )
        return {"subscriptionId": subscription_id, "message": "Subscription deleted successfully"}

    def test_notification(self, seller: Seller, body: Any) -> Delivery:
        """``POST /v3/webhooks/test``: the sample delivery of ``eventType`` to ``eventUrl``, signed as a
        subscription with these ``authDetails`` would be. Its payload names no purchase order."""
        for name in ("eventType", "eventVersion", "resourceName", "eventUrl"):
            if not isinstance(body, Mapping) or not body.get(name):
                raise _invalid(f"{name} is required", name)
        event_id = f"test-{uuid.uuid4()}"
        source = {
            "eventType": body["eventType"],
            "eventTime": iso(self.clock.now_ms()),
            "eventId": event_id,
            "eventVersion": body["eventVersion"],
            "eventFilters": None,
        }
        payload = {"partnerId": seller.partner_id, "sample": True}
        raw = json.dumps({"source": source, "payload": payload}, ensure_ascii=False).encode()
        headers = delivery_headers(raw, dict(body.get("headers") or {}), checked_auth(body.get("authDetails")))
        return Delivery(event_id, str(body["eventType"]), str(body["eventUrl"]), raw, headers, seller.seller_id)

    def emit(self, seller: Seller, event_type: str, order: PurchaseOrder, lines: list[Line], status: str) -> None:
        """Queue a notification to every matching subscription (called with the lock held)."""
        payload = _order_payload(seller, order, notification_lines(order, lines, status))
        for sub in seller.subscriptions.values():
            if sub.status != "ACTIVE" or sub.event_type not in (event_type, "ORDER_UPDATES"):
                continue
            self._queue(seller, sub, event_type, payload)

    def _queue(self, seller: Seller, sub: Subscription, event_type: str, payload: dict[str, Any]) -> None:
        event_id = str(uuid.uuid4())
        source = {
            "eventType": sub.event_type,
            "eventTime": iso(self.clock.now_ms()),
            "eventId": event_id,
            "eventVersion": sub.event_version,
            "eventFilters": None,
        }
        if sub.event_type == "ORDER_UPDATES":
            payload = {"subEventType": event_type, "order": payload}
        body = json.dumps({"source": source, "payload": payload}, ensure_ascii=False).encode()
        headers = delivery_headers(body, sub.headers, sub.auth)
        delivery = Delivery(event_id, event_type, sub.event_url, body, headers, seller.seller_id)
        self.deliveries.append(delivery)
        if self.dispatch is not None:
            self.dispatch(delivery)
        else:
            self.pending.append(delivery)


def _order_payload(seller: Seller, order: PurchaseOrder, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "partnerId": seller.partner_id,
        "purchaseOrderId": order.purchase_order_id,
        "customerOrderId": order.customer_order_id,
        "orderDate": iso(order.order_date_ms),
        "estimatedDeliveryDate": iso(order.estimated_delivery_ms),
        "estimatedShipDate": iso(order.estimated_ship_ms),
        "orderLines": lines,
    }
