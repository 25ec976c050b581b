"""The worker's bookkeeping of the outbox, each step its own transaction: claim due jobs, extend a lease, give
a job back, record a failure (retry later or fail, with the order's problem). The merchant's view of the
jobs and their Retry are in ``jobs_admin``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    #: The side that did not answer (no answer, or a 5xx): the job runs again as soon as that side answers
    #: again after an outage (``wake_jobs_waiting_on``).
    waiting_on: Side | None = None


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
    """Gives the job back, due at once, its attempt not counted. Its ``may_be_in_effect`` marker stays: if the
    handler was stopped after sending its call, the next try reads the remote before sending again."""
    with context.unit_of_work() as uow:
        uow.jobs.release(job.id, worker_id, now=context.now())
        uow.commit()


def defer_job(context: ServiceContext, job: Job, worker_id: str, run_after: datetime) -> bool:
    """Gives the job back until ``run_after``, when its seller's rate budget allows its call; the attempt not
    counted, its ``may_be_in_effect`` marker untouched (``JobRepository.defer``). False when it is no longer ours."""
    with context.unit_of_work() as uow:
        given = uow.jobs.defer(job.id, worker_id, run_after, store_id=job.store_id, kind=job.kind, now=context.now())
        uow.commit()
    return bool(given)


def mark_may_be_in_effect(context: ServiceContext, job: Job, worker_id: str) -> bool:
    """Commits, before the job's remote call is sent, that the call may be in effect; False when the job is
    no longer ours (then nothing may be sent)."""
    with context.unit_of_work() as uow:
        marked = uow.jobs.mark_may_be_in_effect(job.id, worker_id, now=context.now())
        uow.commit()
    return bool(marked)


def record_job_failure(
    context: ServiceContext, job: Job, worker_id: str, failure: FailureRecord, *, now: datetime
) -> bool:
    """Retries the job later or fails it, and shows the problem on its order, as of ``now`` (the time the
    runtime decided ``run_after`` from); False when the job is no longer ours (nothing recorded)."""
    waiting_on = failure.waiting_on.value if failure.waiting_on else None
    with context.unit_of_work() as uow:
        if failure.run_after is None:
            if not uow.jobs.fail(job.id, worker_id, failure.message, now=now, waiting_on=waiting_on):
                return False
        elif not uow.jobs.retry_later(
            job.id, worker_id, failure.run_after, failure.message, now=now, waiting_on=waiting_on
        ):
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


def wake_jobs_waiting_on(context: ServiceContext, store_id: int, side: Side, *, quiet_seconds: float) -> int:
    """``side`` answers the store again after an outage: its jobs that found it unavailable run now, except
    those that failed in the last ``quiet_seconds`` (a call of theirs may still be under way at the remote, and
    their own retry is near). How many."""
    now = context.now()
    with context.unit_of_work() as uow:
        woken = uow.jobs.wake(store_id, side.value, now=now, failed_before=now - timedelta(seconds=quiet_seconds))
        uow.commit()
    return woken


def beat(context: ServiceContext, process_id: str, workers: int) -> None:
    """This process's workers are alive (``/health`` counts recent heartbeats)."""
    with context.unit_of_work() as uow:
        uow.heartbeats.beat(process_id, workers, context.now())
        uow.commit()


def stopped(context: ServiceContext, process_id: str) -> None:
    """This process's workers stopped (a clean shutdown; a killed process's heartbeat just grows old)."""
    with context.unit_of_work() as uow:
        uow.heartbeats.remove(process_id)
        uow.commit()
