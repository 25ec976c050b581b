"""``channel-manager run``: the service."""

from __future__ import annotations

import asyncio

import typer

from ..sync.runner import RunOptions, run_service
from .context import opened_app
from .ports import require_bindable
from .render import console


def run_command(
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Concurrent sync workers in this process."),
    host: str = typer.Option("127.0.0.1", help="Interface of the JSON API and webhook receivers."),
    port: int = typer.Option(8080, min=1, max=65535, help="Port of the JSON API and webhook receivers."),
    pollers: bool = typer.Option(True, help="Poll Walmart and Commerce (turn off on extra worker-only processes)."),
    api: bool = typer.Option(True, help="Serve the JSON API, webhooks, /health and /metrics."),
) -> None:
    """Run the sync: pollers, webhook receivers, and workers. Stops cleanly on Ctrl-C or SIGTERM."""
    options = RunOptions(workers=workers, host=host, port=port, pollers=pollers, api=api)
    with opened_app(default_log_level="INFO") as application:
        if api:
            require_bindable(host, port, "The API")
            console.print(f"channel-manager listening on http://{host}:{port} (API, webhooks, /health, /metrics)")
        console.print(f"{workers} worker(s); database {application.database.url}. Ctrl-C stops.")
        asyncio.run(run_service(application.database, options))
    console.print("Stopped.")
