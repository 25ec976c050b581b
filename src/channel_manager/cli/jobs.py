"""``channel-manager jobs``: the outbox of updates to Walmart and Commerce."""

from __future__ import annotations

from typing import Any

import typer

from ..service import jobs_admin
from ..service import stores as store_service
from ..service.jobs_admin import JobRow
from ..storage.jobs import Job
from .context import opened_app
from .render import console, json_option, print_json, print_table, table, when

app = typer.Typer(help="List and retry sync jobs (every update sent to Walmart or Commerce).", no_args_is_help=True)

STATES = jobs_admin.JOB_STATES


@app.command("list")
def list_(
    state: str | None = typer.Option(None, "--state", help="pending, running, done or failed."),
    store: str | None = typer.Option(None, "--store", help="Only this store (name or id)."),
    limit: int = typer.Option(50, min=1, max=1000, help="At most this many, newest first."),
    as_json: bool = json_option(),
) -> None:
    """List jobs, newest first, with their state, attempts and last error."""
    if state is not None and state not in STATES:
        raise typer.BadParameter(f"unknown state {state!r}; use one of: {', '.join(STATES)}", param_hint="--state")
    with opened_app() as application:
        store_id = store_service.store_id_named(application.database, store)
        page = jobs_admin.list_jobs(application.database, state=state, store_id=store_id, limit=limit)
    counts, rows = page.counts, page.rows
    if as_json:
        print_json({"counts": {name: counts.get(name, 0) for name in STATES}, "jobs": [_job_json(r) for r in rows]})
        return
    console.print("  ".join(f"{name}: {counts.get(name, 0)}" for name in STATES))
    if not rows:
        console.print("No jobs match.")
        return
    grid = table(
        "Job", "Store", "Walmart PO", "Kind", "State", "Attempts", "Next run", "Last error", ids=("Job", "Walmart PO")
    )
    for row in rows:
        job = row.job
        grid.add_row(
            str(job.id),
            row.store_name,
            row.purchase_order_id or "",
            job.kind,
            job.state.value,
            f"{job.attempts}/{job.max_attempts}",
            _next_run(job),
            job.last_error or "",
        )
    print_table(grid)


def _next_run(job: Job) -> str:
    """When the job runs next: its due time, or a side's first answer after an outage, whichever comes first."""
    answered = f"when {job.waiting_on} answers" if job.waiting_on else ""
    if job.state.value == "pending":
        return f"{when(job.run_after)} or {answered}" if answered else when(job.run_after)
    return answered if job.state.value == "failed" else ""


def _job_json(row: JobRow) -> dict[str, Any]:
    job = row.job
    return {
        "job": job.id,
        "store": row.store_name,
        "purchase_order_id": row.purchase_order_id,
        "kind": job.kind,
        "state": job.state,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "run_after": job.run_after,
        "last_error": job.last_error,
        "waiting_on": job.waiting_on,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@app.command("retry")
def retry(job_id: int = typer.Argument(..., help="The job id (see `jobs list --state failed`).")) -> None:
    """Run a failed job again (the running service picks it up at once)."""
    with opened_app() as application:
        try:
            jobs_admin.retry_job(application.database, job_id)
        except jobs_admin.JobNotRetryable:
            raise typer.BadParameter(
                f"job {job_id} does not exist or is neither failed nor waiting for a retry", param_hint="JOB_ID"
            ) from None
    console.print(f"Job {job_id} will run again.")
