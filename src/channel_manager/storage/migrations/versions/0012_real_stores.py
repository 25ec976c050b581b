"""Real stores: a Walmart line's shipping tax kept apart from its shipping charge (Commerce's shipping tax).

Lines taken in before this revision keep their shipping tax inside ``shipping_charge`` (what was stored then)
and get ``shipping_tax`` 0, so every amount already computed from them stays the same.

Revision ID: 0012_real_stores
Revises: 0009_store_lifecycle
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_real_stores"
down_revision: str | None = "0009_store_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("shipping_tax", sa.Numeric(12, 2), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("shipping_tax")
