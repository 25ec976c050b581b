"""``channel-manager stores``: connect a Walmart seller account to a Commerce store view."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import typer

from ..commerce.webhooks import load_public_key
from ..domain.errors import InvalidStore
from ..domain.secret import Secret
from ..domain.stores import (
    CREATION_PATH_CONSEQUENCES,
    ChannelStore,
    CommerceConnection,
    StoreSettings,
    WalmartAccount,
)
from ..service import stores as store_service
from ..storage.stores import settings_to_json
from .context import opened_app
from .render import command_name, console, json_option, print_json, print_table, table, when, yes_no

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


def _public_key(path: Path | None) -> str | None:
    """The PEM text of the Commerce webhook public key file, checked to be an RSA public key."""
    if path is None:
        return None
    pem = path.read_text(encoding="utf-8")
    try:
        load_public_key(pem)
    except ValueError as error:
        raise InvalidStore(f"{path}: {error}.") from None
    return pem


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
    commerce_webhook_public_key_file: Path | None = typer.Option(
        None,
        exists=True,
        dir_okay=False,
        help="PEM file of the public key Adobe Commerce signs its webhooks with (RSA-SHA256).",
    ),
    commerce_module_events_secret: str | None = typer.Option(
        None,
        envvar="CHANNEL_MANAGER_COMMERCE_MODULE_EVENTS_SECRET",
        help="The Channel Manager module's event secret (channel_manager/events/secret).",
    ),
    set_: list[str] = typer.Option([], "--set", help="A store setting NAME=VALUE (repeatable); see `stores show`."),
    carrier: list[str] = typer.Option([], "--carrier", help="Carrier mapping COMMERCE=WALMART, e.g. ups=UPS."),
    verify: bool = typer.Option(True, help="Check the credentials with Walmart and Commerce before saving."),
    allow_shared_walmart_account: bool = typer.Option(
        False, help="Connect a Walmart account another store already uses (both would take in its orders)."
    ),
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
            webhook_public_key=_public_key(commerce_webhook_public_key_file),
            module_events_secret=_secret(commerce_module_events_secret),
        ),
        settings=_settings(StoreSettings(), set_, carrier),
    )
    chosen = any(_parse_setting(text)[0] == "order_creation_path" for text in set_)
    _connect(store, chosen_path=chosen, verify=verify, allow_shared_walmart_account=allow_shared_walmart_account)


def _connect(store: ChannelStore, *, chosen_path: bool, verify: bool, allow_shared_walmart_account: bool) -> None:
    """Saves a new store (its credentials checked first with ``verify``) and says by which path it creates
    orders: the module's when it is found, unless ``--set order_creation_path=...`` chose one."""
    with opened_app() as application:
        module_installed = False
        if verify:
            with console.status("Checking the credentials with Walmart and Commerce ..."):
                module_installed = store_service.verify_credentials(store)
        store = store_service.with_detected_creation_path(store, module_installed, chosen=chosen_path)
        saved = store_service.add_store(
            application.database, store, allow_shared_walmart_account=allow_shared_walmart_account
        )
    console.print(f"Store {saved.name!r} connected (id {saved.id}).")
    path = saved.settings.order_creation_path
    found = "found" if module_installed else "not found" if verify else "not checked (--no-verify)"
    console.print(
        f"Channel Manager module: {found}; orders are created by the {path.value} path: "
        f"{CREATION_PATH_CONSEQUENCES[path]}."
    )


def _store_json(store: ChannelStore) -> dict[str, Any]:
    """A store for ``--json``: its connection without any secret (only whether each one is set)."""
    walmart, commerce = store.walmart, store.commerce
    return {
        "id": store.id,
        "name": store.name,
        "created_at": store.created_at,
        "walmart": {
            "url": walmart.base_url,
            "client_id": walmart.client_id,
            "webhook_secret_set": walmart.webhook_secret is not None,
        },
        "commerce": {
            "url": commerce.base_url,
            "store_code": commerce.store_code,
            "auth": "oauth1" if commerce.uses_oauth else "bearer",
            "consumer_key": commerce.consumer_key,
            "webhook_secret_set": commerce.webhook_secret is not None,
            "webhook_public_key_set": commerce.webhook_public_key is not None,
            "module_events_secret_set": commerce.module_events_secret is not None,
        },
        "settings": settings_to_json(store.settings),
        "order_creation_path_consequences": CREATION_PATH_CONSEQUENCES[store.settings.order_creation_path],
    }


@app.command("list")
def list_(as_json: bool = json_option()) -> None:
    """List the connected stores, newest first."""
    with opened_app() as application:
        stores = sorted(store_service.list_stores(application.database), key=lambda s: s.id or 0, reverse=True)
    if as_json:
        print_json([_store_json(store) for store in stores])
        return
    if not stores:
        console.print(f"No stores yet. Connect one with `{command_name()} stores add --help`.")
        return
    grid = table(
        "Id", "Name", "Walmart client id", "Commerce", "Store code", "Creation path", "Added",
        ids=("Id", "Walmart client id", "Commerce"),
    )  # fmt: skip
    for store in stores:
        grid.add_row(
            str(store.id),
            store.name,
            store.walmart.client_id,
            store.commerce.base_url,
            store.commerce.store_code or "default",
            store.settings.order_creation_path.value,
            when(store.created_at),
        )
    print_table(grid)


@app.command("show")
def show(store: str = typer.Argument(..., help="Store name or id."), as_json: bool = json_option()) -> None:
    """Show one store's connection and settings (secrets are never shown)."""
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
    if as_json:
        print_json(_store_json(found))
        return
    grid = table("Setting", "Value", ids=("Setting",))
    grid.add_row("id", str(found.id))
    grid.add_row("name", found.name)
    grid.add_row("walmart url", found.walmart.base_url)
    grid.add_row("walmart client id", found.walmart.client_id)
    grid.add_row("walmart client secret", "stored encrypted")
    grid.add_row("walmart webhook secret", "stored encrypted" if found.walmart.webhook_secret else "not set")
    grid.add_row("commerce url", found.commerce.base_url)
    grid.add_row("commerce store code", found.commerce.store_code or "default")
    grid.add_row("commerce auth", "OAuth 1.0a signing" if found.commerce.uses_oauth else "integration token (Bearer)")
    grid.add_row("commerce webhook secret", "stored encrypted" if found.commerce.webhook_secret else "not set")
    grid.add_row(
        "commerce webhook public key",
        "set (RSA-SHA256 webhooks verified)" if found.commerce.webhook_public_key else "not set",
    )
    grid.add_row(
        "commerce module events secret", "stored encrypted" if found.commerce.module_events_secret else "not set"
    )
    for key, value in found.settings.as_dict().items():
        shown = yes_no(value) if isinstance(value, bool) else json.dumps(value) if isinstance(value, dict) else value
        if key == "order_creation_path":
            shown = f"{shown} ({CREATION_PATH_CONSEQUENCES[found.settings.order_creation_path]})"
        grid.add_row(key, str(shown))
    print_table(grid)


#: The value of a secret option that asks for it with hidden input, or reads a line from piped standard input
#: (so the secret stays out of shell history and ``ps``).
ASK = "-"


#: The secret options of ``stores set``, in the order they are asked for, and what each one is.
_SET_SECRETS = {
    "walmart_client_secret": "Walmart client secret",
    "walmart_webhook_secret": "Walmart webhook secret",
    "commerce_token": "Commerce access token",
    "commerce_consumer_secret": "Commerce consumer secret",
    "commerce_access_token_secret": "Commerce access token secret",
    "commerce_webhook_secret": "Commerce webhook secret",
    "commerce_module_events_secret": "Channel Manager module event secret",
}


def _secret_option(option: str) -> Any:
    what = _SET_SECRETS[option]
    return typer.Option(None, help=f"New {what}; '{ASK}' asks for it with hidden input.", show_default=False)


def _asked(value: str | None, what: str) -> str | None:
    if value is None or value.strip() != ASK:
        return value
    # A terminal gets a hidden prompt; a script pipes the secret in as one line.
    answer = typer.prompt(f"New {what}", hide_input=True) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if not answer.strip():
        raise InvalidStore(f"The new {what} is empty; nothing was changed.")
    return str(answer)


@dataclass(frozen=True)
class _ConnectionChanges:
    """The URL and credential options ``stores set`` was given; ``None`` leaves that one as it is."""

    walmart_url: str | None
    walmart_client_id: str | None
    walmart_client_secret: str | None
    walmart_webhook_secret: str | None
    commerce_url: str | None
    commerce_store_code: str | None
    commerce_token: str | None
    commerce_consumer_key: str | None
    commerce_consumer_secret: str | None
    commerce_access_token_secret: str | None
    commerce_webhook_secret: str | None
    commerce_webhook_public_key_file: Path | None
    commerce_module_events_secret: str | None

    def asked(self, walmart: WalmartAccount) -> _ConnectionChanges:
        """The secrets given as '-' asked for; a new Walmart client id always asks for its secret."""
        secrets = {option: getattr(self, option) for option in _SET_SECRETS}
        new_client_id = self.walmart_client_id is not None and self.walmart_client_id.strip() != walmart.client_id
        if new_client_id and secrets["walmart_client_secret"] is None:
            secrets["walmart_client_secret"] = ASK  # the old secret belongs to the old client id
        return replace(self, **{option: _asked(value, _SET_SECRETS[option]) for option, value in secrets.items()})

    def walmart(self, walmart: WalmartAccount) -> WalmartAccount:
        return replace(
            walmart,
            base_url=self.walmart_url.rstrip("/") if self.walmart_url else walmart.base_url,
            client_id=self.walmart_client_id.strip() if self.walmart_client_id else walmart.client_id,
            client_secret=_secret(self.walmart_client_secret) or walmart.client_secret,
            webhook_secret=_secret(self.walmart_webhook_secret) or walmart.webhook_secret,
        )

    def commerce(self, commerce: CommerceConnection) -> CommerceConnection:
        code = commerce.store_code if self.commerce_store_code is None else self.commerce_store_code.strip()
        return replace(
            commerce,
            base_url=self.commerce_url.rstrip("/") if self.commerce_url else commerce.base_url,
            store_code=None if code in {"", "default"} else code,
            access_token=_secret(self.commerce_token) or commerce.access_token,
            consumer_key=self.commerce_consumer_key or commerce.consumer_key,
            consumer_secret=_secret(self.commerce_consumer_secret) or commerce.consumer_secret,
            access_token_secret=_secret(self.commerce_access_token_secret) or commerce.access_token_secret,
            webhook_secret=_secret(self.commerce_webhook_secret) or commerce.webhook_secret,
            webhook_public_key=_public_key(self.commerce_webhook_public_key_file) or commerce.webhook_public_key,
            module_events_secret=_secret(self.commerce_module_events_secret) or commerce.module_events_secret,
        )

    @property
    def walmart_given(self) -> bool:
        """A Walmart URL or credential to check live."""
        return any(v is not None for v in (self.walmart_url, self.walmart_client_id, self.walmart_client_secret))

    @property
    def commerce_given(self) -> bool:
        """A Commerce URL or credential to check live."""
        return any(
            v is not None
            for v in (
                self.commerce_url,
                self.commerce_store_code,
                self.commerce_token,
                self.commerce_consumer_key,
                self.commerce_consumer_secret,
                self.commerce_access_token_secret,
            )
        )

    @property
    def anything(self) -> bool:
        """Any of the options given (a webhook secret or key counts, though it is not checked live)."""
        return (
            self.walmart_given
            or self.commerce_given
            or bool(self.walmart_webhook_secret)
            or bool(self.commerce_webhook_secret)
            or bool(self.commerce_webhook_public_key_file)
            or bool(self.commerce_module_events_secret)
        )


def _what_changed(found: ChannelStore, changed: ChannelStore, given: _ConnectionChanges) -> list[str]:
    return [
        label
        for label, differs in (
            ("name", changed.name != found.name),
            ("Walmart connection", given.walmart_given or changed.walmart != found.walmart),
            ("Commerce connection", given.commerce_given or changed.commerce != found.commerce),
            ("settings", changed.settings != found.settings),
        )
        if differs
    ]


@app.command("set")
def set_store(
    store: str = typer.Argument(..., help="Store name or id."),
    set_: list[str] = typer.Option([], "--set", help="A store setting NAME=VALUE (repeatable)."),
    carrier: list[str] = typer.Option([], "--carrier", help="Carrier mapping COMMERCE=WALMART, e.g. ups=UPS."),
    name: str | None = typer.Option(None, "--name", help="A new name for the store."),
    walmart_url: str | None = typer.Option(None, help="New Walmart Marketplace API base URL."),
    walmart_client_id: str | None = typer.Option(None, help="New Walmart client id (prompts for its secret)."),
    walmart_client_secret: str | None = _secret_option("walmart_client_secret"),
    walmart_webhook_secret: str | None = _secret_option("walmart_webhook_secret"),
    commerce_url: str | None = typer.Option(None, help="New Commerce base URL."),
    commerce_store_code: str | None = typer.Option(None, help="New store view code ('default' for none)."),
    commerce_token: str | None = _secret_option("commerce_token"),
    commerce_consumer_key: str | None = typer.Option(None, help="New OAuth 1.0a consumer key."),
    commerce_consumer_secret: str | None = _secret_option("commerce_consumer_secret"),
    commerce_access_token_secret: str | None = _secret_option("commerce_access_token_secret"),
    commerce_webhook_secret: str | None = _secret_option("commerce_webhook_secret"),
    commerce_webhook_public_key_file: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="New PEM public key Adobe Commerce signs its webhooks with."
    ),
    commerce_module_events_secret: str | None = _secret_option("commerce_module_events_secret"),
    verify: bool = typer.Option(True, help="Check changed credentials and URLs with Walmart or Commerce first."),
    allow_shared_walmart_account: bool = typer.Option(
        False, help="Accept a Walmart account another store already uses (both would take in its orders)."
    ),
) -> None:
    """Change a store's settings, name, URLs or credentials. A secret given as '-' is asked for with hidden
    input (a new Walmart client id always asks for its secret); changed connection details are checked live
    with Walmart or Commerce before anything is saved."""
    given = _ConnectionChanges(
        walmart_url, walmart_client_id, walmart_client_secret, walmart_webhook_secret, commerce_url,
        commerce_store_code, commerce_token, commerce_consumer_key, commerce_consumer_secret,
        commerce_access_token_secret, commerce_webhook_secret, commerce_webhook_public_key_file,
        commerce_module_events_secret,
    )  # fmt: skip
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
        given = given.asked(found.walmart)
        changed = replace(
            found,
            name=name.strip() if name else found.name,
            walmart=given.walmart(found.walmart),
            commerce=given.commerce(found.commerce),
            settings=_settings(found.settings, set_, carrier),
        )
        if changed == found and not given.anything:
            raise InvalidStore(
                "Nothing to change: give --set, --carrier, --name, a URL or a credential (see `stores set --help`)."
            )
        with console.status("Checking the new connection details ..."):
            store_service.update_store(
                application.database, found, changed, verify=verify, check_walmart=given.walmart_given,
                check_commerce=given.commerce_given, allow_shared_walmart_account=allow_shared_walmart_account,
            )  # fmt: skip
    console.print(f"Store {changed.name!r} updated: {', '.join(_what_changed(found, changed, given))}.")


@app.command("remove")
def remove(
    store: str = typer.Argument(..., help="Store name or id."),
    force: bool = typer.Option(False, "--force", help="Also delete its orders, returns and history."),
) -> None:
    """Disconnect a store."""
    with opened_app() as application:
        removed = store_service.remove_store(application.database, store, force=force)
    console.print(f"Store {removed.name!r} removed.")


@app.command("subscribe")
def subscribe(
    store: str = typer.Argument(..., help="Store name or id."),
    public_url: str = typer.Option(..., help="Where Walmart reaches this service, e.g. https://cm.yourshop.com."),
) -> None:
    """Subscribe the store's Walmart order events to this service's webhook receiver.

    Walmart signs each delivery with HMAC-SHA256 of the store's Walmart webhook secret (header WM_SEC.SIGNATURE;
    a secret is generated and stored encrypted when the store has none). Walmart first sends a test notification
    to the address, signed the same way; the store's old subscriptions stay until the new ones exist."""
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
        with console.status("Sending Walmart's test notification and subscribing ..."):
            result = store_service.subscribe_walmart_events(
                application.database, found, public_url, store_service.WALMART_ORDER_EVENTS
            )
    if result.secret_generated:
        console.print(f"Store {found.name!r} had no Walmart webhook secret: one was generated and stored encrypted.")
    console.print(f"Walmart test notification delivered to {result.url} ({result.test_message or 'ok'}).")
    for event in result.events:
        console.print(f"Walmart {event} -> {result.url}")
    for old in result.replaced:
        console.print(f"Replaced the subscription of {old.event_type} to {old.event_url}.")


@app.command("unsubscribe")
def unsubscribe(store: str = typer.Argument(..., help="Store name or id.")) -> None:
    """Delete the Walmart subscriptions that deliver to this store's webhook (polling goes on)."""
    with opened_app() as application:
        found = store_service.find_store(application.database, store)
        removed = store_service.unsubscribe_walmart_events(found)
    if not removed:
        console.print(f"Store {found.name!r} has no Walmart subscriptions to its webhook.")
        return
    for subscription in removed:
        console.print(f"Deleted the subscription of {subscription.event_type} to {subscription.event_url}.")
