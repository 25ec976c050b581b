"""Polling both sides: new Walmart POs (with a UTC watermark and an overlap), Commerce changes of linked
orders (by ``updated_at``), and a reconciliation pass over recent Walmart POs."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..commerce.models import CommerceCreditMemo, CommerceOrder, CommerceShipment
from ..logs import get_logger
from ..service.commerce_changes import ChangeSummary, record_cancellation, record_shipments
from ..service.intake import take_in_walmart_order
from ..service.inventory import queue_cancel_stock_pushes
from ..service.returns import record_credit_memos
from ..walmart import models as wm
from .context import StoreLink, SyncContext
from .returns_poller import poll_walmart_returns
from .walmart_changes import record_walmart_changes

log = get_logger("channel_manager.pollers")

WALMART_RELEASED_CURSOR = "walmart.released.created_since"
COMMERCE_ORDERS_CURSOR = "commerce.orders.updated_since"
#: Orders created this long before the last poll are asked for again: Walmart releases POs late.
WALMART_OVERLAP = timedelta(minutes=10)
#: First poll of a new store looks this far back.
WALMART_FIRST_LOOKBACK = timedelta(days=3)
COMMERCE_OVERLAP_SECONDS = 5.0
#: Changed Commerce orders read at the same time in one polling turn.
COMMERCE_ORDERS_AT_ONCE = 8
RECONCILE_LOOKBACK = timedelta(days=14)


@dataclass
class PollResult:
    seen: int = 0
    new: int = 0


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ---------------------------------------------------------------- Walmart -> channel-manager


async def take_in(context: SyncContext, link: StoreLink, orders: list[wm.Order]) -> int:
    """Records the POs of one page (each new one with its jobs) in one transaction; how many were new."""
    if not orders:
        return 0

    def record() -> int:
        now = context.now()
        with context.unit_of_work() as uow:
            new = sum(take_in_walmart_order(uow, link.store, order, now) for order in orders)
            uow.commit()
        return new

    new = await context.run_db(record)
    if new:
        context.work_available.set()
    return new


async def poll_walmart_orders(context: SyncContext, link: StoreLink) -> PollResult:
    """Released POs created since the watermark minus an overlap; the watermark moves to the poll's start
    only after every page was recorded, so a crash means asking again, never missing a PO."""
    started = context.now()
    since = _parse(await context.run_db(_cursor, context, link.id, WALMART_RELEASED_CURSOR))
    created_since = (since - WALMART_OVERLAP) if since else started - WALMART_FIRST_LOOKBACK
    result = PollResult()
    with link.attempts.scope(flush=False) as scope:
        async for page in link.walmart.iter_order_pages(released=True, created_start_date=created_since, limit=200):
            result.seen += len(page.orders)
            result.new += await take_in(context, link, page.orders)
    await _flush(context, scope.collected)
    await context.run_db(_set_cursor, context, link.id, WALMART_RELEASED_CURSOR, started.isoformat())
    return result


async def reconcile_walmart_orders(context: SyncContext, link: StoreLink) -> PollResult:
    """Every recent PO in any status: takes in what polling and webhooks missed."""
    result = PollResult()
    created_since = context.now() - RECONCILE_LOOKBACK
    with link.attempts.scope(flush=False) as scope:
        async for page in link.walmart.iter_order_pages(created_start_date=created_since, limit=200):
            result.seen += len(page.orders)
            result.new += await take_in(context, link, page.orders)
            result.new += await record_walmart_changes(context, link, page.orders)
    await _flush(context, scope.collected)
    return result


async def take_in_purchase_order(context: SyncContext, link: StoreLink, purchase_order_id: str) -> bool:
    """The fast path of a ``PO_CREATED`` notification: read the PO and take it in."""
    with link.attempts.scope(flush=False) as scope:
        order = await link.walmart.get_order(purchase_order_id)
    await _flush(context, scope.collected)
    return await take_in(context, link, [order]) > 0


# ---------------------------------------------------------------- Commerce -> Walmart


async def sync_commerce_order(
    context: SyncContext, link: StoreLink, commerce_order: CommerceOrder | int
) -> ChangeSummary | None:
    """Reads one Commerce order's shipments and state, and records what changed (with its jobs).
    ``None`` when the order is not one of ours (no linked PO)."""
    commerce_order_id = commerce_order if isinstance(commerce_order, int) else commerce_order.entity_id
    local_id = await context.run_db(_linked_order_id, context, link.id, commerce_order_id)
    if local_id is None:
        return None
    with link.attempts.scope(order_id=local_id, flush=False) as scope:
        if isinstance(commerce_order, int):
            commerce_order = await link.commerce.get_order(commerce_order)
        elif not commerce_order.raw.get("status_histories") and commerce_order.state == "canceled":
            commerce_order = await link.commerce.get_order(commerce_order.entity_id)
        shipments = await link.commerce.list_shipments(order_id=commerce_order.entity_id)
        refunded = commerce_order.total_refunded > 0 or any(i.qty_refunded for i in commerce_order.items)
        credit_memos = await link.commerce.list_credit_memos(order_id=commerce_order.entity_id) if refunded else []
    await _flush(context, scope.collected)
    summary = await context.run_db(
        _record_commerce_state, context, link, local_id, commerce_order, shipments, credit_memos
    )
    if summary.jobs:
        context.work_available.set()
    return summary


def _record_commerce_state(
    context: SyncContext,
    link: StoreLink,
    order_id: int,
    commerce_order: CommerceOrder,
    shipments: list[CommerceShipment],
    credit_memos: list[CommerceCreditMemo] = [],  # noqa: B006 (read only)
) -> ChangeSummary:
    now = context.now()
    with context.unit_of_work() as uow:
        order = uow.orders.get_by_id(order_id, for_update=True)
        assert order is not None
        summary = record_shipments(uow, link.store, order, shipments, now)
        cancelled = record_cancellation(uow, link.store, order, commerce_order, now)
        summary.cancellations += cancelled.cancellations
        summary.refunds += record_credit_memos(uow, link.store, order, commerce_order, credit_memos, now)
        queue_cancel_stock_pushes(uow, order, now)
        uow.orders.save(order)
        uow.commit()
    return summary


async def poll_commerce_orders(context: SyncContext, link: StoreLink) -> PollResult:
    """Commerce orders changed since the watermark (Commerce's own ``updated_at`` clock, with overlap)."""
    result = PollResult()
    cursor = _parse(await context.run_db(_cursor, context, link.id, COMMERCE_ORDERS_CURSOR))
    since = cursor or (context.now() - timedelta(days=1))
    newest = cursor
    with link.attempts.scope(flush=False) as scope:
        changed = [
            order
            async for order in link.commerce.list_orders_updated_since(
                since, overlap_seconds=COMMERCE_OVERLAP_SECONDS, store_id=link.store.settings.commerce_store_id
            )
        ]
    await _flush(context, scope.collected)
    limit = asyncio.Semaphore(COMMERCE_ORDERS_AT_ONCE)

    async def sync_one(order: CommerceOrder) -> int:
        async with limit:
            summary = await sync_commerce_order(context, link, order)
        return summary.jobs if summary else 0

    outcomes = await asyncio.gather(*(sync_one(o) for o in changed if o.ext_order_id), return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise failures[0]  # the watermark stays: the next turn reads these orders again
    result.seen = len(changed)
    result.new = sum(o for o in outcomes if isinstance(o, int))
    for order in changed:
        if order.updated_at and (newest is None or order.updated_at > newest):
            newest = order.updated_at
    if newest is not None and newest != cursor:
        await context.run_db(_set_cursor, context, link.id, COMMERCE_ORDERS_CURSOR, newest.isoformat())
    return result


# ---------------------------------------------------------------- loops


async def run_store_pollers(context: SyncContext, store_id: int, stop: asyncio.Event) -> None:
    """Runs the store's pollers on their intervals until ``stop`` is set; a failure waits for the next turn."""
    link = await context.store(store_id)
    settings = link.store.settings
    loops = [
        (poll_walmart_orders, settings.order_poll_seconds),
        (poll_commerce_orders, settings.commerce_poll_seconds),
        (reconcile_walmart_orders, settings.reconcile_seconds),
        (poll_walmart_returns, settings.returns_poll_seconds),
    ]
    await asyncio.gather(*(_every(context, link, poll, interval, stop) for poll, interval in loops))


async def _every(context: SyncContext, link: StoreLink, poll: object, interval: float, stop: asyncio.Event) -> None:
    """Runs ``poll`` every ``interval`` seconds, start to start: a poll that takes a while does not stretch
    the period (a change waits at most one interval for the next poll)."""
    name = getattr(poll, "__name__", "poll")
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            result = await poll(context, link)  # type: ignore[operator]
            if result.new:
                log.info(name, store_id=link.id, seen=result.seen, new=result.new)
        except Exception as error:  # a poll that fails is retried at its next turn
            log.warning(f"{name}_failed", store_id=link.id, error=str(error))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, interval - (loop.time() - started)))


# ---------------------------------------------------------------- storage helpers


def _cursor(context: SyncContext, store_id: int, name: str) -> str | None:
    with context.unit_of_work() as uow:
        return uow.cursors.get(store_id, name)


def _set_cursor(context: SyncContext, store_id: int, name: str, value: str) -> None:
    with context.unit_of_work() as uow:
        uow.cursors.set(store_id, name, value)
        uow.commit()


def _linked_order_id(context: SyncContext, store_id: int, commerce_order_id: int) -> int | None:
    with context.unit_of_work() as uow:
        order = uow.orders.get_by_commerce_order(store_id, commerce_order_id)
    return order.id if order else None


async def _flush(context: SyncContext, attempts: list) -> None:  # type: ignore[type-arg]
    if attempts:
        await context.run_db(context.database.record_attempts, attempts)
