"""An index of a store's SKUs (``order_lines (store_id, sku)``): which SKUs a store sells on Walmart, asked on
every Commerce stock change and walked in order by the periodic stock check.

Revision ID: 0016_stock_checks
Revises: 0015_console_search
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_stock_checks"
down_revision: str | None = "0015_console_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_order_lines_store_id_sku", "order_lines", ["store_id", "sku"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_store_id_sku", table_name="order_lines")
