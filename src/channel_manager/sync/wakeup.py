"""Wake on recovery: when Walmart or Commerce answers a store again after an outage, the store's jobs that
were waiting it out run now, not at the end of a backoff that may have grown to minutes (``SideHealth`` says
when; ``wake_jobs_waiting_on`` does it). Called after every job and every polling pass."""

from __future__ import annotations

from functools import partial

from ..logs import get_logger
from ..service.context import StoreLink
from ..service.jobs import wake_jobs_waiting_on
from .context import SyncContext

log = get_logger("channel_manager.wakeup")


async def wake_on_recovery(context: SyncContext, link: StoreLink) -> None:
    health = link.attempts.health
    for side in health.take_recovered():
        wake = partial(
            wake_jobs_waiting_on, context, link.id, side, quiet_seconds=context.retry_policy.ambiguous_floor_seconds
        )
        try:
            woken = await context.run_db(wake)
        except Exception as error:  # the database is away: the next job or pass tries again
            health.put_back(side)
            log.warning("wake_failed", store_id=link.id, side=side.value, error=str(error))
            continue
        if woken:
            log.info("jobs_woken", store_id=link.id, side=side.value, jobs=woken)
            context.work_available.set()
