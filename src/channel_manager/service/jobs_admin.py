"""The jobs page: the outbox of updates to Walmart and Commerce as the merchant sees it, and its Retry."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.errors import StorageError
from ..storage.jobs import Job
from ..storage.unit_of_work import Database
from . import audit

JOB_STATES = ("pending", "running", "done", "failed")


class JobNotRetryable(StorageError):
    def __init__(self, job_id: int) -> None:
        super().__init__(
            f"Job {job_id} does not exist or is neither failed nor waiting for a retry; only those can be retried."
        )
        self.job_id = job_id


@dataclass(frozen=True)
class JobRow:
    job: Job
    store_name: str
    purchase_order_id: str | None  # the Walmart PO number of the job's order, if it has one


@dataclass(frozen=True)
class JobsPage:
    counts: dict[str, int]
    rows: list[JobRow]

    @property
    def jobs(self) -> list[Job]:
        return [row.job for row in self.rows]


def list_jobs(
    database: Database, *, state: str | None = None, store_id: int | None = None, limit: int = 50
) -> JobsPage:
    if state is not None and state not in JOB_STATES:
        raise StorageError(f"Unknown job state {state!r}; use one of: {', '.join(JOB_STATES)}.")
    """Counts per state and the newest ``limit`` jobs, newest first, named by store and PO number."""
    with database.unit_of_work(read_only=True) as uow:
        counts = uow.jobs.count_by_state(store_id=store_id)
        jobs = uow.jobs.list(state=state, store_id=store_id, limit=limit, newest_first=True)
        names = {s.id: s.name for s in uow.stores.list()}
        numbers = uow.orders.purchase_order_numbers(j.order_id for j in jobs if j.order_id is not None)
    rows = [
        JobRow(job, names.get(job.store_id, str(job.store_id)), numbers.get(job.order_id) if job.order_id else None)
        for job in jobs
    ]
    return JobsPage({name: counts.get(name, 0) for name in JOB_STATES}, rows)


def retry_job(database: Database, job_id: int, *, actor: str | None = None) -> Job:
    """Runs a failed job, or one waiting for its next automatic try, again now (the running service picks it
    up at once; a change that may be in effect is looked up at the remote first)."""
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        if job is None or not uow.jobs.retry(job_id):
            raise JobNotRetryable(job_id)
        audit.record(
            uow, actor, "job.retry", f"job {job_id}", f"Retry of failed job {job_id} ({job.kind}) requested",
            store_id=job.store_id, order_id=job.order_id, details={"job_id": job_id, "kind": job.kind},
        )  # fmt: skip
        uow.commit()
        retried = uow.jobs.get(job_id)
    assert retried is not None
    return retried
