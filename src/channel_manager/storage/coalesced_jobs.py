"""Jobs that coalesce: at most one pending job per key, so a burst of triggers becomes one run.

``JobRepository.enqueue`` de-duplicates on ``dedupe_key`` across every state, which suits one-off changes. A
recurring job (push the stock of a SKU) needs a new job after the previous one started, but never two
waiting at once: its key is ``<key>#<generation>``, the generation being how many jobs that key ever had.
Two writers racing for the same generation hit the unique key, and the second one adds nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from .jobs import JobRepository, JobState
from .tables import jobs


def enqueue_coalesced(
    connection: Connection,
    kind: str,
    *,
    store_id: int,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    run_after: datetime | None = None,
    max_attempts: int = 10,
) -> int | None:
    """Adds a job unless one with ``key`` is still pending; the new job's id, or ``None`` when coalesced."""
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "#%"
    same_key = jobs.c.dedupe_key.like(pattern, escape="\\")
    pending = select(jobs.c.id).where(same_key, jobs.c.state == JobState.PENDING.value).limit(1)
    if connection.execute(pending).first() is not None:
        return None
    generation = connection.execute(select(func.count()).select_from(jobs).where(same_key)).scalar_one()
    return JobRepository(connection).enqueue(
        kind,
        store_id=store_id,
        payload=payload,
        dedupe_key=f"{key}#{generation}",
        run_after=run_after,
        max_attempts=max_attempts,
        now=now,
        serial_key=key,
    )
