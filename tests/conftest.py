"""Fixtures shared by every test package.

Async tests use anyio's pytest plugin (``@pytest.mark.anyio``) on asyncio.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# ---------------------------------------------------------------------- databases (SQLite and PostgreSQL)

import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from channel_manager.crypto import SecretBox  # noqa: E402
from channel_manager.storage import Database  # noqa: E402

POSTGRES_URL_ENV = "CHANNEL_MANAGER_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards. Fails (never skips) if the
    server cannot be reached."""
    server = sa.make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"cm_{uuid.uuid4().hex[:20]}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.DBAPIError as error:
        admin.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        pytest.fail(
            f"PostgreSQL tests need a server at {server.render_as_string(hide_password=True)} ({reason}). "
            f"Start PostgreSQL or point {POSTGRES_URL_ENV} at one.",
            pytrace=False,
        )
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once as a SQLite file and once as a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'channel-manager.sqlite3'}"
    else:
        with fresh_postgres_database() as url:
            yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database, for tests that only make sense there (row locks, SKIP LOCKED...)."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def secret_box() -> SecretBox:
    return SecretBox(SecretBox.generate_key())


@pytest.fixture
def database(database_url: str, secret_box: SecretBox) -> Iterator[Database]:
    """A migrated database (SQLite, then PostgreSQL) with a fresh encryption key."""
    db = Database.open(database_url, secret_box)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def postgres_database(postgres_url: str, secret_box: SecretBox) -> Iterator[Database]:
    db = Database.open(postgres_url, secret_box)
    try:
        yield db
    finally:
        db.dispose()
