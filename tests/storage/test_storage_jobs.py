"""The job queue: de-duplication, claiming in order, leases, retries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from _storage_builders import T0, add_order, add_store

from channel_manager.storage import Database, JobState


@pytest.fixture
def store_id(database: Database) -> int:
    return add_store(database)


def _enqueue(database: Database, kind: str, store_id: int, **kwargs: object) -> int | None:
    with database.unit_of_work() as uow:
        job_id = uow.jobs.enqueue(kind, store_id=store_id, now=T0, **kwargs)  # type: ignore[arg-type]
        uow.commit()
    return job_id


def _claim(database: Database, worker: str, *, now: datetime = T0, limit: int = 10, lease: float = 60) -> list[int]:
    with database.unit_of_work() as uow:
        jobs = uow.jobs.claim(worker, now=now, lease_seconds=lease, limit=limit)
        uow.commit()
    return [job.id for job in jobs]


def test_enqueue_dedupes_on_key(database: Database, store_id: int) -> None:
    first = _enqueue(database, "acknowledge_order", store_id, dedupe_key="ack:PO-1", payload={"po": "PO-1"})
    assert first is not None
    assert _enqueue(database, "acknowledge_order", store_id, dedupe_key="ack:PO-1") is None
    assert _enqueue(database, "push_inventory", store_id) is not None
    assert _enqueue(database, "push_inventory", store_id) is not None  # no key: no de-duplication
    with database.unit_of_work() as uow:
        job = uow.jobs.get(first)
        assert job is not None
        assert job.payload == {"po": "PO-1"} and job.state is JobState.PENDING and job.attempts == 0
        assert job.run_after == T0 and job.created_at == T0 and job.max_attempts == 10
        assert len(uow.jobs.list()) == 3


def test_claim_runs_jobs_of_one_order_one_at_a_time(database: Database, store_id: int) -> None:
    order_a = add_order(database, store_id, "PO-A")
    order_b = add_order(database, store_id, "PO-B")
    a1 = _enqueue(database, "create_commerce_order", store_id, order_id=order_a)
    a2 = _enqueue(database, "acknowledge_order", store_id, order_id=order_a)
    b1 = _enqueue(database, "create_commerce_order", store_id, order_id=order_b)
    free = _enqueue(database, "push_inventory", store_id)
    a3 = _enqueue(database, "ship_lines", store_id, order_id=order_a)

    assert _claim(database, "w1") == [a1, b1, free]
    assert _claim(database, "w2") == []  # a2 waits for a1, a3 for both
    with database.unit_of_work() as uow:
        assert uow.jobs.complete(a1 or 0, "w1") is True
        uow.commit()
    assert _claim(database, "w2") == [a2]
    with database.unit_of_work() as uow:
        assert uow.jobs.fail(a2 or 0, "w2", "Walmart refused it") is True
        uow.commit()
    assert _claim(database, "w2") == [a3]  # a failed job does not hold up the order


def test_claim_respects_limit_and_due_time(database: Database, store_id: int) -> None:
    later = _enqueue(database, "push_inventory", store_id, run_after=T0 + timedelta(minutes=5))
    first = _enqueue(database, "push_inventory", store_id)
    second = _enqueue(database, "push_inventory", store_id)
    assert _claim(database, "w1", limit=1, lease=600) == [first]
    assert _claim(database, "w1", lease=600) == [second]
    assert _claim(database, "w1", now=T0 + timedelta(minutes=4)) == []
    with database.unit_of_work() as uow:
        assert uow.jobs.next_run_after(T0) == T0 + timedelta(minutes=5)
    assert _claim(database, "w1", now=T0 + timedelta(minutes=5)) == [later]
    with database.unit_of_work() as uow:
        job = uow.jobs.get(later or 0)
        assert job is not None
        assert job.state is JobState.RUNNING and job.locked_by == "w1" and job.attempts == 1
        assert job.locked_until == T0 + timedelta(minutes=6)


def test_expired_lease_is_taken_over_and_the_old_worker_cannot_finish(database: Database, store_id: int) -> None:
    job_id = _enqueue(database, "ship_lines", store_id) or 0
    assert _claim(database, "dead-worker", lease=30) == [job_id]
    assert _claim(database, "w2", now=T0 + timedelta(seconds=29)) == []
    assert _claim(database, "w2", now=T0 + timedelta(seconds=31)) == [job_id]
    with database.unit_of_work() as uow:
        assert uow.jobs.complete(job_id, "dead-worker") is False
        assert uow.jobs.retry_later(job_id, "dead-worker", T0, "late") is False
        assert uow.jobs.fail(job_id, "dead-worker", "late") is False
        assert uow.jobs.extend_lease(job_id, "dead-worker", T0 + timedelta(hours=1)) is False
        job = uow.jobs.get(job_id)
        assert job is not None and job.locked_by == "w2" and job.attempts == 2
        assert uow.jobs.extend_lease(job_id, "w2", T0 + timedelta(minutes=10)) is True
        assert uow.jobs.complete(job_id, "w2") is True
        assert uow.jobs.complete(job_id, "w2") is False  # already done
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None and job.state is JobState.DONE and job.locked_by is None
        assert job.finished_at is not None


def test_a_job_whose_worker_dies_on_its_last_attempt_fails(database: Database, store_id: int) -> None:
    job_id = _enqueue(database, "ship_lines", store_id, max_attempts=1) or 0
    assert _claim(database, "w1", lease=10) == [job_id]
    assert _claim(database, "w2", now=T0 + timedelta(seconds=11)) == []
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None and job.state is JobState.FAILED
        assert job.last_error is not None and "stopped before finishing" in job.last_error


def test_retry_later_fail_and_the_merchants_retry(database: Database, store_id: int) -> None:
    order_id = add_order(database, store_id)
    job_id = _enqueue(database, "cancel_lines", store_id, order_id=order_id) or 0
    assert _claim(database, "w1") == [job_id]
    with database.unit_of_work() as uow:
        assert uow.jobs.retry_later(job_id, "w1", T0 + timedelta(minutes=1), "HTTP 503 from Walmart") is True
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None and job.state is JobState.PENDING and job.last_error == "HTTP 503 from Walmart"
        assert uow.jobs.next_run_after(T0) == T0 + timedelta(minutes=1)
    assert _claim(database, "w1", now=T0 + timedelta(seconds=59)) == []
    assert _claim(database, "w1", now=T0 + timedelta(minutes=1)) == [job_id]
    with database.unit_of_work() as uow:
        assert uow.jobs.fail(job_id, "w1", "Carrier not accepted") is True
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None and job.state is JobState.FAILED and job.attempts == 2
        assert uow.jobs.next_run_after(T0) is None
        assert [j.id for j in uow.jobs.list(state="failed", order_id=order_id)] == [job_id]
        assert uow.jobs.list(state=JobState.PENDING) == []
        assert uow.jobs.retry(job_id, now=T0 + timedelta(hours=1)) is True
        assert uow.jobs.retry(job_id) is False  # only a failed job can be retried
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None and job.state is JobState.PENDING and job.attempts == 0
        assert job.run_after == T0 + timedelta(hours=1) and job.finished_at is None
        assert uow.jobs.count_by_state(store_id) == {"pending": 1, "running": 0, "done": 0, "failed": 0}


def test_retry_failed_for_order(database: Database, store_id: int) -> None:
    order_id = add_order(database, store_id)
    ids = [_enqueue(database, "refund", store_id, order_id=order_id, dedupe_key=f"r{n}") or 0 for n in range(3)]
    for job_id in ids:
        assert _claim(database, "w1") == [job_id]
        with database.unit_of_work() as uow:
            uow.jobs.fail(job_id, "w1", "no")
            uow.commit()
    with database.unit_of_work() as uow:
        assert uow.jobs.retry_failed_for_order(order_id, now=T0) == 3
        uow.commit()
    assert _claim(database, "w1") == [ids[0]]


def test_release_gives_the_job_back(database: Database, store_id: int) -> None:
    job_id = _enqueue(database, "push_inventory", store_id) or 0
    assert _claim(database, "w1") == [job_id]
    with database.unit_of_work() as uow:
        assert uow.jobs.release(job_id, "w2") is False
        assert uow.jobs.release(job_id, "w1") is True
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None and job.state is JobState.PENDING and job.attempts == 0 and job.locked_by is None
    assert _claim(database, "w2") == [job_id]


def test_a_job_written_in_a_rolled_back_transaction_does_not_exist(database: Database, store_id: int) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.enqueue("ship_lines", store_id=store_id, dedupe_key="ship:1")
    assert _claim(database, "w1") == []
    assert _enqueue(database, "ship_lines", store_id, dedupe_key="ship:1") is not None


def _second_store(database: Database) -> int:
    from _storage_builders import make_store

    with database.unit_of_work() as uow:
        store = uow.stores.add(make_store("Second store", client_id="client-id-2"))
        uow.commit()
    assert store.id is not None
    return store.id


def test_claims_take_each_stores_oldest_due_job_before_any_stores_second(database: Database, store_id: int) -> None:
    other = _second_store(database)
    busy = [_enqueue(database, "push_inventory", store_id) for _ in range(5)]  # a backlog, written first
    quiet = _enqueue(database, "push_inventory", other)
    assert _claim(database, "w1", limit=2) == [busy[0], quiet]
    assert _claim(database, "w2", limit=10) == busy[1:]


def test_defer_gives_the_job_back_until_its_budget_allows_with_the_same_kind_of_its_store(
    database: Database, store_id: int
) -> None:
    other = _second_store(database)
    acks = [_enqueue(database, "acknowledge_order", store_id) for _ in range(3)]
    other_kind = _enqueue(database, "push_inventory", store_id)
    other_store = _enqueue(database, "acknowledge_order", other)
    [claimed] = _claim(database, "w1", limit=1)
    assert claimed == acks[0]
    with database.unit_of_work() as uow:
        uow.jobs.mark_may_be_in_effect(claimed, "w1", now=T0)
        assert uow.jobs.defer(claimed, "w1", T0 + timedelta(seconds=30), store_id=store_id, kind="acknowledge_order")
        assert not uow.jobs.defer(claimed, "w1", T0, store_id=store_id, kind="acknowledge_order")  # not ours now
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(claimed)
        assert job is not None
        assert (job.state, job.attempts, job.may_be_in_effect, job.last_error) == (JobState.PENDING, 0, True, None)
        waiting = {j: uow.jobs.get(j) for j in acks[1:]}
    assert all(j is not None and j.run_after == T0 + timedelta(seconds=30) for j in waiting.values())
    # The store's other kinds and the other store's jobs are not held back.
    assert sorted(_claim(database, "w2", now=T0 + timedelta(seconds=1))) == sorted([other_kind, other_store])
    assert _claim(database, "w2", now=T0 + timedelta(seconds=30)) == acks


def test_a_side_answering_again_wakes_the_jobs_that_waited_out_its_outage(database: Database, store_id: int) -> None:
    other_store = add_store(database, "other")
    backing_off = _enqueue(database, "create_commerce_order", store_id)
    gave_up = _enqueue(database, "refund_order", store_id)
    just_failed = _enqueue(database, "ship_lines", store_id)
    refused = _enqueue(database, "cancel_lines", store_id)  # its last failure was not an outage
    walmart = _enqueue(database, "acknowledge_order", store_id)
    elsewhere = _enqueue(database, "create_commerce_order", other_store)
    assert None not in (backing_off, gave_up, just_failed, refused, walmart, elsewhere)
    _claim(database, "w1")
    later = T0 + timedelta(minutes=5)
    with database.unit_of_work() as uow:
        for job_id in (backing_off, elsewhere):
            uow.jobs.retry_later(job_id or 0, "w1", later, "HTTP 503", now=T0, waiting_on="Commerce")
        uow.jobs.fail(gave_up or 0, "w1", "HTTP 503", now=T0, waiting_on="Commerce")
        uow.jobs.retry_later(
            just_failed or 0, "w1", later, "no answer", now=T0 + timedelta(seconds=9), waiting_on="Commerce"
        )
        uow.jobs.retry_later(refused or 0, "w1", later, "HTTP 400", now=T0)
        uow.jobs.retry_later(walmart or 0, "w1", later, "HTTP 503", now=T0, waiting_on="Walmart")
        uow.commit()

    now = T0 + timedelta(seconds=12)
    with database.unit_of_work() as uow:
        woken = uow.jobs.wake(store_id, "Commerce", now=now, failed_before=now - timedelta(seconds=10))
        uow.commit()
    assert woken == 2
    with database.unit_of_work() as uow:
        jobs = {
            job_id: uow.jobs.get(job_id or 0)
            for job_id in (backing_off, gave_up, just_failed, refused, walmart, elsewhere)
        }
    woke, revived = jobs[backing_off], jobs[gave_up]
    assert woke is not None and woke.state is JobState.PENDING and woke.run_after == now and woke.waiting_on is None
    assert revived is not None and revived.state is JobState.PENDING and revived.attempts == 0
    assert revived.run_after == now and revived.finished_at is None
    for job_id in (
        just_failed,
        refused,
        walmart,
        elsewhere,
    ):  # too recent, not an outage, the other side, another store
        job = jobs[job_id]
        assert job is not None and job.run_after == later, job_id
    with database.unit_of_work() as uow:  # once woken, not again
        assert uow.jobs.wake(store_id, "Commerce", now=now, failed_before=now) == 1  # just_failed, old enough now
