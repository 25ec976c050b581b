"""Use cases of channel stores: connect, list, show, change settings, remove."""

from __future__ import annotations

import asyncio
from typing import Any

from ..connections import commerce_client_for, walmart_client_for
from ..domain.errors import InvalidStore
from ..domain.secret import Secret
from ..domain.stores import ChannelStore
from ..storage.errors import StoreNotFound
from ..storage.unit_of_work import Database
from . import audit


def find_store(database: Database, name_or_id: str) -> ChannelStore:
    with database.unit_of_work() as uow:
        store = uow.stores.get_by_name(name_or_id)
        if store is None and name_or_id.isdigit() and int(name_or_id) < 2**31:
            store = uow.stores.get(int(name_or_id))
    if store is None:
        raise StoreNotFound(name_or_id)
    return store


def add_store(database: Database, store: ChannelStore, *, actor: str | None = None) -> ChannelStore:
    with database.unit_of_work() as uow:
        saved = uow.stores.add(store)
        audit.record(uow, actor, "store.add", saved.name, f"Store {saved.name!r} connected", store_id=saved.id)
        uow.commit()
    return saved


def replace_store(database: Database, store: ChannelStore) -> tuple[ChannelStore, bool]:
    """Saves ``store`` in place of the store of the same name (removed with its orders), in one transaction;
    the saved store, and whether one was replaced."""
    with database.unit_of_work() as uow:
        previous = uow.stores.get_by_name(store.name)
        if previous is not None and previous.id is not None:
            uow.stores.remove(previous.id, force=True)
        saved = uow.stores.add(store)
        uow.commit()
    return saved, previous is not None


def list_stores(database: Database) -> list[ChannelStore]:
    with database.unit_of_work() as uow:
        return uow.stores.list()


def update_store_settings(
    database: Database, name_or_id: str, changes: dict[str, Any], *, actor: str | None = None
) -> ChannelStore:
    store = find_store(database, name_or_id)
    updated = store.with_settings(store.settings.updated(**changes))
    with database.unit_of_work() as uow:
        uow.stores.update(updated)
        changed = {k: v for k, v in updated.settings.as_dict().items() if store.settings.as_dict().get(k) != v}
        audit.record(
            uow, actor, "store.settings", store.name, f"Settings of store {store.name!r} changed: "
            + (", ".join(sorted(changed)) or "nothing"), store_id=store.id, details={"changed": sorted(changed)},
        )  # fmt: skip
        uow.commit()
    return updated


def remove_store(database: Database, name_or_id: str, *, force: bool = False, actor: str | None = None) -> ChannelStore:
    store = find_store(database, name_or_id)
    assert store.id is not None
    with database.unit_of_work() as uow:
        uow.stores.remove(store.id, force=force)
        audit.record(uow, actor, "store.remove", store.name, f"Store {store.name!r} removed", store_id=store.id)
        uow.commit()
    return store


def webhook_secret(database: Database, store_id: int, source: str) -> tuple[str, Secret | None]:
    """The store's name and its Walmart or Commerce webhook secret, and nothing else of its secrets."""
    with database.unit_of_work(read_only=True) as uow:
        found = uow.stores.webhook_secret(store_id, source)
    if found is None:
        raise StoreNotFound(store_id)
    return found


async def check_credentials(store: ChannelStore) -> None:
    """One Walmart token call and one Commerce read; a refusal raises the side's typed error."""
    async with walmart_client_for(store, max_retries=1, timeout=15.0) as walmart:
        await walmart.access_token()
    async with commerce_client_for(store, timeout=15.0) as commerce:
        await commerce.check_credentials()


def verify_credentials(store: ChannelStore) -> None:
    asyncio.run(check_credentials(store))


def subscribe_walmart_events(store: ChannelStore, public_url: str, events: tuple[str, ...]) -> list[str]:
    """Subscribes ``events`` to ``<public_url>/webhooks/walmart/<store id>`` (HMAC with the webhook secret)."""
    secret = store.walmart.webhook_secret
    if secret is None:
        raise InvalidStore(
            f"Store {store.name!r} has no Walmart webhook secret; set one with `stores add --walmart-webhook-secret`."
        )
    url = f"{public_url.rstrip('/')}/webhooks/walmart/{store.id}"

    async def subscribe_all() -> list[str]:
        async with walmart_client_for(store, timeout=15.0) as walmart:
            done = []
            for event in events:
                await walmart.subscribe(event, url, auth_method="HMAC", client_secret=secret.reveal())
                done.append(event)
            return done

    return asyncio.run(subscribe_all())


def separate_webhook_secrets(database: Database) -> int:
    """Gives every store saved before revision 0003 its own webhook-secret column (re-saving it), so that
    the receivers never decrypt its other secrets. How many stores it did."""
    with database.unit_of_work() as uow:
        ids = uow.stores.ids_without_webhook_secrets()
        for store_id in ids:
            uow.stores.update(uow.stores.require(store_id))
        uow.commit()
    return len(ids)
