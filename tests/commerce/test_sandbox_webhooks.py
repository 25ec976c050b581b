"""Adobe Commerce webhooks from the sandbox: RSA-SHA256 signatures (as Adobe Commerce signs) verified with
the public key the control API shows, and the HMAC scheme kept as the default during the transition."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import RunningSandbox, start_sandbox
from .receiver import Received, receiver

HEADER = "x-adobe-commerce-webhook-signature"


def _ship_one_order(sandbox: RunningSandbox) -> None:
    rest = httpx.Client(base_url=f"{sandbox.url}/rest/V1", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
    entity = {
        "customer_email": "po@relay.walmart.com",
        "items": [{"sku": "MUG-1", "qty_ordered": 1, "price": 8}],
        "payment": {"method": "channelpayment"},
    }
    order = rest.post("/orders", json={"entity": entity}).json()
    rest.post(f"/order/{order['entity_id']}/invoice", json={}).raise_for_status()
    rest.post(f"/order/{order['entity_id']}/ship", json={}).raise_for_status()
    rest.close()


def _verify_rsa(call: Received, public_pem: str) -> None:
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(base64.b64decode(call.headers[HEADER]), call.body, padding.PKCS1v15(), hashes.SHA256())


def test_rsa_signed_webhooks_verify_with_the_published_public_key_and_a_changed_body_does_not(
    sandbox: RunningSandbox,
) -> None:
    sandbox.product("MUG-1", quantity=5)
    with receiver() as hook:
        view = sandbox.control.put("/_sandbox/webhooks", json={"url": hook.url, "signature": "rsa"}).json()
        assert view["signature"] == "rsa" and view["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
        assert sandbox.control.get("/_sandbox/webhooks").json()["public_key_pem"] == view["public_key_pem"]
        _ship_one_order(sandbox)
        calls = hook.wait_for(3)
    assert [json.loads(c.body)["eventName"] for c in calls] == [
        "observer.sales_order_save_after",
        "observer.sales_order_save_after",
        "observer.sales_order_shipment_save_after",
    ]
    for call in calls:
        _verify_rsa(call, view["public_key_pem"])
    tampered = Received(calls[-1].body.replace(b'"qty":1', b'"qty":2'), calls[-1].headers)
    assert tampered.body != calls[-1].body
    with pytest.raises(InvalidSignature):
        _verify_rsa(tampered, view["public_key_pem"])
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    other_pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(InvalidSignature):
        _verify_rsa(calls[-1], other_pem.decode())


def test_a_given_private_key_signs_and_settings_can_ask_for_rsa() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with receiver() as hook:
        sandbox = start_sandbox(
            SandboxSettings(webhook_url=hook.url, webhook_signature="rsa", webhook_private_key_pem=pem)
        )
        try:
            view = sandbox.control.get("/_sandbox/webhooks").json()
            sandbox.product("MUG-1", quantity=5)
            _ship_one_order(sandbox)
            calls = hook.wait_for(4)
        finally:
            sandbox.control.close()
            sandbox.server.stop()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert view["public_key_pem"] == public.decode()
    assert json.loads(calls[0].body)["eventName"] == "observer.cataloginventory_stock_item_save_commit_after"
    assert len(calls) == 4
    for call in calls:
        _verify_rsa(call, view["public_key_pem"])


def test_hmac_stays_the_default_scheme(sandbox: RunningSandbox) -> None:
    sandbox.product("MUG-1", quantity=5)
    with receiver() as hook:
        view = sandbox.control.put("/_sandbox/webhooks", json={"url": hook.url, "secret": "shh"}).json()
        assert view["signature"] == "hmac" and view["public_key_pem"] is None and view["secret_set"] is True
        _ship_one_order(sandbox)
        calls = hook.wait_for(3)
    assert len(calls) == 3
    for call in calls:
        expected = base64.b64encode(hmac.new(b"shh", call.body, hashlib.sha256).digest()).decode()
        assert call.headers[HEADER] == expected
