"""PostgreSQL only: several connections at once (workers on many hosts share one database)."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from _storage_builders import T0, add_order, add_store, at, make_order
from sqlalchemy import exc

from channel_manager.domain.sync import Side
from channel_manager.storage import Database, SyncAttempt, create_engine_for, head_revision, upgrade_database
from channel_manager.sync.outcomes import classify

pytestmark = pytest.mark.postgres


def test_concurrent_claims_never_share_a_job_and_keep_each_orders_order(postgres_database: Database) -> None:
    database = postgres_database
    store_id = add_store(database)
    order_ids = [add_order(database, store_id, f"PO-{n}") for n in range(20)]
    with database.unit_of_work() as uow:
        job_order: dict[int, int | None] = {}
        for _round in range(5):
            for order_id in order_ids:
                job_id = uow.jobs.enqueue("ship_lines", store_id=store_id, order_id=order_id, now=T0)
                job_order[job_id or 0] = order_id
            for _ in range(20):
                job_order[uow.jobs.enqueue("push_inventory", store_id=store_id, now=T0) or 0] = None
        uow.commit()
    assert len(job_order) == 200

    claims: list[tuple[int, str]] = []
    per_order: dict[int, list[int]] = defaultdict(list)
    guard = threading.Lock()

    def work(worker: str) -> None:
        idle = 0
        while idle < 3:
            with database.unit_of_work() as uow:
                jobs = uow.jobs.claim(worker, now=at(1), lease_seconds=600, limit=3)
                uow.commit()
            if not jobs:
                idle += 1
                time.sleep(0.02)
                continue
            idle = 0
            with guard:
                for job in jobs:
                    claims.append((job.id, worker))
                    if job.order_id is not None:
                        per_order[job.order_id].append(job.id)
            for job in jobs:
                with database.unit_of_work() as uow:
                    assert uow.jobs.complete(job.id, worker, now=at(2))
                    uow.commit()

    with ThreadPoolExecutor(4) as pool:
        for future in [pool.submit(work, f"worker-{n}") for n in range(4)]:
            future.result()

    counts = Counter(job_id for job_id, _ in claims)
    assert set(counts) == set(job_order)
    assert all(count == 1 for count in counts.values())
    assert len({worker for _, worker in claims}) > 1
    for order_id in order_ids:
        expected = sorted(job_id for job_id, owner in job_order.items() if owner == order_id)
        assert per_order[order_id] == expected


def test_two_connections_adding_the_same_po_make_one_row(postgres_database: Database) -> None:
    database = postgres_database
    store_id = add_store(database)
    first_inserted = threading.Event()
    results: dict[str, bool] = {}

    def first() -> None:
        with database.unit_of_work() as uow:
            results["first"] = uow.orders.add(make_order(store_id))
            first_inserted.set()
            time.sleep(0.3)  # the second connection is now waiting on the unique index
            uow.commit()

    def second() -> None:
        first_inserted.wait(5)
        with database.unit_of_work() as uow:
            results["second"] = uow.orders.add(make_order(store_id))
            uow.commit()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(first), pool.submit(second)]:
            future.result()
    assert results == {"first": True, "second": False}
    with database.unit_of_work() as uow:
        assert uow.orders.count() == 1


def test_many_connections_racing_to_add_the_same_po(postgres_database: Database) -> None:
    database = postgres_database
    store_id = add_store(database)
    start = threading.Barrier(6)

    def take_in() -> bool:
        start.wait(5)
        with database.unit_of_work() as uow:
            added = uow.orders.add(make_order(store_id))
            uow.commit()
        return added

    with ThreadPoolExecutor(6) as pool:
        outcomes = [future.result() for future in [pool.submit(take_in) for _ in range(6)]]
    assert sorted(outcomes) == [False] * 5 + [True]


def test_processes_racing_for_a_periodic_turn_get_one(postgres_database: Database) -> None:
    database = postgres_database
    store_id = add_store(database)
    every = timedelta(seconds=13.5)

    def take(start: threading.Barrier, now: datetime) -> bool:
        start.wait(5)
        with database.unit_of_work() as uow:
            took = uow.cursors.take_turn(store_id, "turn.check_walmart_stock", now, every)
            uow.commit()
        return took

    for round_ in range(3):
        start = threading.Barrier(6)
        with ThreadPoolExecutor(6) as pool:
            outcomes = [future.result() for future in [pool.submit(take, start, at(15 * round_)) for _ in range(6)]]
        assert sorted(outcomes) == [False] * 5 + [True], f"round {round_}"


def test_for_update_makes_the_second_reader_wait_for_the_first_writer(postgres_database: Database) -> None:
    database = postgres_database
    order_id = add_order(database, add_store(database))
    locked = threading.Event()

    def first() -> None:
        with database.unit_of_work() as uow:
            order = uow.orders.get_by_id(order_id, for_update=True)
            assert order is not None
            locked.set()
            time.sleep(0.3)
            order.acknowledge(at(1))
            uow.orders.save(order)
            uow.commit()

    def second() -> int:
        locked.wait(5)
        with database.unit_of_work() as uow:
            order = uow.orders.get_by_id(order_id, for_update=True)
            assert order is not None and order.acknowledged_at == at(1)  # it saw the first one's change
            order.record(at(2), "note", "Second writer.")
            uow.orders.save(order)  # no ConcurrentUpdate: the lock serialised the two
            uow.commit()
            return order.version

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(first), pool.submit(second)]
        assert futures[1].result() == 3
        futures[0].result()


def test_attempts_recorded_during_a_transaction_survive_its_rollback(postgres_database: Database) -> None:
    database = postgres_database
    store_id = add_store(database)
    attempt = SyncAttempt(
        store_id=store_id,
        started_at=T0,
        side=Side.COMMERCE,
        method="GET",
        endpoint="GET /V1/orders",
        path="/V1/orders",
        duration_ms=5,
        http_status=500,
    )
    with database.unit_of_work() as uow:
        uow.jobs.enqueue("create_commerce_order", store_id=store_id)
        database.record_attempts([attempt])
    with database.unit_of_work() as uow:
        assert len(uow.attempts.list_for_store(store_id)) == 1
        assert uow.jobs.list() == []


def test_two_processes_migrating_at_once(postgres_url: str) -> None:
    engines = [create_engine_for(postgres_url) for _ in range(3)]
    try:
        with ThreadPoolExecutor(3) as pool:
            revisions = [f.result() for f in [pool.submit(upgrade_database, engine) for engine in engines]]
    finally:
        for engine in engines:
            engine.dispose()
    assert revisions == [head_revision()] * 3


def test_a_stalled_session_s_row_locks_are_released_within_seconds(postgres_database: Database) -> None:
    """A process stopped (SIGSTOP) in the middle of a transaction holds its row locks; the server ends its
    session after ``IDLE_IN_TRANSACTION_SECONDS``, so another process's work on that order goes on."""
    database = postgres_database
    store_id = add_store(database)
    order_id = add_order(database, store_id, "PO-STALLED")
    stalled = database.engine.connect()
    try:
        stalled.exec_driver_sql("BEGIN")
        stalled.exec_driver_sql(f"SELECT id FROM purchase_orders WHERE id = {order_id} FOR UPDATE")
        # ... and the process stops here, sending nothing more.
        other = create_engine_for(database.engine.url)
        try:
            with other.connect() as connection:
                connection.exec_driver_sql("SET lock_timeout = '20s'")
                connection.exec_driver_sql(f"SELECT id FROM purchase_orders WHERE id = {order_id} FOR UPDATE")
                connection.rollback()
        finally:
            other.dispose()
        with pytest.raises(exc.DBAPIError) as woke:  # the stalled process learns it when it wakes ...
            stalled.exec_driver_sql("SELECT 1")
        # ... and its job is retried, not failed for good
        failure = classify(woke.value, job_kind="ship_lines")
        assert failure.retryable and failure.side is Side.CONNECTOR
        assert failure.message.startswith("The database was out of reach: terminating connection")
    finally:
        stalled.invalidate()
        stalled.close()
