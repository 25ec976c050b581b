"""The console's Orders page over 100,000 orders on PostgreSQL: p50/p95 server time of one page (the
status-card counts, one page of 50 rows, and the table rendered by its template), with filters and search.

    .venv/bin/python bench/console_orders.py [--orders 100000] [--runs 20]
                                             [--url postgresql+psycopg://root@127.0.0.1:5432/test]

It creates a database of its own on the server (dropped at the end), migrates it, bulk-inserts the orders
(one line each) in two stores, vacuums and analyzes them, then times each scenario ``--runs`` times after one warm-up.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from channel_manager.crypto import SecretBox
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, WalmartAccount
from channel_manager.storage import Database
from channel_manager.storage.tables import order_lines, purchase_orders
from channel_manager.web.console.orders import _orders, _table_values
from channel_manager.web.console.rendering import environment

STATUSES = ["Open"] * 30 + ["Partially shipped"] * 5 + ["Shipped"] * 55 + ["Canceled"] * 7 + ["Error"] * 3
NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Edsger Dijkstra", "Barbara Liskov"]


def fill(database: Database, count: int) -> tuple[list[int], str]:
    stores = []
    with database.unit_of_work() as uow:
        for n in (1, 2):
            store = ChannelStore(
                name=f"Bench store {n}",
                walmart=WalmartAccount("http://127.0.0.1:9", f"bench-{n}", Secret("s")),
                commerce=CommerceConnection("http://127.0.0.1:9", access_token=Secret("t")),
            )
            stores.append(uow.stores.add(store).id)
        uow.commit()
    rng = random.Random(12)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    sample_po = ""
    with database.engine.begin() as connection:
        for chunk in range(0, count, 5000):
            orders, lines = [], []
            for i in range(chunk, min(count, chunk + 5000)):
                ordered = start + timedelta(minutes=i * 4)
                po = f"{108000000000 + i * 7919}"
                sample_po = sample_po or po
                name = rng.choice(NAMES)
                orders.append({
                    "store_id": stores[i % 2], "purchase_order_id": po, "customer_order_id": f"C{i:09d}",
                    "customer_email": f"buyer{i}@relay.walmart.com", "ship_method": "Standard",
                    "ordered_at": ordered, "ship_by": ordered + timedelta(days=2),
                    "deliver_by": ordered + timedelta(days=5),
                    "currency": "USD", "shipping_address": {"name": name, "city": "Bentonville"},
                    "commerce_order_id": i + 1, "commerce_increment_id": f"{i + 1:09d}", "return_requested": False,
                    "status": rng.choice(STATUSES), "status_details": "", "order_value": Decimal("25.49"),
                    "items_count": 2, "last_update_at": ordered + timedelta(hours=3), "created_at": now, "version": 1,
                })  # fmt: skip
            ids = connection.execute(
                purchase_orders.insert().returning(
                    purchase_orders.c.id, purchase_orders.c.store_id, purchase_orders.c.purchase_order_id
                ),
                orders,
            ).all()
            for row_id, store_id, po in ids:
                lines.append({
                    "order_id": row_id, "store_id": store_id, "purchase_order_id": po, "line_number": "1",
                    "sku": f"SKU-{row_id % 500}", "product_name": "Mug", "quantity": 2, "unit_price": Decimal("12"),
                    "unit_tax": Decimal("0.75"), "shipping_charge": Decimal("0"), "status": "Acknowledged",
                })  # fmt: skip
            connection.execute(order_lines.insert(), _complete(lines))
    # What autovacuum does to a table after this many inserts (statistics, and the visibility map that lets
    # the status-card counts read their index alone).
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return [s for s in stores if s is not None], sample_po


def _complete(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fills the order_lines columns this bench does not care about with their neutral values."""
    required = {c.name: c for c in order_lines.c if not c.nullable and c.server_default is None and not c.primary_key}
    neutral: dict[str, Any] = {}
    for name, column in required.items():
        python = getattr(column.type, "python_type", str)
        neutral[name] = (
            0 if python in (int, float) else Decimal("0") if python is Decimal else False if python is bool else ""
        )
    return [{**neutral, **line} for line in lines]


def time_page(state: Any, filters: dict[str, str], cursor: str | None, runs: int) -> list[float]:
    template = environment.get_template("orders_table.html")
    request = SimpleNamespace(query_params={"cursor": cursor or ""})
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        found = _orders(state, filters, cursor)
        template.render(**_table_values(request, filters, found), csrf_token="", user=None)  # type: ignore[arg-type]
        if i:  # the first run warms the caches
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--url", default="postgresql+psycopg://root@127.0.0.1:5432/test")
    args = parser.parse_args()
    server = sa.make_url(args.url)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"cm_bench_console_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        database = Database.open(
            server.set(database=name).render_as_string(hide_password=False), SecretBox(SecretBox.generate_key())
        )
        started = time.perf_counter()
        stores, po = fill(database, args.orders)
        print(f"{args.orders} orders inserted in {time.perf_counter() - started:.1f} s")
        state = SimpleNamespace(database=database)
        base = {"store": "", "status": "", "q": "", "from": "", "to": "", "sort": "ordered_at", "order": "desc"}
        first = _orders(state, base, None)  # type: ignore[arg-type]
        scenarios = [
            ("all stores, newest first", base, None),
            ("page 2 (keyset cursor)", base, first["next_cursor"]),
            ("one store", {**base, "store": str(stores[0])}, None),
            ("status card Error", {**base, "status": "Error"}, None),
            ("one store + status Open", {**base, "store": str(stores[1]), "status": "Open"}, None),
            ("date range (one week)", {**base, "from": "2026-03-01", "to": "2026-03-07"}, None),
            ("sort by Ship By, ascending", {**base, "sort": "ship_by", "order": "asc"}, None),
            ("search PO number", {**base, "q": po[:9]}, None),
            ("search Commerce order #", {**base, "q": "000004711"}, None),
            ("search buyer name", {**base, "q": "Hopper"}, None),
            ("search buyer e-mail", {**base, "q": "buyer4711@"}, None),
            ("search SKU", {**base, "q": "SKU-42"}, None),
            ("one store + search buyer name", {**base, "store": str(stores[1]), "q": "lovelace"}, None),
            ("sort by Last Update, newest first", {**base, "sort": "last_update_at"}, None),
        ]
        print("| scenario | p50 ms | p95 ms |\n|---|---:|---:|")
        worst = 0.0
        for label, filters, cursor in scenarios:
            times = sorted(time_page(state, filters, cursor, args.runs))
            p50, p95 = statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]
            worst = max(worst, p95)
            print(f"| {label} | {p50:.1f} | {p95:.1f} |")
        database.dispose()
        print(f"worst p95: {worst:.1f} ms (target < 200 ms)")
        return 0 if worst < 200 else 1
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
