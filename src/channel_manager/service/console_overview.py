"""Read-side views the console's Stores and Health pages need beyond the API's: order counts per store
and status, and the shared Walmart rate-limit budgets."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.rate_budgets import BudgetUsage, PostgresRateBudgets
from ..storage.unit_of_work import Database


@dataclass(frozen=True)
class StoreCounts:
    store_id: int
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def order_counts_by_store(database: Database) -> dict[int, StoreCounts]:
    """Orders per status for every store (zeros included)."""
    with database.unit_of_work(read_only=True) as uow:
        ids = [s.id for s in uow.stores.list() if s.id is not None]
        return {store_id: StoreCounts(store_id, uow.orders.count_by_status(store_id)) for store_id in ids}


def rate_limit_usage(database: Database) -> list[BudgetUsage] | None:
    """Calls taken and answered 429 per seller and endpoint group; None on SQLite (one process keeps its
    buckets in memory there)."""
    if database.dialect != "postgresql":
        return None
    return PostgresRateBudgets(database.engine).usage()
