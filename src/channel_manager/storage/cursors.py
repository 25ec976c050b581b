"""Polling watermarks: per store, a named value (e.g. the last Walmart order time seen), kept in UTC text."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, or_, select, update

from . import _sql
from ._sql import utcnow
from .tables import sync_cursors


class CursorRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, store_id: int, name: str) -> str | None:
        query = select(sync_cursors.c.value).where(sync_cursors.c.store_id == store_id, sync_cursors.c.name == name)
        return self._connection.execute(query).scalar_one_or_none()

    def set(self, store_id: int, name: str, value: str) -> None:
        statement = _sql.insert(self._connection, sync_cursors).values(
            store_id=store_id, name=name, value=value, updated_at=utcnow()
        )
        statement = statement.on_conflict_do_update(
            index_elements=[sync_cursors.c.store_id, sync_cursors.c.name],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        )
        self._connection.execute(statement)

    def take_turn(self, store_id: int, name: str, now: datetime, every: timedelta) -> bool:
        """The turn of a periodic pass shared by every process of the deployment: True for the first caller
        at ``name`` since ``every`` before ``now`` (the row then holds ``now``), False for the others. One
        conditional UPDATE (or the first INSERT) decides between callers racing for it. A turn stamped more
        than ``every`` after ``now`` (a clock set back) is given out again rather than never; a turn stamped
        a little after ``now`` is a racing caller's, whose clock read came a moment later than this one's."""
        due = or_(sync_cursors.c.updated_at <= now - every, sync_cursors.c.updated_at > now + every)
        claimed = self._connection.execute(
            update(sync_cursors)
            .where(sync_cursors.c.store_id == store_id, sync_cursors.c.name == name, due)
            .values(value=now.isoformat(), updated_at=now)
        )
        if claimed.rowcount:
            return True
        first = (
            _sql.insert(self._connection, sync_cursors)
            .values(store_id=store_id, name=name, value=now.isoformat(), updated_at=now)
            .on_conflict_do_nothing(index_elements=[sync_cursors.c.store_id, sync_cursors.c.name])
            .returning(sync_cursors.c.name)
        )
        return self._connection.execute(first).first() is not None

    def list(self, store_id: int, *, prefix: str = "") -> dict[str, str]:
        """The store's values whose name starts with ``prefix``, by name."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = select(sync_cursors.c.name, sync_cursors.c.value).where(
            sync_cursors.c.store_id == store_id, sync_cursors.c.name.like(pattern, escape="\\")
        )
        return {name: value for name, value in self._connection.execute(query)}
