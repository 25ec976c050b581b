"""Use cases of the job list: the outbox of updates to Walmart and Commerce, as the operator reads it."""

from __future__ import annotations

from dataclasses import dataclass

from ..storage.jobs import Job
from ..storage.unit_of_work import Database


@dataclass(frozen=True)
class JobRow:
    job: Job
    store_name: str
    purchase_order_id: str | None  # the Walmart PO number of the job's order, if it has one


def jobs_page(
    database: Database, *, state: str | None = None, store_id: int | None = None, limit: int = 50
) -> tuple[dict[str, int], list[JobRow]]:
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
    return counts, rows
