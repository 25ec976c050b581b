"""Stores: round trip, encrypted credentials, unique names, removal."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from _storage_builders import COMMERCE_TOKEN, WALMART_SECRET, add_order, make_store

from channel_manager.crypto import SecretBox, SecretKeyError
from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import CommerceConnection, OrderCreationPath
from channel_manager.storage import Database, DuplicateStore, StoreHasOrders, StoreNotFound
from channel_manager.storage.tables import stores


def test_store_round_trip_with_secrets(database: Database) -> None:
    store = make_store()
    store = store.with_settings(
        store.settings.updated(
            order_creation_path="cart", default_cancellation_reason="pricing error", carrier_map={"ups_ground": "UPS"}
        )
    )
    with database.unit_of_work() as uow:
        added = uow.stores.add(store)
        uow.commit()
    assert added.id is not None and added.created_at is not None
    with database.unit_of_work() as uow:
        loaded = uow.stores.get(added.id)
        by_name = uow.stores.get_by_name("Main store")
    assert loaded == added == by_name
    assert loaded is not None
    assert loaded.walmart.client_secret == Secret(WALMART_SECRET)
    assert loaded.commerce.access_token == Secret(COMMERCE_TOKEN)
    assert loaded.commerce.consumer_secret is None
    assert loaded.settings.order_creation_path is OrderCreationPath.CART
    assert loaded.settings.default_cancellation_reason is CancellationReason.PRICING_ERROR
    assert loaded.settings.carrier_map == {"ups_ground": "UPS"}


def test_secrets_are_only_stored_encrypted(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.stores.add(make_store())
        uow.commit()
    with database.engine.connect() as connection:
        row = connection.execute(sa.select(stores)).mappings().one()
    raw = " ".join(str(value) for value in row.values())
    for plaintext in (WALMART_SECRET, COMMERCE_TOKEN, "walmart-webhook-secret", "commerce-webhook-secret"):
        assert plaintext not in raw
    assert row["credentials"].startswith("gAAAA")  # a Fernet token


def test_oauth_credentials_round_trip(database: Database) -> None:
    oauth = CommerceConnection(
        base_url="https://shop.example.com",
        consumer_key="ck",
        consumer_secret=Secret("cs"),
        access_token=Secret("at"),
        access_token_secret=Secret("ats"),
    )
    with database.unit_of_work() as uow:
        added = uow.stores.add(replace(make_store(), commerce=oauth))
        uow.commit()
    with database.unit_of_work() as uow:
        loaded = uow.stores.get(added.id or 0)
    assert loaded is not None and loaded.commerce == oauth


def test_another_key_cannot_read_the_credentials(database: Database) -> None:
    with database.unit_of_work() as uow:
        store = uow.stores.add(make_store())
        uow.commit()
    other = Database(database.engine, SecretBox(SecretBox.generate_key()))
    with other.unit_of_work() as uow, pytest.raises(SecretKeyError):
        uow.stores.get(store.id or 0)


def test_duplicate_store_name_is_refused_and_the_transaction_goes_on(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.stores.add(make_store("Outlet"))
        uow.commit()
    with database.unit_of_work() as uow:
        with pytest.raises(DuplicateStore) as caught:
            uow.stores.add(make_store("Outlet", client_id="other"))
        assert str(caught.value) == "A store named 'Outlet' already exists."
        uow.stores.add(make_store("Second"))  # the failed insert did not poison the transaction
        uow.commit()
    with database.unit_of_work() as uow:
        assert [s.name for s in uow.stores.list()] == ["Outlet", "Second"]


def test_update_and_rename_clash(database: Database) -> None:
    with database.unit_of_work() as uow:
        first = uow.stores.add(make_store("First"))
        uow.stores.add(make_store("Second"))
        uow.commit()
    changed = replace(
        first,
        walmart=replace(first.walmart, client_secret=Secret("rotated")),
        settings=first.settings.updated(push_stock_changes=True),
    )
    with database.unit_of_work() as uow:
        uow.stores.update(changed)
        with pytest.raises(DuplicateStore):
            uow.stores.update(replace(changed, name="Second"))
        uow.commit()
    with database.unit_of_work() as uow:
        loaded = uow.stores.get(first.id or 0)
        assert loaded is not None
        assert loaded.walmart.client_secret == Secret("rotated")
        assert loaded.settings.push_stock_changes is True
        with pytest.raises(StoreNotFound):
            uow.stores.update(replace(changed, id=9999))


def test_remove_refuses_a_store_with_orders_unless_forced(database: Database) -> None:
    with database.unit_of_work() as uow:
        store = uow.stores.add(make_store("Old"))
        empty = uow.stores.add(make_store("Empty"))
        uow.commit()
    assert store.id is not None and empty.id is not None
    add_order(database, store.id)
    with database.unit_of_work() as uow:
        uow.stores.remove(empty.id)
        with pytest.raises(StoreHasOrders) as caught:
            uow.stores.remove(store.id)
        assert "still has 1 order(s)" in str(caught.value)
        uow.stores.remove(store.id, force=True)
        with pytest.raises(StoreNotFound):
            uow.stores.remove(store.id)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.stores.list() == []
        assert uow.orders.get_by_id(1) is None
