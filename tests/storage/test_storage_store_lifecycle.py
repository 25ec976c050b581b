"""Store lifecycle in storage: ids are never reused, and a removed store takes every row of its own with it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from _storage_builders import add_order, at, make_return, make_store
from alembic import command

from channel_manager.crypto import SecretBox
from channel_manager.domain.sync import Side
from channel_manager.storage import Database, create_engine_for, head_revision, upgrade_database
from channel_manager.storage.attempt_repository import SyncAttempt
from channel_manager.storage.database import _alembic_config, _sqlite_foreign_keys
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


def test_migrating_an_existing_sqlite_database_keeps_its_stores_orders_and_ids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine_for(url)
    try:
        # Rows written by today's code, then the schema taken back to the release before 0009_store_lifecycle
        # (later revisions add columns today's code writes, so the rows cannot be written on the old schema).
        upgrade_database(engine)
        database = Database(engine, SecretBox(SecretBox.generate_key()))
        kept, removed = _add(database, "Kept"), _add(database, "Removed")
        _fill(database, kept)
        with database.unit_of_work() as uow:
            uow.stores.remove(removed)
            uow.commit()
        with engine.connect() as connection:
            _sqlite_foreign_keys(connection, on=False)  # a rebuilt table must not cascade its drop
            with connection.begin():
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.downgrade(config, "0008_budgets")
            _sqlite_foreign_keys(connection, on=True)
        with engine.connect() as connection:
            sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'stores'").scalar_one()
            assert "AUTOINCREMENT" not in sql  # really the old table
        before = _rows_of(database, kept)

        assert upgrade_database(engine) == head_revision()

        assert all(before[table] for table in FILLED), before
        assert _rows_of(database, kept) == before
        with database.unit_of_work() as uow:
            assert [s.id for s in uow.stores.list()] == [kept]
        assert _add(database, "Next") > kept
        with engine.connect() as connection:
            sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'stores'").scalar_one()
            assert "AUTOINCREMENT" in sql
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        engine.dispose()
