"""Stock pushes to Walmart: after a cancel, after a refund and on every Commerce stock change, when the
store's ``push_stock_changes`` setting says so (off: no push is queued, and a push queued before it was turned
off sends nothing).

A push is a ``push_inventory`` job per (store, SKU), coalesced: while one is waiting, more changes to the SKU
add nothing, and the job sends the quantity it works out when it runs. A short delay lets a burst of
changes (a bulk stock import, an order of many units) end before the one call.

The quantity (docs/returns-and-refunds.md, "Stock pushes"): Commerce's salable quantity, in whole units, less
the units of the store's Walmart orders still to ship when the store creates orders on the ``direct`` path
(a direct save reserves nothing in Commerce, so its salable quantity still counts those units), never below 0.

Commerce's stock webhooks are not delivered again when the connector misses one (a process restarting, a
network blip), so a periodic check walks the store's SKUs in SKU order and round again, each becoming a push
that reads Walmart's quantity first and sets it only when it differs. A pass (one per ``reconcile_seconds``
across all processes) takes at most a quarter of the seller's inventory reads over its interval
(``stock_checks_per_pass``): the pushes that follow a stock change, and the seller's other tools, keep the rest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..domain.orders import PurchaseOrder
from ..domain.stores import ChannelStore, OrderCreationPath
from ..storage.skus import open_units_of_sku, skus_after, store_sells_sku
from ..storage.unit_of_work import UnitOfWork
from ..walmart.errors import WalmartNotFoundError
from ..walmart.rate_limits import DEFAULT_RATE_LIMITS
from .context import ServiceContext, StoreLink
from .job_run import JobRun
from .outbox import enqueue_stock_push

#: The share of the seller's Walmart inventory reads (``GET /v3/inventory``) the stock check may use.
STOCK_CHECK_READ_SHARE = 0.25
#: The most SKUs one pass looks at (two reads each: Commerce's salable quantity and Walmart's), whatever the
#: interval: the jobs of one pass stay a bounded batch.
STOCK_CHECKS_MAX_PER_PASS = 500
#: Where the stock check stopped (the last SKU it queued), per store.
STOCK_CHECK_CURSOR = "stock_checked_through"


def queue_stock_push(uow: UnitOfWork, store_id: int, sku: str, now: datetime) -> bool:
    """Queues a push of ``sku``'s salable quantity; False when one is already waiting (coalesced)."""
    return enqueue_stock_push(uow, store_id, sku, now)


def queue_stock_pushes(uow: UnitOfWork, store_id: int, skus: Iterable[str], now: datetime) -> int:
    """After a cancel or a refund: pushes of the SKUs involved, when the store pushes stock changes."""
    store = uow.stores.get(store_id)
    if store is None or not store.settings.push_stock_changes:
        return 0
    return sum(queue_stock_push(uow, store_id, sku, now) for sku in sorted(set(skus)))


def record_stock_change(uow: UnitOfWork, store: ChannelStore, sku: str, now: datetime) -> bool:
    """A Commerce stock change of ``sku``: pushed when the store pushes stock changes and sells the SKU on
    Walmart. True when a push was queued."""
    assert store.id is not None
    if not store.settings.push_stock_changes or not sku or not store_sells_sku(uow.connection, store.id, sku):
        return False
    return queue_stock_push(uow, store.id, sku, now)


def sku_of_stock_event(data: Mapping[str, Any]) -> str | None:
    """The SKU of an ``observer.cataloginventory_stock_item_save_commit_after`` webhook's data."""
    sku = data.get("sku")
    return str(sku) if sku else None


async def on_commerce_stock_event(context: ServiceContext, link: StoreLink, payload: dict[str, Any]) -> None:
    """Handler of Commerce's stock webhook (``observer.cataloginventory_stock_item_save_commit_after``)."""
    inner = payload.get("data")
    data: Mapping[str, Any] = inner if isinstance(inner, dict) else payload
    sku = sku_of_stock_event(data)
    if sku is None:
        return

    def record() -> bool:
        with context.unit_of_work() as uow:
            queued = record_stock_change(uow, link.store, sku, context.now())
            uow.commit()
        return queued

    if await context.run_db(record):
        context.work_available.set()


def stock_checks_per_pass(reconcile_seconds: float) -> int:
    """SKUs one pass of the stock check may look at: its share of the inventory reads Walmart allows over the
    interval between passes (at the default 900 s, 500; at 15 s, 12), at least one."""
    reads = DEFAULT_RATE_LIMITS["inventory_read"].per_second * reconcile_seconds * STOCK_CHECK_READ_SHARE
    return max(1, min(STOCK_CHECKS_MAX_PER_PASS, int(reads)))


def queue_stock_checks(uow: UnitOfWork, store: ChannelStore, now: datetime, limit: int | None = None) -> int:
    """One pass of the stock check: the next ``limit`` SKUs (by default ``stock_checks_per_pass``) of the store
    after where the last pass stopped (round to the first when it reaches the end), each queued as a checking
    push. How many were queued."""
    assert store.id is not None
    if not store.settings.push_stock_changes:
        return 0
    if limit is None:
        limit = stock_checks_per_pass(store.settings.reconcile_seconds)
    after = uow.cursors.get(store.id, STOCK_CHECK_CURSOR) or ""
    skus = skus_after(uow.connection, store.id, after, limit)
    if len(skus) < limit and after:
        skus += [sku for sku in skus_after(uow.connection, store.id, "", limit - len(skus)) if sku not in skus]
    for sku in skus:
        enqueue_stock_push(uow, store.id, sku, now, check=True)
    uow.cursors.set(store.id, STOCK_CHECK_CURSOR, skus[-1] if skus else "")
    return len(skus)


async def check_stock(context: ServiceContext, link: StoreLink) -> int:
    """One pass of the stock check for the store (its own transaction); how many SKUs it queued."""

    def record() -> int:
        with context.unit_of_work() as uow:
            queued = queue_stock_checks(uow, link.store, context.now())
            uow.commit()
        return queued

    queued = await context.run_db(record)
    if queued:
        context.work_available.set()
    return queued


def queue_cancel_stock_pushes(uow: UnitOfWork, order: PurchaseOrder, now: datetime) -> int:
    """After a cancel recorded just now (at ``now``), the freed stock of its SKUs is pushed to Walmart."""
    skus = {
        order.line(line.line_number).sku
        for cancellation in order.cancellations
        if cancellation.created_at == now
        for line in cancellation.lines
    }
    return queue_stock_pushes(uow, order.store_id, skus, now)


# ---------------------------------------------------------------- the push_inventory job


async def push_inventory(run: JobRun) -> None:
    """Commerce's salable quantity of one SKU becomes Walmart's inventory. The quantity is read when the job
    runs, not when it was queued, so one job stands for every change queued before it started (see
    ``storage.coalesced_jobs``). Setting an absolute quantity is safe to repeat."""
    sku = str(run.job.payload["sku"])
    settings = run.link.store.settings
    if not settings.push_stock_changes:  # turned off after the push was queued
        await run.finish()
        return
    held = 0
    if settings.order_creation_path is OrderCreationPath.DIRECT:
        held = await run.context.run_db(_open_units, run, sku)
    quantity = walmart_quantity(await stock_of(run, sku), held)
    if run.job.payload.get("check") and await _walmart_has(run, sku, quantity):
        await run.finish()
        return
    await run.sending()
    await run.link.walmart.set_inventory(sku, quantity)
    await run.finish()


async def _walmart_has(run: JobRun, sku: str, quantity: int) -> bool:
    """True when Walmart already shows ``quantity`` of ``sku``, or no longer knows the SKU (nothing to set)."""
    try:
        current = await run.link.walmart.get_inventory(sku)
    except WalmartNotFoundError:
        return True
    return int(current.quantity.amount) == quantity


def walmart_quantity(salable: float, unreserved_open_units: int) -> int:
    """Walmart's quantity: Commerce's salable quantity in whole units, less the open units Commerce did not
    reserve, never below 0."""
    return max(0, math.floor(salable) - unreserved_open_units)


def _open_units(run: JobRun, sku: str) -> int:
    with run.context.unit_of_work() as uow:
        return open_units_of_sku(uow.connection, run.link.id, sku)


async def stock_of(run: JobRun, sku: str) -> float:
    """Commerce's salable quantity of ``sku``. Commerce routes that quantity by SKU in the URL path, which a
    SKU with a ``/`` cannot pass; for such a SKU the in-stock source quantities (a search, where the SKU is a
    query value) stand in for it."""
    commerce = run.link.commerce
    if "/" not in sku:
        return await commerce.get_salable_quantity(sku)
    items = await commerce.get_source_items(sku)
    return sum(item.quantity for item in items if item.status == 1 and item.sku == sku)
