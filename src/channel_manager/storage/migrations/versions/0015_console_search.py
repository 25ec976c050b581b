"""The console's Orders page at 100,000 orders: indexes for its search and its Ship By / Last Update sorts.

Search matches order numbers (Walmart PO, customer order, Commerce order), the buyer's e-mail and SKUs from
their start, ignoring case (``lower(x) LIKE 'text%'``): on PostgreSQL a ``text_pattern_ops`` index on each
``lower(x)`` serves it whatever the database's collation. The buyer's name matches anywhere in it: a trigram
(``pg_trgm``) GIN index serves that. ``CREATE EXTENSION pg_trgm`` needs the extension's files on the server
(Debian's ``postgresql-15`` has them) and the CREATE privilege on the database (it is a trusted extension);
where that fails, the migration goes on without that one index (a warning says so) and name search scans the
orders: correct, slower. SQLite cannot use indexes for these LIKEs (it scans); it gets the sorts' indexes.

Revision ID: 0015_console_search
Revises: 0013_money
Create Date: 2026-12-04 06:00:00
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_console_search"
down_revision: str | None = "0013_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREFIX_SEARCH = {
    "purchase_orders": ("purchase_order_id", "customer_order_id", "commerce_increment_id", "customer_email"),
    "order_lines": ("sku",),
}
SORTS = ("ship_by", "last_update_at")
TRIGRAM_INDEX = "ix_purchase_orders_buyer_name_trgm"
log = logging.getLogger("alembic.runtime.migration")


def _trigrams_available() -> bool:
    """Creates pg_trgm if it is not there yet; False (the transaction unharmed) where the server refuses."""
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        log.warning("pg_trgm is not available (%s): buyer-name search will scan the orders.", reason)
        return False
    savepoint.commit()
    return True


def upgrade() -> None:
    for name in SORTS:
        op.create_index(
            f"ix_purchase_orders_sort_{name}", "purchase_orders", [sa.text(f"coalesce({name}, ordered_at)"), "id"]
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in PREFIX_SEARCH.items():
        for column in columns:
            op.execute(f"CREATE INDEX ix_{table}_lower_{column} ON {table} (lower({column}) text_pattern_ops)")
    if _trigrams_available():
        op.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON purchase_orders "
            "USING gin (lower(shipping_address ->> 'name') gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")  # the extension stays: others may use it
        for table, columns in PREFIX_SEARCH.items():
            for column in columns:
                op.drop_index(f"ix_{table}_lower_{column}", table_name=table)
    for name in SORTS:
        op.drop_index(f"ix_purchase_orders_sort_{name}", table_name="purchase_orders")
