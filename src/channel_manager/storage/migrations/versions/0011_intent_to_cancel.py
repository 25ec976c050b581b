"""The merchant's choice on a line the buyer asked to cancel: ``order_lines.intent_to_cancel_override`` (ship it
anyway, sent to Walmart as ``intentToCancelOverride``). False for every existing line: no choice made yet.

Revision ID: 0011_intent_to_cancel
Revises: 0010_console_users
Create Date: 2026-12-02 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_intent_to_cancel"
down_revision: str | None = "0010_console_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(
            sa.Column("intent_to_cancel_override", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("intent_to_cancel_override")
