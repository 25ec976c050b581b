"""Polling watermarks per store (a UTC time each), read and moved in their own short transactions."""

from __future__ import annotations

from datetime import datetime

from .context import ServiceContext


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
