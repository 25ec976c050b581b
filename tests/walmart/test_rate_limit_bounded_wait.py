"""A caller under ``bounded_wait`` (a worker holding a job) is told how long a seller's budget needs instead of
sleeping on it; nothing is taken from the budget then. In-process buckets and the shared PostgreSQL budget."""

from __future__ import annotations

import asyncio

import pytest

from channel_manager.storage.database import create_engine_for, upgrade_database
from channel_manager.storage.rate_budgets import PostgresRateBudgets
from channel_manager.walmart.rate_limits import RateLimit, RateLimiter, RateLimitWait, TokenBucket, bounded_wait

pytestmark = pytest.mark.anyio

ACK = "POST /v3/orders/{purchaseOrderId}/acknowledge"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_bounded_wait_raises_instead_of_sleeping_and_takes_no_token() -> None:
    clock = FakeClock()
    bucket = TokenBucket(RateLimit(3, 60.0), monotonic=clock, group="acknowledge")  # 1 token kept in reserve
    await bucket.acquire()
    await bucket.acquire()
    assert bucket.expected_wait() == pytest.approx(1 / (0.05 * 0.98))
    with bounded_wait(0.5), pytest.raises(RateLimitWait) as raised:
        await bucket.acquire()
    assert raised.value.group == "acknowledge"
    assert raised.value.seconds == pytest.approx(bucket.expected_wait())
    assert bucket.tokens == pytest.approx(1.0)  # nothing taken
    clock.now += raised.value.seconds  # when the budget allows, the call goes without waiting
    with bounded_wait(0.5):
        await asyncio.wait_for(bucket.acquire(), 1.0)


async def test_the_bound_holds_only_inside_its_context_and_the_tasks_started_there() -> None:
    limiter = RateLimiter({"acknowledge": RateLimit(2, 60.0)})
    bucket = limiter.bucket("seller", ACK)
    assert bucket is not None
    await bucket.acquire()  # the burst the reserve leaves: one call
    assert limiter.expected_wait("seller", ACK) > 0.5
    assert limiter.expected_wait("seller", "GET /v3/orders") == 0.0
    with bounded_wait(0.5):
        task = asyncio.ensure_future(bucket.acquire())
    with pytest.raises(RateLimitWait):
        await task
    waiting = asyncio.ensure_future(bucket.acquire())  # no bound: it waits (and is cancelled here)
    await asyncio.sleep(0.05)
    assert not waiting.done()
    waiting.cancel()


@pytest.mark.postgres
def test_the_shared_budget_takes_a_slot_only_within_max_wait(postgres_url: str) -> None:
    engine = create_engine_for(postgres_url)
    try:
        upgrade_database(engine)
        budgets = PostgresRateBudgets(engine)
        params = {"interval": 10.0, "tolerance": 10.0}
        assert budgets.take("seller", "acknowledge", **params, max_wait=0.5).taken  # the burst
        assert budgets.take("seller", "acknowledge", **params, max_wait=0.5).taken
        refused = budgets.take("seller", "acknowledge", **params, max_wait=0.5)
        assert not refused.taken
        assert refused.wait == pytest.approx(10.0, abs=0.5)
        again = budgets.take("seller", "acknowledge", **params, max_wait=0.5)
        assert not again.taken and again.wait == pytest.approx(refused.wait, abs=0.5)  # nothing was taken
        assert [u.taken for u in budgets.usage()] == [2]
        assert budgets.take("seller", "acknowledge", **params).wait == pytest.approx(10.0, abs=0.5)  # unbounded
    finally:
        engine.dispose()
