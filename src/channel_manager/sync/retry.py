"""When to try a failed job again: exponential backoff with jitter, honouring the remote's Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 1.0
    factor: float = 2.0
    max_delay_seconds: float = 300.0
    jitter: float = 0.25  # +/- this fraction of the delay
    #: After a failure that may have been applied (a timeout once the request was sent), wait at least this
    #: long, so a request still in flight at the remote has finished before the retry looks at the remote.
    ambiguous_floor_seconds: float = 10.0

    def delay(
        self,
        attempt: int,
        *,
        retry_after: float | None = None,
        in_flight: bool = False,
        rng: random.Random | None = None,
    ) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based). The remote's ``retry_after``
        is a floor that ``max_delay_seconds`` does not cut: coming back sooner only earns another 429."""
        rng = rng or random
        backoff = min(self.max_delay_seconds, self.base_seconds * self.factor ** max(0, attempt - 1))
        spread = backoff * self.jitter
        delay = max(0.0, min(backoff + rng.uniform(-spread, spread), self.max_delay_seconds))
        if retry_after is not None:
            delay = max(delay, retry_after)
        if in_flight:
            delay = max(delay, self.ambiguous_floor_seconds)
        return delay
