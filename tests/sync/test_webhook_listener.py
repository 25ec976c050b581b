"""The webhook receivers on their own listener: only the receivers, bodies capped (413 before reading a
5 MB body, nothing stored), the signature checked with the webhook secret alone, stale deliveries refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from channel_manager.commerce.webhooks import sign_webhook
from channel_manager.domain.secret import Secret
from channel_manager.storage.tables import inbound_events, stores
from channel_manager.walmart.notifications import sign_notification
from channel_manager.web.server import Listen, Listeners
from channel_manager_sandboxes.serving import free_port

from .conftest import World

pytestmark = pytest.mark.anyio
WALMART_SECRET = "walmart-hook-secret-9"
COMMERCE_SECRET = "commerce-hook-secret-9"


def _stored(world: World) -> int:
    with world.database.unit_of_work() as uow:
        return int(uow.connection.execute(select(func.count()).select_from(inbound_events)).scalar_one())


@pytest.fixture
async def receivers(world: World) -> AsyncIterator[str]:
    store = replace(
        world.store,
        walmart=replace(world.store.walmart, webhook_secret=Secret(WALMART_SECRET)),
        commerce=replace(world.store.commerce, webhook_secret=Secret(COMMERCE_SECRET)),
    )
    with world.database.unit_of_work() as uow:
        uow.stores.update(store)
        uow.commit()
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


def _notification(event_id: str, at: datetime) -> bytes:
    return json.dumps(
        {
            "source": {"eventType": "PO_CREATED", "eventId": event_id, "eventTime": at.isoformat()},
            "payload": {"purchaseOrderId": "1234567890"},
        }
    ).encode()


async def test_a_5_mb_body_gets_413_and_is_not_stored(world: World, receivers: str) -> None:
    big = b'{"eventName": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    async with httpx.AsyncClient(base_url=receivers, timeout=30) as http:
        for source in ("walmart", "commerce"):
            declared = await http.post(f"/webhooks/{source}/{world.store_id}", content=big)
            assert declared.status_code == 413 and declared.headers["content-type"] == "application/problem+json"
            assert declared.json()["title"] == "Too large"

            async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the streamed bytes are counted
                for start in range(0, len(big), 64 * 1024):
                    yield big[start : start + 64 * 1024]

            streamed = await http.post(f"/webhooks/{source}/{world.store_id}", content=chunks())
            assert streamed.status_code == 413
    assert _stored(world) == 0


async def test_only_the_receivers_are_served_and_signatures_come_first(world: World, receivers: str) -> None:
    async with httpx.AsyncClient(base_url=receivers, timeout=30) as http:
        for path in ("/api/orders", "/health", "/metrics", "/docs", "/openapi.json"):
            assert (await http.get(path)).status_code == 404
        body = _notification("evt-1", datetime.now(UTC))
        unsigned = await http.post(f"/webhooks/walmart/{world.store_id}", content=body)
        assert unsigned.status_code == 401 and unsigned.json()["side"] == "walmart"
        forged = await http.post(
            f"/webhooks/commerce/{world.store_id}", content=b'{"eventName": "x"}', headers={
                "x-adobe-commerce-webhook-signature": sign_webhook(b'{"eventName": "x"}', "not-the-secret")}
        )  # fmt: skip
        assert forged.status_code == 401 and forged.json()["side"] == "commerce"
        stale = _notification("evt-old", datetime.now(UTC) - timedelta(hours=2))
        replayed = await http.post(
            f"/webhooks/walmart/{world.store_id}", content=stale,
            headers={"WM_SEC.SIGNATURE": sign_notification(stale, WALMART_SECRET)},
        )  # fmt: skip
        assert replayed.status_code == 401 and "replay window" in replayed.json()["detail"]
        assert (await http.post("/webhooks/walmart/999", content=body)).status_code == 404
        assert _stored(world) == 0

        # The receiver decrypts the webhook secret alone: with the store's other secrets unreadable, a
        # signed delivery is still checked and stored.
        with world.database.unit_of_work() as uow:
            uow.connection.execute(update(stores).values(credentials="not a fernet token"))
            uow.commit()
        signed = await http.post(
            f"/webhooks/walmart/{world.store_id}", content=body,
            headers={"WM_SEC.SIGNATURE": sign_notification(body, WALMART_SECRET)},
        )  # fmt: skip
        assert signed.status_code == 200 and signed.json()["status"] == "accepted"
        assert _stored(world) == 1


async def test_stores_saved_before_0003_get_their_own_webhook_secret_column(world: World) -> None:
    from channel_manager.service.stores import separate_webhook_secrets, webhook_secret

    store = replace(world.store, walmart=replace(world.store.walmart, webhook_secret=Secret(WALMART_SECRET)))
    with world.database.unit_of_work() as uow:
        uow.stores.update(store)
        uow.connection.execute(update(stores).values(webhook_secrets=None))  # as revision 0003 leaves it
        uow.commit()
    assert separate_webhook_secrets(world.database) == 1
    assert separate_webhook_secrets(world.database) == 0
    with world.database.unit_of_work() as uow:
        uow.connection.execute(update(stores).values(credentials="not a fernet token"))
        uow.commit()
    name, secret = webhook_secret(world.database, world.store_id, "walmart")
    assert name == world.store.name and secret is not None and secret.reveal() == WALMART_SECRET
