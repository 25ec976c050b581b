"""Exactly once on every recovery path: a job's "may be in effect" marker and its serialisation key, and the
worker processes' heartbeats.

Revision ID: 0005_exactly_once
Revises: 0003_api_access
Create Date: 2026-12-02 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_exactly_once"
down_revision: str | None = "0003_api_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("may_be_in_effect", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("serial_key", sa.String(255), nullable=True))
        batch.create_index("ix_jobs_serial_key_id", ["serial_key", "id"])
    # Jobs already tried once may have had their call applied: read the remote before sending again.
    op.execute("UPDATE jobs SET may_be_in_effect = true WHERE attempts > 0 AND state <> 'done'")
    op.execute("UPDATE jobs SET serial_key = 'order:' || CAST(order_id AS VARCHAR(20)) WHERE order_id IS NOT NULL")
    op.create_table(
        "worker_heartbeats",
        sa.Column("process_id", sa.String(200), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("heartbeat_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("process_id", name="pk_worker_heartbeats"),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_serial_key_id")
        batch.drop_column("serial_key")
        batch.drop_column("may_be_in_effect")
