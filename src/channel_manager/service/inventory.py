"""Stock pushes to Walmart: after a cancel or a refund, and (a store setting) on every Commerce stock change.

A push is a ``push_inventory`` job per (store, SKU), coalesced: while one is waiting, more changes to the SKU
add nothing, and the job sends the salable quantity it reads when it runs. A short delay lets a burst of
changes (a bulk stock import, an order of many units) end before the one call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..domain.orders import PurchaseOrder
from ..domain.stores import ChannelStore
from ..storage.coalesced_jobs import enqueue_coalesced
from ..storage.skus import store_sells_sku
from ..storage.unit_of_work import UnitOfWork
from ..sync.inventory_jobs import PUSH_INVENTORY

if TYPE_CHECKING:
    from ..sync.context import StoreLink, SyncContext

#: How long a push waits for more changes of the same SKU before it reads and sends the quantity.
COALESCE_DELAY = timedelta(seconds=0.5)


def queue_stock_push(uow: UnitOfWork, store_id: int, sku: str, now: datetime) -> bool:
    """Queues a push of ``sku``'s salable quantity; False when one is already waiting (coalesced)."""
    job_id = enqueue_coalesced(
        uow.connection,
        PUSH_INVENTORY,
        store_id=store_id,
        key=f"stock:{store_id}:{sku}",
        payload={"sku": sku},
        now=now,
        run_after=now + COALESCE_DELAY,
    )
    return job_id is not None


def queue_stock_pushes(uow: UnitOfWork, store_id: int, skus: Iterable[str], now: datetime) -> int:
    return sum(queue_stock_push(uow, store_id, sku, now) for sku in sorted(set(skus)))


def record_stock_change(uow: UnitOfWork, store: ChannelStore, sku: str, now: datetime) -> bool:
    """A Commerce stock change of ``sku``: pushed when the store pushes stock changes and sells the SKU on
    Walmart. True when a push was queued."""
    assert store.id is not None
    if not store.settings.push_stock_changes or not sku or not store_sells_sku(uow.connection, store.id, sku):
        return False
    return queue_stock_push(uow, store.id, sku, now)


def sku_of_stock_event(data: dict[str, Any]) -> str | None:
    """The SKU of an ``observer.cataloginventory_stock_item_save_commit_after`` webhook's data."""
    sku = data.get("sku")
    return str(sku) if sku else None


async def on_commerce_stock_event(context: SyncContext, link: StoreLink, payload: dict[str, Any]) -> None:
    """Handler of Commerce's stock webhook (``observer.cataloginventory_stock_item_save_commit_after``)."""
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
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


def queue_cancel_stock_pushes(uow: UnitOfWork, order: PurchaseOrder, now: datetime) -> int:
    """After a cancel recorded just now (at ``now``), the freed stock of its SKUs is pushed to Walmart."""
    skus = {
        order.line(line.line_number).sku
        for cancellation in order.cancellations
        if cancellation.created_at == now
        for line in cancellation.lines
    }
    return queue_stock_pushes(uow, order.store_id, skus, now)
