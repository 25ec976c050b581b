"""Small SQL helpers shared by the repositories: dialect-specific inserts, constraint checks, the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from .errors import ConcurrentUpdate, StorageError


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


def count_by(connection: Connection, column: Column[Any], every: list[str], store_id: int | None) -> dict[str, int]:
    """Rows of ``column``'s table per value of ``column`` (each of ``every`` present, zero included), of one
    store or of all."""
    query = select(column, func.count()).group_by(column)
    if store_id is not None:
        query = query.where(column.table.c.store_id == store_id)
    counts = dict.fromkeys(every, 0)
    for value, count in connection.execute(query):
        counts[value] = count
    return counts


def is_unique_violation(error: IntegrityError, table: Table, *columns: str) -> bool:
    """Whether ``error`` is the UNIQUE constraint of ``table`` over exactly ``columns``."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # psycopg names the violated constraint
        return bool(diag.constraint_name == f"uq_{table.name}_{'_'.join(columns)}")
    expected = "UNIQUE constraint failed: " + ", ".join(f"{table.name}.{column}" for column in columns)
    return str(original) == expected


def save_versioned(
    connection: Connection,
    table: Table,
    row_id: int | None,
    version: int,
    values: dict[str, Any],
    *,
    missing: StorageError,
    what: str,
) -> int:
    """``UPDATE ... WHERE id = :id AND version = :version`` (optimistic concurrency), bumping the stored version;
    answers ``row_id``. Raises ``missing`` when the row was never stored or is gone, and ``ConcurrentUpdate``
    (naming ``what``) when someone else saved it since it was read."""
    if row_id is None:
        raise missing
    result = connection.execute(
        update(table).where(table.c.id == row_id, table.c.version == version).values(**values, version=version + 1)
    )
    if result.rowcount:
        return row_id
    if connection.execute(select(table.c.id).where(table.c.id == row_id)).first() is None:
        raise missing
    raise ConcurrentUpdate(what)
