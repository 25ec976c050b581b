"""The Orders page's search and sorts on PostgreSQL (revision 0015_console_search): each way of matching is
served by its index (the query's expression is the index's), and a server that refuses pg_trgm still
migrates and still finds buyers by name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from _storage_builders import add_order, add_store
from sqlalchemy.pool import NullPool

from channel_manager.crypto import SecretBox
from channel_manager.storage import Database


def _plans(database: Database, *, bitmaps_only: bool = False, **list_arguments: Any) -> str:
    """EXPLAIN of what ``orders.list(**list_arguments)`` sends, sequential scans off (the tables are tiny);
    ``bitmaps_only``: plain index scans off too, so that only an index matching a condition can be used."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM purchase_orders" in statement:
            sent.append((statement, parameters))

    sa.event.listen(database.engine, "before_cursor_execute", capture)
    try:
        with database.unit_of_work(read_only=True) as uow:
            uow.orders.list(**list_arguments)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", capture)
    statement, parameters = sent[-1]
    with database.engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        if bitmaps_only:
            connection.exec_driver_sql("SET enable_indexscan = off")
        return "\n".join(connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars())


def test_search_and_sorts_use_their_indexes(postgres_url: str, secret_box: SecretBox) -> None:
    database = Database.open(postgres_url, secret_box)
    try:
        store = add_store(database)
        for n in range(3):
            add_order(database, store, f"17962770830{n:02d}", email=f"Buyer{n}@relay.walmart.com")
        plan = _plans(database, search="1796277083001", bitmaps_only=True)
        for index in ("purchase_order_id", "customer_order_id", "commerce_increment_id", "customer_email"):
            assert f"ix_purchase_orders_lower_{index}" in plan, plan
        assert "ix_order_lines_lower_sku" in plan and "ix_purchase_orders_buyer_name_trgm" in plan, plan
        assert "ix_purchase_orders_sort_ship_by" in _plans(database, sort="ship_by", descending=False)
        assert "ix_purchase_orders_sort_last_update_at" in _plans(database, sort="last_update_at")
        with database.unit_of_work(read_only=True) as uow:
            assert [o.purchase_order_id for o in uow.orders.list(search="BUYER1@")] == ["1796277083001"]
            assert len(uow.orders.list(search="jane d")) == 3
    finally:
        database.dispose()


def _role_without_create(postgres_url: str) -> Iterator[str]:
    """The URL of ``postgres_url``'s database for a new role that may create tables in its public schema but
    not extensions (no CREATE on the database): a server where ``CREATE EXTENSION pg_trgm`` is refused."""
    url = sa.make_url(postgres_url)
    role = f"cm_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        connection.exec_driver_sql(f"GRANT CREATE, USAGE ON SCHEMA public TO {role}")
    try:
        yield url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_a_server_refusing_pg_trgm_migrates_and_still_finds_buyers(postgres_url: str, secret_box: SecretBox) -> None:
    roles = _role_without_create(postgres_url)
    url = next(roles)
    try:
        database = Database.open(url, secret_box)  # migrates, as `init` does
        try:
            with database.engine.connect() as connection:
                indexes = {i["name"] for i in sa.inspect(connection).get_indexes("purchase_orders")}
                assert "ix_purchase_orders_buyer_name_trgm" not in indexes
                assert "ix_purchase_orders_lower_purchase_order_id" in indexes
            store = add_store(database)
            add_order(database, store, "1796277083001")
            with database.unit_of_work(read_only=True) as uow:
                assert [o.purchase_order_id for o in uow.orders.list(search="JANE")] == ["1796277083001"]
                assert [o.purchase_order_id for o in uow.orders.list(search="179627708300")] == ["1796277083001"]
        finally:
            database.dispose()
    finally:
        roles.close()
