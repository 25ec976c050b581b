"""The worker: claims due jobs, runs their handlers, and retries or fails them by the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from datetime import datetime, timedelta

from ..logs import get_logger
from ..service.job_handlers import HANDLERS
from ..service.job_run import Handler, JobRun, LeaseLost
from ..service.jobs import FailureRecord, claim_jobs, defer_job, extend_lease, record_job_failure, release_job
from ..storage.jobs import Job
from ..walmart.rate_limits import RateLimitWait, bounded_wait
from .context import SyncContext
from .outcomes import Failure, classify
from .pacing import MAX_RATE_WAIT_SECONDS, budget_wait
from .wakeup import wake_on_recovery

log = get_logger("channel_manager.worker")

#: The lease is extended this many times per lease period (10 s lease: every 2.5 s).
HEARTBEATS_PER_LEASE = 4
#: A worker that met an error waits this long before it tries again, doubling up to the maximum.
MIN_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs jobs until told to stop. Several workers (tasks, processes, hosts) share one database."""

    def __init__(
        self,
        context: SyncContext,
        *,
        worker_id: str | None = None,
        handlers: dict[str, Handler] | None = None,
        idle_seconds: float = 0.5,
    ) -> None:
        self.context = context
        self.worker_id = worker_id or new_worker_id()
        self.handlers = handlers or dict(HANDLERS)
        self.idle_seconds = idle_seconds
        self.jobs_run = 0

    # ---------------------------------------------------------------- loop

    async def run(self, stop: asyncio.Event) -> None:
        """Claims and runs jobs until ``stop`` is set; a job under way is finished first. A database error
        (or any other) does not end the loop: the worker backs off (doubling up to ``MAX_BACKOFF_SECONDS``)
        and resumes; its claimed job, if any, comes back to a worker when the lease runs out."""
        backoff = 0.0
        while not stop.is_set():
            try:
                ran = await self.run_once()
            except Exception as error:
                backoff = min(MAX_BACKOFF_SECONDS, max(MIN_BACKOFF_SECONDS, backoff * 2))
                log.warning("worker_error", worker_id=self.worker_id, error=str(error), retry_in=backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                continue
            backoff = 0.0
            if ran == 0:
                await self._idle(stop)

    async def _idle(self, stop: asyncio.Event) -> None:
        event = self.context.work_available
        event.clear()
        waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def run_once(self, limit: int = 1) -> int:
        """Claims up to ``limit`` due jobs and runs them; how many ran."""
        jobs = await self.context.run_db(self._claim, limit)
        for job in jobs:
            await self.run_job(job)
        return len(jobs)

    def _claim(self, limit: int) -> list[Job]:
        return claim_jobs(self.context, self.worker_id, lease_seconds=self.context.lease_seconds, limit=limit)

    # ---------------------------------------------------------------- one job

    async def run_job(self, job: Job) -> None:
        """Runs the job's handler while a keeper extends its lease. The moment the lease is lost (another
        worker owns the job, or it could not be extended before it ran out) the handler is cancelled and its
        result discarded: whatever it was about to send is not sent."""
        handler = self.handlers.get(job.kind)
        link = await self.context.store(job.store_id)
        wait = budget_wait(link, job.kind)
        if wait > MAX_RATE_WAIT_SECONDS:  # the seller's budget is spent: back when it allows, other jobs meanwhile
            await self.context.run_db(self._defer, job, wait)
            return
        with link.attempts.scope(order_id=job.order_id, job_id=job.id, flush=False) as scope:
            if handler is None:
                work: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                work.set_exception(LookupError(f"no handler for job kind {job.kind!r}"))
            else:
                with bounded_wait(MAX_RATE_WAIT_SECONDS):  # the handler's task sees the bound (a context copy)
                    work = asyncio.ensure_future(handler(JobRun(self.context, link, job, self.worker_id)))
            lost = asyncio.Event()
            keeper = asyncio.create_task(self._keep_lease(job, work, lost))
            try:
                await asyncio.shield(work)
                self.jobs_run += 1
                log.debug("job_done", job_id=job.id, kind=job.kind, order_id=job.order_id, store_id=job.store_id)
            except LeaseLost:
                log.warning("job_lease_lost", job_id=job.id, kind=job.kind)
            except RateLimitWait as waiting:  # another process spent the budget first: nothing was sent
                if not lost.is_set():
                    await self.context.run_db(self._defer, job, waiting.seconds)
            except asyncio.CancelledError:
                if lost.is_set() and work.cancelled():
                    log.warning("job_lease_lost", job_id=job.id, kind=job.kind, cancelled=True)
                else:  # the worker is stopped: the handler is stopped too, and the job given back
                    work.cancel()
                    with contextlib.suppress(BaseException):
                        await work
                    with contextlib.suppress(Exception):
                        await asyncio.shield(self.context.run_db(self._release, job))
                    raise
            except Exception as error:
                if lost.is_set():
                    log.warning("job_lease_lost", job_id=job.id, kind=job.kind, error=str(error))
                else:
                    failure = classify(error, job_kind=job.kind)
                    await self.context.run_db(self._record_failure, job, failure)
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
        await self.context.record_attempts(scope.collected)
        await wake_on_recovery(self.context, link)

    async def _keep_lease(self, job: Job, work: asyncio.Future[None], lost: asyncio.Event) -> None:
        """The lease's heartbeat: extends it every ``lease_seconds / 4`` while the handler runs, so a slow call
        is not mistaken for a dead worker. When another worker owns the job, or the lease ran out before it
        could be extended (the database unreachable), the handler is cancelled."""
        interval = max(0.25, self.context.lease_seconds / HEARTBEATS_PER_LEASE)
        held_until = job.locked_until
        while not work.done():
            await asyncio.sleep(interval)
            until = self.context.now() + timedelta(seconds=self.context.lease_seconds)
            try:
                extended = await self.context.run_db(self._extend, job, until)
            except Exception as error:
                log.warning("lease_not_extended", job_id=job.id, error=str(error))
                extended = None
            if extended:
                held_until = until
                continue
            if extended is False or held_until is None or self.context.now() >= held_until:
                lost.set()
                work.cancel()
                return

    def _extend(self, job: Job, until: datetime) -> bool:
        return extend_lease(self.context, job, self.worker_id, until)

    def _defer(self, job: Job, wait: float) -> None:
        """Gives the job back until its seller's budget allows its call (not an attempt)."""
        if defer_job(self.context, job, self.worker_id, self.context.now() + timedelta(seconds=wait)):
            log.debug("job_deferred", job_id=job.id, kind=job.kind, store_id=job.store_id, seconds=round(wait, 2))

    def _release(self, job: Job) -> None:
        """Gives the job back when the worker is cancelled, due at once (its attempt stays counted)."""
        release_job(self.context, job, self.worker_id, "The worker was stopped while running it.")

    def _record_failure(self, job: Job, failure: Failure) -> None:
        """The retry policy's verdict on a failed try, recorded by the service layer."""
        now = self.context.now()
        policy = self.context.retry_policy
        attempts_allowed = job.max_attempts  # set per job when it is queued; order creation is the most patient
        final = not failure.retryable or job.attempts >= attempts_allowed
        waiting_on = failure.side if failure.unavailable and failure.retry_after is None else None
        run_after: datetime | None = None
        if final and waiting_on is not None:
            next_step = (
                f"Gave up after {job.attempts} attempt(s) while {waiting_on.value} did not answer: runs again by "
                f"itself as soon as {waiting_on.value} answers again, or use Retry."
            )
        elif final:
            next_step = failure.next_step or (
                f"Gave up after {job.attempts} attempt(s). Fix the cause, then use Retry."
                if failure.retryable
                else "Not retried automatically: fix the cause, then use Retry."
            )
        else:
            delay = policy.delay(job.attempts, retry_after=failure.retry_after, in_flight=failure.in_flight)
            if failure.slow_retry_seconds is not None:
                delay = max(delay, failure.slow_retry_seconds)
            run_after = now + timedelta(seconds=delay)
            next_step = (
                f"Retrying automatically at {run_after:%H:%M:%S} UTC (attempt {job.attempts + 1} of "
                f"{attempts_allowed})."
            )
        # A first transient failure is retried quietly; the order shows Error once it persists.
        report = final or job.attempts >= 2 or failure.slow_retry_seconds is not None
        record = FailureRecord(failure.side, failure.message, next_step, run_after, failure.code, report, waiting_on)
        if not record_job_failure(self.context, job, self.worker_id, record, now=now):
            return
        log.info(
            "job_failed" if final else "job_retry",
            job_id=job.id,
            kind=job.kind,
            order_id=job.order_id,
            store_id=job.store_id,
            side=failure.side.value,
            error=failure.message,
        )
