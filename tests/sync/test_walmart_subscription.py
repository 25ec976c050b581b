"""`stores subscribe` and the Walmart receiver agree (NOTES section 7, issue 10 item 7): the subscription carries
the authDetails the receiver checks (HMAC-SHA256 with the store's webhook secret, generated and stored encrypted
when it has none, in the header the subscription names), the sandbox delivers signed as subscribed, and a
delivery signed with another secret is refused (401, nothing stored)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from channel_manager.service.stores import subscribe_walmart_events
from channel_manager.storage.tables import inbound_events, stores
from channel_manager.walmart.errors import WalmartError
from channel_manager.walmart.notifications import SIGNATURE_HEADER
from channel_manager.web.server import Listen, Listeners
from channel_manager_sandboxes.serving import free_port
from channel_manager_sandboxes.walmart.notifications import Delivery

from .conftest import World

pytestmark = pytest.mark.anyio


def _stored(world: World, event_type: str | None = None) -> int:
    query = select(func.count()).select_from(inbound_events)
    if event_type is not None:
        query = query.where(inbound_events.c.event_type == event_type)
    with world.database.unit_of_work() as uow:
        return int(uow.connection.execute(query).scalar_one())


@pytest.fixture
async def receivers(world: World) -> AsyncIterator[str]:
    port = free_port()
    served = Listeners(world.database, world.context, api=None, webhooks=Listen("127.0.0.1", port))
    served.start()
    await served.wait_started()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.stop()
        for task in served.tasks:
            await task


async def _delivered(world: World, purchase_order_id: str, url: str) -> Delivery:
    """The sandbox's delivery of ``purchase_order_id``'s PO_CREATED to ``url``, once it got an answer."""
    for _ in range(200):
        for delivery in list(world.servers.walmart.deliveries):
            if delivery.url == url and purchase_order_id.encode() in delivery.body and delivery.status is not None:
                return delivery
        await asyncio.sleep(0.05)
    raise AssertionError(f"no delivery of {purchase_order_id} to {url}")


async def test_subscribe_generates_the_secret_and_walmart_delivers_what_the_receiver_accepts(
    world: World, receivers: str
) -> None:
    assert world.store.walmart.webhook_secret is None
    result = await asyncio.to_thread(
        subscribe_walmart_events, world.database, world.store, receivers, ("PO_CREATED", "INTENT_TO_CANCEL")
    )
    assert result.secret_generated and result.test_message
    assert _stored(world) == 1  # Walmart's test notification, signed as the subscription is, was accepted
    with world.database.unit_of_work() as uow:
        saved = uow.stores.require(world.store_id)
        row = uow.connection.execute(select(stores.c.webhook_secrets).where(stores.c.id == world.store_id)).one()
    secret = saved.walmart.webhook_secret
    assert secret is not None and len(secret.reveal()) >= 40
    assert secret.reveal() not in str(row)  # stored encrypted

    walmart = world.servers.walmart
    listed = walmart.list_subscriptions(walmart.seller("seller-1"))["events"]
    assert {s["eventType"] for s in listed} == {"PO_CREATED", "INTENT_TO_CANCEL"}
    for subscription in listed:
        assert subscription["authDetails"] == {"authMethod": "HMAC", "authHeaderName": SIGNATURE_HEADER}

    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    delivery = await _delivered(world, po, result.url)
    assert delivery.status == 200 and delivery.delivered
    assert _stored(world, "PO_CREATED") == 2

    again = await asyncio.to_thread(subscribe_walmart_events, world.database, saved, receivers, ("PO_CREATED",))
    assert not again.secret_generated  # the store's secret is kept
    assert [s.event_type for s in again.replaced] == ["PO_CREATED"]


async def test_a_delivery_signed_with_another_secret_is_refused_and_not_stored(world: World, receivers: str) -> None:
    result = await asyncio.to_thread(subscribe_walmart_events, world.database, world.store, receivers, ("PO_CREATED",))
    link = await world.context.store(world.store_id)
    with pytest.raises(WalmartError, match="HTTP 401"):
        await link.walmart.test_notification(
            "PO_CREATED", result.url, auth_method="HMAC", client_secret="not-the-secret",
            auth_header_name=SIGNATURE_HEADER,
        )  # fmt: skip
    for subscription in await link.walmart.list_subscriptions():
        assert subscription.subscription_id is not None
        await link.walmart.delete_subscription(subscription.subscription_id)
    await link.walmart.subscribe(
        "PO_CREATED", result.url, auth_method="HMAC", client_secret="not-the-secret", auth_header_name=SIGNATURE_HEADER
    )
    before = _stored(world)
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    delivery = await _delivered(world, po, result.url)
    assert delivery.status == 401 and not delivery.delivered
    assert _stored(world) == before


async def test_the_receiver_takes_the_digest_in_hex_too_and_refuses_it_in_another_header(
    world: World, receivers: str
) -> None:
    await asyncio.to_thread(subscribe_walmart_events, world.database, world.store, receivers, ("PO_CREATED",))
    with world.database.unit_of_work() as uow:
        secret = uow.stores.require(world.store_id).walmart.webhook_secret
    assert secret is not None
    body = json.dumps(
        {
            "source": {"eventType": "PO_CREATED", "eventId": "hex-1", "eventTime": datetime.now(UTC).isoformat()},
            "payload": {"purchaseOrderId": "1234567890"},
        }
    ).encode()
    digest = hmac.new(secret.reveal().encode(), body, hashlib.sha256).digest()
    async with httpx.AsyncClient(base_url=receivers, timeout=30) as http:
        path = f"/webhooks/walmart/{world.store_id}"
        elsewhere = await http.post(path, content=body, headers={"X-Signature": base64.b64encode(digest).decode()})
        assert elsewhere.status_code == 401 and elsewhere.json()["side"] == "walmart"
        as_hex = await http.post(path, content=body, headers={SIGNATURE_HEADER: digest.hex()})
        assert as_hex.status_code == 200 and as_hex.json()["eventId"] == "hex-1"
