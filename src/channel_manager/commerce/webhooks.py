"""Adobe Commerce webhook deliveries: verifying the signature and reading the payload.

Payload (NOTES.md section 11): ``{"eventName": "observer.sales_order_shipment_save_after",
"data": {...}}``. The header ``x-adobe-commerce-webhook-signature`` carries
``base64(HMAC-SHA256(secret, raw body))`` as the sandbox (and a store configured with a shared
secret) sends it. A real Adobe Commerce store signs with an RSA key instead; that form is not
verified here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

SIGNATURE_HEADER = "x-adobe-commerce-webhook-signature"
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


def parse_webhook(body: bytes | str) -> WebhookEvent:
    """Read a webhook body; raises ``ValueError`` when it is not an Adobe Commerce webhook."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Commerce webhook body is not JSON: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("eventName"), str):
        raise ValueError("Commerce webhook body has no eventName")
    data = payload.get("data")
    return WebhookEvent(event_name=payload["eventName"], data=data if isinstance(data, dict) else {})
