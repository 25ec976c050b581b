"""Alembic environment: runs the migrations on the connection (or URL) ``upgrade_database`` hands over."""

from __future__ import annotations

from alembic import context

from channel_manager.storage.database import create_engine_for
from channel_manager.storage.tables import metadata

config = context.config


def _run(connection: object) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)  # type: ignore[arg-type]
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("No database given: set sqlalchemy.url or pass a connection in config.attributes.")
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("channel-manager migrations run against a database, not as offline SQL scripts.")
run_migrations_online()
