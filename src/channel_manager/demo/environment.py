"""The demo's world: both sandboxes on free loopback ports, the "Demo store" connected to them, webhooks
subscribed both ways."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from channel_manager_sandboxes.commerce import CommerceSandbox, SandboxSettings
from channel_manager_sandboxes.commerce import create_app as create_commerce_app
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import BackgroundServer
from channel_manager_sandboxes.walmart import WalmartSandbox, WalmartSandboxSettings
from channel_manager_sandboxes.walmart import create_app as create_walmart_app
from channel_manager_sandboxes.walmart.generator import DEFAULT_CATALOG

from ..commerce.auth import BearerToken
from ..commerce.client import CommerceClient
from ..domain.secret import Secret
from ..domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from ..service.stores import replace_store
from ..storage.unit_of_work import Database
from ..walmart.client import WalmartClient

DEMO_STORE_NAME = "Demo store"
DEMO_CLIENT_ID = "demo-client-id"
DEMO_SELLER = "seller-1"
#: Stock of each catalog SKU in the Commerce sandbox: plenty for a long demo.
DEMO_STOCK = 100_000

#: Short polling so the polling path is visible next to the webhooks.
DEMO_SETTINGS: dict[str, Any] = {
    "order_poll_seconds": 3.0,
    "commerce_poll_seconds": 3.0,
    "returns_poll_seconds": 5.0,
    "reconcile_seconds": 120.0,
}


class OtherStoresPresent(RuntimeError):
    """The database already serves real stores: the demo's workers would sync them too."""


@dataclass
class Sandboxes:
    walmart_server: BackgroundServer
    walmart: WalmartSandbox
    commerce_server: BackgroundServer
    commerce: CommerceSandbox
    client_secret: str

    @property
    def walmart_url(self) -> str:
        return self.walmart_server.url

    @property
    def commerce_url(self) -> str:
        return self.commerce_server.url

    def stop(self) -> None:
        self.walmart_server.stop()
        self.commerce_server.stop()


def start_sandboxes() -> Sandboxes:
    """Walmart (rate limits on, as the real one) and Commerce (the Walmart catalog in stock) in this process."""
    client_secret = f"demo-{secrets.token_urlsafe(12)}"
    walmart_app = create_walmart_app(
        WalmartSandboxSettings(client_id=DEMO_CLIENT_ID, client_secret=client_secret, seller_id=DEMO_SELLER)
    )
    commerce_app = create_commerce_app(SandboxSettings())
    for item in DEFAULT_CATALOG:
        commerce_app.state.sandbox.upsert_product(
            item.sku, name=item.product_name, price=float(item.price), quantity=DEMO_STOCK
        )
    walmart_server = BackgroundServer(walmart_app)
    walmart_server.start()
    commerce_server = BackgroundServer(commerce_app)
    try:
        commerce_server.start()
    except BaseException:
        walmart_server.stop()
        raise
    return Sandboxes(
        walmart_server, walmart_app.state.sandbox, commerce_server, commerce_app.state.sandbox, client_secret
    )


@dataclass
class DemoStore:
    store: ChannelStore
    walmart_webhook_secret: str = field(repr=False)
    commerce_webhook_secret: str = field(repr=False)
    replaced_previous: bool = False

    @property
    def id(self) -> int:
        assert self.store.id is not None
        return self.store.id


def other_store_names(database: Database) -> list[str]:
    with database.unit_of_work(read_only=True) as uow:
        return [s.name for s in uow.stores.list() if s.name != DEMO_STORE_NAME]


def connect_demo_store(database: Database, sandboxes: Sandboxes) -> DemoStore:
    """Connects "Demo store" to this run's sandboxes. A previous run's Demo store is replaced: its sandboxes
    (and every order in them) ended with that run, and their ids start over in this one. Other stores are
    never read or changed; the caller refuses to run next to them."""
    walmart_secret = secrets.token_urlsafe(24)
    commerce_secret = secrets.token_urlsafe(24)
    store = ChannelStore(
        name=DEMO_STORE_NAME,
        walmart=WalmartAccount(
            sandboxes.walmart_url, DEMO_CLIENT_ID, Secret(sandboxes.client_secret), Secret(walmart_secret)
        ),
        commerce=CommerceConnection(
            sandboxes.commerce_url, access_token=Secret(DEFAULT_TOKEN), webhook_secret=Secret(commerce_secret)
        ),
        settings=StoreSettings().updated(**DEMO_SETTINGS),
    )
    saved, replaced = replace_store(database, store)
    return DemoStore(saved, walmart_secret, commerce_secret, replaced_previous=replaced)


async def subscribe_webhooks(sandboxes: Sandboxes, demo: DemoStore, api_url: str) -> None:
    """Walmart ``PO_CREATED`` (HMAC-signed) and Commerce's order, shipment and credit memo events, both to
    the connector's receivers."""
    async with WalmartClient(sandboxes.walmart_url, DEMO_CLIENT_ID, sandboxes.client_secret) as walmart:
        await walmart.subscribe(
            "PO_CREATED",
            f"{api_url}/webhooks/walmart/{demo.id}",
            auth_method="HMAC",
            client_secret=demo.walmart_webhook_secret,
        )
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.put(
            f"{sandboxes.commerce_url}/_sandbox/webhooks",
            json={"url": f"{api_url}/webhooks/commerce/{demo.id}", "secret": demo.commerce_webhook_secret},
        )
        response.raise_for_status()


def merchant_client(sandboxes: Sandboxes) -> CommerceClient:
    """The merchant's own hands in Commerce's admin (the same REST calls)."""
    return CommerceClient(sandboxes.commerce_url, BearerToken(DEFAULT_TOKEN), timeout=5.0)
