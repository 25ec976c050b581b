"""Initial schema: stores, purchase orders and their lines, shipments, cancellations, refunds, returns,
the order timeline, sync attempts, the job queue, polling cursors and inbound webhook events.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
MONEY = sa.Numeric(12, 2)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _store_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=f"fk_{table}_store_id_stores", ondelete="CASCADE")


def _order_fk(table: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["order_id"], ["purchase_orders.id"], name=f"fk_{table}_order_id_purchase_orders", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "stores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("walmart_base_url", sa.String(500), nullable=False),
        sa.Column("walmart_client_id", sa.String(200), nullable=False),
        sa.Column("commerce_base_url", sa.String(500), nullable=False),
        sa.Column("commerce_store_code", sa.String(100), nullable=True),
        sa.Column("commerce_consumer_key", sa.String(200), nullable=True),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stores"),
        sa.UniqueConstraint("name", name="uq_stores_name"),
    )

    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.String(64), nullable=False),
        sa.Column("customer_order_id", sa.String(64), nullable=False),
        sa.Column("customer_email", sa.String(320), nullable=False),
        sa.Column("ship_method", sa.String(32), nullable=False),
        sa.Column("ordered_at", UTC_TIME, nullable=False),
        sa.Column("ship_by", UTC_TIME, nullable=True),
        sa.Column("deliver_by", UTC_TIME, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("shipping_address", sa.JSON(), nullable=True),
        sa.Column("commerce_order_id", sa.BigInteger(), nullable=True),
        sa.Column("commerce_increment_id", sa.String(64), nullable=True),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("return_requested", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_details", sa.Text(), nullable=False),
        sa.Column("order_value", MONEY, nullable=False),
        sa.Column("items_count", sa.Integer(), nullable=False),
        sa.Column("last_update_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_orders"),
        _store_fk("purchase_orders"),
        sa.UniqueConstraint("store_id", "purchase_order_id", name="uq_purchase_orders_store_id_purchase_order_id"),
        sa.UniqueConstraint("store_id", "commerce_order_id", name="uq_purchase_orders_store_id_commerce_order_id"),
    )
    op.create_index("ix_purchase_orders_store_id_status", "purchase_orders", ["store_id", "status"])
    op.create_index("ix_purchase_orders_status", "purchase_orders", ["status"])
    op.create_index("ix_purchase_orders_ordered_at", "purchase_orders", ["ordered_at"])

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.String(64), nullable=False),
        sa.Column("line_number", sa.String(16), nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=False),
        sa.Column("qty_ordered", sa.Integer(), nullable=False),
        sa.Column("qty_created", sa.Integer(), nullable=False),
        sa.Column("qty_acknowledged", sa.Integer(), nullable=False),
        sa.Column("qty_shipped", sa.Integer(), nullable=False),
        sa.Column("qty_cancelled", sa.Integer(), nullable=False),
        sa.Column("qty_returned", sa.Integer(), nullable=False),
        sa.Column("qty_refunded", sa.Integer(), nullable=False),
        sa.Column("unit_price", MONEY, nullable=False),
        sa.Column("unit_tax", MONEY, nullable=False),
        sa.Column("shipping_charge", MONEY, nullable=False),
        sa.Column("refunded_amount", MONEY, nullable=False),
        sa.Column("commerce_item_id", sa.BigInteger(), nullable=True),
        sa.Column("intent_to_cancel", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_lines"),
        _order_fk("order_lines"),
        _store_fk("order_lines"),
        sa.UniqueConstraint(
            "store_id", "purchase_order_id", "line_number", name="uq_order_lines_store_id_purchase_order_id_line_number"
        ),
    )
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"])

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("commerce_shipment_id", sa.BigInteger(), nullable=True),
        sa.Column("carrier_name", sa.String(100), nullable=False),
        sa.Column("is_walmart_carrier", sa.Boolean(), nullable=False),
        sa.Column("method_code", sa.String(32), nullable=False),
        sa.Column("tracking_number", sa.String(100), nullable=False),
        sa.Column("tracking_url", sa.String(1000), nullable=True),
        sa.Column("shipped_at", UTC_TIME, nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("first_synced_at", UTC_TIME, nullable=True),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shipments"),
        _order_fk("shipments"),
        sa.UniqueConstraint("order_id", "key", name="uq_shipments_order_id_key"),
    )

    op.create_table(
        "cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("reason_source", sa.String(32), nullable=False),
        sa.Column("started_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cancellations"),
        _order_fk("cancellations"),
        sa.UniqueConstraint("order_id", "key", name="uq_cancellations_order_id_key"),
    )

    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("return_order_id", sa.String(64), nullable=True),
        sa.Column("commerce_credit_memo_id", sa.BigInteger(), nullable=True),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        _order_fk("refunds"),
        sa.UniqueConstraint("order_id", "key", name="uq_refunds_order_id_key"),
    )

    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("return_order_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("purchase_order_id", sa.String(64), nullable=False),
        sa.Column("customer_order_id", sa.String(64), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("return_by", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_details", sa.Text(), nullable=False),
        sa.Column("refunded_by_walmart", sa.Boolean(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
        _store_fk("returns"),
        _order_fk("returns", ondelete="SET NULL"),
        sa.UniqueConstraint("store_id", "return_order_id", name="uq_returns_store_id_return_order_id"),
    )
    op.create_index("ix_returns_store_id_status", "returns", ["store_id", "status"])
    op.create_index("ix_returns_order_id", "returns", ["order_id"])

    op.create_table(
        "order_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_events"),
        _order_fk("order_events"),
    )
    op.create_index("ix_order_events_order_id_id", "order_events", ["order_id", "id"])

    op.create_table(
        "sync_attempts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("purchase_order_id", sa.String(64), nullable=True),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("endpoint", sa.String(300), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("correlation_id", sa.String(100), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(200), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_attempts"),
        _store_fk("sync_attempts"),
        sa.CheckConstraint("side IN ('Walmart', 'Commerce')", name="ck_sync_attempts_side"),
    )
    op.create_index("ix_sync_attempts_order_id_id", "sync_attempts", ["order_id", "id"])
    op.create_index("ix_sync_attempts_store_id_id", "sync_attempts", ["store_id", "id"])

    op.create_table(
        "jobs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", UTC_TIME, nullable=False),
        sa.Column("locked_by", sa.String(200), nullable=True),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
        _store_fk("jobs"),
        _order_fk("jobs"),
        sa.UniqueConstraint("dedupe_key", name="uq_jobs_dedupe_key"),
        sa.CheckConstraint("state IN ('pending', 'running', 'done', 'failed')", name="ck_jobs_state"),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"])
    op.create_index("ix_jobs_order_id_id", "jobs", ["order_id", "id"])

    op.create_table(
        "sync_cursors",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "name", name="pk_sync_cursors"),
        _store_fk("sync_cursors"),
    )

    op.create_table(
        "inbound_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("processed_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_events"),
        _store_fk("inbound_events"),
        sa.UniqueConstraint("source", "store_id", "event_id", name="uq_inbound_events_source_store_id_event_id"),
        sa.CheckConstraint("source IN ('walmart', 'commerce')", name="ck_inbound_events_source"),
    )
    op.create_index("ix_inbound_events_processed_at_id", "inbound_events", ["processed_at", "id"])


def downgrade() -> None:
    for table in (
        "inbound_events",
        "sync_cursors",
        "jobs",
        "sync_attempts",
        "order_events",
        "returns",
        "refunds",
        "cancellations",
        "shipments",
        "order_lines",
        "purchase_orders",
        "stores",
    ):
        op.drop_table(table)
