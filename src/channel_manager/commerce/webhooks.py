"""Commerce webhook deliveries: verifying the signature and reading the payload, in two forms.

- Adobe Commerce webhooks (NOTES.md section 11): ``{"eventName": "observer.sales_order_shipment_save_after",
  "data": {...}}``; the header ``x-adobe-commerce-webhook-signature`` carries base64 of an RSA-SHA256
  (PKCS#1 v1.5) signature of the raw body, verified with the store's public key (PEM) from the webhook
  configuration. The older shared-secret form (base64 HMAC-SHA256 of the body) is still verified when the
  store has a webhook secret and no public key.
- The companion module's events (docs/commerce-module.md, "Events"; Magento Open Source has no webhooks):
  ``{"event_id", "event": "shipment_saved", "occurred_at", "store_id", "data": {"order_id", ...}}`` with
  ``X-Channel-Manager-Timestamp`` and ``X-Channel-Manager-Signature: sha256=<hex HMAC-SHA256 of
  "<timestamp>.<raw body>">``; a timestamp more than 300 s from the receiver's clock is refused (replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "x-adobe-commerce-webhook-signature"
MODULE_EVENT_HEADER = "x-channel-manager-event"
MODULE_TIMESTAMP_HEADER = "x-channel-manager-timestamp"
MODULE_SIGNATURE_HEADER = "x-channel-manager-signature"
#: The module's replay window: a delivery whose timestamp is further than this from our clock is refused.
MODULE_REPLAY_WINDOW_SECONDS = 300
SUCCESS_RESPONSE: dict[str, str] = {"op": "success"}

ORDER_SAVED = "observer.sales_order_save_after"
SHIPMENT_SAVED = "observer.sales_order_shipment_save_after"
CREDIT_MEMO_SAVED = "observer.sales_order_creditmemo_save_after"
ORDER_CANCELED = "observer.order_cancel_after"
STOCK_CHANGED = "observer.cataloginventory_stock_item_save_commit_after"


def sign_webhook(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def verify_webhook(body: bytes, signature: str | None, secret: str) -> bool:
    """True when ``signature`` is the HMAC-SHA256 of the raw ``body`` under ``secret``."""
    if not signature or not secret:
        return False
    return hmac.compare_digest(sign_webhook(body, secret), signature.strip())


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """The RSA public key of a PEM text; ``ValueError`` naming what is wrong otherwise."""
    try:
        key = serialization.load_pem_public_key(pem.strip().encode())
    except (ValueError, TypeError) as exc:
        raise ValueError(f"the Commerce webhook public key is not a PEM public key ({exc})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the Commerce webhook public key is not an RSA key")
    return key


def verify_rsa_webhook(body: bytes, signature: str | None, public_key_pem: str) -> bool:
    """True when ``signature`` (base64) is the RSA-SHA256 PKCS#1 v1.5 signature of ``body`` (Adobe Commerce)."""
    if not signature:
        return False
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (ValueError, TypeError):
        return False
    try:
        load_public_key(public_key_pem).verify(raw, body, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def module_signature(timestamp: str, body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_module_event(
    body: bytes, timestamp: str | None, signature: str | None, secret: str, *, now: float
) -> str | None:
    """Why the module's event is refused (``None`` when it is good): its timestamp must be within
    :data:`MODULE_REPLAY_WINDOW_SECONDS` of ``now`` (unix seconds) and its signature the HMAC of
    ``"<timestamp>.<body>"`` under ``secret``."""
    if not secret:
        return "no module event secret is configured"
    if not timestamp or not signature:
        return "the timestamp or signature header is missing"
    try:
        sent = int(timestamp.strip())
    except ValueError:
        return "the timestamp is not unix seconds"
    if abs(now - sent) > MODULE_REPLAY_WINDOW_SECONDS:
        return f"the timestamp is more than {MODULE_REPLAY_WINDOW_SECONDS} s from this server's clock (replay?)"
    if not hmac.compare_digest(module_signature(timestamp.strip(), body, secret), signature.strip()):
        return "the signature is wrong"
    return None


@dataclass(frozen=True)
class WebhookEvent:
    event_name: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def order_id(self) -> int | None:
        """The Commerce order ``entity_id`` the event concerns, when it names one."""
        if self.event_name in (ORDER_SAVED, ORDER_CANCELED):
            value = self.data.get("entity_id")
        else:
            value = self.data.get("order_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


#: Order states in which an "order saved" event may show nothing for Walmart (created, invoiced).
_STATES_WITH_NOTHING_TO_SEND = frozenset({"new", "processing"})
#: Item quantities that mean the merchant (or the connector) shipped, cancelled or refunded units.
_MOVED_QUANTITIES = ("qty_shipped", "qty_canceled", "qty_refunded")


def _is_zero(value: Any) -> bool:
    """True for 0 as a number or a numeric string ("0.0000"); anything else (missing, null, text) is not 0."""
    if isinstance(value, bool) or value is None:
        return False
    try:
        return float(value) == 0
    except (TypeError, ValueError):
        return False


def order_shows_nothing_to_send(data: Mapping[str, Any]) -> bool:
    """True only when an "order saved" body proves its order has nothing for Walmart: new or processing,
    every item given with ``qty_shipped``, ``qty_canceled`` and ``qty_refunded`` all 0, and ``total_refunded``
    given as 0 or null (no money refunded). That is the order as the connector's own create and invoice calls
    leave it. A merchant's shipment or tracking change needs a shipped unit, a cancel a cancelled one, a credit
    memo a refunded unit or amount: none of them passes. A body lacking any of these fields (a webhook set up
    with fewer fields, another shape) proves nothing: False, so the event is processed."""
    if data.get("state") not in _STATES_WITH_NOTHING_TO_SEND:
        return False
    if "total_refunded" not in data or not (data["total_refunded"] is None or _is_zero(data["total_refunded"])):
        return False
    items = data.get("items")
    if not isinstance(items, list) or not items:
        return False
    return all(isinstance(item, dict) and all(_is_zero(item.get(name)) for name in _MOVED_QUANTITIES) for item in items)


def _named_object(body: bytes | str, what: str, name_field: str, name: str) -> dict[str, Any]:
    """The JSON object of a delivery, with a string ``name_field``; ``ValueError`` saying which ``what`` it is not."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get(name_field), str):
        raise ValueError(f"{what} has no {name}")
    return payload


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    return data if isinstance(data, dict) else {}


def parse_webhook(body: bytes | str) -> WebhookEvent:
    """Read a webhook body; raises ``ValueError`` when it is not an Adobe Commerce webhook."""
    payload = _named_object(body, "Commerce webhook body", "eventName", "eventName")
    return WebhookEvent(event_name=payload["eventName"], data=_data(payload))


#: The module's event names -> the Commerce observer events the connector handles the same way.
MODULE_EVENTS = {
    "shipment_saved": SHIPMENT_SAVED,
    "track_saved": SHIPMENT_SAVED,
    "creditmemo_saved": CREDIT_MEMO_SAVED,
    "order_cancelled": ORDER_CANCELED,
    "stock_changed": STOCK_CHANGED,
}


@dataclass(frozen=True)
class ModuleEvent:
    event_id: str
    event: str
    #: The same event in Adobe Commerce's webhook shape, so one processor handles both.
    webhook: dict[str, Any]


def parse_module_event(body: bytes | str) -> ModuleEvent:
    """Read one of the module's events; ``ValueError`` when it is not one."""
    payload = _named_object(body, "Channel Manager module event", "event", "event name")
    event_id = payload.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        raise ValueError("Channel Manager module event has no event_id")
    name = MODULE_EVENTS.get(payload["event"])
    if name is None:
        raise ValueError(f"Channel Manager module event {payload['event']!r} is not one this connector knows")
    inner = dict(_data(payload))
    if name == ORDER_CANCELED and "order_id" in inner:
        inner["entity_id"] = inner["order_id"]
    return ModuleEvent(event_id, payload["event"], {"eventName": name, "data": inner, "module_event": payload})
