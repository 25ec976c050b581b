"""Returns, polling cursors, inbound webhook events and sync attempts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from _storage_builders import T0, add_order, add_store, at, make_return

from channel_manager.domain.returns import ReturnStatus
from channel_manager.domain.sync import Side
from channel_manager.storage import ConcurrentUpdate, Database, SyncAttempt


@pytest.fixture
def store_id(database: Database) -> int:
    return add_store(database)


def test_return_round_trip_insert_or_conflict_and_save(database: Database, store_id: int) -> None:
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        rma = make_return(store_id, order_id=order_id)
        assert uow.returns.add(rma) is True
        assert rma.id is not None and rma.version == 1
        assert uow.returns.add(make_return(store_id)) is False
        uow.commit()
    with database.unit_of_work() as uow:
        loaded = uow.returns.get(store_id, "RMA-1")
        assert loaded == rma
        assert loaded is not None and loaded.requested_at == at(60) and loaded.refund_amount == rma.refund_amount
        loaded.status = ReturnStatus.REFUNDED
        loaded.status_details = "Refunded by credit memo 77."
        loaded.refunded_by_walmart = True
        uow.returns.save(loaded)
        assert loaded.version == 2
        stale = replace(loaded, version=1)
        with pytest.raises(ConcurrentUpdate):
            uow.returns.save(stale)
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.returns.get(store_id, "RMA-1") == loaded
        assert uow.returns.get(store_id, "RMA-2") is None
        assert [r.return_order_id for r in uow.returns.list_for_order(order_id)] == ["RMA-1"]


def test_returns_list_filters(database: Database, store_id: int) -> None:
    other = add_store(database, "Other")
    with database.unit_of_work() as uow:
        uow.returns.add(make_return(store_id, "RMA-1"))
        second = make_return(store_id, "RMA-2")
        second.requested_at = at(120)
        second.status = ReturnStatus.ERROR
        uow.returns.add(second)
        uow.returns.add(make_return(other, "RMA-1"))
        uow.commit()
    with database.unit_of_work() as uow:
        assert [(r.store_id, r.return_order_id) for r in uow.returns.list()] == [
            (store_id, "RMA-2"),
            (other, "RMA-1"),
            (store_id, "RMA-1"),
        ]
        assert [r.return_order_id for r in uow.returns.list(store_id=store_id, status="Error")] == ["RMA-2"]
        assert [r.store_id for r in uow.returns.list(status=ReturnStatus.RECEIVED)] == [other, store_id]


def test_returns_keep_history_when_the_order_goes(database: Database, store_id: int) -> None:
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        uow.returns.add(make_return(store_id, order_id=order_id))
        uow.connection.exec_driver_sql(f"DELETE FROM purchase_orders WHERE id = {order_id}")
        loaded = uow.returns.get(store_id, "RMA-1")
        assert loaded is not None and loaded.order_id is None


def test_cursors_upsert(database: Database, store_id: int) -> None:
    with database.unit_of_work() as uow:
        assert uow.cursors.get(store_id, "walmart_orders") is None
        uow.cursors.set(store_id, "walmart_orders", "2024-07-01T12:00:00Z")
        uow.cursors.set(store_id, "walmart_orders", "2024-07-01T12:05:00Z")
        uow.cursors.set(store_id, "commerce_shipments", "42")
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.cursors.get(store_id, "walmart_orders") == "2024-07-01T12:05:00Z"
        assert uow.cursors.get(store_id, "commerce_shipments") == "42"


def test_a_periodic_turn_goes_to_the_first_caller_once_per_period(database: Database, store_id: int) -> None:
    every = timedelta(seconds=9)
    with database.unit_of_work() as uow:
        assert uow.cursors.take_turn(store_id, "turn.poll", T0, every) is True  # the first ever
        assert uow.cursors.take_turn(store_id, "turn.poll", T0 + timedelta(seconds=1), every) is False
        assert uow.cursors.take_turn(store_id, "turn.other", T0 + timedelta(seconds=1), every) is True
        assert uow.cursors.take_turn(store_id, "turn.poll", T0 + timedelta(seconds=8), every) is False
        assert uow.cursors.take_turn(store_id, "turn.poll", T0 + timedelta(seconds=9), every) is True
        assert uow.cursors.take_turn(store_id, "turn.poll", T0 + timedelta(seconds=12), every) is False
        # A racing caller whose clock read came a moment before the winner's finds the turn taken.
        assert uow.cursors.take_turn(store_id, "turn.poll", T0 + timedelta(seconds=8), every) is False
        # A clock set back by more than a period finds the turn stamped far in its future: given out again,
        # not never.
        assert uow.cursors.take_turn(store_id, "turn.poll", T0 - timedelta(seconds=1), every) is True
        uow.commit()


def test_inbound_events_are_deduplicated(database: Database, store_id: int) -> None:
    payload = {"eventType": "PO_CREATED", "payload": {"purchaseOrderId": "1796277083022"}}
    with database.unit_of_work() as uow:
        first = uow.inbound_events.record(store_id, "walmart", "evt-1", "PO_CREATED", payload, received_at=T0)
        assert first
        assert uow.inbound_events.record(store_id, "walmart", "evt-1", "PO_CREATED", payload) is None
        # The same id from the other side is another event.
        second = uow.inbound_events.record(store_id, "commerce", "evt-1", "sales_order_shipment_save_after", {})
        assert second
        uow.commit()
    with database.unit_of_work() as uow:
        pending = uow.inbound_events.unprocessed(10)
        assert [e.id for e in pending] == [first, second]
        assert pending[0].payload == payload and pending[0].received_at == T0
        assert uow.inbound_events.mark_processed(first, at=T0 + timedelta(seconds=1)) is True
        assert uow.inbound_events.mark_processed(first) is False
        uow.commit()
    with database.unit_of_work() as uow:
        assert [e.id for e in uow.inbound_events.unprocessed(10)] == [second]
        event = uow.inbound_events.get(first)
        assert event is not None and event.processed_at == T0 + timedelta(seconds=1)


def _attempt(store_id: int, **changes: object) -> SyncAttempt:
    attempt = SyncAttempt(
        store_id=store_id,
        started_at=T0,
        side=Side.WALMART,
        method="POST",
        endpoint="POST /v3/orders/{purchaseOrderId}/shipping",
        path="/v3/orders/1796277083022/shipping",
        duration_ms=182,
        http_status=400,
        error_code="INVALID_REQUEST_CONTENT.GMP_ORDER_API",
        error_message="Invalid carrier",
        correlation_id="c0ffee",
        purchase_order_id="1796277083022",
    )
    return replace(attempt, **changes)  # type: ignore[arg-type]


def test_attempts_survive_the_rollback_of_the_job(database: Database, store_id: int) -> None:
    """The worker's pattern on every database: attempts are recorded once the job's transaction is over,
    whatever its outcome. (On PostgreSQL they may also be recorded while it is open: see the concurrency tests.)"""
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        job_id = uow.jobs.enqueue("ship_lines", store_id=store_id, order_id=order_id)
        uow.commit()
    made = [_attempt(store_id, order_id=order_id, job_id=job_id)]
    try:
        with database.unit_of_work() as uow:
            uow.jobs.claim("w1", now=T0, lease_seconds=60)
            raise RuntimeError("the job failed")
    except RuntimeError:
        pass
    finally:
        database.record_attempts(made)
        database.record_attempts([])
    with database.unit_of_work() as uow:
        attempts = uow.attempts.list_for_order(order_id)
        job = uow.jobs.get(job_id or 0)
    assert job is not None and job.attempts == 0  # the claim was rolled back...
    assert len(attempts) == 1  # ...the attempt was not
    assert attempts[0].id is not None
    assert replace(attempts[0], id=None) == made[0]
    assert attempts[0].succeeded is False


def test_attempts_listed_per_order_and_store(database: Database, store_id: int) -> None:
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        first = uow.attempts.add(_attempt(store_id, order_id=order_id))
        second = uow.attempts.add(
            _attempt(store_id, order_id=order_id, side=Side.COMMERCE, http_status=200, duration_ms=12.6)
        )
        uow.attempts.add(_attempt(store_id, http_status=None, error_message="timed out"))
        uow.commit()
    with database.unit_of_work() as uow:
        assert [a.id for a in uow.attempts.list_for_order(order_id)] == [first.id, second.id]
        assert [a.id for a in uow.attempts.list_for_order(order_id, limit=1)] == [second.id]
        latest = uow.attempts.list_for_store(store_id, limit=2)
    assert latest[1] == second and latest[1].duration_ms == 13 and latest[1].side is Side.COMMERCE
    assert latest[0].http_status is None and latest[0].order_id is None
