"""Store lifecycle in storage: ids are never reused, and a removed store takes every row of its own with it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from _storage_builders import add_order, at, make_return, make_store
from alembic import command

from channel_manager.crypto import SecretBox
from channel_manager.domain.sync import Side
from channel_manager.storage import Database, create_engine_for, head_revision, upgrade_database
from channel_manager.storage.attempt_repository import SyncAttempt
from channel_manager.storage.database import _alembic_config
from channel_manager.storage.tables import metadata, purchase_orders, stores


def _add(database: Database, name: str) -> int:
    with database.unit_of_work() as uow:
        store = uow.stores.add(make_store(name, client_id=f"client-{name}"))
        uow.commit()
    assert store.id is not None
    return store.id


FILLED = ("purchase_orders", "order_lines", "returns", "jobs", "sync_attempts", "sync_cursors", "inbound_events")


def _fill(database: Database, store_id: int) -> None:
    """One row of every kind a store owns: an order (lines, events), a return, a job, an attempt, a cursor,
    a webhook event."""
    order_id = add_order(database, store_id, f"PO-{store_id}")
    with database.unit_of_work() as uow:
        assert uow.returns.add(make_return(store_id, f"RMA-{store_id}", order_id=order_id))
        uow.jobs.enqueue("ship_lines", store_id=store_id, order_id=order_id, dedupe_key=f"job-{store_id}")
        uow.cursors.set(store_id, "walmart_orders", "2024-07-01T12:00:00Z")
        uow.inbound_events.record(store_id, "walmart", f"event-{store_id}", "PO_CREATED", {"po": order_id})
        uow.commit()
    database.record_attempts(
        [SyncAttempt(store_id, at(1), Side.WALMART, "GET", "GET /v3/orders", "/v3/orders", 5, 200, order_id=order_id)]
    )


def _rows_of(database: Database, store_id: int) -> dict[str, int]:
    """Rows that belong to ``store_id``, directly (store_id) or through one of its orders (order_id)."""
    counts: dict[str, int] = {}
    with database.engine.connect() as connection:
        orders = sa.select(purchase_orders.c.id).where(purchase_orders.c.store_id == store_id)
        for table in metadata.sorted_tables:
            if table is stores:
                continue
            clauses = []
            if "store_id" in table.c:
                clauses.append(table.c.store_id == store_id)
            if "order_id" in table.c:
                clauses.append(table.c.order_id.in_(orders))
            if clauses:
                query = sa.select(sa.func.count()).select_from(table).where(sa.or_(*clauses))
                counts[table.name] = connection.execute(query).scalar_one()
    return counts


def test_a_removed_store_takes_every_row_of_its_own_and_its_id_is_never_given_again(database: Database) -> None:
    first = _add(database, "First")
    last = _add(database, "Last")  # the highest id: the one plain SQLite rowids would hand out again
    _fill(database, first)
    _fill(database, last)
    owned = _rows_of(database, last)
    assert all(owned[table] for table in FILLED), owned  # every kind of row really was there

    with database.unit_of_work() as uow:
        uow.stores.remove(last, force=True)
        uow.commit()
    assert set(_rows_of(database, last).values()) == {0}
    assert _rows_of(database, first) == owned  # the other store keeps all of its own

    again = _add(database, "Again")
    assert again > last
    assert set(_rows_of(database, again).values()) == {0}


#: Columns that revisions after 0009_store_lifecycle add: (table, column, SQLite type and default).
LATER_COLUMNS = (("order_lines", "shipping_tax", "NUMERIC(12, 2) NOT NULL DEFAULT 0"),)


@contextlib.contextmanager
def _later_columns_for_a_while(engine: sa.Engine) -> Iterator[None]:
    """The later revisions' columns added by hand while the test fills the old database, then dropped again,
    so the database is the old schema when it is migrated."""
    with engine.begin() as connection:
        for table, column, kind in LATER_COLUMNS:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    yield
    with engine.begin() as connection:
        for table, column, _ in LATER_COLUMNS:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")


def test_migrating_an_existing_sqlite_database_keeps_its_stores_orders_and_ids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:  # the schema as the release before 0009_store_lifecycle made it
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0008_budgets")
        database = Database(engine, SecretBox(SecretBox.generate_key()))
        with _later_columns_for_a_while(engine):  # today's repositories write the columns revisions after 0009 add
            kept, removed = _add(database, "Kept"), _add(database, "Removed")
            _fill(database, kept)
            with database.unit_of_work() as uow:
                uow.stores.remove(removed)
                uow.commit()
        before = _rows_of(database, kept)

        assert upgrade_database(engine) == head_revision()

        assert _rows_of(database, kept) == before and all(before[table] for table in FILLED)
        with database.unit_of_work() as uow:
            assert [s.id for s in uow.stores.list()] == [kept]
        assert _add(database, "Next") > kept
        with engine.connect() as connection:
            sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'stores'").scalar_one()
            assert "AUTOINCREMENT" in sql
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        engine.dispose()
