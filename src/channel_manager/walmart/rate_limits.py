"""Client-side token buckets per (seller account, endpoint), preset with Walmart's published limits.

Walmart limits each seller per API with a token bucket that refills gradually (NOTES section 6).
The client keeps its own bucket for each endpoint group, waits in :meth:`TokenBucket.acquire`
instead of sending into an empty bucket, and corrects the bucket from Walmart's answer:
``x-current-token-count``, ``x-next-replenishment-time`` (epoch ms, epoch s or ISO 8601) and
``Retry-After``. A 429 empties the bucket until the replenishment time and slows it down for a while.

With several processes the budget must be one: :class:`RateLimiter` then takes each call's slot from
:class:`SharedBudgets` (PostgreSQL, ``storage/rate_budgets.py``) through a :class:`SharedTokenBucket`, which
follows the same headers and keeps the same reserve; the in-process bucket is for a single process (SQLite)
and the fallback while the database cannot be reached.

A caller that must not sleep long on one seller's budget (a worker holding a job: other sellers' jobs wait for
it) runs under :func:`bounded_wait`: a wait longer than that raises :class:`RateLimitWait` instead, before any
token is taken, and the caller comes back when the budget allows (``RateLimitWait.seconds``).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from hashlib import sha256
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RateLimit:
    """``requests`` per ``per_seconds``; the bucket holds ``requests`` tokens when full."""

    requests: int
    per_seconds: float = 60.0

    @property
    def per_second(self) -> float:
        return self.requests / self.per_seconds


#: Endpoint groups and their published limits (NOTES section 6, third-party copies of Walmart's table).
#: ``inventory_read`` and ``notifications`` are not in the table; their numbers are our assumption.
DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    "token": RateLimit(30),
    "orders_read": RateLimit(5000),
    "acknowledge": RateLimit(60),
    "ship": RateLimit(60),
    "cancel": RateLimit(60),
    "refund": RateLimit(60),
    "returns_read": RateLimit(50),
    "return_refund": RateLimit(60),
    "inventory_read": RateLimit(200),
    "inventory_update": RateLimit(200),
    "notifications": RateLimit(60),
}

#: Endpoint template -> group.
ENDPOINT_GROUPS: dict[str, str] = {
    "POST /v3/token": "token",
    "GET /v3/orders": "orders_read",
    "GET /v3/orders/released": "orders_read",
    "GET /v3/orders/{purchaseOrderId}": "orders_read",
    "POST /v3/orders/{purchaseOrderId}/acknowledge": "acknowledge",
    "POST /v3/orders/{purchaseOrderId}/shipping": "ship",
    "POST /v3/orders/{purchaseOrderId}/cancel": "cancel",
    "POST /v3/orders/{purchaseOrderId}/refund": "refund",
    "GET /v3/returns": "returns_read",
    "POST /v3/returns/{returnOrderId}/refund": "return_refund",
    "GET /v3/inventory": "inventory_read",
    "PUT /v3/inventory": "inventory_update",
    "POST /v3/webhooks/subscriptions": "notifications",
    "GET /v3/webhooks/subscriptions": "notifications",
    "DELETE /v3/webhooks/subscriptions/{subscriptionId}": "notifications",
}


def endpoint_group(endpoint: str) -> str:
    return ENDPOINT_GROUPS.get(endpoint, endpoint)


class RateLimitWait(Exception):
    """The seller's budget for this call frees up only in ``seconds``, longer than the caller may wait
    (:func:`bounded_wait`). Raised before the call: nothing was sent and no token taken."""

    def __init__(self, group: str, seconds: float) -> None:
        super().__init__(f"Walmart's {group} rate limit for this seller allows the next call in {seconds:.1f} s")
        self.group = group
        self.seconds = seconds


_max_wait: ContextVar[float | None] = ContextVar("walmart_rate_limit_max_wait", default=None)


@contextmanager
def bounded_wait(seconds: float) -> Iterator[None]:
    """Within this context (and the tasks started in it) no ``acquire`` sleeps longer than ``seconds``: a
    longer wait raises :class:`RateLimitWait`."""
    token = _max_wait.set(seconds)
    try:
        yield
    finally:
        _max_wait.reset(token)


def _check_wait(group: str, wait: float) -> None:
    limit = _max_wait.get()
    if limit is not None and wait > limit:
        raise RateLimitWait(group, wait)


def parse_replenishment_time(value: str, now: float | None = None) -> float | None:
    """Seconds from now until ``value`` (epoch ms, epoch s, ISO 8601 or HTTP date); None if unreadable."""
    now = time.time() if now is None else now
    text = value.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        epoch = number / 1000.0 if number > 1e11 else number
        return max(0.0, epoch - now)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds (delta seconds or HTTP date)."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        return parse_replenishment_time(text, now)


def read_limit_headers(headers: Mapping[str, str], wall_now: float) -> tuple[float | None, float | None, float | None]:
    """(``x-current-token-count``, seconds until ``x-next-replenishment-time``, ``Retry-After`` in seconds)
    of one answer, each None when absent or unreadable."""
    headers = {key.lower(): value for key, value in headers.items()}
    count_text = headers.get("x-current-token-count")
    replenish_text = headers.get("x-next-replenishment-time") or headers.get("x-next-replenish-time")
    retry_after = parse_retry_after(headers.get("retry-after"), wall_now)
    replenish_in = parse_replenishment_time(replenish_text, wall_now) if replenish_text else None
    count: float | None = None
    if count_text is not None:
        try:
            count = float(count_text)
        except ValueError:
            count = None
    return count, replenish_in, retry_after


def reserve_tokens(limit: RateLimit, skew_seconds: float) -> float:
    """Whole tokens a client keeps unspent against timing skew (see :class:`TokenBucket`): at least one
    (none with no skew allowed), never the whole bucket."""
    if skew_seconds <= 0:
        return 0.0
    wanted = max(1.0, float(round(limit.per_second * skew_seconds)))
    return max(0.0, min(wanted, float(limit.requests) - 1.0))


class TokenBucket:
    """A token bucket that a coroutine ``acquire()``s before each request.

    ``margin`` (< 1) keeps the local refill a little slower than Walmart's, so that over time the client
    never gets ahead of Walmart. ``skew_seconds`` covers what a rate margin cannot: a request is counted
    here when it leaves and at Walmart when it arrives, and the two moments differ by a latency that varies
    (connection set-up, a loaded CPU, clocks of two machines). If the first request of a burst arrives late
    and a later one early, Walmart's bucket has refilled less than ours. So the client keeps a reserve of
    whole tokens it never spends (at least one, ``skew_seconds`` worth of refill): the burst is that much
    smaller, the long-run rate is the same.
    """

    def __init__(
        self,
        limit: RateLimit,
        *,
        margin: float = 0.98,
        skew_seconds: float = 0.25,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        group: str = "",
    ) -> None:
        self.limit = limit
        self.group = group
        self.capacity = float(limit.requests)
        self.margin = margin
        self.reserve = reserve_tokens(limit, skew_seconds)
        self._monotonic = monotonic
        self._wall = wall
        self._tokens = self.capacity
        self._updated = monotonic()
        self._blocked_until = 0.0
        self._slowdown = 1.0
        self._lock = asyncio.Lock()
        self.throttled = 0

    @property
    def rate(self) -> float:
        """Tokens per second right now (slower after a 429)."""
        return self.limit.per_second * self.margin * self._slowdown

    @property
    def tokens(self) -> float:
        self._refill(self._monotonic())
        return self._tokens

    def _refill(self, now: float) -> None:
        if now > self._updated:
            start = max(self._updated, min(now, self._blocked_until))
            self._tokens = min(self.capacity, self._tokens + (now - start) * self.rate)
            self._updated = now

    def _wait_time(self, now: float) -> float:
        if now < self._blocked_until:
            return self._blocked_until - now
        needed = 1.0 + self.reserve
        if self._tokens >= needed:
            return 0.0
        return (needed - self._tokens) / self.rate

    def expected_wait(self) -> float:
        """Seconds until the next call may go (0: now)."""
        now = self._monotonic()
        self._refill(now)
        return max(0.0, self._wait_time(now))

    async def acquire(self) -> None:
        """Take one token, waiting until one is there (under :func:`bounded_wait`, at most that long)."""
        _check_wait(self.group, self.expected_wait())
        async with self._lock:
            while True:
                now = self._monotonic()
                self._refill(now)
                wait = self._wait_time(now)
                if wait <= 0:
                    self._tokens -= 1.0
                    return
                _check_wait(self.group, wait)
                await asyncio.sleep(wait)

    async def record(self, status: int | None, headers: Mapping[str, str]) -> float | None:
        """:meth:`observe` (the shared bucket's counterpart writes to the database)."""
        return self.observe(status, headers)

    def observe(self, status: int | None, headers: Mapping[str, str]) -> float | None:
        """Correct the bucket from one answer; returns the wait Walmart asked for, if any."""
        now = self._monotonic()
        self._refill(now)
        count, replenish_in, retry_after = read_limit_headers(headers, self._wall())
        if count is not None:
            # Walmart's count is after this request; ours may be lower still because of requests in
            # flight, so only ever lower the local count.
            self._tokens = min(self._tokens, count)
            if count < 1 and replenish_in is not None:
                self._blocked_until = max(self._blocked_until, now + replenish_in)
        if status == 429:
            self.throttled += 1
            self._tokens = 0.0
            self._slowdown = max(0.25, self._slowdown * 0.5)
            wait = max(replenish_in or 0.0, retry_after or 0.0, 1.0 / self.rate)
            self._blocked_until = max(self._blocked_until, now + wait)
            return wait
        if status is not None and status < 500 and self._slowdown < 1.0:
            self._slowdown = min(1.0, self._slowdown + 0.05)
        return retry_after

    def __repr__(self) -> str:
        return f"TokenBucket({self.limit.requests}/{self.limit.per_seconds:g}s, tokens={math.floor(self.tokens)})"


class Slot(Protocol):
    """A call's place in a shared bucket (``storage.rate_budgets.Slot``)."""

    @property
    def wait(self) -> float: ...
    @property
    def ahead(self) -> float: ...
    @property
    def slowdown(self) -> float: ...
    @property
    def taken(self) -> bool: ...


class SharedBudgets(Protocol):
    """Token buckets shared by every process of an installation (``storage.rate_budgets``)."""

    def take(
        self, account: str, endpoint: str, *, interval: float, tolerance: float, max_wait: float | None = None
    ) -> Slot: ...

    def push(
        self,
        account: str,
        endpoint: str,
        *,
        at_least_in: float,
        throttled: bool = False,
        recover: float = 0.0,
        slowest: float = 0.25,
    ) -> Slot | None: ...


class Bucket(Protocol):
    throttled: int

    def expected_wait(self) -> float: ...

    async def acquire(self) -> None: ...

    async def record(self, status: int | None, headers: Mapping[str, str]) -> float | None: ...


def seller_budget_key(base_url: str, client_id: str) -> str:
    """The key of a seller's shared budget: Walmart limits per seller account (its API client id, at one
    Walmart base URL), whichever store uses it. Hashed, so the table shows no credential."""
    digest = sha256(f"{base_url.rstrip('/')}|{client_id}".encode()).hexdigest()
    return f"walmart-{digest[:24]}"


class SharedTokenBucket:
    """One endpoint group's bucket of one seller, shared through :class:`SharedBudgets`: ``acquire`` takes
    the next slot (one atomic database update) and sleeps until it; ``record`` pushes the shared bucket out
    from Walmart's headers and 429s like :meth:`TokenBucket.observe` does locally, writing only when the
    answer says less than this process already knows. While the database cannot be reached the process
    falls back to its own in-process bucket."""

    def __init__(
        self,
        limit: RateLimit,
        budgets: SharedBudgets,
        account: str,
        group: str,
        *,
        margin: float = 0.98,
        skew_seconds: float = 0.25,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.capacity = float(limit.requests)
        self.account = account
        self.group = group
        self.interval = 1.0 / (limit.per_second * margin)
        self.reserve = reserve_tokens(limit, skew_seconds)
        #: The burst a full bucket allows, in seconds of refill (its capacity less one token and the reserve).
        self.tolerance = max(0.0, self.capacity - 1.0 - self.reserve) * self.interval
        self._budgets = budgets
        self._monotonic = monotonic
        self._wall = wall
        self._full_at = monotonic()  # where this process last saw the shared ``tat`` (its monotonic clock)
        self._slowdown = 1.0
        self._fallback = TokenBucket(
            limit, margin=margin, skew_seconds=skew_seconds, monotonic=monotonic, wall=wall, group=group
        )
        self._shared_down = False
        self.throttled = 0

    def _seen(self, slot: Slot | None) -> None:
        if slot is not None:
            self._full_at = max(self._full_at, self._monotonic() + slot.ahead)
            self._slowdown = slot.slowdown
        if self._shared_down:
            self._shared_down = False
            log.info("walmart.rate_budget_shared_again", account=self.account, endpoint=self.group)

    def _lost(self, error: Exception) -> None:
        if not self._shared_down:
            self._shared_down = True
            log.warning(
                "walmart.rate_budget_local", account=self.account, endpoint=self.group, error=type(error).__name__
            )

    def expected_wait(self) -> float:
        """Seconds until the next call may go, as this process last saw the shared bucket (another process's
        calls since then make it longer: :meth:`acquire` then says so under :func:`bounded_wait`)."""
        if self._shared_down:
            return self._fallback.expected_wait()
        return max(0.0, self._full_at - self._monotonic() - self.tolerance)

    async def acquire(self) -> None:
        max_wait = _max_wait.get()
        if max_wait is not None:
            _check_wait(self.group, self.expected_wait())
        try:
            slot = await asyncio.to_thread(
                self._budgets.take,
                self.account,
                self.group,
                interval=self.interval,
                tolerance=self.tolerance,
                max_wait=max_wait,
            )
        except Exception as error:  # the database is away: this process's own bucket meanwhile
            self._lost(error)
            await self._fallback.acquire()
            return
        self._seen(slot)
        if not slot.taken:
            raise RateLimitWait(self.group, slot.wait)
        if slot.wait > 0:
            await asyncio.sleep(slot.wait)

    async def record(self, status: int | None, headers: Mapping[str, str]) -> float | None:
        """Corrects the shared bucket from one answer; returns the wait Walmart asked for, if any."""
        self._fallback.observe(status, headers)
        count, replenish_in, retry_after = read_limit_headers(headers, self._wall())
        # The shared ``tat`` is a bucket state in the allowed rate's intervals (a call may go while
        # ``tat - now <= tolerance``); the slowdown only spaces the calls taken from it. So an empty bucket is
        # ``tat = now + tolerance``, and ``count`` tokens left are ``(capacity - count)`` intervals: never the
        # slowed interval here, or a 429 on a large bucket (5,000 reads a minute) would stall every read for
        # minutes.
        at_least_in: float | None = None
        if count is not None:
            at_least_in = (self.capacity - count) * self.interval
            if count < 1 and replenish_in is not None:
                at_least_in = max(at_least_in, replenish_in + self.tolerance)
        wait = retry_after
        throttled = status == 429
        if throttled:
            self.throttled += 1
            wait = max(replenish_in or 0.0, retry_after or 0.0, self.interval / self._slowdown)
            at_least_in = max(at_least_in or 0.0, wait + self.tolerance)
        recover = 0.05 if (status is not None and status < 500 and not throttled and self._slowdown < 1.0) else 0.0
        known = self._full_at - self._monotonic()
        if not throttled and not recover and (at_least_in is None or at_least_in <= known):
            return wait  # nothing the shared bucket does not already know
        try:
            slot = await asyncio.to_thread(
                self._budgets.push,
                self.account,
                self.group,
                at_least_in=max(0.0, at_least_in or 0.0),
                throttled=throttled,
                recover=recover,
            )
        except Exception as error:
            self._lost(error)
            return wait
        self._seen(slot)
        return wait

    def __repr__(self) -> str:
        return f"SharedTokenBucket({self.limit.requests}/{self.limit.per_seconds:g}s, {self.group})"


class RateLimiter:
    """Buckets per (account, endpoint group); share one limiter between clients of the same account.

    With ``shared`` (and ``shared_account``, the seller's key: :func:`seller_budget_key`) every process
    takes its calls from the same budget; without, the buckets live in this process."""

    def __init__(
        self,
        limits: Mapping[str, RateLimit] | None = None,
        *,
        enabled: bool = True,
        shared: SharedBudgets | None = None,
        shared_account: str | None = None,
    ) -> None:
        self.limits = dict(DEFAULT_RATE_LIMITS)
        if limits:
            self.limits.update(limits)
        self.enabled = enabled
        self.shared = shared
        self.shared_account = shared_account
        self._buckets: dict[tuple[str, str], Bucket] = {}

    def bucket(self, account: str, endpoint: str) -> Bucket | None:
        if not self.enabled:
            return None
        group = endpoint_group(endpoint)
        key = (account, group)
        bucket = self._buckets.get(key)
        if bucket is None:
            limit = self.limits.get(group)
            if limit is None:
                return None
            if self.shared is not None:
                bucket = SharedTokenBucket(limit, self.shared, self.shared_account or account, group)
            else:
                bucket = TokenBucket(limit, group=group)
            self._buckets[key] = bucket
        return bucket

    def expected_wait(self, account: str, endpoint: str) -> float:
        """Seconds until the seller's budget for ``endpoint`` allows the next call, as far as this process
        knows (0 without a limit)."""
        bucket = self.bucket(account, endpoint)
        return 0.0 if bucket is None else bucket.expected_wait()
