"""Whether the connector is doing its work, as the database shows it: workers alive (their processes'
heartbeats), the database reachable, no due job waiting too long; per store the last successful poll of each
kind and the job backlog. ``/health`` and ``/metrics`` read it; pollers record their successes here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .context import ServiceContext

#: A process whose heartbeat is older than this is taken for dead (it beats every 2.5 s).
WORKER_GONE_AFTER = timedelta(seconds=15)
#: A due job waiting longer than this to be claimed means the workers are not keeping up (or not working).
OLDEST_DUE_JOB_LIMIT = timedelta(minutes=5)
#: The cursor names under which a store's pollers record their last success.
POLL_SUCCESS_PREFIX = "health.last_success."


@dataclass(frozen=True)
class StoreHealth:
    store_id: int
    name: str
    #: Poller name -> when it last succeeded.
    last_polls: dict[str, datetime]
    due_jobs: int
    oldest_due_job_since: datetime | None
    #: Side -> jobs whose last try found it unavailable: they run as soon as it answers again.
    waiting_for: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthReport:
    processes_alive: int
    workers_alive: int
    oldest_due_job_since: datetime | None
    stores: list[StoreHealth] = field(default_factory=list)
    #: What is wrong, in an operator's words; empty when healthy.
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems


def health_report(context: ServiceContext, *, require_workers: bool = True) -> HealthReport:
    """Reads the connector's health; raises when the database cannot be reached (the caller answers 503).
    ``require_workers``: a process that runs no workers (``--workers 0`` is not possible today; an API-only
    deployment) may still call itself healthy while another process works."""
    now = context.now()
    with context.unit_of_work() as uow:
        processes, workers = uow.heartbeats.alive(now - WORKER_GONE_AFTER)
        backlog = uow.jobs.backlog_by_store(now)
        waiting_for = uow.jobs.waiting_on_by_store()
        stores = []
        for store in uow.stores.list():
            assert store.id is not None
            polls = {
                name.removeprefix(POLL_SUCCESS_PREFIX): datetime.fromisoformat(value)
                for name, value in uow.cursors.list(store.id, prefix=POLL_SUCCESS_PREFIX).items()
            }
            due, oldest = backlog.get(store.id, (0, None))
            stores.append(StoreHealth(store.id, store.name, polls, due, oldest, waiting_for.get(store.id, {})))
    waiting = [s.oldest_due_job_since for s in stores if s.oldest_due_job_since is not None]
    oldest_due = min(waiting) if waiting else None
    problems = []
    if require_workers and workers == 0:
        problems.append(f"No worker is alive (no process heartbeat in the last {WORKER_GONE_AFTER.seconds} s).")
    if oldest_due is not None and now - oldest_due > OLDEST_DUE_JOB_LIMIT:
        problems.append(
            f"A job has waited {int((now - oldest_due).total_seconds())} s to run "
            f"(limit {int(OLDEST_DUE_JOB_LIMIT.total_seconds())} s)."
        )
    return HealthReport(processes, workers, oldest_due, stores, problems)


def record_poll_success(context: ServiceContext, store_id: int, poller: str) -> None:
    """The store's poller ``poller`` has just succeeded."""
    with context.unit_of_work() as uow:
        uow.cursors.set(store_id, POLL_SUCCESS_PREFIX + poller, context.now().isoformat())
        uow.commit()
