"""``channel-manager run`` as a whole: webhooks from both sandboxes drive the sync with polling turned off."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from channel_manager.domain.access import Role
from channel_manager.domain.secret import Secret
from channel_manager.domain.statuses import OrderStatus
from channel_manager.service.tokens import create_token
from channel_manager.sync.runner import RunOptions, run_service
from channel_manager.walmart.notifications import sign_notification
from channel_manager.web.server import HttpOptions, listeners
from channel_manager_sandboxes.serving import free_port

from .conftest import World

pytestmark = pytest.mark.anyio

WALMART_HOOK_SECRET = "walmart-hook-secret-31"
COMMERCE_HOOK_SECRET = "commerce-hook-secret-77"


async def eventually(check: Callable[[], bool], within: float = 15.0) -> None:
    """Waits until ``check()`` holds (the test fails, it does not measure time)."""
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


def _with_webhook_secrets(world: World) -> None:
    from dataclasses import replace

    store = replace(
        world.store,
        walmart=replace(world.store.walmart, webhook_secret=Secret(WALMART_HOOK_SECRET)),
        commerce=replace(world.store.commerce, webhook_secret=Secret(COMMERCE_HOOK_SECRET)),
    )
    with world.database.unit_of_work() as uow:
        uow.stores.update(store)
        uow.commit()
    world.store = store


async def test_webhooks_alone_bring_orders_in_and_shipments_out(world: World) -> None:
    _with_webhook_secrets(world)
    await world.context.forget_store(world.store_id)
    port, webhook_port = free_port(), free_port()
    api_base = f"http://127.0.0.1:{port}"
    base = f"http://127.0.0.1:{webhook_port}"  # the webhook listener
    _, token = create_token(world.database, "e2e", Role.VIEWER)
    authorized = {"Authorization": f"Bearer {token}"}
    link = await world.context.store(world.store_id)
    await link.walmart.subscribe(
        "PO_CREATED", f"{base}/webhooks/walmart/{world.store_id}", auth_method="HMAC", client_secret=WALMART_HOOK_SECRET
    )
    http = httpx.AsyncClient(timeout=5)
    (
        await http.put(
            f"{world.servers.commerce_url}/_sandbox/webhooks",
            json={"url": f"{base}/webhooks/commerce/{world.store_id}", "secret": COMMERCE_HOOK_SECRET},
        )
    ).raise_for_status()

    stop, started = asyncio.Event(), asyncio.Event()
    options = RunOptions(workers=2, pollers=False, shutdown_grace_seconds=5)
    served = listeners(world.database, HttpOptions(port=port, webhook_port=webhook_port))
    service = asyncio.create_task(
        run_service(world.database, options, context=world.context, stop=stop, started=started, served=served)
    )
    try:
        await asyncio.wait_for(started.wait(), 10)
        assert (await http.get(f"{api_base}/health")).json()["status"] == "ok"

        po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-2", "quantity": 1}])

        def linked() -> bool:
            try:
                order = world.order(po)
            except AssertionError:
                return False
            return order.commerce_order_id is not None and order.acknowledged_at is not None

        await eventually(linked)
        await world.ship_in_commerce(po, {"1": 2, "2": 1}, tracking="1ZPUSH0001")
        await eventually(lambda: world.order(po).status is OrderStatus.SHIPPED and not world.order(po).status_details)
        assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Shipped": 2}

        metrics = (await http.get(f"{api_base}/metrics", headers=authorized)).text
        assert 'channel_manager_webhooks_received_total{source="walmart"}' in metrics
        api: dict = {}

        async def shipping_attempt_listed() -> bool:
            nonlocal api
            api = (await http.get(f"{api_base}/api/orders/{po}", headers=authorized)).json()
            return any(a["endpoint"] == "POST /v3/orders/{purchaseOrderId}/shipping" for a in api["attempts"])

        # Attempts are written right after the job commits: wait for them rather than race them.
        for _ in range(100):
            if await shipping_attempt_listed():
                break
            await asyncio.sleep(0.05)
        assert api["order"]["status"] == "Shipped"
        assert any(a["endpoint"] == "POST /v3/orders/{purchaseOrderId}/shipping" for a in api["attempts"])
        assert WALMART_HOOK_SECRET not in str(api) and CLIENT_SECRET_TEXT not in str(api)

        # A forged or unsigned delivery is refused and changes nothing.
        body = json.dumps(
            {"source": {"eventType": "PO_CREATED", "eventId": "forged-1"}, "payload": {"purchaseOrderId": po}}
        ).encode()
        forged = await http.post(f"{base}/webhooks/walmart/{world.store_id}", content=body)
        assert forged.status_code == 401
        assert "signature" in forged.json()["detail"]
        signed = {"WM_SEC.SIGNATURE": sign_notification(body, WALMART_HOOK_SECRET)}
        first = await http.post(f"{base}/webhooks/walmart/{world.store_id}", content=body, headers=signed)
        again = await http.post(f"{base}/webhooks/walmart/{world.store_id}", content=body, headers=signed)
        assert (first.json()["status"], again.json()["status"]) == ("accepted", "duplicate")
        world.assert_nothing_duplicated()
        # Each accepted delivery became one job, handled once by whichever worker claimed it.
        await eventually(lambda: all(j.state.value == "done" for j in world.jobs() if j.kind == "process_webhook"))
        webhook_jobs = [j for j in world.jobs() if j.kind == "process_webhook"]
        assert len(webhook_jobs) >= 3  # PO_CREATED, the shipment, the signed test delivery
        assert all(j.attempts == 1 for j in webhook_jobs)
    finally:
        stop.set()
        await asyncio.wait_for(service, 30)
        await http.aclose()


CLIENT_SECRET_TEXT = "e2e-Walmart-Secret-0042"
