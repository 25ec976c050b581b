"""The schema, as SQLAlchemy Core tables. ``migrations/`` creates exactly this (a test compares them).

Money is ``Numeric(12, 2)``; times are ``UTCDateTime`` (aware UTC in, aware UTC out, on both databases).
Enumerations are stored as their values (``SyncState.PENDING`` -> ``"pending"``).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    literal_column,
)

from .types import Money, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Ids of tables that grow without bound: 64-bit on PostgreSQL, SQLite's rowid (also 64-bit) there.
BigId = BigInteger().with_variant(Integer(), "sqlite")

JOB_STATES = ("pending", "running", "done", "failed")


def _store_fk(nullable: bool = False) -> Column[int]:
    return Column("store_id", ForeignKey("stores.id", ondelete="CASCADE"), nullable=nullable)


def _order_fk(nullable: bool = False, ondelete: str = "CASCADE") -> Column[int]:
    return Column("order_id", ForeignKey("purchase_orders.id", ondelete=ondelete), nullable=nullable)


stores = Table(
    "stores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("walmart_base_url", String(500), nullable=False),
    Column("walmart_client_id", String(200), nullable=False),
    Column("commerce_base_url", String(500), nullable=False),
    Column("commerce_store_code", String(100)),
    Column("commerce_consumer_key", String(200)),
    # One Fernet token holding every secret of the store as JSON; plaintext never reaches the database.
    Column("credentials", Text, nullable=False),
    # The webhook secrets again, in their own Fernet token: a receiver checks a signature without
    # decrypting the store's other secrets. NULL for stores saved before revision 0003_api_access.
    Column("webhook_secrets", Text),
    Column("settings", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # Ids are never reused (SQLite AUTOINCREMENT; PostgreSQL's sequence never goes back): rows kept elsewhere
    # under a removed store's id, or a running process that still knows it, never meet another store.
    sqlite_autoincrement=True,
)

purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    _store_fk(),
    Column("purchase_order_id", String(64), nullable=False),
    Column("customer_order_id", String(64), nullable=False),
    Column("customer_email", String(320), nullable=False),
    Column("ship_method", String(32), nullable=False),
    Column("ordered_at", UTCDateTime, nullable=False),
    Column("ship_by", UTCDateTime),
    Column("deliver_by", UTCDateTime),
    Column("currency", String(3), nullable=False),
    Column("shipping_address", JSON),
    Column("commerce_order_id", BigInteger),
    Column("commerce_increment_id", String(64)),
    Column("acknowledged_at", UTCDateTime),
    Column("return_requested", Boolean, nullable=False),
    Column("problem", JSON),
    # Copies of what the domain derives, refreshed on every save, so the Orders page can filter and count.
    Column("status", String(32), nullable=False),
    Column("status_details", Text, nullable=False),
    Column("order_value", Money(), nullable=False),
    Column("items_count", Integer, nullable=False),
    Column("last_update_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("store_id", "purchase_order_id"),
    UniqueConstraint("store_id", "commerce_order_id"),
    Index(None, "store_id", "status"),
    Index(None, "status"),
    Index(None, "ordered_at"),
    # The console's Orders page: newest first per store and per status card (revision 0010_console_users).
    Index(None, "store_id", "ordered_at", "id"),
    Index(None, "status", "ordered_at", "id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    _order_fk(),
    _store_fk(),
    Column("purchase_order_id", String(64), nullable=False),
    Column("line_number", String(16), nullable=False),
    Column("sku", String(100), nullable=False),
    Column("product_name", Text, nullable=False),
    Column("qty_ordered", Integer, nullable=False),
    Column("qty_created", Integer, nullable=False),
    Column("qty_acknowledged", Integer, nullable=False),
    Column("qty_shipped", Integer, nullable=False),
    Column("qty_cancelled", Integer, nullable=False),
    Column("qty_returned", Integer, nullable=False),
    Column("qty_refunded", Integer, nullable=False),
    Column("unit_price", Money(), nullable=False),
    Column("unit_tax", Money(), nullable=False),
    Column("shipping_charge", Money(), nullable=False),  # before tax (since 0013; before, tax included)
    Column("shipping_tax", Money(), nullable=False, server_default="0"),
    Column("refunded_amount", Money(), nullable=False),
    Column("commerce_item_id", BigInteger),
    Column("intent_to_cancel", Boolean, nullable=False),
    Column("intent_to_cancel_override", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("store_id", "purchase_order_id", "line_number"),
    Index(None, "order_id"),
    Index("ix_order_lines_store_id_sku", "store_id", "sku"),
)

# The console's search and sorts at 100,000 orders (revision 0015_console_search). Order numbers, e-mail and SKU
# match from their start, ignoring case: ``lower(x) LIKE 'text%'``, which a ``text_pattern_ops`` index serves
# whatever the database's collation. The buyer's name matches anywhere in it, served by a trigram index
# where PostgreSQL has ``pg_trgm``. SQLite cannot use any of these for LIKE (it scans; the sorts' are used).
PREFIX_SEARCH_COLUMNS = {
    purchase_orders: ("purchase_order_id", "customer_order_id", "commerce_increment_id", "customer_email"),
    order_lines: ("sku",),
}
for _table, _names in PREFIX_SEARCH_COLUMNS.items():
    for _name in _names:
        Index(
            f"ix_{_table.name}_lower_{_name}",
            func.lower(_table.c[_name]).label(_name),
            postgresql_ops={_name: "text_pattern_ops"},
        ).ddl_if(dialect="postgresql")

#: The buyer's name as the search reads it (the same expression as the trigram index's).
buyer_name = func.lower(purchase_orders.c.shipping_address.op("->>")(literal_column("'name'")))
Index(
    "ix_purchase_orders_buyer_name_trgm",
    buyer_name.label("buyer_name"),
    postgresql_using="gin",
    postgresql_ops={"buyer_name": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")

# Sorting by Ship By or Last Update (an order without one sorts by its order date), newest or oldest first.
for _name in ("ship_by", "last_update_at"):
    Index(
        f"ix_purchase_orders_sort_{_name}",
        func.coalesce(purchase_orders.c[_name], purchase_orders.c.ordered_at),
        purchase_orders.c.id,
    )

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    _order_fk(),
    Column("key", String(64), nullable=False),
    Column("lines", JSON, nullable=False),  # [{"line_number": "1", "quantity": 2}, ...]
    Column("commerce_shipment_id", BigInteger),
    Column("carrier_name", String(100), nullable=False),
    Column("is_walmart_carrier", Boolean, nullable=False),
    Column("method_code", String(32), nullable=False),
    Column("tracking_number", String(100), nullable=False),
    Column("tracking_url", String(1000)),
    Column("shipped_at", UTCDateTime, nullable=False),
    Column("sync_state", String(16), nullable=False),
    Column("first_synced_at", UTCDateTime),
    Column("corrections", Integer, nullable=False),
    UniqueConstraint("order_id", "key"),
)

cancellations = Table(
    "cancellations",
    metadata,
    Column("id", Integer, primary_key=True),
    _order_fk(),
    Column("key", String(64), nullable=False),
    Column("lines", JSON, nullable=False),  # [{"line_number": "1", "quantity": 2}, ...]
    Column("reason", String(64), nullable=False),
    Column("reason_source", String(32), nullable=False),  # ReasonSource member *name*: its value is prose
    Column("started_by", String(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sync_state", String(16), nullable=False),
    UniqueConstraint("order_id", "key"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", Integer, primary_key=True),
    _order_fk(),
    Column("key", String(64), nullable=False),
    # [{"line_number", "quantity", "amount": "1.00", "tax": "0.08", "shipping": "4.99", "shipping_tax": "0.40"}]
    Column("lines", JSON, nullable=False),
    Column("reason", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("return_order_id", String(64)),
    Column("commerce_credit_memo_id", BigInteger),
    Column("sync_state", String(16), nullable=False),
    UniqueConstraint("order_id", "key"),
)

returns = Table(
    "returns",
    metadata,
    Column("id", Integer, primary_key=True),
    _store_fk(),
    Column("return_order_id", String(64), nullable=False),
    _order_fk(nullable=True, ondelete="SET NULL"),
    Column("purchase_order_id", String(64), nullable=False),
    Column("customer_order_id", String(64), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("return_by", UTCDateTime),
    Column("status", String(32), nullable=False),
    Column("status_details", Text, nullable=False),
    Column("refunded_by_walmart", Boolean, nullable=False),
    Column("extra", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("store_id", "return_order_id"),
    Index(None, "store_id", "status"),
    Index(None, "order_id"),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", BigId, primary_key=True),
    _order_fk(),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Index(None, "order_id", "id"),
)

# Attempts are written in their own transaction and must outlive a rolled-back job, so order and job are
# plain references, not foreign keys.
sync_attempts = Table(
    "sync_attempts",
    metadata,
    Column("id", BigId, primary_key=True),
    _store_fk(),
    Column("order_id", Integer),
    Column("job_id", BigInteger),
    Column("purchase_order_id", String(64)),
    Column("started_at", UTCDateTime, nullable=False),
    Column("side", String(16), nullable=False),
    Column("method", String(10), nullable=False),
    Column("endpoint", String(300), nullable=False),
    Column("path", Text, nullable=False),
    Column("correlation_id", String(100)),
    Column("http_status", Integer),
    Column("error_code", String(200)),
    Column("error_message", Text),
    Column("duration_ms", Integer, nullable=False),
    CheckConstraint("side IN ('Walmart', 'Commerce')", name="side"),
    Index(None, "order_id", "id"),
    Index(None, "store_id", "id"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", BigId, primary_key=True),
    _store_fk(),
    _order_fk(nullable=True),
    Column("kind", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("dedupe_key", String(255), unique=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("run_after", UTCDateTime, nullable=False),
    Column("locked_by", String(200)),
    Column("locked_until", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    #: Set (and committed) before the job's remote call is sent; cleared only when a read of the remote
    #: confirmed whether the call is in effect. While set, every try reads the remote before sending.
    Column("may_be_in_effect", Boolean, nullable=False, server_default=false()),
    #: The business key jobs are serialised by (``order:<id>``, ``stock:<store>:<sku>``): one at a time per
    #: key, in claim order. ``None``: not serialised.
    Column("serial_key", String(255)),
    #: The side (``Walmart``, ``Commerce``) that did not answer the job's last try (no answer, or a 5xx): when
    #: that side answers again after an outage the job is due at once instead of at the end of its backoff,
    #: and one that gave up for that reason runs again. ``None``: the last failure was not an outage.
    Column("waiting_on", String(16)),
    CheckConstraint("state IN ('pending', 'running', 'done', 'failed')", name="state"),
    Index(None, "state", "run_after"),
    Index(None, "order_id", "id"),
    Index(None, "serial_key", "id"),
    Index(None, "store_id", "waiting_on"),
)

#: One row per running ``channel-manager run`` process: its workers' last sign of life (``/health``).
worker_heartbeats = Table(
    "worker_heartbeats",
    metadata,
    Column("process_id", String(200), primary_key=True),
    Column("workers", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    _store_fk(),
    Column("name", String(100), nullable=False),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "name"),
)

#: A Commerce order that changed while it was not linked to its PO yet (its save's answer lost, the order not
#: adopted yet): recorded per Commerce order so the poll can move on, and read in full once the order is linked.
commerce_order_changes = Table(
    "commerce_order_changes",
    metadata,
    _store_fk(),
    Column("commerce_order_id", BigInteger, nullable=False),
    Column("purchase_order_id", String(64)),
    Column("changed_at", UTCDateTime),
    Column("recorded_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("store_id", "commerce_order_id"),
)

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("id", BigId, primary_key=True),
    _store_fk(),
    Column("source", String(16), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("processed_at", UTCDateTime),
    CheckConstraint("source IN ('walmart', 'commerce')", name="source"),
    UniqueConstraint("source", "store_id", "event_id"),
    Index(None, "processed_at", "id"),
)

# ---------------------------------------------------------------- API access (revision 0003_api_access)

API_ROLES = ("metrics", "viewer", "operator", "admin")

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    # SHA-256 (hex) of the token; the token itself is shown once and never stored.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("hint", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
    Column("revoked_by", String(200)),
    CheckConstraint("role IN ('metrics', 'viewer', 'operator', 'admin')", name="role"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("principal", String(200), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status_code", Integer),  # NULL while the first request is still being answered
    Column("response", JSON),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("principal", "key"),
    Index(None, "created_at"),
)

# Who changed what, through the API or the CLI. Plain references (no foreign keys): the trail outlives
# what it names.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("store_id", Integer),
    Column("order_id", Integer),
    Column("target", String(200), nullable=False),
    Column("details", JSON, nullable=False),
    Index(None, "order_id", "id"),
    Index(None, "at"),
)

#: Walmart's rate limits, one token bucket per seller account and endpoint group shared by every process
#: (PostgreSQL only; SQLite runs one process and keeps its buckets in memory). ``tat`` is the bucket's
#: theoretical arrival time in epoch seconds of the database's clock: the bucket is full when ``tat`` is
#: in the past, and each call moves it one interval on (see ``storage/rate_budgets.py``).
rate_limit_budgets = Table(
    "rate_limit_budgets",
    metadata,
    Column("account", String(200), nullable=False),
    Column("endpoint", String(100), nullable=False),
    Column("tat", Float, nullable=False),
    Column("slowdown", Float, nullable=False),
    Column("taken", BigInteger, nullable=False),
    Column("throttled", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("account", "endpoint"),
)

# ---------------------------------------------------------------- the console (revision 0010_console_users)

#: People who sign in to the console; same roles as API tokens (but no ``metrics`` user).
console_users = Table(
    "console_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    # argon2id, in its PHC string form (salt and parameters included).
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("last_sign_in_at", UTCDateTime),
    CheckConstraint("role IN ('viewer', 'operator', 'admin')", name="role"),
)

#: Signed-in browsers: the cookie holds a random token, this table only its SHA-256.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Index(None, "user_id"),
    Index(None, "expires_at"),
)
