"""Everything a use case needs: the database, the clock, each store's clients (built by ``bootstrap``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..commerce.client import CommerceClient
from ..connections import commerce_client_for, walmart_client_for
from ..domain.stores import ChannelStore
from ..storage.attempt_repository import SyncAttempt
from ..storage.errors import StoreNotFound
from ..storage.rate_budgets import PostgresRateBudgets
from ..storage.unit_of_work import Database, UnitOfWork
from ..walmart import models as wm
from ..walmart.client import WalmartClient
from ..walmart.rate_limits import RateLimiter, seller_budget_key
from .attempt_recorder import AttemptRecorder

T = TypeVar("T")

#: The engine's sense of time; tests swap it.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class StoreLink:
    """A store with its live clients."""

    store: ChannelStore
    walmart: WalmartClient
    commerce: CommerceClient
    attempts: AttemptRecorder

    @property
    def id(self) -> int:
        assert self.store.id is not None
        return self.store.id


@dataclass
class ServiceContext:
    """What the service layer's use cases share: the runtime's ``SyncContext`` adds its retry policy and
    lease to it."""

    database: Database
    clock: Clock = utc_now
    walmart_options: dict[str, Any] = field(default_factory=dict)
    commerce_options: dict[str, Any] = field(default_factory=dict)
    #: Set when new work may be waiting, so idle workers wake up at once instead of at their next poll.
    work_available: asyncio.Event = field(default_factory=asyncio.Event)
    _links: dict[int, StoreLink] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _closing: set[asyncio.Task[None]] = field(default_factory=set)

    def now(self) -> datetime:
        return self.clock()

    async def run_db(self, function: Callable[..., T], *args: Any) -> T:
        """Runs blocking database work off the event loop."""
        return await asyncio.to_thread(function, *args)

    def unit_of_work(self) -> UnitOfWork:
        return self.database.unit_of_work()

    async def in_transaction(self, record: Callable[[UnitOfWork, datetime], T]) -> T:
        """Runs ``record(uow, now)`` in one transaction off the event loop, and commits it."""

        def run() -> T:
            now = self.now()
            with self.unit_of_work() as uow:
                result = record(uow, now)
                uow.commit()
            return result

        return await self.run_db(run)

    async def read_walmart_order(self, link: StoreLink, purchase_order_id: str) -> wm.Order:
        """Reads one PO at Walmart, its HTTP attempts recorded."""
        with link.attempts.scope(flush=False) as scope:
            order = await link.walmart.get_order(purchase_order_id)
        await self.record_attempts(scope.collected)
        return order

    async def record_attempts(self, attempts: list[SyncAttempt]) -> None:
        """Writes the sync attempts an attempt scope collected (their own short transaction)."""
        if attempts:
            await self.run_db(self.database.record_attempts, attempts)

    async def store(self, store_id: int) -> StoreLink:
        link = self._links.get(store_id)
        if link is not None:
            return link
        async with self._lock:
            link = self._links.get(store_id)
            if link is None:
                store = await self.run_db(self._load_store, store_id)
                recorder = AttemptRecorder(self.database, store_id, clock=self.clock)
                walmart_options = self._walmart_options_for(store)
                link = StoreLink(
                    store=store,
                    walmart=walmart_client_for(store, on_attempt=recorder.walmart, **walmart_options),
                    commerce=commerce_client_for(store, on_attempt=recorder.commerce, **self.commerce_options),
                    attempts=recorder,
                )
                self._links[store_id] = link
        return link

    def _walmart_options_for(self, store: ChannelStore) -> dict[str, Any]:
        """The Walmart client's options; on PostgreSQL its rate limits come from the budget every process
        shares (one per seller account and endpoint), on SQLite (one process) from its own buckets."""
        options: dict[str, Any] = {"max_retries": 1, "timeout": 20.0, **self.walmart_options}
        limits = options.get("rate_limits")
        if self.database.dialect == "postgresql" and not isinstance(limits, RateLimiter):
            options["rate_limits"] = RateLimiter(
                limits,
                enabled=options.pop("rate_limiting", True),
                shared=PostgresRateBudgets(self.database.engine),
                shared_account=seller_budget_key(store.walmart.base_url, store.walmart.client_id),
            )
        return options

    def _load_store(self, store_id: int) -> ChannelStore:
        with self.unit_of_work() as uow:
            store = uow.stores.get(store_id)
        if store is None:
            raise StoreNotFound(store_id)
        return store

    async def forget_store(self, store_id: int, *, grace_seconds: float = 0.0) -> None:
        """Drops the store's cached clients: the next use builds them again from the database (after its
        settings or credentials changed). They are closed at once, or after ``grace_seconds`` so that calls
        under way with them (a worker's job) can finish."""
        link = self._links.pop(store_id, None)
        if link is None:
            return
        if grace_seconds <= 0:
            await _close_link(link)
            return
        task = asyncio.create_task(_close_link(link, after=grace_seconds))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close_idle_clients(self, idle_seconds: float) -> int:
        """Closes the connection pools of the stores' clients that no call used for ``idle_seconds`` (a store
        whose jobs stopped coming, in a worker-only process); the next call opens them again. How many closed."""
        closed = 0
        for link in list(self._links.values()):
            closed += await link.walmart.close_if_idle(idle_seconds)
            closed += await link.commerce.close_if_idle(idle_seconds)
        return closed

    async def aclose(self) -> None:
        for store_id in list(self._links):
            await self.forget_store(store_id)
        for task in list(self._closing):
            task.cancel()  # closes at once
        await asyncio.gather(*self._closing, return_exceptions=True)


async def _close_link(link: StoreLink, *, after: float = 0.0) -> None:
    try:
        if after > 0:
            await asyncio.sleep(after)
    finally:
        await link.walmart.aclose()
        await link.commerce.aclose()
