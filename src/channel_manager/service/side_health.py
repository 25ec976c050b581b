"""Whether Walmart and Commerce answer one store's calls, as this process sees them: the signal that wakes the
jobs that wait out an outage (``jobs.waiting_on``) as soon as the side answers again.

A side is down after ``OUTAGE_FAILURES`` calls in a row got no answer or a 5xx, and at the start of the process
(an outage may have begun before it, and the jobs of a process that died are waiting too). The first real
answer after that (any status but 5xx and 429) makes it recovered, once per ``WAKE_INTERVAL_SECONDS`` at most.
One failed call among answers (a single 5xx, a lost answer) is not an outage: its job keeps its backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..domain.sync import Side

#: Calls in a row without an answer (or with a 5xx) that make a side down.
OUTAGE_FAILURES = 3
#: A side is reported recovered at most this often (the wake is one UPDATE; a flapping side costs little).
WAKE_INTERVAL_SECONDS = 5.0

REMOTE_SIDES = (Side.WALMART, Side.COMMERCE)


class SideHealth:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures = dict.fromkeys(REMOTE_SIDES, OUTAGE_FAILURES)
        self._down: set[Side] = set(REMOTE_SIDES)
        self._recovered: set[Side] = set()
        self._woken_at: dict[Side, float] = {}

    def saw(self, side: Side, http_status: int | None) -> None:
        """One call to ``side`` ended with ``http_status`` (``None``: no answer)."""
        if side not in self._failures:
            return
        if http_status is None or http_status >= 500:
            self._failures[side] += 1
            if self._failures[side] >= OUTAGE_FAILURES:
                self._down.add(side)
        elif http_status != 429:
            self._failures[side] = 0
            if side in self._down:
                self._down.discard(side)
                self._recovered.add(side)

    def is_down(self, side: Side) -> bool:
        return side in self._down

    def take_recovered(self) -> list[Side]:
        """The sides that answered again since they were down, each at most once per wake interval; taken."""
        now = self._clock()
        ready = [
            side
            for side in REMOTE_SIDES
            if side in self._recovered
            and now - self._woken_at.get(side, -WAKE_INTERVAL_SECONDS) >= WAKE_INTERVAL_SECONDS
        ]
        for side in ready:
            self._recovered.discard(side)
            self._woken_at[side] = now
        return ready

    def put_back(self, side: Side) -> None:
        """A recovery taken but not acted on (the database was away): reported again next time."""
        self._recovered.add(side)
        self._woken_at.pop(side, None)
