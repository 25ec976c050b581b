"""Fair scheduling across sellers: one seller's backlog at its rate limit, or its Walmart answering 5xx, never
queues another seller's orders behind it (SQLite and PostgreSQL, real sandboxes, the real worker)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from channel_manager.service.outbox import JobKind
from channel_manager.storage.jobs import JobState
from channel_manager.storage.tables import purchase_orders
from channel_manager.storage.unit_of_work import Database
from channel_manager.sync import pollers
from channel_manager.sync.context import SyncContext
from channel_manager.sync.worker import Worker
from channel_manager.walmart.rate_limits import RateLimit
from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import BackgroundServer
from channel_manager_sandboxes.walmart import WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app
from channel_manager_sandboxes.walmart.contract import RATE_LIMITS
from channel_manager_sandboxes.walmart.contract import RateLimit as SandboxRateLimit
from channel_manager_sandboxes.walmart.faults import Fault, FaultMode
from channel_manager_sandboxes.walmart.generator import DEFAULT_CATALOG

from . import conftest
from .conftest import FAST_RETRIES

pytestmark = pytest.mark.anyio

#: Two acknowledgements a minute per seller, at Walmart and in the client alike: a backlog at once.
ACKS_PER_MINUTE = 2
BACKLOG = 200
#: A guard against a hang (the unfair engine sleeps on seller A's bucket), not a measure of anything.
GUARD_SECONDS = 120


@dataclass
class Sellers:
    walmart_url: str
    commerce_url: str
    walmart: object


@pytest.fixture
def sellers() -> Iterator[Sellers]:
    limits = {**RATE_LIMITS, "acknowledge": SandboxRateLimit(ACKS_PER_MINUTE, 60.0)}
    walmart_app = create_walmart_app(
        WalmartSandboxSettings(client_id="client-a", client_secret="secret-a-0001", seller_id="seller-a", limits=limits)
    )
    walmart_app.state.sandbox.create_seller("seller-b", "client-b", "secret-b-0002")
    commerce_app = create_commerce_app(SandboxSettings())
    for item in DEFAULT_CATALOG:  # what the sandbox's generated orders are made of
        commerce_app.state.sandbox.upsert_product(
            item.sku, name=item.product_name, price=float(item.price), quantity=10**6
        )
    with BackgroundServer(walmart_app) as walmart_server, BackgroundServer(commerce_app) as commerce_server:
        yield Sellers(walmart_server.url, commerce_server.url, walmart_app.state.sandbox)


def add_store(database: Database, sellers: Sellers, client_id: str, secret: str) -> int:
    store = ChannelStore(
        name=f"Store of {client_id}",
        walmart=WalmartAccount(sellers.walmart_url, client_id, Secret(secret)),
        commerce=CommerceConnection(sellers.commerce_url, access_token=Secret(DEFAULT_TOKEN)),
        settings=StoreSettings(),
    )
    with database.unit_of_work() as uow:
        saved = uow.stores.add(store)
        uow.commit()
    assert saved.id is not None
    return saved.id


@pytest.fixture
async def context(database: Database) -> AsyncIterator[SyncContext]:
    context = SyncContext(
        database,
        clock=conftest.TestClock(),
        retry_policy=FAST_RETRIES,
        lease_seconds=30,
        walmart_options={
            "rate_limits": {"acknowledge": RateLimit(ACKS_PER_MINUTE, 60.0)},
            "timeout": 3.0,
            "retry_backoff": 0.01,
        },
        commerce_options={"timeout": 3.0},
    )
    try:
        yield context
    finally:
        await context.aclose()


def taken_in(database: Database, store_id: int) -> int:
    """Orders of the store acknowledged at Walmart and created in Commerce."""
    query = sa.select(sa.func.count()).where(
        purchase_orders.c.store_id == store_id,
        purchase_orders.c.acknowledged_at.is_not(None),
        purchase_orders.c.commerce_order_id.is_not(None),
    )
    with database.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


async def run_until(worker: Worker, done: object, *, rounds: int = 100) -> int:
    """Runs one job at a time until ``done()``; how many claims it took."""
    for claims in range(1, rounds + 1):
        await worker.run_once()
        if done():  # type: ignore[operator]
            return claims
    raise AssertionError("the quiet seller's order was not taken in")


async def test_a_sellers_backlog_at_its_rate_limit_does_not_delay_another_seller(
    database: Database, sellers: Sellers, context: SyncContext
) -> None:
    store_a = add_store(database, sellers, "client-a", "secret-a-0001")
    store_b = add_store(database, sellers, "client-b", "secret-b-0002")
    sellers.walmart.generate_orders("seller-a", BACKLOG, lines_per_order=1)  # type: ignore[attr-defined]
    sellers.walmart.generate_orders("seller-b", 1, lines_per_order=1)  # type: ignore[attr-defined]
    await pollers.poll_walmart_orders(context, await context.store(store_a))  # A's jobs first, B's last
    await pollers.poll_walmart_orders(context, await context.store(store_b))

    worker = Worker(context, worker_id="w1")
    claims = await asyncio.wait_for(run_until(worker, lambda: taken_in(database, store_b) == 1), GUARD_SECONDS)

    # B's order came in a handful of claims in, with A's 200 acknowledgements still queued behind A's limit:
    # A got the one acknowledgement its bucket allows (a full bucket of 2 less the client's reserve of 1).
    assert claims <= 8
    assert taken_in(database, store_a) <= 1
    with database.unit_of_work() as uow:
        waiting = [j for j in uow.jobs.list(store_id=store_a, limit=1000) if j.kind == JobKind.ACKNOWLEDGE_ORDER.value]
    pending = [j for j in waiting if j.state is JobState.PENDING]
    assert len(pending) >= BACKLOG - 1
    # Given back untouched: no attempt counted, no error, nothing marked as possibly sent.
    assert all(j.attempts == 0 and j.last_error is None and not j.may_be_in_effect for j in pending)
    # Due when A's budget allows, not before (not claimed over and over meanwhile).
    assert min(j.run_after for j in pending) > context.now()
    assert sellers.walmart.counters.throttled == 0  # type: ignore[attr-defined]


async def test_a_seller_whose_walmart_answers_5xx_backs_off_alone(
    database: Database, sellers: Sellers, context: SyncContext
) -> None:
    store_a = add_store(database, sellers, "client-a", "secret-a-0001")
    store_b = add_store(database, sellers, "client-b", "secret-b-0002")
    sellers.walmart.generate_orders("seller-a", 50, lines_per_order=1)  # type: ignore[attr-defined]
    sellers.walmart.generate_orders("seller-b", 1, lines_per_order=1)  # type: ignore[attr-defined]
    await pollers.poll_walmart_orders(context, await context.store(store_a))
    await pollers.poll_walmart_orders(context, await context.store(store_b))
    sellers.walmart.faults.add(  # type: ignore[attr-defined]
        Fault(endpoint="POST /v3/orders/{purchaseOrderId}/acknowledge", seller_id="seller-a", mode=FaultMode.ERROR)
    )

    worker = Worker(context, worker_id="w1")
    claims = await asyncio.wait_for(run_until(worker, lambda: taken_in(database, store_b) == 1), GUARD_SECONDS)

    # B's two jobs came next to A's first failing ones, not after A's 50 acknowledgements were each tried.
    assert claims <= 6
    with database.unit_of_work() as uow:
        tried = [j for j in uow.jobs.list(store_id=store_a, limit=1000) if j.attempts > 0]
    assert len(tried) <= 4
    assert taken_in(database, store_a) == 0
