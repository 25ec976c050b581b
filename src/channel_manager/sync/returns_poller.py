"""Polling Walmart returns (``GET /v3/returns``) per store, by last-modified time.

Each poll asks for returns modified between the watermark minus an overlap and the poll's start, follows
``nextCursor`` to the end, and records every page in one transaction (new returns, and refunds Walmart made
itself). The watermark moves only after every page was recorded: a crash means asking again, never a miss.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..service.returns import record_walmart_return
from ..walmart import models as wm
from ..walmart.requests import query_time
from .context import StoreLink, SyncContext

WALMART_RETURNS_CURSOR = "walmart.returns.modified_since"
#: Returns modified this long before the last poll are asked for again (Walmart's clock and indexing lag).
RETURNS_OVERLAP = timedelta(minutes=10)
#: First poll of a new store looks this far back (Walmart's return window is 30 days after delivery).
RETURNS_FIRST_LOOKBACK = timedelta(days=30)
PAGE_SIZE = 200


@dataclass
class PollResult:
    seen: int = 0
    new: int = 0


async def record_returns(context: SyncContext, link: StoreLink, returns: list[wm.ReturnOrder]) -> int:
    """Records one page of returns in one transaction; how many were new or changed."""
    if not returns:
        return 0

    def record() -> int:
        now = context.now()
        with context.unit_of_work() as uow:
            changed = sum(record_walmart_return(uow, link.store, item, now) for item in returns)
            uow.commit()
        return changed

    return await context.run_db(record)


async def poll_walmart_returns(context: SyncContext, link: StoreLink) -> PollResult:
    started = context.now()
    since = await context.run_db(_watermark, context, link.id)
    modified_since = (since - RETURNS_OVERLAP) if since else started - RETURNS_FIRST_LOOKBACK
    result = PollResult()
    with link.attempts.scope(flush=False) as scope:
        async for page, _cursor_text in link.walmart.iter_return_pages(
            returnLastModifiedStartDate=query_time(modified_since),
            returnLastModifiedEndDate=query_time(started + timedelta(seconds=1)),
            limit=PAGE_SIZE,
        ):
            result.seen += len(page)
            result.new += await record_returns(context, link, page)
    if scope.collected:
        await context.run_db(context.database.record_attempts, scope.collected)
    await context.run_db(_move_watermark, context, link.id, started)
    return result


def _watermark(context: SyncContext, store_id: int) -> datetime | None:
    with context.unit_of_work() as uow:
        value = uow.cursors.get(store_id, WALMART_RETURNS_CURSOR)
    return datetime.fromisoformat(value) if value else None


def _move_watermark(context: SyncContext, store_id: int, to: datetime) -> None:
    with context.unit_of_work() as uow:
        uow.cursors.set(store_id, WALMART_RETURNS_CURSOR, to.isoformat())
        uow.commit()
