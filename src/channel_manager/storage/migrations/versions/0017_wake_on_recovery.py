"""Wake on recovery: the side a job's last try found unavailable (``jobs.waiting_on``), so that the job runs
as soon as that side answers again instead of at the end of its backoff.

Revision ID: 0017_wake_on_recovery
Revises: 0016_stock_checks
Create Date: 2026-12-04 19:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_wake_on_recovery"
down_revision: str | None = "0016_stock_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("waiting_on", sa.String(16), nullable=True))
        batch.create_index("ix_jobs_store_id_waiting_on", ["store_id", "waiting_on"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_store_id_waiting_on")
        batch.drop_column("waiting_on")
