"""Outgoing webhooks in the style of Adobe Commerce (``magento/commerce-webhooks``, NOTES.md section 11).

Each event is POSTed as ``{"eventName": "observer.<event>", "data": {...entity...}}`` from a
background thread (never blocking the REST call), retried a few times until the receiver answers 2xx.
The header ``x-adobe-commerce-webhook-signature`` signs the raw body bytes, by the subscription's choice:

- ``"rsa"`` (as Adobe Commerce does): base64 of an RSA-SHA256 (PKCS#1 v1.5) signature made with the
  subscription's private key; the receiver verifies it with the public key (PEM), which the control API
  shows (``GET /_sandbox/webhooks``). The sandbox generates a 2048-bit key pair unless it is given one.
- ``"hmac"`` (the default while the connector's receiver still checks it): base64 of HMAC-SHA256 of the
  body with the shared secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from channel_manager_sandboxes.commerce.events import (
    CREDIT_MEMO_SAVED,
    ORDER_CANCELED,
    ORDER_SAVED,
    SHIPMENT_SAVED,
    STOCK_CHANGED,
)
from channel_manager_sandboxes.commerce.outbox import Outbox, OutboxStats, Outgoing

SIGNATURE_HEADER = "x-adobe-commerce-webhook-signature"
SignatureScheme = Literal["hmac", "rsa"]
#: The observer events the sandbox's webhook subscription is hooked to.
WEBHOOK_EVENTS = frozenset({ORDER_SAVED, SHIPMENT_SAVED, CREDIT_MEMO_SAVED, ORDER_CANCELED, STOCK_CHANGED})


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the webhook signing key must be an RSA private key")
    return key


def public_key_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def rsa_signature(body: bytes, key: rsa.RSAPrivateKey) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def hmac_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


@dataclass
class WebhookTarget:
    url: str
    secret: str = field(repr=False, default="")
    signature: SignatureScheme = "hmac"
    private_key: rsa.RSAPrivateKey | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.signature == "rsa" and self.private_key is None:
            self.private_key = generate_private_key()

    @property
    def public_key_pem(self) -> str | None:
        return public_key_pem(self.private_key) if self.private_key is not None else None

    def sign(self, body: bytes) -> str:
        if self.signature == "rsa":
            assert self.private_key is not None
            return rsa_signature(body, self.private_key)
        return hmac_signature(body, self.secret)


class WebhookDispatcher:
    """Listener for :class:`CommerceSandbox` events: queues one delivery per hooked event."""

    def __init__(self, target: WebhookTarget | None = None, *, retries: int = 3, timeout_s: float = 5.0) -> None:
        self.target = target
        self.retries = retries
        self.timeout_s = timeout_s
        self.outbox = Outbox("commerce-webhooks")

    @property
    def stats(self) -> OutboxStats:
        return self.outbox.stats

    def configure(self, target: WebhookTarget | None) -> None:
        self.target = target

    def __call__(self, event_name: str, data: dict[str, Any]) -> None:
        target = self.target
        if target is None or event_name not in WEBHOOK_EVENTS:
            return
        body = json.dumps({"eventName": event_name, "data": data}, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: target.sign(body)}
        self.outbox.send(Outgoing(target.url, body, headers, event_name, self.retries, self.timeout_s))

    def close(self) -> None:
        self.outbox.close()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        return self.outbox.wait_idle(timeout)

    def view(self) -> dict[str, Any]:
        target = self.target
        return {
            "url": target.url if target else None,
            "signature": target.signature if target else None,
            "secret_set": bool(target and target.secret),
            "public_key_pem": target.public_key_pem if target else None,
            **{k: v for k, v in self.stats.view().items() if k != "queued"},
        }
