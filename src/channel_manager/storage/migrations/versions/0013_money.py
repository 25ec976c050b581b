"""Money: a line's shipping tax is kept apart from its shipping charge.

Walmart charges shipping per line with its own tax; a credit memo refunds shipping and shipping tax apart,
and Walmart takes them as a ``SHIPPING`` refund charge with its tax. ``order_lines.shipping_tax`` holds that
tax; lines recorded before this revision keep their shipping tax inside ``shipping_charge`` (and 0 here).
Refund lines (JSON) gain ``shipping`` and ``shipping_tax``; rows without them refunded no shipping.

Revision ID: 0013_money
Revises: 0011_intent_to_cancel
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_money"
down_revision: str | None = "0011_intent_to_cancel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(12, 2)


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("shipping_tax", MONEY, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("shipping_tax")
