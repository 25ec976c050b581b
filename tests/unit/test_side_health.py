"""When a side counts as down and as answering again (``service/side_health.py``): what wakes the jobs that
waited out an outage."""

from __future__ import annotations

from channel_manager.domain.sync import Side
from channel_manager.service.side_health import OUTAGE_FAILURES, WAKE_INTERVAL_SECONDS, SideHealth


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_new_process_counts_both_sides_down_until_they_answer() -> None:
    health = SideHealth(Ticks())
    assert health.is_down(Side.WALMART) and health.is_down(Side.COMMERCE)
    health.saw(Side.COMMERCE, 200)
    assert not health.is_down(Side.COMMERCE) and health.is_down(Side.WALMART)
    assert health.take_recovered() == [Side.COMMERCE]
    assert health.take_recovered() == []


def test_an_outage_is_calls_in_a_row_without_an_answer_and_ends_at_the_first_answer() -> None:
    ticks = Ticks()
    health = SideHealth(ticks)
    health.saw(Side.WALMART, 200)
    health.take_recovered()
    for _ in range(OUTAGE_FAILURES - 1):
        health.saw(Side.WALMART, None)
    health.saw(Side.WALMART, 404)  # an answer (a refusal is not an outage): the count starts again
    for _ in range(OUTAGE_FAILURES - 1):
        health.saw(Side.WALMART, 503)
    assert not health.is_down(Side.WALMART)
    health.saw(Side.WALMART, 429)  # throttled: neither an answer nor a failure
    assert not health.is_down(Side.WALMART)
    health.saw(Side.WALMART, None)
    assert health.is_down(Side.WALMART)
    health.saw(Side.WALMART, 429)
    assert health.take_recovered() == []
    ticks.now += WAKE_INTERVAL_SECONDS
    health.saw(Side.WALMART, 201)
    assert not health.is_down(Side.WALMART)
    assert health.take_recovered() == [Side.WALMART]


def test_a_flapping_side_is_reported_recovered_at_most_once_per_interval() -> None:
    ticks = Ticks()
    health = SideHealth(ticks)
    health.saw(Side.COMMERCE, 200)
    assert health.take_recovered() == [Side.COMMERCE]
    for _ in range(OUTAGE_FAILURES):
        health.saw(Side.COMMERCE, 502)
    health.saw(Side.COMMERCE, 200)
    assert health.take_recovered() == []  # too soon after the last: kept
    ticks.now += WAKE_INTERVAL_SECONDS
    assert health.take_recovered() == [Side.COMMERCE]
    health.put_back(Side.COMMERCE)  # the wake could not be written
    assert health.take_recovered() == [Side.COMMERCE]
