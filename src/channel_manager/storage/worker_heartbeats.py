"""The ``run`` processes' heartbeats: one row per process, written every few seconds while its workers run,
removed when it stops. ``/health`` counts the processes whose heartbeat is recent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from . import _sql
from .tables import worker_heartbeats


class WorkerHeartbeats:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def beat(self, process_id: str, workers: int, now: datetime) -> None:
        """This process's workers are alive as of ``now`` (the row is made on the first beat)."""
        updated = self._connection.execute(
            update(worker_heartbeats)
            .where(worker_heartbeats.c.process_id == process_id)
            .values(heartbeat_at=now, workers=workers)
        ).rowcount
        if not updated:
            self._connection.execute(
                _sql.insert(self._connection, worker_heartbeats)
                .values(process_id=process_id, workers=workers, started_at=now, heartbeat_at=now)
                .on_conflict_do_nothing(index_elements=[worker_heartbeats.c.process_id])
            )

    def remove(self, process_id: str) -> None:
        self._connection.execute(delete(worker_heartbeats).where(worker_heartbeats.c.process_id == process_id))

    def alive(self, since: datetime) -> tuple[int, int]:
        """(processes, workers) whose heartbeat is at or after ``since``."""
        row = self._connection.execute(
            select(func.count(), func.coalesce(func.sum(worker_heartbeats.c.workers), 0)).where(
                worker_heartbeats.c.heartbeat_at >= since
            )
        ).one()
        return int(row[0]), int(row[1])

    def forget_older_than(self, before: datetime) -> int:
        """Removes the rows of processes gone (killed) since long before ``before``."""
        return int(
            self._connection.execute(
                delete(worker_heartbeats).where(worker_heartbeats.c.heartbeat_at < before)
            ).rowcount
        )
