"""Commerce pushes reach the connector signed as real stores sign them: Adobe Commerce's RSA-SHA256 webhooks
(verified with the store's public key) and the companion module's events (HMAC over "<timestamp>.<body>",
300 s replay window). Keys and secrets are made in the test; a wrong signature is refused with 401."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from channel_manager.commerce.webhooks import module_signature
from channel_manager.domain.secret import Secret
from channel_manager.domain.statuses import OrderStatus
from channel_manager.sync.runner import RunOptions, run_service
from channel_manager.web.server import HttpOptions, listeners
from channel_manager_sandboxes.serving import free_port

from .conftest import World

pytestmark = pytest.mark.anyio

MODULE_SECRET = "module-events-secret-5150"


async def eventually(check: Callable[[], bool], within: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


def _pem(key: rsa.RSAPrivateKey) -> tuple[str, str]:
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _save(world: World, **commerce: object) -> None:
    store = replace(world.store, commerce=replace(world.store.commerce, **commerce))
    with world.database.unit_of_work() as uow:
        uow.stores.update(store)
        uow.commit()
    world.store = store


@asynccontextmanager
async def running(world: World) -> AsyncIterator[str]:
    """``run`` with pollers off: only pushes move anything. Yields its base URL."""
    await world.context.forget_store(world.store_id)
    port, webhook_port = free_port(), free_port()
    stop, started = asyncio.Event(), asyncio.Event()
    options = RunOptions(workers=2, pollers=False, shutdown_grace_seconds=5)
    served = listeners(world.database, HttpOptions(port=port, webhook_port=webhook_port))
    task = asyncio.create_task(
        run_service(world.database, options, context=world.context, stop=stop, started=started, served=served)
    )
    try:
        await asyncio.wait_for(started.wait(), 10)
        yield f"http://127.0.0.1:{webhook_port}"  # the webhook listener
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def test_rsa_signed_adobe_commerce_webhooks_are_accepted_and_a_wrong_signature_refused(
    world: World,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem, public_pem = _pem(key)
    _save(world, webhook_public_key=public_pem, webhook_secret=None)
    await world.context.forget_store(world.store_id)
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    assert world.order(po).commerce_order_id is not None
    async with running(world) as service, httpx.AsyncClient(timeout=5) as http:
        (
            await http.put(
                f"{world.servers.commerce_url}/_sandbox/webhooks",
                json={
                    "url": f"{service}/webhooks/commerce/{world.store_id}",
                    "signature": "rsa",
                    "private_key_pem": private_pem,
                },
            )
        ).raise_for_status()
        await world.ship_in_commerce(po, {"1": 2}, tracking="1ZRSA0001")
        # only the RSA-signed push can have brought the shipment: pollers are off
        await eventually(lambda: world.order(po).status is OrderStatus.SHIPPED)
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Shipped": 2})

        body = json.dumps({"eventName": "observer.sales_order_save_after", "data": {"entity_id": 1}}).encode()
        good = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = base64.b64encode(other.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
        url = f"{service}/webhooks/commerce/{world.store_id}"
        header = "x-adobe-commerce-webhook-signature"
        refused = await http.post(url, content=body, headers={header: forged})
        assert refused.status_code == 401 and "RSA signature" in refused.json()["detail"]
        tampered = await http.post(url, content=body + b" ", headers={header: good})
        assert tampered.status_code == 401
        assert (await http.post(url, content=body)).status_code == 401
        accepted = await http.post(url, content=body, headers={header: good})
        assert accepted.status_code == 200, accepted.text
    world.assert_nothing_duplicated()


async def test_module_events_are_verified_with_their_secret_and_replay_window(world: World) -> None:
    _save(world, module_events_secret=Secret(MODULE_SECRET), webhook_secret=None)
    await world.context.forget_store(world.store_id)
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    assert world.order(po).commerce_order_id is not None
    async with running(world) as service, httpx.AsyncClient(timeout=5) as http:
        url = f"{service}/webhooks/commerce/{world.store_id}"
        (
            await http.put(
                f"{world.servers.commerce_url}/_sandbox/module",
                json={"events_url": url, "events_secret": MODULE_SECRET, "events_enabled": True},
            )
        ).raise_for_status()
        await world.ship_in_commerce(po, {"1": 2}, tracking="1ZMOD0001")
        await eventually(lambda: world.order(po).status is OrderStatus.SHIPPED)
        await eventually(lambda: world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Shipped": 2})

        order_id = world.order(po).commerce_order_id
        body = json.dumps(
            {"event_id": "e-1", "event": "order_cancelled", "store_id": 1, "data": {"order_id": order_id}}
        ).encode()
        now = str(int(time.time()))

        def headers(timestamp: str, secret: str = MODULE_SECRET) -> dict[str, str]:
            return {
                "X-Channel-Manager-Event": "order_cancelled",
                "X-Channel-Manager-Timestamp": timestamp,
                "X-Channel-Manager-Signature": module_signature(timestamp, body, secret),
            }

        wrong = await http.post(url, content=body, headers=headers(now, "not-the-secret"))
        assert wrong.status_code == 401 and "signature is wrong" in wrong.json()["detail"]
        stale = str(int(time.time()) - 301)
        replayed = await http.post(url, content=body, headers=headers(stale))
        assert replayed.status_code == 401 and "300 s" in replayed.json()["detail"]
        good = await http.post(url, content=body, headers=headers(now))
        assert good.status_code == 200, good.text
        assert MODULE_SECRET not in good.text + wrong.text
    world.assert_nothing_duplicated()
