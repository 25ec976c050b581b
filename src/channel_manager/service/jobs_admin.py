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
        super().__init__(f"Job {job_id} does not exist or has not failed; only failed jobs can be retried.")
        self.job_id = job_id


@dataclass(frozen=True)
class JobsPage:
    counts: dict[str, int]
    jobs: list[Job]


def list_jobs(
    database: Database, *, state: str | None = None, store_id: int | None = None, limit: int = 50
) -> JobsPage:
    if state is not None and state not in JOB_STATES:
        raise StorageError(f"Unknown job state {state!r}; use one of: {', '.join(JOB_STATES)}.")
    with database.unit_of_work(read_only=True) as uow:
        counts = uow.jobs.count_by_state(store_id=store_id)
        jobs = uow.jobs.list(state=state, store_id=store_id, limit=limit)
    return JobsPage({name: counts.get(name, 0) for name in JOB_STATES}, jobs)


def retry_job(database: Database, job_id: int, *, actor: str | None = None) -> Job:
    """Runs a failed job again (the running service picks it up at once)."""
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
