"""``channel-manager stores``: connect a Walmart seller account to a Commerce store view."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import typer
from rich.table import Table

from ..domain.errors import InvalidStore
from ..domain.secret import Secret
from ..domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from ..service import stores as store_service
from .context import opened_app
from .render import console, when, yes_no

app = typer.Typer(help="Connect, list, show and remove channel stores.", no_args_is_help=True)

WALMART_PRODUCTION_URL = "https://marketplace.walmartapis.com"
_SETTING_TYPES = {f.name: f.type for f in fields(StoreSettings)}


def _parse_setting(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or name not in _SETTING_TYPES:
        known = ", ".join(sorted(_SETTING_TYPES))
        raise InvalidStore(f"--set takes NAME=VALUE with NAME one of: {known}; got {text!r}.")
    kind = str(_SETTING_TYPES[name])
    raw = raw.strip()
    if kind == "bool":
        if raw.lower() not in {"true", "false", "yes", "no", "on", "off", "1", "0"}:
            raise InvalidStore(f"Setting {name} is true or false, not {raw!r}.")
        return name, raw.lower() in {"true", "yes", "on", "1"}
    if kind in {"float", "int"}:
        try:
            return name, float(raw) if kind == "float" else int(raw)
        except ValueError:
            raise InvalidStore(f"Setting {name} is a number, not {raw!r}.") from None
    if name == "carrier_map":
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            raise InvalidStore('carrier_map is JSON, e.g. {"ups": "UPS"}; use --carrier CODE=NAME instead.') from None
        return name, value
    return name, raw


def _parse_carriers(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        code, sep, walmart = pair.partition("=")
        if not sep or not code.strip() or not walmart.strip():
            raise InvalidStore(f"--carrier takes COMMERCE_CARRIER=WALMART_CARRIER, e.g. ups=UPS; got {pair!r}.")
        mapping[code.strip()] = walmart.strip()
    return mapping


def _settings(base: StoreSettings, sets: list[str], carriers: list[str]) -> StoreSettings:
    changes = dict(_parse_setting(text) for text in sets)
    if carriers:
        changes["carrier_map"] = {**base.carrier_map, **changes.get("carrier_map", {}), **_parse_carriers(carriers)}
    return base.updated(**changes) if changes else base


def _secret(value: str | None) -> Secret | None:
    return Secret(value) if value else None


@app.command("add")
def add(
    name: str = typer.Option(..., "--name", help="A name for the store, e.g. 'US store'."),
    walmart_client_id: str = typer.Option(..., help="Walmart API client id."),
    walmart_client_secret: str = typer.Option(
        ..., envvar="CHANNEL_MANAGER_WALMART_CLIENT_SECRET", prompt=True, hide_input=True, help="Walmart client secret."
    ),
    walmart_url: str = typer.Option(WALMART_PRODUCTION_URL, help="Walmart Marketplace API base URL."),
    walmart_webhook_secret: str | None = typer.Option(
        None, envvar="CHANNEL_MANAGER_WALMART_WEBHOOK_SECRET", help="Secret Walmart signs webhooks with (HMAC)."
    ),
    commerce_url: str = typer.Option(..., help="Commerce base URL, e.g. https://shop.example.com."),
    commerce_store_code: str | None = typer.Option(None, help="Store view code put in REST URLs (/rest/<code>/V1)."),
    commerce_token: str | None = typer.Option(
        None, envvar="CHANNEL_MANAGER_COMMERCE_TOKEN", help="Integration access token (Bearer or OAuth token)."
    ),
    commerce_consumer_key: str | None = typer.Option(None, help="OAuth 1.0a consumer key (signs requests)."),
    commerce_consumer_secret: str | None = typer.Option(
        None, envvar="CHANNEL_MANAGER_COMMERCE_CONSUMER_SECRET", help="OAuth 1.0a consumer secret."
    ),
    commerce_access_token_secret: str | None = typer.Option(
        None, envvar="CHANNEL_MANAGER_COMMERCE_ACCESS_TOKEN_SECRET", help="OAuth 1.0a access token secret."
    ),
    commerce_webhook_secret: str | None = typer.Option(
        None, envvar="CHANNEL_MANAGER_COMMERCE_WEBHOOK_SECRET", help="Secret Commerce signs its webhooks with."
    ),
    set_: list[str] = typer.Option([], "--set", help="A store setting NAME=VALUE (repeatable); see `stores show`."),
    carrier: list[str] = typer.Option([], "--carrier", help="Carrier mapping COMMERCE=WALMART, e.g. ups=UPS."),
    verify: bool = typer.Option(True, help="Check the credentials with Walmart and Commerce before saving."),
) -> None:
    """Connect a Walmart seller account to a Commerce store view. Secrets are stored encrypted."""
    store = ChannelStore(
        name=name.strip(),
        walmart=WalmartAccount(
            base_url=walmart_url.rstrip("/"),
            client_id=walmart_client_id.strip(),
            client_secret=Secret(walmart_client_secret),
            webhook_secret=_secret(walmart_webhook_secret),
        ),
        commerce=CommerceConnection(
            base_url=commerce_url.rstrip("/"),
            store_code=commerce_store_code,
            access_token=_secret(commerce_token),
            consumer_key=commerce_consumer_key,
            consumer_secret=_secret(commerce_consumer_secret),
            access_token_secret=_secret(commerce_access_token_secret),
            webhook_secret=_secret(commerce_webhook_secret),
        ),
        settings=_settings(StoreSettings(), set_, carrier),
    )
    with opened_app() as application:
        if verify:
            with console.status("Checking the credentials with Walmart and Commerce ..."):
                store_service.verify_credentials(store)
        saved = store_service.add_store(application.database, store)
    console.print(f"Store {saved.name!r} connected (id {saved.id}).")


@app.command("list")
def list_() -> None:
    """List the connected stores."""
    with opened_app() as application:
        stores = store_service.list_stores(application.database)
    if not stores:
        console.print("No stores yet. Connect one with `channel-manager stores add --help`.")
        return
    table = Table("Id", "Name", "Walmart client id", "Commerce", "Store code", "Creation path", "Added")
    for store in stores:
        table.add_row(
            str(store.id),
            store.name,
            store.walmart.client_id,
            store.commerce.base_url,
            store.commerce.store_code or "default",
            store.settings.order_creation_path.value,
            when(store.created_at),
        )
    console.print(table)


@app.command("show")
def show(store: str = typer.Argument(..., help="Store name or id.")) -> None:
    """Show one store's connection and settings (secrets are never shown)."""
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
    table = Table("Setting", "Value", show_header=True)
    table.add_row("name", found.name)
    table.add_row("walmart url", found.walmart.base_url)
    table.add_row("walmart client id", found.walmart.client_id)
    table.add_row("walmart client secret", "stored encrypted")
    table.add_row("walmart webhook secret", "stored encrypted" if found.walmart.webhook_secret else "not set")
    table.add_row("commerce url", found.commerce.base_url)
    table.add_row("commerce store code", found.commerce.store_code or "default")
    table.add_row("commerce auth", "OAuth 1.0a signing" if found.commerce.uses_oauth else "integration token (Bearer)")
    table.add_row("commerce webhook secret", "stored encrypted" if found.commerce.webhook_secret else "not set")
    for key, value in found.settings.as_dict().items():
        shown = yes_no(value) if isinstance(value, bool) else json.dumps(value) if isinstance(value, dict) else value
        table.add_row(key, str(shown))
    console.print(table)


@app.command("set")
def set_settings(
    store: str = typer.Argument(..., help="Store name or id."),
    set_: list[str] = typer.Option([], "--set", help="A store setting NAME=VALUE (repeatable)."),
    carrier: list[str] = typer.Option([], "--carrier", help="Carrier mapping COMMERCE=WALMART, e.g. ups=UPS."),
) -> None:
    """Change a store's settings."""
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
        new_settings = _settings(found.settings, set_, carrier)
        store_service.update_store_settings(application.database, store, new_settings.as_dict())
    console.print(f"Settings of store {found.name!r} updated.")


@app.command("remove")
def remove(
    store: str = typer.Argument(..., help="Store name or id."),
    force: bool = typer.Option(False, "--force", help="Also delete its orders, returns and history."),
) -> None:
    """Disconnect a store."""
    with opened_app() as application:
        removed = store_service.remove_store(application.database, store, force=force)
    console.print(f"Store {removed.name!r} removed.")


WALMART_ORDER_EVENTS = ("PO_CREATED", "PO_LINE_AUTOCANCELLED", "INTENT_TO_CANCEL")


@app.command("subscribe")
def subscribe(
    store: str = typer.Argument(..., help="Store name or id."),
    public_url: str = typer.Option(..., help="Where Walmart reaches this service, e.g. https://cm.example.com."),
) -> None:
    """Subscribe the store's Walmart order events to this service's webhook, signed with its webhook secret."""
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
        subscriptions = store_service.subscribe_walmart_events(found, public_url, WALMART_ORDER_EVENTS)
    for subscription in subscriptions:
        console.print(f"Walmart {subscription} -> {public_url.rstrip('/')}/webhooks/walmart/{found.id}")
