"""``channel-manager sandbox commerce``: run the Commerce sandbox in the foreground."""

from __future__ import annotations

import typer
import uvicorn

from channel_manager_sandboxes.commerce.settings import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_ACCESS_TOKEN_SECRET,
    DEFAULT_CONSUMER_KEY,
    DEFAULT_CONSUMER_SECRET,
    DEFAULT_TOKEN,
    OAuthIntegration,
    SandboxSettings,
)


def run_commerce_sandbox(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8082, help="TCP port."),
    token: str = typer.Option(DEFAULT_TOKEN, help="Bearer token accepted on /rest/... (admin or integration token)."),
    consumer_key: str = typer.Option(DEFAULT_CONSUMER_KEY, help="OAuth 1.0a consumer key of the integration."),
    consumer_secret: str = typer.Option(DEFAULT_CONSUMER_SECRET, help="OAuth 1.0a consumer secret."),
    access_token: str = typer.Option(DEFAULT_ACCESS_TOKEN, help="OAuth 1.0a access token."),
    access_token_secret: str = typer.Option(DEFAULT_ACCESS_TOKEN_SECRET, help="OAuth 1.0a access token secret."),
    webhook_url: str | None = typer.Option(None, help="POST Adobe-Commerce-style webhooks to this URL."),
    webhook_secret: str | None = typer.Option(None, help="Shared secret for the webhook HMAC signature."),
    webhook_signature: str = typer.Option("hmac", help='Webhook signature: "hmac" (shared secret) or "rsa".'),
    module: bool = typer.Option(True, "--module/--no-module", help="The companion module is installed."),
    module_events_url: str | None = typer.Option(None, help="Send the companion module's events to this URL."),
    module_events_secret: str = typer.Option("", help="Shared secret of the module's event signature."),
    ship_id_as_string: bool = typer.Option(False, help='Answer POST /V1/order/{id}/ship with "123" instead of 123.'),
    seed_demo_catalog: bool = typer.Option(
        False, "--seed-demo-catalog", help="Stock the Walmart sandbox's demo catalog."
    ),
    log_level: str = typer.Option("warning", help="uvicorn log level."),
) -> None:
    """Run a local Adobe Commerce 2.4 REST sandbox (see docs/commerce-sandbox.md)."""
    from channel_manager_sandboxes.commerce.app import create_app

    settings = SandboxSettings(
        tokens=(token,),
        oauth=OAuthIntegration(consumer_key, consumer_secret, access_token, access_token_secret),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_signature=webhook_signature,
        module_installed=module,
        module_events_url=module_events_url,
        module_events_secret=module_events_secret,
        module_events_enabled=bool(module_events_url),
        ship_id_as_string=ship_id_as_string,
    )
    app = create_app(settings)
    if seed_demo_catalog:
        # The Walmart sandbox's default catalog, so generated Walmart orders can be created here.
        from channel_manager_sandboxes.walmart.generator import DEFAULT_CATALOG

        for item in DEFAULT_CATALOG:
            app.state.sandbox.upsert_product(item.sku, name=item.product_name, price=float(item.price), quantity=500)
    typer.echo(
        f"Commerce sandbox on http://{host}:{port}/rest/V1/  (control API: http://{host}:{port}/_sandbox/, "
        f"docs: http://{host}:{port}/docs)"
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def main() -> None:  # pragma: no cover - `python -m channel_manager_sandboxes.commerce.command`
    typer.run(run_commerce_sandbox)


if __name__ == "__main__":  # pragma: no cover
    main()
