"""Auth (Bearer, OAuth 1.0a), attempts, typed errors, paging, incremental polling, inventory,
store codes and webhooks, against the sandbox over loopback HTTP."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request

from channel_manager.commerce import (
    BearerToken,
    CommerceAttempt,
    CommerceAuthError,
    CommerceClient,
    CommerceNotFoundError,
    CommerceRetryableError,
    Filter,
    OAuth1Credentials,
    SearchCriteria,
    parse_webhook,
    verify_webhook,
)
from channel_manager.commerce.webhooks import SHIPMENT_SAVED, SIGNATURE_HEADER, SUCCESS_RESPONSE
from channel_manager_sandboxes.commerce.settings import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_ACCESS_TOKEN_SECRET,
    DEFAULT_CONSUMER_KEY,
    DEFAULT_CONSUMER_SECRET,
    DEFAULT_TOKEN,
)
from channel_manager_sandboxes.serving import BackgroundServer

from .conftest import RunningSandbox, channel_order

pytestmark = pytest.mark.anyio

OAUTH = OAuth1Credentials(
    DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, DEFAULT_ACCESS_TOKEN, DEFAULT_ACCESS_TOKEN_SECRET
)
SECRETS = (DEFAULT_TOKEN, DEFAULT_CONSUMER_SECRET, DEFAULT_ACCESS_TOKEN, DEFAULT_ACCESS_TOKEN_SECRET)


async def make_orders(sandbox: RunningSandbox, client: CommerceClient, count: int) -> list[int]:
    sandbox.product("SKU-A", quantity=1000)
    sandbox.product("SKU-B", quantity=1000)
    return [(await client.create_order(channel_order(f"PO-{n}"), path="direct")).entity_id for n in range(count)]


async def test_oauth1_signed_requests_are_accepted_and_a_bad_signature_refused(sandbox: RunningSandbox) -> None:
    sandbox.product("SKU-A")
    sandbox.product("SKU-B")
    async with CommerceClient(sandbox.url, OAUTH, store_code="default") as signed:
        order = await signed.create_order(channel_order(), path="module")  # reserves, as a real store does
        found = await signed.search_orders(
            SearchCriteria()
            .where("increment_id", order.increment_id)
            .where("customer_email", "%relay.walmart.com", "like")
        )
        assert [o.entity_id for o in found] == [order.entity_id]
        assert await signed.get_salable_quantity("SKU-A") == 98
    wrong = OAuth1Credentials(DEFAULT_CONSUMER_KEY, "not-the-secret", DEFAULT_ACCESS_TOKEN, DEFAULT_ACCESS_TOKEN_SECRET)
    async with CommerceClient(sandbox.url, wrong) as bad:
        with pytest.raises(CommerceAuthError) as refused:
            await bad.get_order(order.entity_id)
    assert refused.value.http_status == 401
    assert "The signature is invalid. Verify and try again." in str(refused.value)
    assert "not-the-secret" not in str(refused.value) and "not-the-secret" not in repr(wrong)


async def test_bearer_token_refused_like_commerce(sandbox: RunningSandbox) -> None:
    async with CommerceClient(sandbox.url, BearerToken("wrong-token")) as bad:
        with pytest.raises(CommerceAuthError) as refused:
            await bad.check_credentials()
    assert str(refused.value) == (
        "Commerce refused the credentials on GET /V1/store/storeViews: "
        "The consumer isn't authorized to access Magento_Backend::store."
    )


async def test_check_credentials_and_store_codes(sandbox: RunningSandbox, client: CommerceClient) -> None:
    views = await client.check_credentials()
    assert {v["code"] for v in views} >= {"default"}
    sandbox.control.post("/_sandbox/stores", json={"code": "walmart_us"}).raise_for_status()
    async with CommerceClient(sandbox.url, BearerToken(DEFAULT_TOKEN), store_code="walmart_us") as store:
        assert await store.check_credentials()
    async with CommerceClient(sandbox.url, BearerToken(DEFAULT_TOKEN), store_code="nope") as missing:
        with pytest.raises(CommerceNotFoundError):
            await missing.check_credentials()


async def test_attempts_are_recorded_without_secrets(
    sandbox: RunningSandbox, client: CommerceClient, attempts: list[CommerceAttempt]
) -> None:
    sandbox.product("SKU-A")
    sandbox.product("SKU-B")
    order = await client.create_order(channel_order(), path="direct")
    await client.ship_order(order.entity_id, tracks=[("ups", "UPS", "1Z")])
    with pytest.raises(CommerceNotFoundError):
        await client.get_order(12345)
    endpoints = [a.endpoint for a in attempts]
    # the direct save resolves the product ids through the catalog first (GET /V1/products, sku in ...)
    assert endpoints == [
        "GET /V1/orders",
        "GET /V1/products",
        "POST /V1/orders",
        "POST /V1/order/{orderId}/ship",
        "GET /V1/orders/{id}",
    ]
    attempts.pop(1)
    ship = attempts[2]
    assert ship.path == f"/rest/V1/order/{order.entity_id}/ship" and ship.order_id == order.entity_id
    assert ship.http_status == 200 and ship.ok and ship.started_at.tzinfo is UTC
    assert attempts[3].http_status == 404 and "doesn't exist" in (attempts[3].error or "")
    text = repr(attempts) + repr(client) + repr(BearerToken(DEFAULT_TOKEN)) + repr(OAUTH)
    assert not any(secret in text for secret in SECRETS)


async def test_oauth_attempts_never_hold_the_signature(sandbox: RunningSandbox) -> None:
    seen: list[CommerceAttempt] = []
    async with CommerceClient(sandbox.url, OAUTH, on_attempt=seen.append) as signed:
        await signed.check_credentials()
    assert "oauth_signature" not in repr(seen) and not any(s in repr(seen) for s in SECRETS)


async def test_server_errors_and_timeouts_are_retryable(sandbox: RunningSandbox, client: CommerceClient) -> None:
    sandbox.fault(route="GET /V1/orders/{id}", status=503, count=1)
    with pytest.raises(CommerceRetryableError) as read_failed:
        await client.get_order(1)
    assert not read_failed.value.ambiguous and "Internal Error" in str(read_failed.value)
    sandbox.fault(route="/V1/orders/{id}/hold", status=500, count=1)
    with pytest.raises(CommerceRetryableError) as write_failed:
        await client.hold_order(1)
    assert write_failed.value.ambiguous
    async with CommerceClient(sandbox.url, BearerToken(DEFAULT_TOKEN), timeout=0.2) as impatient:
        sandbox.fault(route="*", mode="lose_response", latency_ms=1500, count=1)
        with pytest.raises(CommerceRetryableError) as timed_out:
            await impatient.add_order_comment(1, "x", status="pending")
        assert timed_out.value.ambiguous and timed_out.value.http_status is None
    async with CommerceClient("http://127.0.0.1:9", BearerToken(DEFAULT_TOKEN), timeout=1) as nowhere:
        with pytest.raises(CommerceRetryableError) as refused:
            await nowhere.hold_order(1)
    assert not refused.value.ambiguous


async def test_paging_past_the_end_stops_on_total_count(sandbox: RunningSandbox, client: CommerceClient) -> None:
    ids = await make_orders(sandbox, client, 5)
    criteria = SearchCriteria().order_by("entity_id", "ASC").page(2, 10)
    past_end = await client.search_orders(criteria)
    assert [o.entity_id for o in past_end] == ids[4:]  # Commerce repeats the last page
    every = [o.entity_id async for o in client.iter_orders(SearchCriteria().order_by("entity_id"), page_size=2)]
    assert every == ids
    newest_first = await client.search_orders(SearchCriteria().order_by("entity_id", "DESC"))
    assert [o.entity_id for o in newest_first] == ids[::-1]
    either = SearchCriteria().any_of(Filter("ext_order_id", "PO-1"), Filter("ext_order_id", "PO-3"))
    assert sorted(o.ext_order_id for o in await client.search_orders(either)) == ["PO-1", "PO-3"]
    assert [
        o.entity_id
        for o in await client.search_orders(
            SearchCriteria().where("ext_order_id", "PO-0,PO-4", "in").where("entity_id", ids[0], "gt")
        )
    ] == [ids[4]]


async def test_orders_updated_since_pages_by_keyset_and_deduplicates(
    sandbox: RunningSandbox, client: CommerceClient
) -> None:
    start = datetime.now(UTC)
    ids = await make_orders(sandbox, client, 5)  # all within one or two seconds
    seen = [o.entity_id async for o in client.list_orders_updated_since(start, page_size=2)]
    assert sorted(seen) == ids and len(seen) == len(set(seen))
    sandbox.control.post("/_sandbox/clock/advance", json={"seconds": 60})
    await client.add_order_comment(ids[1], "changed later", status="pending")
    changed = [o async for o in client.list_orders_updated_since(start, page_size=2)]
    assert [o.entity_id for o in changed][-1] == ids[1]
    stamps = [o.updated_at_text for o in changed]
    assert stamps == sorted(stamps)
    recent = [
        o.entity_id
        async for o in client.list_orders_updated_since((await client.get_order(ids[1])).updated_at, overlap_seconds=0)
    ]
    assert recent == [ids[1]]


async def test_source_items_and_salable_quantity(sandbox: RunningSandbox, client: CommerceClient) -> None:
    sandbox.product("SKU 1/A", quantity=4)  # the control API takes any SKU
    await client.set_source_item("SKU 1/A", 12)
    items = await client.get_source_items("SKU 1/A")
    assert [(i.source_code, i.quantity, i.in_stock) for i in items] == [("default", 12, True)]
    sandbox.product("SKU 1", quantity=3)
    assert await client.get_salable_quantity("SKU 1") == 3
    await client.set_source_item("SKU 1", 0)
    assert await client.get_salable_quantity("SKU 1") == 0
    with pytest.raises(CommerceNotFoundError):
        await client.get_salable_quantity("NOPE")


async def test_webhooks_are_signed_and_pushed(sandbox: RunningSandbox, client: CommerceClient) -> None:
    received: list[tuple[bytes, str | None]] = []
    arrived = threading.Event()
    receiver = FastAPI()

    @receiver.post("/hooks/commerce")
    async def hook(request: Request) -> dict[str, Any]:
        received.append((await request.body(), request.headers.get(SIGNATURE_HEADER)))
        if any(SHIPMENT_SAVED.encode() in body for body, _ in received):
            arrived.set()
        return SUCCESS_RESPONSE

    with BackgroundServer(receiver) as hooks:
        sandbox.control.put("/_sandbox/webhooks", json={"url": f"{hooks.url}/hooks/commerce", "secret": "s3cret"})
        sandbox.product("SKU-A")
        sandbox.product("SKU-B")
        order = await client.create_order(channel_order(), path="direct")
        shipment_id = await client.ship_order(order.entity_id, tracks=[("ups", "UPS", "1Z")])
        assert arrived.wait(10)
    events = [parse_webhook(body) for body, _ in received]
    assert all(verify_webhook(body, signature, "s3cret") for body, signature in received)
    assert not verify_webhook(received[0][0], received[0][1], "other")
    shipment = next(e for e in events if e.event_name == SHIPMENT_SAVED)
    assert shipment.data["entity_id"] == shipment_id and shipment.order_id == order.entity_id
    assert {e.event_name for e in events} >= {
        "observer.sales_order_save_after",
        SHIPMENT_SAVED,
        "observer.cataloginventory_stock_item_save_commit_after",
    }
    with pytest.raises(ValueError):
        parse_webhook(b"[]")


def test_control_api_is_in_openapi(sandbox: RunningSandbox) -> None:
    paths = httpx.get(f"{sandbox.url}/openapi.json").json()["paths"]
    assert {
        "/_sandbox/faults",
        "/_sandbox/counters",
        "/_sandbox/clock/advance",
        "/_sandbox/products/{sku}",
        "/_sandbox/webhooks",
        "/_sandbox/orders",
        "/_sandbox/stores",
    } <= set(paths)
