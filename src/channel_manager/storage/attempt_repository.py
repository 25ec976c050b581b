"""Sync attempts: one row per HTTP call to Walmart or Commerce, for the merchant's attempt history.

Attempts are written in their own short transaction (``record_attempts``) so they survive when the job that
made them rolls back.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, RowMapping, insert, select

from channel_manager.domain.sync import Side

from .tables import sync_attempts


@dataclass(frozen=True)
class SyncAttempt:
    store_id: int
    started_at: datetime
    side: Side  # Walmart or Commerce
    method: str  # GET, POST...
    endpoint: str  # the route template, e.g. "POST /v3/orders/{purchaseOrderId}/shipping"
    path: str  # the path actually called
    duration_ms: int
    http_status: int | None = None  # None when no answer came
    error_code: str | None = None
    error_message: str | None = None
    correlation_id: str | None = None
    order_id: int | None = None
    job_id: int | None = None
    purchase_order_id: str | None = None
    id: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


_COLUMNS = [f.name for f in fields(SyncAttempt) if f.name != "id"]


def _values(attempt: SyncAttempt) -> dict[str, Any]:
    values = {name: getattr(attempt, name) for name in _COLUMNS}
    values["side"] = Side(attempt.side).value
    values["duration_ms"] = round(attempt.duration_ms)
    return values


def _from_row(row: RowMapping) -> SyncAttempt:
    return SyncAttempt(id=row["id"], **{name: row[name] for name in _COLUMNS if name != "side"}, side=Side(row["side"]))


class AttemptRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, attempt: SyncAttempt) -> SyncAttempt:
        """Saves one attempt in the caller's transaction; returns it as stored (with its id)."""
        values = _values(attempt)
        attempt_id = self._connection.execute(
            insert(sync_attempts).values(**values).returning(sync_attempts.c.id)
        ).scalar_one()
        return replace(attempt, id=attempt_id, side=Side(values["side"]), duration_ms=values["duration_ms"])

    def add_many(self, attempts: Iterable[SyncAttempt]) -> None:
        rows = [_values(attempt) for attempt in attempts]
        if rows:
            self._connection.execute(insert(sync_attempts), rows)

    def list_for_order(self, order_id: int, limit: int | None = None) -> builtins.list[SyncAttempt]:
        """The order's attempts, oldest first (the last ``limit`` of them when given)."""
        query = select(sync_attempts).where(sync_attempts.c.order_id == order_id)
        if limit is None:
            rows = self._connection.execute(query.order_by(sync_attempts.c.id)).mappings().all()
        else:
            newest = query.order_by(sync_attempts.c.id.desc()).limit(limit)
            rows = builtins.list(reversed(self._connection.execute(newest).mappings().all()))
        return [_from_row(row) for row in rows]

    def list_for_store(self, store_id: int, limit: int = 100) -> builtins.list[SyncAttempt]:
        """The store's latest attempts, newest first."""
        query = (
            select(sync_attempts)
            .where(sync_attempts.c.store_id == store_id)
            .order_by(sync_attempts.c.id.desc())
            .limit(limit)
        )
        return [_from_row(row) for row in self._connection.execute(query).mappings()]


def record_attempts(engine: Engine, attempts: Iterable[SyncAttempt]) -> None:
    """Writes attempts in a transaction of their own, committed at once, whatever happens to the caller's.

    On SQLite there is one writer at a time: call this when no write transaction of this process is open
    (e.g. collect a job's attempts and record them once its unit of work has ended, in a ``finally``), or it
    waits for the write lock (busy timeout) and fails. PostgreSQL has no such limit.
    """
    rows = builtins.list(attempts)
    if not rows:
        return
    with engine.begin() as connection:
        AttemptRepository(connection).add_many(rows)
