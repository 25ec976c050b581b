"""Failures and limits: 5xx, lost responses, timeouts, 429s, revoked tokens; secrets never leak."""

from __future__ import annotations

import pytest

from channel_manager.walmart.errors import WalmartAlreadyAppliedError, WalmartRetryableError
from channel_manager.walmart.rate_limits import RateLimit
from channel_manager.walmart.requests import ShipmentLine

from .conftest import CLIENT_SECRET, SandboxUnderTest, make_settings

pytestmark = pytest.mark.anyio
SHIP = "POST /v3/orders/{purchaseOrderId}/shipping"
GET_ORDER = "GET /v3/orders/{purchaseOrderId}"


def ship(line: int, qty: int, tracking: str) -> ShipmentLine:
    return ShipmentLine(line_number=line, quantity=qty, tracking_number=tracking, carrier="USPS")


async def test_5xx_then_success_on_a_read(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    walmart.fault(endpoint=GET_ORDER, status=500, count=2)
    async with walmart.client() as client:
        order = await client.get_order(po)
    assert order.purchase_order_id == po
    statuses = [a.http_status for a in walmart.attempts if a.endpoint == GET_ORDER]
    assert statuses == [500, 500, 200]
    failed = [a for a in walmart.attempts if a.http_status == 500]
    assert failed[0].error_code == "SYSTEM_ERROR.GMP_ORDER_API" and failed[0].purchase_order_id == po
    assert len({a.correlation_id for a in walmart.attempts}) == len(walmart.attempts)


async def test_5xx_on_a_change_is_ambiguous_and_not_retried(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    walmart.fault(endpoint="POST /v3/orders/{purchaseOrderId}/acknowledge", status=503, count=1)
    async with walmart.client() as client:
        with pytest.raises(WalmartRetryableError) as info:
            await client.acknowledge_order(po)
        assert info.value.ambiguous and info.value.http_status == 503
        assert str(info.value).startswith("Walmart failed on the acknowledgement of PO")
        await client.acknowledge_order(po)  # the caller retries after re-reading


async def test_lost_response_then_retry_is_recognised_as_already_applied(walmart: SandboxUnderTest) -> None:
    po = walmart.order(lines=[{"sku": "A", "quantity": 2}])
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        walmart.fault(endpoint=SHIP, mode="lose_response", status=500, count=1)
        with pytest.raises(WalmartRetryableError) as info:
            await client.ship_order_lines(po, [ship(1, 2, "LOST1")])
        assert info.value.ambiguous
        # Walmart applied it: the re-read shows the shipment ...
        order = await client.get_order(po)
        assert order.line(1).has_shipment("LOST1", 2)
        # ... and a blind retry is answered "already shipped".
        with pytest.raises(WalmartAlreadyAppliedError) as again:
            await client.ship_order_lines(po, [ship(1, 2, "LOST1")])
    assert "SHIPPED status" in (again.value.description or "")
    counters = walmart.counters
    assert counters["lost_responses"] == 1 and counters["applied_twice"] == 0


async def test_lost_response_as_timeout(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    async with walmart.client(timeout=0.3) as client:
        await client.acknowledge_order(po)
        walmart.fault(endpoint=SHIP, mode="lose_response", lost_as="timeout", hang_seconds=1.0, count=1)
        with pytest.raises(WalmartRetryableError) as info:
            await client.ship_order_lines(po, [ship(1, 1, "T1")])
        assert info.value.ambiguous and info.value.code == "TIMEOUT" and info.value.http_status is None
        assert walmart.attempts[-1].http_status is None and walmart.attempts[-1].error_code == "TIMEOUT"
        order = await client.get_order(po)
    assert order.line(1).has_shipment("T1", 1)


async def test_partial_quantity_replay_ships_twice_and_is_counted(walmart: SandboxUnderTest) -> None:
    """Walmart does not reject a replayed ship of part of a line: the caller must re-read first."""
    po = walmart.order(lines=[{"sku": "A", "quantity": 3}])
    async with walmart.client() as client:
        await client.acknowledge_order(po)
        walmart.fault(endpoint=SHIP, mode="lose_response", status=502, count=1)
        with pytest.raises(WalmartRetryableError):
            await client.ship_order_lines(po, [ship(1, 1, "P1")])
        order = await client.ship_order_lines(po, [ship(1, 1, "P1")])  # the wrong thing to do
    assert order.line(1).quantity_in("Shipped") == 2
    assert walmart.counters["applied_twice"] == 1


async def test_connection_refused_is_certainly_not_applied() -> None:
    from channel_manager.walmart.client import WalmartClient
    from channel_manager_sandboxes.serving import free_port

    async with WalmartClient(
        f"http://127.0.0.1:{free_port()}", "id", "secret", max_retries=1, retry_backoff=0.01
    ) as client:
        with pytest.raises(WalmartRetryableError) as info:
            await client.acknowledge_order("1")
    assert not info.value.ambiguous and info.value.code == "CONNECTION_ERROR"


async def test_429_with_headers_then_success(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    walmart.fault(endpoint=GET_ORDER, mode="rate_limit_storm", count=1)
    async with walmart.client() as client:
        await client.get_order(po)
        throttled = [a for a in walmart.attempts if a.http_status == 429]
        assert len(throttled) == 1
        assert throttled[0].error_code == "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"
        bucket = client.rate_limiter.bucket(client.account, GET_ORDER)
        assert bucket is not None and bucket.throttled == 1
    assert walmart.counters["throttled"] == 1


@pytest.fixture
def sandbox_settings():  # type: ignore[no-untyped-def]
    settings = make_settings()
    settings.limits["orders_read"] = RateLimit(10, 0.5)
    return settings


async def test_client_follows_the_token_count_headers(walmart: SandboxUnderTest) -> None:
    """The client believes 5000/min; the sandbox allows 10 per 0.5 s; the headers keep it below 429."""
    po = walmart.order()
    async with walmart.client() as client:
        for _ in range(30):
            await client.get_order(po)
    counters = walmart.counters
    assert counters["calls"][GET_ORDER] == 30 + counters["throttled"]
    assert counters["throttled"] <= 1


async def test_configured_limits_mean_no_429(walmart: SandboxUnderTest) -> None:
    import anyio

    po = walmart.order()
    async with (
        walmart.client(rate_limits={"orders_read": RateLimit(10, 0.5)}) as client,
        anyio.create_task_group() as group,
    ):
        for _ in range(30):
            group.start_soon(client.get_order, po)
    assert walmart.counters["throttled"] == 0


async def test_revoked_token_is_renewed_once(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    async with walmart.client() as client:
        await client.get_order(po)
        walmart.control("POST", "/_sandbox/sellers/seller-1/revoke-tokens")
        await client.get_order(po)
    assert [a.http_status for a in walmart.attempts] == [200, 200, 401, 200, 200]


async def test_secret_and_token_never_appear_in_attempts_errors_or_reprs(walmart: SandboxUnderTest) -> None:
    po = walmart.order()
    errors: list[Exception] = []
    async with walmart.client() as client:
        token = await client.access_token()
        await client.get_order(po)
        walmart.fault(endpoint=SHIP, status=500, count=1)
        for call in (client.ship_order_lines(po, [ship(1, 1, "Z")]), client.get_order("nope")):
            try:
                await call
            except Exception as exc:
                errors.append(exc)
        texts = [repr(client), str(client.__dict__.get("_tokens"))]
    async with walmart.client(client_secret="another-bad-secret") as bad:
        try:
            await bad.get_order(po)
        except Exception as exc:
            errors.append(exc)
        texts.append(repr(bad))
    assert len(errors) == 3
    texts += [repr(a) for a in walmart.attempts] + [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [str(e.__dict__) for e in errors]
    for text in texts:
        assert CLIENT_SECRET not in text and token not in text and "another-bad-secret" not in text
