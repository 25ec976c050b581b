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
    max_attempts: int = 10

    def delay(self, attempt: int, *, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        rng = rng or random
        backoff = min(self.max_delay_seconds, self.base_seconds * self.factor ** max(0, attempt - 1))
        spread = backoff * self.jitter
        delay = backoff + rng.uniform(-spread, spread)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return max(0.0, min(delay, self.max_delay_seconds))

    def exhausted(self, attempt: int) -> bool:
        return attempt >= self.max_attempts
