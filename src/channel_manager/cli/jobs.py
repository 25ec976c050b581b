"""``channel-manager jobs``: the outbox of updates to Walmart and Commerce."""

from __future__ import annotations

import typer
from rich.table import Table

from ..service import jobs_admin
from ..service import stores as store_service
from .context import opened_app
from .render import console, when

app = typer.Typer(help="List and retry sync jobs (every update sent to Walmart or Commerce).", no_args_is_help=True)

STATES = jobs_admin.JOB_STATES


@app.command("list")
def list_(
    state: str | None = typer.Option(None, "--state", help="pending, running, done or failed."),
    store: str | None = typer.Option(None, "--store", help="Only this store (name or id)."),
    limit: int = typer.Option(50, min=1, max=1000, help="At most this many, newest first."),
) -> None:
    """List jobs with their state, attempts and last error."""
    if state is not None and state not in STATES:
        raise typer.BadParameter(f"unknown state {state!r}; use one of: {', '.join(STATES)}", param_hint="--state")
    with opened_app() as application:
        store_id = store_service.find_store(application.database, store).id if store else None
        page = jobs_admin.list_jobs(application.database, state=state, store_id=store_id, limit=limit)
    counts, jobs = page.counts, page.jobs
    console.print("  ".join(f"{name}: {counts.get(name, 0)}" for name in STATES))
    if not jobs:
        console.print("No jobs match.")
        return
    table = Table("Id", "Store", "Order", "Kind", "State", "Attempts", "Next run", "Last error")
    for job in jobs:
        table.add_row(
            str(job.id),
            str(job.store_id),
            str(job.order_id or ""),
            job.kind,
            job.state.value,
            f"{job.attempts}/{job.max_attempts}",
            when(job.run_after) if job.state.value == "pending" else "",
            job.last_error or "",
        )
    console.print(table)


@app.command("retry")
def retry(job_id: int = typer.Argument(..., help="The job id (see `jobs list --state failed`).")) -> None:
    """Run a failed job again (the running service picks it up at once)."""
    with opened_app() as application:
        try:
            jobs_admin.retry_job(application.database, job_id)
        except jobs_admin.JobNotRetryable:
            raise typer.BadParameter(f"job {job_id} does not exist or has not failed", param_hint="JOB_ID") from None
    console.print(f"Job {job_id} will run again.")
