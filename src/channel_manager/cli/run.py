"""``channel-manager run``: the service."""

from __future__ import annotations

import asyncio

import typer

from ..bootstrap import build_context
from ..service import stores as store_service
from ..sync.runner import RunOptions, run_service
from ..web.server import HttpOptions, listeners
from .context import opened_app
from .render import console


def run_command(
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Concurrent sync workers in this process."),
    host: str = typer.Option("127.0.0.1", help="Interface of the JSON API (/api, /health, /metrics, /docs)."),
    port: int = typer.Option(8080, help="Port of the JSON API."),
    webhook_host: str = typer.Option("127.0.0.1", help="Interface of the webhook receivers (reachable by Walmart)."),
    webhook_port: int = typer.Option(8090, help="Port of the webhook receivers (only /webhooks/... is served)."),
    pollers: bool = typer.Option(True, help="Poll Walmart and Commerce (turn off on extra worker-only processes)."),
    api: bool = typer.Option(True, help="Serve the JSON API, /health and /metrics."),
    webhooks: bool = typer.Option(True, help="Serve the webhook receivers."),
) -> None:
    """Run the sync: pollers, webhook receivers, the API and workers. Stops cleanly on Ctrl-C or SIGTERM."""
    options = RunOptions(workers=workers, pollers=pollers)
    http = HttpOptions(
        host=host, port=port, webhook_host=webhook_host, webhook_port=webhook_port, api=api, webhooks=webhooks
    )
    with opened_app() as application:
        store_service.separate_webhook_secrets(application.database)
        if api:
            console.print(f"API on http://{host}:{port} (/api, /health, /metrics, /docs; needs a token)")
        if webhooks:
            console.print(f"Webhook receivers on http://{webhook_host}:{webhook_port}/webhooks/...")
        console.print(f"{workers} worker(s); database {application.database.url}. Ctrl-C stops.")
        asyncio.run(
            run_service(
                application.database,
                options,
                context=build_context(application.database),
                served=listeners(application.database, http),
            )
        )
    console.print("Stopped.")
