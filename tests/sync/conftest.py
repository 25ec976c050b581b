"""Both sandboxes on loopback, a store in a real database, and the real worker and pollers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from channel_manager.commerce.auth import BearerToken
from channel_manager.commerce.client import CommerceClient
from channel_manager.domain.orders import PurchaseOrder
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from channel_manager.logs import configure_logging
from channel_manager.service.context import utc_now
from channel_manager.storage.unit_of_work import Database
from channel_manager.sync import pollers
from channel_manager.sync.context import SyncContext
from channel_manager.sync.retry import RetryPolicy
from channel_manager.sync.worker import Worker
from channel_manager_sandboxes.commerce import CommerceSandbox, SandboxSettings
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import BackgroundServer
from channel_manager_sandboxes.walmart import WalmartSandbox, WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app

CLIENT_ID = "e2e-client"
CLIENT_SECRET = "e2e-Walmart-Secret-0042"
CATALOG = {"MUG-1": Decimal("8.50"), "TEE-2": Decimal("19.99"), "CAP-3": Decimal("12.00")}


@dataclass
class Servers:
    walmart_url: str
    walmart: WalmartSandbox
    commerce_url: str
    commerce: CommerceSandbox


@pytest.fixture(autouse=True, scope="session")
def quiet_logs() -> None:
    configure_logging("console", "WARNING")


@pytest.fixture
def servers() -> Iterator[Servers]:
    walmart_app = create_walmart_app(
        WalmartSandboxSettings(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, rate_limits=False)
    )
    commerce_app = create_commerce_app(SandboxSettings())
    for sku, price in CATALOG.items():
        commerce_app.state.sandbox.upsert_product(sku, name=f"Product {sku}", price=float(price), quantity=100)
    with BackgroundServer(walmart_app) as walmart_server, BackgroundServer(commerce_app) as commerce_server:
        yield Servers(walmart_server.url, walmart_app.state.sandbox, commerce_server.url, commerce_app.state.sandbox)


class TestClock:
    """Real time plus an offset the test can move forward (for leases and backoff)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class World:
    servers: Servers
    database: Database
    store: ChannelStore
    context: SyncContext
    worker: Worker
    clock: TestClock
    merchant: CommerceClient  # acts as the merchant in Commerce's admin
    #: Contexts made by :meth:`new_context` (closed with the world).
    contexts: list[SyncContext] = field(default_factory=list)

    @property
    def store_id(self) -> int:
        assert self.store.id is not None
        return self.store.id

    # ------------------------------------------------------------ Walmart side

    def walmart_order(self, lines: list[dict[str, Any]], **spec: Any) -> str:
        """An exact new PO at Walmart; lines like {"sku": "MUG-1", "quantity": 3}."""
        for line in lines:
            line.setdefault("unit_price", str(CATALOG.get(line["sku"], Decimal("10.00"))))
        response = httpx.post(
            f"{self.servers.walmart_url}/_sandbox/sellers/seller-1/orders/exact",
            json={"lines": lines, **spec},
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["purchase_order_id"])

    def walmart_truth(self, purchase_order_id: str) -> dict[str, Any]:
        return self.servers.walmart.truth(purchase_order_id)

    def walmart_fault(self, **spec: Any) -> None:
        httpx.post(f"{self.servers.walmart_url}/_sandbox/faults", json=spec, timeout=10).raise_for_status()

    def commerce_fault(self, **spec: Any) -> None:
        httpx.post(f"{self.servers.commerce_url}/_sandbox/faults", json=spec, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.servers.walmart_url}/_sandbox/faults", timeout=10).raise_for_status()
        httpx.delete(f"{self.servers.commerce_url}/_sandbox/faults", timeout=10).raise_for_status()

    def revoke_walmart_tokens(self) -> None:
        httpx.post(f"{self.servers.walmart_url}/_sandbox/sellers/seller-1/revoke-tokens", timeout=10).raise_for_status()

    def walmart_counters(self) -> dict[str, Any]:
        return httpx.get(f"{self.servers.walmart_url}/_sandbox/counters", timeout=10).json()

    def commerce_counters(self) -> dict[str, Any]:
        return httpx.get(f"{self.servers.commerce_url}/_sandbox/counters", timeout=10).json()

    def assert_nothing_duplicated(self) -> None:
        assert self.walmart_counters()["applied_twice"] == 0, self.walmart_counters().get("applied_twice_details")
        assert self.commerce_counters()["duplicate_ext_order_ids"] == 0

    # ------------------------------------------------------------ channel-manager side

    def order(self, purchase_order_id: str) -> PurchaseOrder:
        with self.database.unit_of_work() as uow:
            order = uow.orders.get(self.store_id, purchase_order_id)
        assert order is not None, f"PO {purchase_order_id} was not taken in"
        return order

    def jobs(self, **filters: Any) -> list[Any]:
        with self.database.unit_of_work() as uow:
            return uow.jobs.list(**filters)

    def new_context(self, **overrides: Any) -> SyncContext:
        """Another SyncContext over the same database and clock (a new process, or a worker with other
        options): its own clients, caches and lock; closed with the world."""
        base = self.context
        options: dict[str, Any] = {
            "clock": base.clock,
            "retry_policy": base.retry_policy,
            "lease_seconds": base.lease_seconds,
            "walmart_options": dict(base.walmart_options),
            "commerce_options": dict(base.commerce_options),
        }
        context = SyncContext(self.database, **{**options, **overrides})
        self.contexts.append(context)
        return context

    def timeline(self, purchase_order_id: str) -> list[tuple[str, str]]:
        """(kind, message) of every event of the order, oldest first."""
        order = self.order(purchase_order_id)
        assert order.id is not None
        with self.database.unit_of_work() as uow:
            return [(event.kind, event.message) for event in uow.orders.timeline(order.id)]

    async def drain(self, rounds: int = 200, worker: Worker | None = None) -> int:
        """Runs due jobs until none is due; how many ran."""
        worker = worker or self.worker
        total = 0
        for _ in range(rounds):
            ran = await worker.run_once(limit=10)
            total += ran
            if ran == 0:
                with self.database.unit_of_work() as uow:
                    due = uow.jobs.next_run_after(self.clock())
                if due is None or due > self.clock() + timedelta(seconds=2):
                    return total
                await asyncio.sleep(max(0.0, (due - self.clock()).total_seconds()))
        raise AssertionError("jobs kept coming")

    async def settle(self, worker: Worker | None = None, rounds: int = 100) -> None:
        """Runs jobs until none is left, moving the engine's clock to each retry (or to the end of a dead
        worker's lease) instead of sleeping."""
        worker = worker or self.worker
        for _ in range(rounds):
            if await worker.run_once(limit=10):
                continue
            with self.database.unit_of_work() as uow:
                due = uow.jobs.next_run_after(self.clock())
            if due is None:
                return
            self.clock.advance(max(0.0, (due - self.clock()).total_seconds()) + 0.001)
        raise AssertionError("jobs kept coming")

    async def step(self, worker: Worker | None = None) -> None:
        """Moves the engine's clock to the next due job and runs exactly that one."""
        with self.database.unit_of_work() as uow:
            due = uow.jobs.next_run_after(self.clock())
        assert due is not None, "no job waiting"
        self.clock.advance(max(0.0, (due - self.clock()).total_seconds()) + 0.001)
        assert await (worker or self.worker).run_once() == 1

    async def take_in(self) -> None:
        """Polls Walmart and runs the resulting jobs."""
        await pollers.poll_walmart_orders(self.context, await self.context.store(self.store_id))
        await self.drain()

    async def sync_commerce(self) -> None:
        """Polls Commerce and runs the resulting jobs."""
        await pollers.poll_commerce_orders(self.context, await self.context.store(self.store_id))
        await self.drain()

    async def ship_in_commerce(
        self, purchase_order_id: str, lines: dict[str, int], carrier: tuple[str, str] = ("ups", "UPS"),
        tracking: str = "1Z999AA10123456784", url: str | None = None,
    ) -> int:  # fmt: skip
        order = self.order(purchase_order_id)
        assert order.commerce_order_id is not None
        items = [(order.line(n).commerce_item_id, q) for n, q in lines.items()]
        track = (*carrier, tracking, url) if url else (*carrier, tracking)
        return await self.merchant.ship_order(order.commerce_order_id, items, [track] if tracking else [])


def make_store(database: Database, servers: Servers, **settings: Any) -> ChannelStore:
    store = ChannelStore(
        name="E2E store",
        walmart=WalmartAccount(servers.walmart_url, CLIENT_ID, Secret(CLIENT_SECRET)),
        commerce=CommerceConnection(servers.commerce_url, access_token=Secret(DEFAULT_TOKEN)),
        settings=StoreSettings().updated(**settings),
    )
    with database.unit_of_work() as uow:
        saved = uow.stores.add(store)
        uow.commit()
    return saved


#: Fast retries for tests; the in-flight floor stays short but real, so timeout tests still wait for the
#: request that timed out to finish before the retry looks at the remote.
FAST_RETRIES = RetryPolicy(base_seconds=0.01, max_delay_seconds=0.05, jitter=0.0, ambiguous_floor_seconds=1.5)


@pytest.fixture
def store_settings() -> dict[str, Any]:
    return {}


@pytest.fixture
async def world(servers: Servers, database: Database, store_settings: dict[str, Any]) -> AsyncIterator[World]:
    store = make_store(database, servers, **store_settings)
    clock = TestClock()
    context = SyncContext(
        database,
        clock=clock,
        retry_policy=FAST_RETRIES,
        lease_seconds=30,
        walmart_options={"rate_limiting": False, "timeout": 3.0, "retry_backoff": 0.01},
        commerce_options={"timeout": 3.0},
    )
    merchant = CommerceClient(servers.commerce_url, BearerToken(DEFAULT_TOKEN))
    world = World(servers, database, store, context, Worker(context, worker_id="w1"), clock, merchant)
    try:
        yield world
    finally:
        await merchant.aclose()
        await context.aclose()
        for extra in world.contexts:
            await extra.aclose()
