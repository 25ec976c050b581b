"""Running one async use case from a CLI command, then sending what it queued."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..bootstrap import build_context
from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..service import orders as order_service
from ..service import stores as store_service
from ..storage.unit_of_work import Database
from ..sync.context import SyncContext
from ..sync.worker import Worker
from .context import opened_app

T = TypeVar("T")

#: A use case run for a store: the context, the database and the id of the store named by ``--store`` (or None).
StoreAction = Callable[[SyncContext, Database, int | None], Awaitable[object]]


def run_and_send(database: Database, action: Callable[[SyncContext], Awaitable[T]], *, send: bool = True) -> T:
    """Runs ``action``; with ``send``, then runs the due jobs (what the running service would do next)."""

    async def main() -> T:
        context = build_context(database)
        try:
            result = await action(context)
            if send:
                worker = Worker(context)
                for _ in range(100):
                    if await worker.run_once(limit=10) == 0:
                        break
            return result
        finally:
            await context.aclose()

    return asyncio.run(main())


def run_for_store(
    store: str | None, action: StoreAction, read: Callable[[Database, int | None], T], *, send: bool = True
) -> T:
    """Runs ``action`` for the store named ``store`` (and, with ``send``, the jobs it queued); then ``read``."""
    with opened_app() as application:
        database = application.database
        store_id = store_service.store_id_named(database, store)
        run_and_send(database, lambda context: action(context, database, store_id), send=send)
        return read(database, store_id)


def run_for_order(
    purchase_order_id: str, store: str | None, action: StoreAction, *, send: bool = True
) -> PurchaseOrder:
    """``run_for_store``, then the order as it is afterwards."""

    def read(database: Database, store_id: int | None) -> PurchaseOrder:
        return order_service.find_order(database, purchase_order_id, store_id=store_id)

    return run_for_store(store, action, read, send=send)


def line_quantities(pairs: list[str]) -> dict[str, int]:
    """``--line 1:2 --line 3:1`` -> {"1": 2, "3": 1}: units per PO line, each given as LINE:QUANTITY."""
    lines: dict[str, int] = {}
    for pair in pairs:
        number, sep, quantity = pair.partition(":")
        if not sep or not number.strip() or not quantity.strip().isdigit() or int(quantity) < 1:
            raise DomainError(f"--line takes LINE:QUANTITY with a positive quantity, e.g. 1:2; got {pair!r}.")
        lines[number.strip()] = lines.get(number.strip(), 0) + int(quantity)
    return lines
