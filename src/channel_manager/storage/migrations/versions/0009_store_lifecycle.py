"""Store lifecycle: store ids are never reused.

On SQLite the ``stores`` table is rebuilt with ``AUTOINCREMENT``, so the id of a removed store is not handed
to the next one (plain ``INTEGER PRIMARY KEY`` reuses the highest id once its row is gone). The copy keeps
every id and seeds ``sqlite_sequence`` with the highest. ``upgrade_database`` runs SQLite migrations with
foreign keys off (a rebuilt table would otherwise cascade its delete to every order), then checks them.
PostgreSQL's ``SERIAL`` sequence never hands out a number twice: nothing to do there.

Revision ID: 0009_store_lifecycle
Revises: 0008_budgets
Create Date: 2026-12-02 01:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_store_lifecycle"
down_revision: str | None = "0008_budgets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_stores(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("stores", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade() -> None:
    _rebuild_stores(autoincrement=True)


def downgrade() -> None:
    _rebuild_stores(autoincrement=False)
