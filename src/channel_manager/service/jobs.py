"""The worker's bookkeeping of the outbox, each step its own transaction: claim due jobs, extend a lease, give
a job back, record a failure (retry later or fail, with the order's problem). The merchant's view of the
jobs and their Retry are in ``jobs_admin``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.sync import Side, SyncProblem
from ..storage.jobs import Job
from .context import ServiceContext
from .outbox import describe, problem_key


@dataclass(frozen=True)
class FailureRecord:
    """What the runtime decided about a failed try: retried at ``run_after``, or failed for good (``None``)."""

    side: Side
    message: str
    next_step: str
    run_after: datetime | None
    code: str | None = None
    #: Whether the order shows Error now (a first transient failure is retried quietly).
    report: bool = True


def claim_jobs(context: ServiceContext, worker_id: str, *, lease_seconds: float, limit: int) -> list[Job]:
    with context.unit_of_work() as uow:
        jobs = uow.jobs.claim(worker_id, now=context.now(), lease_seconds=lease_seconds, limit=limit)
        uow.commit()
    return jobs


def extend_lease(context: ServiceContext, job: Job, worker_id: str, until: datetime) -> bool:
    """Keeps the job ours until ``until``; False when another worker owns it now."""
    with context.unit_of_work() as uow:
        extended = uow.jobs.extend_lease(job.id, worker_id, until)
        uow.commit()
    return bool(extended)


def release_job(context: ServiceContext, job: Job, worker_id: str, message: str) -> None:
    """Gives the job back, due at once. The attempt stays counted: the handler may have been stopped mid-call
    after the remote applied the change, and only a try after the first looks at the remote before sending
    again (a released partial shipment would otherwise ship twice)."""
    now = context.now()
    with context.unit_of_work() as uow:
        uow.jobs.retry_later(job.id, worker_id, now, message, now=now)
        uow.commit()


def record_job_failure(
    context: ServiceContext, job: Job, worker_id: str, failure: FailureRecord, *, now: datetime
) -> bool:
    """Retries the job later or fails it, and shows the problem on its order, as of ``now`` (the time the
    runtime decided ``run_after`` from); False when the job is no longer ours (nothing recorded)."""
    with context.unit_of_work() as uow:
        if failure.run_after is None:
            if not uow.jobs.fail(job.id, worker_id, failure.message, now=now):
                return False
        elif not uow.jobs.retry_later(job.id, worker_id, failure.run_after, failure.message, now=now):
            return False
        if job.order_id is not None and failure.report:
            order = uow.orders.get_by_id(job.order_id, for_update=True)
            if order is not None:
                order.report_problem(
                    SyncProblem(
                        side=failure.side,
                        action=describe(job.kind, job.payload),
                        message=failure.message,
                        next_step=failure.next_step,
                        occurred_at=now,
                        code=failure.code,
                        key=problem_key(job.kind, job.payload),
                    )
                )
                uow.orders.save(order)
        uow.commit()
    return True
