"""Small SQL helpers shared by the repositories: dialect-specific inserts, constraint checks, the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError


def utcnow() -> datetime:
    return datetime.now(UTC)


def insert(connection: Connection, table: Table) -> Any:
    """``INSERT`` with ``ON CONFLICT`` support on the connection's database (PostgreSQL or SQLite)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_new(connection: Connection, table: Table, values: dict[str, Any], *unique: Any) -> int | None:
    """Inserts a versioned row (version 1) unless a row with the same ``unique`` key exists; the new row's id,
    or None (nothing written). The unique key decides, so two processes inserting at once end with one row."""
    statement = (
        insert(connection, table)
        .values(**values, created_at=utcnow(), version=1)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.c.id)
    )
    row_id = connection.execute(statement).scalar_one_or_none()
    return int(row_id) if row_id is not None else None


def is_unique_violation(error: IntegrityError, table: Table, *columns: str) -> bool:
    """Whether ``error`` is the UNIQUE constraint of ``table`` over exactly ``columns``."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg names the violated constraint
        return bool(diag.constraint_name == f"uq_{table.name}_{'_'.join(columns)}")
    expected = "UNIQUE constraint failed: " + ", ".join(f"{table.name}.{column}" for column in columns)
    return str(original) == expected


def update_versioned(
    connection: Connection, table: Table, row_id: int, version: int, values: dict[str, Any]
) -> str | None:
    """``UPDATE ... WHERE id = :id AND version = :version`` (optimistic concurrency), bumping the version.

    Returns None when it was written, ``"missing"`` when the row is gone, ``"stale"`` when someone else
    saved it since it was read; the caller raises its own typed error.
    """
    result = connection.execute(
        update(table).where(table.c.id == row_id, table.c.version == version).values(**values, version=version + 1)
    )
    if result.rowcount:
        return None
    exists = connection.execute(select(table.c.id).where(table.c.id == row_id)).first() is not None
    return "stale" if exists else "missing"
