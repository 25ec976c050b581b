"""Polling both sides on their intervals: new Walmart POs (with a UTC watermark and an overlap), Commerce changes of
linked orders (by ``updated_at``), POs Walmart changed lately (its own cancels, by last-modified time), Walmart
returns (by last-modified time), and a two-sided reconciliation pass over recent Walmart POs. Each poll reads pages
from one side and hands each page to the service layer, which records it in its own transaction; a watermark moves
only after every page was recorded, so a crash means asking again, never missing a change."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..commerce.models import CommerceOrder
from ..logs import get_logger
from ..service.commerce_changes import sync_commerce_order, sync_recorded_changes
from ..service.context import StoreLink
from ..service.cursors import move_cursor, read_cursor, take_turn
from ..service.health import record_poll_success
from ..service.intake import take_in
from ..service.inventory import check_stock
from ..service.reconciliation import reconcile_orders
from ..service.returns import record_walmart_returns
from ..service.walmart_changes import record_walmart_changes
from ..walmart import models as wm
from ..walmart.requests import query_time
from .context import SyncContext
from .wakeup import wake_on_recovery

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
WALMART_MODIFIED_CURSOR = "walmart.orders.modified_since"
#: POs modified this long before the last poll of changes are asked for again (Walmart's indexing lag).
WALMART_MODIFIED_OVERLAP = timedelta(minutes=2)
WALMART_MODIFIED_FIRST_LOOKBACK = timedelta(hours=1)
#: The changed POs asked for were created within this window (Walmart cancels an order days after it).
WALMART_MODIFIED_CREATED_WINDOW = timedelta(days=30)
WALMART_RETURNS_CURSOR = "walmart.returns.modified_since"
#: Returns modified this long before the last poll are asked for again (Walmart's clock and indexing lag).
RETURNS_OVERLAP = timedelta(minutes=10)
#: First poll of a new store looks this far back (Walmart's return window is 30 days after delivery).
RETURNS_FIRST_LOOKBACK = timedelta(days=30)
RETURNS_PAGE_SIZE = 200


@dataclass
class PollResult:
    seen: int = 0
    new: int = 0


# ---------------------------------------------------------------- Walmart -> channel-manager

#: What a poll does with one page of Walmart POs (a service function: it records the page in its own
#: transaction and answers how many POs were new or changed).
PageStep = Callable[[SyncContext, StoreLink, list[wm.Order]], Awaitable[int]]


async def _since(
    context: SyncContext, link: StoreLink, cursor: str, overlap: timedelta, first: timedelta, started: datetime
) -> datetime:
    """Where a watermarked poll starts: the stored watermark minus ``overlap``, or ``first`` before ``started``
    on a store's first poll."""
    since = await read_cursor(context, link.id, cursor)
    return since - overlap if since else started - first


async def _walk_orders(
    context: SyncContext,
    link: StoreLink,
    steps: tuple[PageStep, ...],
    pages: AsyncIterator[wm.OrderPage] | None = None,
    **query: Any,
) -> PollResult:
    """Reads the POs ``query`` asks Walmart for (or ``pages``), page by page, handing each page to every step in
    turn; the HTTP attempts are written once the last page is in."""
    result = PollResult()
    with link.attempts.scope(flush=False) as scope:
        async for page in pages if pages is not None else link.walmart.iter_order_pages(limit=200, **query):
            result.seen += len(page.orders)
            for step in steps:
                result.new += await step(context, link, page.orders)
    await context.record_attempts(scope.collected)
    return result


async def poll_walmart_orders(context: SyncContext, link: StoreLink) -> PollResult:
    """Released POs created since the watermark minus an overlap; the watermark moves to the poll's start
    only after every page was recorded, so a crash means asking again, never missing a PO."""
    started = context.now()
    created_since = await _since(
        context, link, WALMART_RELEASED_CURSOR, WALMART_OVERLAP, WALMART_FIRST_LOOKBACK, started
    )
    result = await _walk_orders(context, link, (take_in,), released=True, created_start_date=created_since)
    await move_cursor(context, link.id, WALMART_RELEASED_CURSOR, started)
    return result


async def reconcile_walmart_orders(context: SyncContext, link: StoreLink) -> PollResult:
    """Every recent PO in any status, a day at a time (Walmart caps one query's results, NOTES §2), page by
    cursor: takes in what polling and webhooks missed, records Walmart's own cancels, and reconciles each open
    order's Commerce side with Walmart's (``service/reconciliation.py``)."""
    now = context.now()
    pages = link.walmart.iter_order_pages_in_windows(now - RECONCILE_LOOKBACK, now, limit=200)
    return await _walk_orders(context, link, (take_in, record_walmart_changes, reconcile_orders), pages=pages)


async def check_walmart_stock(context: SyncContext, link: StoreLink) -> PollResult:
    """The next SKUs of the store's catalog checked at Walmart against Commerce's stock (a stock webhook the
    connector missed is never sent again), when the store pushes stock changes (``service/inventory.py``)."""
    return PollResult(seen=await check_stock(context, link))


async def poll_walmart_changes(context: SyncContext, link: StoreLink) -> PollResult:
    """The frequent, cheap poll of POs Walmart changed lately (``lastModifiedStartDate``: the watermark minus an
    overlap), so a Walmart-side cancel (auto-cancel, customer, fraud) comes in within seconds without a
    notification, not only at the reconciliation; the watermark moves after every page was recorded."""
    started = context.now()
    modified_since = await _since(
        context, link, WALMART_MODIFIED_CURSOR, WALMART_MODIFIED_OVERLAP, WALMART_MODIFIED_FIRST_LOOKBACK, started
    )
    result = await _walk_orders(
        context, link, (record_walmart_changes,),
        created_start_date=started - WALMART_MODIFIED_CREATED_WINDOW, last_modified_start_date=modified_since,
    )  # fmt: skip
    await move_cursor(context, link.id, WALMART_MODIFIED_CURSOR, started)
    return result


# ---------------------------------------------------------------- Commerce -> Walmart


async def poll_commerce_orders(context: SyncContext, link: StoreLink) -> PollResult:
    """Commerce orders changed since the watermark (Commerce's own ``updated_at`` clock, with overlap). An order
    with a Walmart PO number not linked yet is recorded, not skipped; it is read in full once it is linked."""
    result = PollResult()
    cursor = await read_cursor(context, link.id, COMMERCE_ORDERS_CURSOR)
    since = cursor or (context.now() - timedelta(days=1))
    newest = cursor
    with link.attempts.scope(flush=False) as scope:
        changed = [
            order
            async for order in link.commerce.list_orders_updated_since(
                since, overlap_seconds=COMMERCE_OVERLAP_SECONDS, store_id=link.store.settings.commerce_store_id
            )
        ]
    await context.record_attempts(scope.collected)
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
    # Orders changed before they were linked (recorded, not skipped) are read in full once linked.
    result.new += (await sync_recorded_changes(context, link)).jobs
    for order in changed:
        if order.updated_at and (newest is None or order.updated_at > newest):
            newest = order.updated_at
    if newest is not None and newest != cursor:
        await move_cursor(context, link.id, COMMERCE_ORDERS_CURSOR, newest)
    return result


# ---------------------------------------------------------------- Walmart returns


async def poll_walmart_returns(context: SyncContext, link: StoreLink) -> PollResult:
    """Returns modified between the watermark minus an overlap and the poll's start, following
    ``nextCursor`` to the end; each page recorded in one transaction (new returns, and refunds Walmart made
    itself)."""
    started = context.now()
    modified_since = await _since(
        context, link, WALMART_RETURNS_CURSOR, RETURNS_OVERLAP, RETURNS_FIRST_LOOKBACK, started
    )
    result = PollResult()
    with link.attempts.scope(flush=False) as scope:
        async for page, _cursor_text in link.walmart.iter_return_pages(
            returnLastModifiedStartDate=query_time(modified_since),
            returnLastModifiedEndDate=query_time(started + timedelta(seconds=1)),
            limit=RETURNS_PAGE_SIZE,
        ):
            result.seen += len(page)
            result.new += await record_walmart_returns(context, link, page)
    await context.record_attempts(scope.collected)
    await move_cursor(context, link.id, WALMART_RETURNS_CURSOR, started)
    return result


# ---------------------------------------------------------------- loops


async def run_store_pollers(context: SyncContext, store_id: int, stop: asyncio.Event) -> None:
    """Runs the store's pollers on their intervals until ``stop`` is set; a failure waits for the next turn."""
    link = await context.store(store_id)
    settings = link.store.settings
    loops = [
        (poll_walmart_orders, settings.order_poll_seconds),
        (poll_walmart_changes, settings.order_poll_seconds),
        (poll_commerce_orders, settings.commerce_poll_seconds),
        (reconcile_walmart_orders, settings.reconcile_seconds),
        (check_walmart_stock, settings.reconcile_seconds),
        (poll_walmart_returns, settings.returns_poll_seconds),
    ]
    await asyncio.gather(*(run_every(context, link, poll, interval, stop) for poll, interval in loops))


async def run_every(context: SyncContext, link: StoreLink, poll: object, interval: float, stop: asyncio.Event) -> None:
    """Runs ``poll`` every ``interval`` seconds, start to start: a poll that takes a while does not stretch
    the period (a change waits at most one interval for the next poll)."""
    name = getattr(poll, "__name__", "poll")
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            if not await context.run_db(take_turn, context, link.id, name, interval):
                await _wait(stop, interval, loop.time() - started)
                continue
            result = await poll(context, link)  # type: ignore[operator]
            await context.run_db(record_poll_success, context, link.id, name)
            if result.new:
                log.info(name, store_id=link.id, seen=result.seen, new=result.new)
        except Exception as error:  # a poll that fails is retried at its next turn
            if not await _still_there(context, link.id):
                # Removed while polling (its rows went with it): stop quietly, the runner forgets its clients.
                log.info("store_gone", store_id=link.id, poll=name)
                return
            log.warning(f"{name}_failed", store_id=link.id, error=str(error))
        await wake_on_recovery(context, link)
        await _wait(stop, interval, loop.time() - started)


async def _wait(stop: asyncio.Event, interval: float, spent: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, interval - spent))


async def _still_there(context: SyncContext, store_id: int) -> bool:
    def exists() -> bool:
        with context.unit_of_work() as uow:
            return uow.stores.get(store_id) is not None

    try:
        return await context.run_db(exists)
    except Exception:  # the database is away: the store is not known to be gone
        return True
