"""Shared Walmart rate-limit budgets: one token bucket row per (seller account, endpoint group).

Revision ID: 0008_budgets
Revises: 0003_api_access
Create Date: 2026-12-02 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_budgets"
down_revision: str | None = "0006_reconcile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_budgets",
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("endpoint", sa.String(100), nullable=False),
        sa.Column("tat", sa.Float(), nullable=False),
        sa.Column("slowdown", sa.Float(), nullable=False),
        sa.Column("taken", sa.BigInteger(), nullable=False),
        sa.Column("throttled", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "endpoint", name="pk_rate_limit_budgets"),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_budgets")
