"""``channel-manager sandbox walmart``: run the Walmart sandbox in the foreground."""

from __future__ import annotations

import typer
import uvicorn

from channel_manager_sandboxes.walmart.settings import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_SELLER_ID,
    WalmartSandboxSettings,
)


def run_walmart_sandbox(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8081, help="TCP port to listen on."),
    client_id: str = typer.Option(DEFAULT_CLIENT_ID, help="Client ID of the default seller."),
    client_secret: str = typer.Option(
        DEFAULT_CLIENT_SECRET, help="Client secret of the default seller.", show_default=True
    ),
    seller_id: str = typer.Option(DEFAULT_SELLER_ID, help="Name of the default seller in the control API."),
    token_lifetime: int = typer.Option(900, help="Access-token lifetime in seconds (Walmart: 900)."),
    rate_limits: bool = typer.Option(True, "--rate-limits/--no-rate-limits", help="Enforce Walmart's limits."),
    orders: int = typer.Option(0, help="Generate this many orders for the default seller at start-up."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Run a local Walmart Marketplace API (v3) with a control API under /_sandbox."""
    from channel_manager_sandboxes.walmart.app import create_app

    settings = WalmartSandboxSettings(
        client_id=client_id,
        client_secret=client_secret,
        seller_id=seller_id,
        token_lifetime=token_lifetime,
        rate_limits=rate_limits,
    )
    app = create_app(settings)
    if orders:
        app.state.sandbox.generate_orders(seller_id, orders, spread_minutes=60)
    typer.echo(
        f"Walmart sandbox on http://{host}:{port} (seller {seller_id}, client id {client_id}); "
        f"control API and docs at http://{host}:{port}/docs"
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


if __name__ == "__main__":  # pragma: no cover
    typer.run(run_walmart_sandbox)
