"""The merchant console: its users (argon2id password hashes, lock-out state), their sessions (only the
SHA-256 of the cookie's token), and the indexes the Orders page pages by.

Revision ID: 0010_console_users
Revises: 0009_store_lifecycle
Create Date: 2026-12-03 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_console_users"
down_revision: str | None = "0009_store_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.Column("last_sign_in_at", UTC_TIME, nullable=True),
        sa.CheckConstraint("role IN ('viewer', 'operator', 'admin')", name="ck_console_users_role"),
        sa.PrimaryKeyConstraint("id", name="pk_console_users"),
        sa.UniqueConstraint("name", name="uq_console_users_name"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.Column("last_seen_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["console_users.id"], name="fk_console_sessions_user_id_console_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    op.create_index("ix_console_sessions_expires_at", "console_sessions", ["expires_at"])
    op.create_index("ix_purchase_orders_store_id_ordered_at_id", "purchase_orders", ["store_id", "ordered_at", "id"])
    op.create_index("ix_purchase_orders_status_ordered_at_id", "purchase_orders", ["status", "ordered_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_purchase_orders_status_ordered_at_id", table_name="purchase_orders")
    op.drop_index("ix_purchase_orders_store_id_ordered_at_id", table_name="purchase_orders")
    op.drop_index("ix_console_sessions_expires_at", table_name="console_sessions")
    op.drop_index("ix_console_sessions_user_id", table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
