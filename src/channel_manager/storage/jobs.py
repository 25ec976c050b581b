"""The durable job queue, which is also the transactional outbox.

A job is written in the same transaction as the change that needs it, so it exists exactly when the change
committed. Workers claim due jobs with a lease (kept alive by a heartbeat); jobs of one business key (an
order, a SKU of a store) run one at a time, in the order they were written. A worker that dies leaves its
lease to run out, and another worker picks the job up again.

A job's ``may_be_in_effect`` marker is committed before its remote call is sent. It survives a lost answer, a
lease taken over, a released or stalled job, the merchant's Retry and a restart: while it is set, the job's
handler reads the remote before sending again. Only the job's success (the remote answered, or a read showed
the change in effect) clears it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, case, func, or_, select, update

from . import _sql
from ._sql import utcnow
from .tables import jobs


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


UNFINISHED = (JobState.PENDING.value, JobState.RUNNING.value)


@dataclass(frozen=True)
class Job:
    id: int
    store_id: int
    order_id: int | None
    kind: str
    payload: dict[str, Any]
    dedupe_key: str | None
    state: JobState
    attempts: int
    max_attempts: int
    run_after: datetime
    locked_by: str | None
    locked_until: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    may_be_in_effect: bool = False
    serial_key: str | None = None
    waiting_on: str | None = None

    @property
    def attempts_left(self) -> int:
        return max(0, self.max_attempts - self.attempts)


def _job(row: RowMapping) -> Job:
    values = dict(row)
    values["state"] = JobState(values["state"])
    return Job(**values)


def order_serial_key(order_id: int) -> str:
    """The serialisation key of an order's jobs."""
    return f"order:{order_id}"


def _not_blocked() -> Any:
    """No earlier unfinished job of the same business key: jobs of one key (an order, a SKU of a store) run
    one at a time, oldest first."""
    earlier = jobs.alias("earlier")
    blocker = (
        select(earlier.c.id)
        .where(earlier.c.serial_key == jobs.c.serial_key, earlier.c.id < jobs.c.id, earlier.c.state.in_(UNFINISHED))
        .exists()
    )
    return or_(jobs.c.serial_key.is_(None), ~blocker)


class JobRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # ------------------------------------------------------------------ writing jobs

    def enqueue(
        self,
        kind: str,
        *,
        store_id: int,
        order_id: int | None = None,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
        run_after: datetime | None = None,
        max_attempts: int = 10,
        now: datetime | None = None,
        serial_key: str | None = None,
        may_be_in_effect: bool = False,
    ) -> int | None:
        """Adds a job; its id, or ``None`` when a job with ``dedupe_key`` already exists (in any state).
        An order's jobs are serialised by the order; ``serial_key`` serialises jobs without one.
        ``may_be_in_effect``: the change was sent before (by another job), so it is looked up before it is sent."""
        now = now or utcnow()
        if serial_key is None and order_id is not None:
            serial_key = order_serial_key(order_id)
        statement = (
            _sql.insert(self._connection, jobs)
            .values(
                store_id=store_id,
                order_id=order_id,
                kind=kind,
                payload=payload or {},
                dedupe_key=dedupe_key,
                state=JobState.PENDING.value,
                attempts=0,
                max_attempts=max_attempts,
                run_after=run_after or now,
                created_at=now,
                updated_at=now,
                may_be_in_effect=may_be_in_effect,
                serial_key=serial_key,
            )
            .on_conflict_do_nothing(index_elements=[jobs.c.dedupe_key])
            .returning(jobs.c.id)
        )
        return self._connection.execute(statement).scalar_one_or_none()

    # ------------------------------------------------------------------ workers

    def claim(self, worker_id: str, *, now: datetime, lease_seconds: float, limit: int = 1) -> builtins.list[Job]:
        """Takes up to ``limit`` due jobs for ``worker_id`` and leases them until ``now + lease_seconds``.

        Due: pending with ``run_after <= now``, or running under a lease that ran out (its worker is gone).
        A job whose business key has an earlier unfinished job waits for it. On PostgreSQL, concurrent workers skip
        each other's rows (``FOR UPDATE SKIP LOCKED``); SQLite's write lock already makes claims one at a time.

        Fair across stores: due jobs are ranked within their store (oldest first) and taken by rank, then age, so
        each store's oldest due job comes before any store's second: one store's backlog never queues the others
        behind it. Only due rows are ranked (found through the ``(state, run_after)`` index).
        """
        self._give_up_on_stalled(now)
        due = or_(
            and_(jobs.c.state == JobState.PENDING.value, jobs.c.run_after <= now),
            and_(jobs.c.state == JobState.RUNNING.value, jobs.c.locked_until < now),
        )
        rank = func.row_number().over(partition_by=jobs.c.store_id, order_by=jobs.c.id).label("rank")
        ranked = select(jobs.c.id, rank).where(due, _not_blocked()).subquery("ranked")
        # ``due`` again on the locked rows themselves: PostgreSQL re-checks a row claimed meanwhile by another
        # worker against this level's conditions only (not the ranking subquery's), and then skips it.
        candidates = (
            select(jobs.c.id)
            .join(ranked, ranked.c.id == jobs.c.id)
            .where(due, _not_blocked())
            .order_by(ranked.c.rank, jobs.c.id)
            .limit(limit)
        )
        if self._connection.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True, of=jobs)
        chosen = candidates.cte("claimable")
        statement = (
            update(jobs)
            .where(jobs.c.id.in_(select(chosen.c.id)))
            .values(
                state=JobState.RUNNING.value,
                locked_by=worker_id,
                locked_until=now + timedelta(seconds=lease_seconds),
                attempts=jobs.c.attempts + 1,
                updated_at=now,
            )
            .returning(*jobs.c)
        )
        claimed = [_job(row) for row in self._connection.execute(statement).mappings()]
        return sorted(claimed, key=lambda job: job.id)

    def _give_up_on_stalled(self, now: datetime) -> None:
        """A job whose worker vanished on its last allowed attempt fails instead of running forever."""
        stalled = select(jobs.c.id).where(
            jobs.c.state == JobState.RUNNING.value,
            jobs.c.locked_until < now,
            jobs.c.attempts >= jobs.c.max_attempts,
        )
        if self._connection.dialect.name == "postgresql":
            stalled = stalled.with_for_update(skip_locked=True)  # never wait for another worker's claim
        self._connection.execute(
            update(jobs)
            .where(jobs.c.id.in_(stalled.scalar_subquery()))
            .values(
                state=JobState.FAILED.value,
                last_error="The worker running it stopped before finishing, on its last allowed attempt.",
                locked_by=None,
                locked_until=None,
                finished_at=now,
                updated_at=now,
            )
        )

    def _update_locked(self, job_id: int, worker_id: str, **values: Any) -> bool:
        """Applies ``values`` only if ``worker_id`` still holds the job (a lease taken over is not ours)."""
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == JobState.RUNNING.value, jobs.c.locked_by == worker_id)
            .values(**values)
        )
        return bool(self._connection.execute(statement).rowcount)

    def _let_go(self, job_id: int, worker_id: str, state: JobState, now: datetime | None, **values: Any) -> bool:
        """Ends ``worker_id``'s hold on the job, leaving it in ``state`` (a finished one gets ``finished_at``)."""
        now = now or utcnow()
        if state is not JobState.PENDING:
            values["finished_at"] = now
        return self._update_locked(
            job_id, worker_id, state=state.value, locked_by=None, locked_until=None, updated_at=now, **values
        )

    def complete(self, job_id: int, worker_id: str, *, now: datetime | None = None) -> bool:
        return self._let_go(job_id, worker_id, JobState.DONE, now, may_be_in_effect=False)

    def mark_may_be_in_effect(self, job_id: int, worker_id: str, *, now: datetime | None = None) -> bool:
        """Records, before the remote call is sent, that it may be in effect from now on; ``False`` (nothing
        recorded, and nothing may be sent) when ``worker_id`` no longer holds the job."""
        return self._update_locked(job_id, worker_id, may_be_in_effect=True, updated_at=now or utcnow())

    def retry_later(
        self,
        job_id: int,
        worker_id: str,
        run_after: datetime,
        error: str,
        *,
        now: datetime | None = None,
        waiting_on: str | None = None,
    ) -> bool:
        """Pending again at ``run_after``; ``waiting_on`` names the side that did not answer (see :meth:`wake`)."""
        return self._let_go(
            job_id, worker_id, JobState.PENDING, now, run_after=run_after, last_error=error, waiting_on=waiting_on
        )

    def fail(
        self, job_id: int, worker_id: str, error: str, *, now: datetime | None = None, waiting_on: str | None = None
    ) -> bool:
        return self._let_go(job_id, worker_id, JobState.FAILED, now, last_error=error, waiting_on=waiting_on)

    def wake(self, store_id: int, side: str, *, now: datetime, failed_before: datetime) -> int:
        """``side`` answers the store's calls again after an outage: the store's jobs whose last try found it
        unavailable (before ``failed_before``) are due now, the ones waiting out their backoff and the ones that
        gave up for that reason (with a fresh count of attempts, as the merchant's Retry would). Their
        ``may_be_in_effect`` marker stays. How many."""
        mine = and_(jobs.c.store_id == store_id, jobs.c.waiting_on == side, jobs.c.updated_at <= failed_before)
        return self._retry_where(mine, now, waiting_on=None)

    def extend_lease(self, job_id: int, worker_id: str, until: datetime) -> bool:
        return self._update_locked(job_id, worker_id, locked_until=until)

    def release(self, job_id: int, worker_id: str, *, now: datetime | None = None) -> bool:
        """Gives a claimed job back untouched (clean shutdown): pending again, the attempt not counted."""
        attempts = func.max(jobs.c.attempts - 1, 0) if self._is_sqlite else func.greatest(jobs.c.attempts - 1, 0)
        return self._let_go(job_id, worker_id, JobState.PENDING, now, attempts=attempts)

    def defer(
        self, job_id: int, worker_id: str, run_after: datetime, *, store_id: int, kind: str, now: datetime | None = None
    ) -> bool:
        """Gives a claimed job back due at ``run_after`` (its seller's rate budget allows its call only then):
        the attempt not counted, its ``may_be_in_effect`` marker untouched, no error recorded. The store's other
        pending jobs of the same ``kind``, which draw on the same budget, wait until then too, so that workers
        do not claim them one by one only to give them back."""
        now = now or utcnow()
        given = self._update_locked(
            job_id,
            worker_id,
            state=JobState.PENDING.value,
            run_after=run_after,
            attempts=self._attempt_not_counted(),
            locked_by=None,
            locked_until=None,
            waiting_on=None,  # the budget decides when it runs, not a side's recovery
            updated_at=now,
        )
        if given:
            self._connection.execute(
                update(jobs)
                .where(
                    jobs.c.store_id == store_id,
                    jobs.c.kind == kind,
                    jobs.c.state == JobState.PENDING.value,
                    jobs.c.run_after < run_after,
                )
                .values(run_after=run_after, updated_at=now)
            )
        return given

    def _attempt_not_counted(self) -> Any:
        greatest = func.max if self._is_sqlite else func.greatest
        return greatest(jobs.c.attempts - 1, 0)

    @property
    def _is_sqlite(self) -> bool:
        return self._connection.dialect.name == "sqlite"

    # ------------------------------------------------------------------ the merchant's retry

    def retry(self, job_id: int, *, now: datetime | None = None) -> bool:
        """A failed job, or one waiting for its next automatic try, runs again now (a failed one with a fresh
        count of attempts). ``False`` unless it had failed or was waiting. Its ``may_be_in_effect`` marker
        stays: a change that may have reached the remote is looked up there before it is sent again."""
        return self._retry_where(jobs.c.id == job_id, now) > 0

    def retry_failed_for_order(self, order_id: int, *, now: datetime | None = None) -> int:
        """Every failed or waiting job of the order runs again now; how many."""
        return self._retry_where(jobs.c.order_id == order_id, now)

    def _retry_where(self, condition: Any, now: datetime | None, **also: Any) -> int:
        """Failed jobs under ``condition`` pending again with a fresh count of attempts, and waiting ones due
        now; ``also``: more values set on both. How many."""
        now = now or utcnow()
        failed = self._connection.execute(
            update(jobs)
            .where(condition, jobs.c.state == JobState.FAILED.value)
            .values(
                state=JobState.PENDING.value,
                attempts=0,
                run_after=now,
                locked_by=None,
                locked_until=None,
                finished_at=None,
                updated_at=now,
                **also,
            )
        ).rowcount
        waiting = self._connection.execute(
            update(jobs)
            .where(condition, jobs.c.state == JobState.PENDING.value, jobs.c.run_after > now)
            .values(run_after=now, updated_at=now, **also)
        ).rowcount
        return int(failed) + int(waiting)

    # ------------------------------------------------------------------ reading

    def get(self, job_id: int) -> Job | None:
        row = self._connection.execute(select(jobs).where(jobs.c.id == job_id)).mappings().one_or_none()
        return None if row is None else _job(row)

    def next_run_after(self, now: datetime) -> datetime | None:
        """When the next job becomes claimable (at or before ``now`` means: claim now); ``None`` when nothing
        is waiting. A worker sleeps until then, or until its poll interval, whichever comes first.

        Jobs waiting behind an earlier job of their order are left out: they become due when it finishes.
        """
        pending = select(func.min(jobs.c.run_after)).where(jobs.c.state == JobState.PENDING.value, _not_blocked())
        running = select(func.min(jobs.c.locked_until)).where(jobs.c.state == JobState.RUNNING.value)
        times = [self._connection.execute(query).scalar_one_or_none() for query in (pending, running)]
        due = [time for time in times if time is not None]
        return min(due) if due else None

    def backlog(self, now: datetime) -> tuple[int, datetime | None]:
        """Pending jobs due at ``now`` (waiting for a worker) and the due time of the oldest of them."""
        query = select(func.count(), func.min(jobs.c.run_after)).where(
            jobs.c.state == JobState.PENDING.value, jobs.c.run_after <= now
        )
        count, oldest = self._connection.execute(query).one()
        return int(count), oldest

    def failures_by_store_and_kind(self) -> builtins.list[tuple[int, str, str, int]]:
        """``(store_id, kind, "failed" | "retrying", count)``: jobs that gave up, and pending ones whose last
        attempt failed."""
        retrying = (jobs.c.state == JobState.PENDING.value) & jobs.c.last_error.is_not(None)
        wanted = (jobs.c.state == JobState.FAILED.value) | retrying
        query = (
            select(jobs.c.store_id, jobs.c.kind, jobs.c.state, func.count())
            .where(wanted)
            .group_by(jobs.c.store_id, jobs.c.kind, jobs.c.state)
        )
        return [
            (store_id, kind, "failed" if state == JobState.FAILED.value else "retrying", count)
            for store_id, kind, state, count in self._connection.execute(query)
        ]

    def backlog_by_store(self, now: datetime) -> dict[int, tuple[int, datetime | None]]:
        """Per store: how many jobs are due (pending and due, or running) and since when the oldest due one
        waits to be claimed (``None`` when none waits)."""
        due = or_(
            and_(jobs.c.state == JobState.PENDING.value, jobs.c.run_after <= now),
            jobs.c.state == JobState.RUNNING.value,
        )
        waiting_since = func.min(case((jobs.c.state == JobState.PENDING.value, jobs.c.run_after)))
        query = select(jobs.c.store_id, func.count(), waiting_since).where(due).group_by(jobs.c.store_id)
        return {int(store): (int(count), oldest) for store, count, oldest in self._connection.execute(query)}

    def waiting_on_by_store(self) -> dict[int, dict[str, int]]:
        """Per store and side: the jobs waiting (in backoff, or given up) for that side to answer again."""
        query = (
            select(jobs.c.store_id, jobs.c.waiting_on, func.count())
            .where(jobs.c.waiting_on.is_not(None), jobs.c.state.in_((JobState.PENDING.value, JobState.FAILED.value)))
            .group_by(jobs.c.store_id, jobs.c.waiting_on)
        )
        found: dict[int, dict[str, int]] = {}
        for store_id, side, count in self._connection.execute(query):
            found.setdefault(int(store_id), {})[str(side)] = int(count)
        return found

    def count_by_state(self, store_id: int | None = None) -> dict[str, int]:
        return _sql.count_by(self._connection, jobs.c.state, [state.value for state in JobState], store_id)

    def list(
        self,
        state: JobState | str | None = None,
        store_id: int | None = None,
        order_id: int | None = None,
        limit: int = 100,
        newest_first: bool = False,
    ) -> builtins.list[Job]:
        """Jobs, oldest first (or the newest ``limit`` of them, newest first)."""
        query = select(jobs)
        if state is not None:
            query = query.where(jobs.c.state == JobState(state).value)
        if store_id is not None:
            query = query.where(jobs.c.store_id == store_id)
        if order_id is not None:
            query = query.where(jobs.c.order_id == order_id)
        order = jobs.c.id.desc() if newest_first else jobs.c.id
        rows = self._connection.execute(query.order_by(order).limit(limit)).mappings()
        return [_job(row) for row in rows]
