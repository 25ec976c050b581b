"""Channel stores: connection details in columns, every secret in one encrypted blob."""

from __future__ import annotations

import json
from dataclasses import replace
from enum import Enum
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from channel_manager.crypto import SecretBox
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount

from ._sql import insert, is_unique_violation, utcnow
from .errors import DuplicateStore, StoreHasOrders, StoreNotFound
from .tables import purchase_orders, stores

_SECRET_FIELDS = (
    "walmart_client_secret",
    "walmart_webhook_secret",
    "commerce_access_token",
    "commerce_consumer_secret",
    "commerce_access_token_secret",
    "commerce_webhook_secret",
    "commerce_webhook_public_key",
    "commerce_module_events_secret",
)


def settings_to_json(settings: StoreSettings) -> dict[str, Any]:
    return {key: value.value if isinstance(value, Enum) else value for key, value in settings.as_dict().items()}


#: Key in the webhook blob -> its key in the credentials blob of a store saved before revision 0003.
_CREDENTIAL_OF_WEBHOOK_KEY = {
    "commerce_public_key": "commerce_webhook_public_key",
    "commerce_module": "commerce_module_events_secret",
}


class StoreRepository:
    def __init__(self, connection: Connection, secret_box: SecretBox) -> None:
        self._connection = connection
        self._box = secret_box

    # ------------------------------------------------------------------ mapping

    def _encrypt_credentials(self, store: ChannelStore) -> str:
        secrets: dict[str, Secret | None] = {
            "walmart_client_secret": store.walmart.client_secret,
            "walmart_webhook_secret": store.walmart.webhook_secret,
            "commerce_access_token": store.commerce.access_token,
            "commerce_consumer_secret": store.commerce.consumer_secret,
            "commerce_access_token_secret": store.commerce.access_token_secret,
            "commerce_webhook_secret": store.commerce.webhook_secret,
            "commerce_module_events_secret": store.commerce.module_events_secret,
        }
        plain = {name: None if value is None else value.reveal() for name, value in secrets.items()}
        # public, but kept in the same blob so one store's Commerce trust settings live in one place
        plain["commerce_webhook_public_key"] = store.commerce.webhook_public_key
        return self._box.encrypt(json.dumps(plain, sort_keys=True))

    def _encrypt_webhook_secrets(self, store: ChannelStore) -> str:
        secrets = {
            "walmart": store.walmart.webhook_secret,
            "commerce": store.commerce.webhook_secret,
            "commerce_module": store.commerce.module_events_secret,
        }
        plain = {k: None if v is None else v.reveal() for k, v in secrets.items()}
        plain["commerce_public_key"] = store.commerce.webhook_public_key  # public; what the receiver reads
        return self._box.encrypt(json.dumps(plain))

    def _values(self, store: ChannelStore) -> dict[str, Any]:
        return {
            "name": store.name.strip(),
            "walmart_base_url": store.walmart.base_url,
            "walmart_client_id": store.walmart.client_id,
            "commerce_base_url": store.commerce.base_url,
            "commerce_store_code": store.commerce.store_code,
            "commerce_consumer_key": store.commerce.consumer_key,
            "credentials": self._encrypt_credentials(store),
            "webhook_secrets": self._encrypt_webhook_secrets(store),
            "settings": settings_to_json(store.settings),
        }

    def _from_row(self, row: RowMapping) -> ChannelStore:
        plain: dict[str, str | None] = json.loads(self._box.decrypt(row["credentials"]))

        def secret(name: str) -> Secret | None:
            value = plain.get(name)
            return None if value is None else Secret(value)

        client_secret = secret("walmart_client_secret")
        return ChannelStore(
            id=row["id"],
            name=row["name"],
            created_at=row["created_at"],
            walmart=WalmartAccount(
                base_url=row["walmart_base_url"],
                client_id=row["walmart_client_id"],
                client_secret=client_secret if client_secret is not None else Secret(""),
                webhook_secret=secret("walmart_webhook_secret"),
            ),
            commerce=CommerceConnection(
                base_url=row["commerce_base_url"],
                store_code=row["commerce_store_code"],
                consumer_key=row["commerce_consumer_key"],
                access_token=secret("commerce_access_token"),
                consumer_secret=secret("commerce_consumer_secret"),
                access_token_secret=secret("commerce_access_token_secret"),
                webhook_secret=secret("commerce_webhook_secret"),
                webhook_public_key=plain.get("commerce_webhook_public_key"),
                module_events_secret=secret("commerce_module_events_secret"),
            ),
            settings=StoreSettings.from_dict(dict(row["settings"])),
        )

    # ------------------------------------------------------------------ writing

    def add(self, store: ChannelStore) -> ChannelStore:
        """Saves a new store; returns it with its id and creation time. A taken name raises ``DuplicateStore``."""
        now = utcnow()
        statement = (
            insert(self._connection, stores)
            .values(**self._values(store), created_at=now, updated_at=now)
            .returning(stores.c.id, stores.c.created_at)
        )
        try:
            with self._connection.begin_nested():  # a failed INSERT must not poison the outer transaction
                row = self._connection.execute(statement).one()
        except IntegrityError as error:
            if is_unique_violation(error, stores, "name"):
                raise DuplicateStore(store.name.strip()) from None
            raise
        return replace(store, id=row.id, created_at=row.created_at)

    def update(self, store: ChannelStore) -> ChannelStore:
        if store.id is None:
            raise StoreNotFound(store.name)
        statement = update(stores).where(stores.c.id == store.id).values(**self._values(store), updated_at=utcnow())
        try:
            with self._connection.begin_nested():
                updated = self._connection.execute(statement).rowcount
        except IntegrityError as error:
            if is_unique_violation(error, stores, "name"):
                raise DuplicateStore(store.name.strip()) from None
            raise
        if updated == 0:
            raise StoreNotFound(store.id)
        return store

    def remove(self, store_id: int, *, force: bool = False) -> None:
        """Deletes a store. One with orders is kept unless ``force``: then its orders, jobs... go with it."""
        name = self._connection.execute(select(stores.c.name).where(stores.c.id == store_id)).scalar_one_or_none()
        if name is None:
            raise StoreNotFound(store_id)
        if not force:
            orders = self._connection.execute(
                select(func.count()).select_from(purchase_orders).where(purchase_orders.c.store_id == store_id)
            ).scalar_one()
            if orders:
                raise StoreHasOrders(name, orders)
        self._connection.execute(delete(stores).where(stores.c.id == store_id))

    # ------------------------------------------------------------------ reading

    def get(self, store_id: int) -> ChannelStore | None:
        row = self._connection.execute(select(stores).where(stores.c.id == store_id)).mappings().one_or_none()
        return None if row is None else self._from_row(row)

    def get_by_name(self, name: str) -> ChannelStore | None:
        row = self._connection.execute(select(stores).where(stores.c.name == name.strip())).mappings().one_or_none()
        return None if row is None else self._from_row(row)

    def require(self, store_id: int) -> ChannelStore:
        """Like ``get``, but a missing store raises ``StoreNotFound``."""
        store = self.get(store_id)
        if store is None:
            raise StoreNotFound(store_id)
        return store

    def webhook_secret(self, store_id: int, source: str) -> tuple[str, Secret | None] | None:
        """The store's name and its ``source`` ("walmart" or "commerce") webhook secret, decrypting nothing
        else; None when there is no such store. (A store saved before revision 0003 has only the one blob
        of secrets: that is read then, and only the webhook secret is kept.)"""
        query = select(stores.c.name, stores.c.webhook_secrets, stores.c.credentials).where(stores.c.id == store_id)
        row = self._connection.execute(query).mappings().one_or_none()
        if row is None:
            return None
        if row["webhook_secrets"] is not None:
            value = json.loads(self._box.decrypt(row["webhook_secrets"])).get(source)
        else:
            fallback = _CREDENTIAL_OF_WEBHOOK_KEY.get(source, f"{source}_webhook_secret")
            value = json.loads(self._box.decrypt(row["credentials"])).get(fallback)
        return row["name"], None if value is None else Secret(value)

    def ids_without_webhook_secrets(self) -> list[int]:
        """Stores saved before revision 0003, whose webhook secrets are only in the blob."""
        return list(self._connection.execute(select(stores.c.id).where(stores.c.webhook_secrets.is_(None))).scalars())

    def using_walmart_account(self, base_url: str, client_id: str) -> list[ChannelStore]:
        """The stores connected to this Walmart seller account (same API URL and client id)."""
        query = select(stores).where(stores.c.walmart_base_url == base_url, stores.c.walmart_client_id == client_id)
        return [self._from_row(row) for row in self._connection.execute(query.order_by(stores.c.id)).mappings()]

    def list(self) -> list[ChannelStore]:
        rows = self._connection.execute(select(stores).order_by(stores.c.name)).mappings().all()
        return [self._from_row(row) for row in rows]
