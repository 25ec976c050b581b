"""Opening the database (SQLite or PostgreSQL) and migrating it to the schema this code expects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import StaticPool

from .errors import DatabaseTooNew, DatabaseUnavailable

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: Execution option that marks a connection's transactions as read-only (SQLite: no write lock taken).
READ_ONLY = "channel_manager_read_only"

_PASSWORD_IN_URL = re.compile(r"(?P<head>://[^:/@\s]*:)[^@\s]*(?P<tail>@)")


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``, for messages and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD_IN_URL.sub(r"\g<head>***\g<tail>", url)


def _one_line(error: BaseException, url: URL | None) -> str:
    """The first line of a driver error, with nothing that could be the password in it."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    if url is not None and url.password:
        text = text.replace(str(url.password), "***")
    return " ".join(text.split()).rstrip(".")


def unavailable(url: str | URL, error: BaseException) -> DatabaseUnavailable:
    parsed = url if isinstance(url, URL) else None
    return DatabaseUnavailable(f"Cannot open the database at {mask_url(url)}: {_one_line(error, parsed)}.")


#: SQLSTATEs of a database that went away under a statement: connection exceptions (class 08), the server
#: shutting down or restarting (57P01-57P03), and a session it ended for idling in a transaction (25P03).
_GONE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "25P03")


def database_trouble(error: BaseException) -> str | None:
    """A one-line reason when ``error`` is the database being out of reach for a moment (a restart, a lost
    connection, SQLite still locked after its busy timeout): the work is retried, never failed for good.
    ``None`` for any other error (a constraint, a bug in a statement)."""
    if not isinstance(error, exc.DBAPIError):
        return None
    original = error.orig
    sqlstate = str(getattr(original, "sqlstate", "") or "")
    locked = isinstance(error, exc.OperationalError) and "database is locked" in str(original)
    if error.connection_invalidated or locked or (sqlstate and sqlstate.startswith(_GONE_SQLSTATES)):
        return f"The database was out of reach: {_one_line(error, None)}."
    return None


def _normalise(url: URL) -> URL:
    if url.drivername in {"postgres", "postgresql"}:
        return url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        return url.set(drivername="sqlite+pysqlite")
    return url


#: How long a PostgreSQL session may hold a transaction open without a statement (see ``create_engine_for``).
IDLE_IN_TRANSACTION_SECONDS = 5.0


def create_engine_for(url: str | URL) -> Engine:
    """An engine for ``url``: a SQLite file (its directory is created) or a PostgreSQL server (psycopg).

    SQLite gets WAL, foreign keys, a 5 s busy timeout and ``BEGIN IMMEDIATE`` transactions, so two writers in
    one process queue up instead of failing with "database is locked" halfway through a transaction.

    A PostgreSQL session that sits inside a transaction for ``IDLE_IN_TRANSACTION_SECONDS`` without sending a
    statement is ended by the server: the connector's transactions never wait on anything but the database,
    so such a session belongs to a stalled process (SIGSTOP, a frozen VM, a debugger), and its row locks
    would otherwise hold every other process's work on the same orders and jobs for as long as it stalls.
    Its transaction rolls back; the stalled process meets a closed connection when it wakes and retries.
    """
    try:
        parsed = _normalise(make_url(url))
    except exc.ArgumentError as error:
        raise DatabaseUnavailable(f"Cannot open the database at {mask_url(url)}: not a database URL.") from error
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed)
        if parsed.get_backend_name() == "postgresql":
            options = f"-c idle_in_transaction_session_timeout={int(IDLE_IN_TRANSACTION_SECONDS * 1000)}"
            return create_engine(parsed, pool_pre_ping=True, connect_args={"options": options})
    except (exc.ArgumentError, exc.NoSuchModuleError, OSError) as error:
        raise unavailable(parsed, error) from error
    raise DatabaseUnavailable(
        f"Cannot open the database at {mask_url(parsed)}: only SQLite and PostgreSQL are supported."
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    in_memory = database in {"", ":memory:"}
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # An in-memory database lives as long as its one connection, which every user then shares: fine for a
    # quick test, but a unit of work and ``record_attempts`` cannot overlap there.
    extra: dict[str, Any] = {"poolclass": StaticPool} if in_memory else {}
    engine = create_engine(url, connect_args={"check_same_thread": False}, **extra)

    # SQLAlchemy's pysqlite transaction-control recipe: stop the driver from issuing its own BEGIN and emit
    # ours, so transactions (and SAVEPOINTs) behave and a writer takes the write lock up front.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = 5000")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

    return engine


def check_connection(engine: Engine) -> None:
    """Raises ``DatabaseUnavailable`` with a one-line reason unless the database answers."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except exc.DBAPIError as error:
        raise unavailable(engine.url, error) from error


def _alembic_config(url: URL | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = url
    return config


#: Arbitrary key of the PostgreSQL advisory lock held while migrating.
_MIGRATION_LOCK = 7_236_150_001


def _refuse_newer(current: str | None) -> None:
    if current is None:
        return
    try:
        known = ScriptDirectory.from_config(_alembic_config()).get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise DatabaseTooNew(
            f"The database is at revision {current}, newer than this channel-manager (which knows up to "
            f"{head_revision()}); upgrade channel-manager to use it."
        )


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """``PRAGMA foreign_keys`` only works outside a transaction: sent on the driver connection directly."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")  # type: ignore[union-attr]


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
        raise DatabaseUnavailable(
            f"Migrating the database left {len(broken)} row(s) pointing at nothing (first: {table} row {rowid} -> "
            f"{parent}); nothing was changed."
        )


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def database_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at; ``None`` for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except exc.DBAPIError as error:
        raise unavailable(engine.url, error) from error


def upgrade_database(url_or_engine: str | URL | Engine) -> str:
    """Migrates the database to the newest schema this code knows (Alembic ``upgrade head``).

    Returns the revision it is at. Refuses a database written by a newer channel-manager.
    """
    owned = not isinstance(url_or_engine, Engine)
    engine = create_engine_for(url_or_engine) if not isinstance(url_or_engine, Engine) else url_or_engine
    try:
        _refuse_newer(database_revision(engine))
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # A batch migration rebuilds a table (copy, drop, rename): with foreign keys on, the drop would
                # cascade to every row that refers to it. They are checked before the migration commits.
                _sqlite_foreign_keys(connection, on=False)
            try:
                with connection.begin():
                    if not sqlite:
                        # Two processes starting at once: the second waits here, then finds the schema current.
                        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                    config = _alembic_config()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    if sqlite:
                        _check_sqlite_foreign_keys(connection)
            finally:
                if sqlite:
                    _sqlite_foreign_keys(connection, on=True)
        return head_revision()
    except DatabaseUnavailable:
        raise
    except exc.DBAPIError as error:
        raise unavailable(engine.url, error) from error
    finally:
        if owned:
            engine.dispose()
