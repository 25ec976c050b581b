"""Polling watermarks per store (a UTC time each), read and moved in their own short transactions."""

from __future__ import annotations

from datetime import datetime, timedelta

from .context import ServiceContext

#: Where a periodic pass's turn is kept: ``turn.<poll name>`` per store.
TURN_PREFIX = "turn."
#: A pass is due again after this share of its interval since the last one started in any process (a little
#: less than the interval, so each process's own timer, a few milliseconds late, still finds it due).
TURN_SHARE = 0.9


def take_turn(context: ServiceContext, store_id: int, poll: str, interval_seconds: float) -> bool:
    """Whether this process runs the store's ``poll`` now: one run per interval across all the processes of
    the deployment, whichever asks first (each process keeps its own timer; the one that finds the turn taken
    waits for its next). A process killed during its run delays the next one by one interval at most."""
    every = timedelta(seconds=interval_seconds * TURN_SHARE)
    with context.unit_of_work() as uow:
        took = uow.cursors.take_turn(store_id, TURN_PREFIX + poll, context.now(), every)
        uow.commit()
    return took


def _read(context: ServiceContext, store_id: int, name: str) -> datetime | None:
    with context.unit_of_work() as uow:
        value = uow.cursors.get(store_id, name)
    return datetime.fromisoformat(value) if value else None


def _move(context: ServiceContext, store_id: int, name: str, to: datetime) -> None:
    with context.unit_of_work() as uow:
        uow.cursors.set(store_id, name, to.isoformat())
        uow.commit()


async def read_cursor(context: ServiceContext, store_id: int, name: str) -> datetime | None:
    return await context.run_db(_read, context, store_id, name)


async def move_cursor(context: ServiceContext, store_id: int, name: str, to: datetime) -> None:
    """Moves the watermark ``name`` to ``to``, once everything before it was recorded."""
    await context.run_db(_move, context, store_id, name, to)
