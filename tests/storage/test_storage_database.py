"""Opening databases, migrating them, and the schema the migrations build."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from _storage_builders import make_store
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import exc

from channel_manager.crypto import SecretBox
from channel_manager.storage import (
    Database,
    DatabaseTooNew,
    DatabaseUnavailable,
    create_engine_for,
    database_revision,
    database_trouble,
    head_revision,
    mask_url,
    upgrade_database,
)
from channel_manager.storage.tables import metadata
from channel_manager.storage.types import UTCDateTime


def test_upgrade_from_empty_builds_exactly_the_tables_module(database_url: str) -> None:
    engine = create_engine_for(database_url)
    try:
        assert database_revision(engine) is None
        assert upgrade_database(engine) == head_revision()
        assert database_revision(engine) == head_revision()
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
        assert diff == []
        # Running it again is a no-op.
        assert upgrade_database(database_url) == head_revision()
    finally:
        engine.dispose()


def test_migration_scripts_ship_inside_the_package() -> None:
    migrations = Path(__file__).parents[2] / "src" / "channel_manager" / "storage" / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert list((migrations / "versions").glob("0001_*.py"))


def test_sqlite_file_is_created_with_its_directory_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "db.sqlite3"
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert path.exists()
    finally:
        engine.dispose()


def test_sqlite_writers_in_one_process_wait_for_each_other(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: read-then-write transactions in threads queue up instead of failing or losing updates."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (n INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (0)")
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with engine.begin() as connection:
                    n = connection.exec_driver_sql("SELECT n FROM counter").scalar_one()
                    connection.exec_driver_sql(f"UPDATE counter SET n = {n + 1}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT n FROM counter").scalar_one() == 80
    engine.dispose()
    assert errors == []


def test_utc_datetimes_come_back_aware_in_utc(database: Database) -> None:
    table = sa.Table(
        "when_test", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("t", UTCDateTime)
    )
    eastern = timezone(timedelta(hours=-5))
    with database.unit_of_work() as uow:
        table.create(uow.connection)
        uow.connection.execute(
            table.insert(),
            [{"t": datetime(2024, 7, 1, 7, 0, tzinfo=eastern)}, {"t": datetime(2024, 7, 1, 12, 30)}, {"t": None}],
        )
        values = uow.connection.execute(sa.select(table.c.t).order_by(table.c.id)).scalars().all()
        later = uow.connection.execute(
            sa.select(sa.func.count()).where(table.c.t > datetime(2024, 7, 1, 12, 15, tzinfo=UTC))
        ).scalar_one()
    assert values == [datetime(2024, 7, 1, 12, 0, tzinfo=UTC), datetime(2024, 7, 1, 12, 30, tzinfo=UTC), None]
    assert all(v is None or v.tzinfo is UTC for v in values)
    assert later == 1


def test_database_newer_than_the_code_is_refused(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseTooNew) as caught:
        database.upgrade()
    assert str(caught.value).startswith("The database is at revision 9999, newer than this channel-manager")


def test_unreachable_server_gives_one_line_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        Database.open("postgresql://merchant:s3cret-pw@127.0.0.1:1/shop", SecretBox(SecretBox.generate_key()))
    message = str(caught.value)
    assert message.startswith("Cannot open the database at postgresql+psycopg://merchant:***@127.0.0.1:1/shop: ")
    assert "s3cret-pw" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "Cannot open the database at not a url: not a database URL."),
        ("mysql://u:pw@host/db", "Cannot open the database at mysql://u:***@host/db: only SQLite and PostgreSQL"),
    ],
)
def test_bad_urls_are_explained(url: str, expected: str) -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        create_engine_for(url)
    assert str(caught.value).startswith(expected)
    assert "pw" not in str(caught.value).replace("postgres", "")


def test_mask_url_hides_passwords_in_text_and_url_objects() -> None:
    assert mask_url("postgresql://u:p%40ss@h:5432/d") == "postgresql://u:***@h:5432/d"
    assert mask_url(sa.make_url("postgresql://u:pass@h/d")) == "postgresql://u:***@h/d"
    assert mask_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_read_only_unit_of_work_reads(database: Database) -> None:
    with database.unit_of_work(read_only=True) as uow:
        assert uow.stores.list() == []


def test_unit_of_work_rolls_back_unless_committed(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.stores.add(make_store("Rolled back"))
    with database.unit_of_work() as uow:
        uow.stores.add(make_store("Kept"))
        uow.commit()
        uow.stores.add(make_store("After commit, not committed"))
    with database.unit_of_work() as uow:
        assert [s.name for s in uow.stores.list()] == ["Kept"]
    with pytest.raises(RuntimeError), database.unit_of_work() as uow:
        uow.stores.add(make_store("Failed"))
        raise RuntimeError("boom")
    with database.unit_of_work() as uow:
        assert uow.stores.get_by_name("Failed") is None


def test_unit_of_work_on_a_server_that_went_away_says_so(postgres_url: str, secret_box: SecretBox) -> None:
    database = Database.open(postgres_url, secret_box)
    database.dispose()
    broken = Database(create_engine_for(postgres_url.replace("127.0.0.1:5432", "127.0.0.1:1")), secret_box)
    with pytest.raises(DatabaseUnavailable) as caught, broken.unit_of_work():
        pass
    assert "Cannot open the database at postgresql+psycopg://" in str(caught.value)
    assert "Connection refused" in str(caught.value)


def test_a_database_still_locked_or_gone_is_trouble_to_retry_and_a_bad_statement_is_not(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    try:
        with engine.connect() as holder, engine.connect() as other:
            other.exec_driver_sql("PRAGMA busy_timeout = 0")
            other.commit()
            holder.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            holder.commit()
            holder.exec_driver_sql("INSERT INTO t VALUES (1)")  # holds the write lock (BEGIN IMMEDIATE)
            with pytest.raises(exc.OperationalError) as locked:
                other.exec_driver_sql("INSERT INTO t VALUES (2)")
            assert database_trouble(locked.value) == "The database was out of reach: database is locked."
            with pytest.raises(exc.OperationalError) as wrong:
                holder.exec_driver_sql("SELECT nope FROM t")
            assert database_trouble(wrong.value) is None
    finally:
        engine.dispose()
    assert database_trouble(ValueError("no")) is None
