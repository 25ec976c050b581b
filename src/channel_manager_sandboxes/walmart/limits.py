"""Walmart's rate limits as the sandbox enforces them: a token bucket per (seller, endpoint group)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping

from channel_manager_sandboxes.walmart.contract import RateLimit, endpoint_group


class ServerBucket:
    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.capacity = float(limit.requests)
        self.rate = limit.per_second
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def headers(self, now: float) -> dict[str, str]:
        """``x-current-token-count`` and ``x-next-replenishment-time`` (epoch ms of the next whole token)."""
        missing = 1.0 - (self.tokens - math.floor(self.tokens))
        next_at = time.time() + missing / self.rate
        return {
            "x-current-token-count": str(math.floor(self.tokens)),
            "x-next-replenishment-time": str(int(next_at * 1000)),
        }


class SandboxRateLimits:
    def __init__(self, limits: Mapping[str, RateLimit], enabled: bool = True) -> None:
        self.limits = dict(limits)
        self.enabled = enabled
        self._buckets: dict[tuple[str, str], ServerBucket] = {}
        self._lock = threading.Lock()

    def check(self, seller_id: str, endpoint: str) -> tuple[bool, dict[str, str]]:
        """(allowed, headers) for one call."""
        if not self.enabled:
            return True, {}
        group = endpoint_group(endpoint)
        limit = self.limits.get(group)
        if limit is None:
            return True, {}
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get((seller_id, group))
            if bucket is None:
                bucket = self._buckets[(seller_id, group)] = ServerBucket(limit, now)
            allowed = bucket.take(now)
            headers = bucket.headers(now)
        if not allowed:
            wait = max(0.0, (1.0 - bucket.tokens) / bucket.rate)
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return allowed, headers

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
