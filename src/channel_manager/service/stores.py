"""Use cases of channel stores: connect, list, show, change settings, remove."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..domain.stores import ChannelStore
from ..storage.errors import StoreNotFound
from ..storage.unit_of_work import Database

#: Checks a store's credentials against Walmart and Commerce; raises a typed error naming the side.
CredentialCheck = Callable[[ChannelStore], Awaitable[None]]


def find_store(database: Database, name_or_id: str) -> ChannelStore:
    with database.unit_of_work() as uow:
        store = uow.stores.get_by_name(name_or_id)
        if store is None and name_or_id.isdigit():
            store = uow.stores.get(int(name_or_id))
    if store is None:
        raise StoreNotFound(f"No store named {name_or_id!r}. `channel-manager stores list` shows the stores.")
    return store


def add_store(database: Database, store: ChannelStore) -> ChannelStore:
    with database.unit_of_work() as uow:
        saved = uow.stores.add(store)
        uow.commit()
    return saved


def list_stores(database: Database) -> list[ChannelStore]:
    with database.unit_of_work() as uow:
        return uow.stores.list()


def update_store_settings(database: Database, name_or_id: str, changes: dict[str, Any]) -> ChannelStore:
    store = find_store(database, name_or_id)
    updated = store.with_settings(store.settings.updated(**changes))
    with database.unit_of_work() as uow:
        uow.stores.update(updated)
        uow.commit()
    return updated


def remove_store(database: Database, name_or_id: str, *, force: bool = False) -> ChannelStore:
    store = find_store(database, name_or_id)
    assert store.id is not None
    with database.unit_of_work() as uow:
        uow.stores.remove(store.id, force=force)
        uow.commit()
    return store
