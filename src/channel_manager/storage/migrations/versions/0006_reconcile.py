"""Commerce changes recorded per Commerce order whether or not it is linked yet (issue 14 item 7).

Revision ID: 0006_reconcile
Revises: 0003_api_access
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_reconcile"
down_revision: str | None = "0005_exactly_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "commerce_order_changes",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("commerce_order_id", sa.BigInteger(), nullable=False),
        sa.Column("purchase_order_id", sa.String(64), nullable=True),
        sa.Column("changed_at", UTC_TIME, nullable=True),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "commerce_order_id", name="pk_commerce_order_changes"),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name="fk_commerce_order_changes_store_id_stores", ondelete="CASCADE"
        ),
    )


def downgrade() -> None:
    op.drop_table("commerce_order_changes")
