"""The process's own Prometheus metrics (prometheus_client): every call made to Walmart and Commerce.

Counted where attempts are recorded, so every client call of this process is seen once. What the database
knows (jobs, backlog, failures, orders) is read when ``/metrics`` is scraped (``web/metrics.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

API_REQUESTS = Counter(
    "channel_manager_api_requests",
    "Calls made to Walmart or Commerce, by side, endpoint (route template) and outcome.",
    ["side", "endpoint", "outcome"],
    registry=REGISTRY,
)
API_LATENCY = Histogram(
    "channel_manager_api_request_duration_seconds",
    "Duration of calls made to Walmart or Commerce, by side and endpoint.",
    ["side", "endpoint"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)


class _Attempt(Protocol):
    @property
    def side(self) -> object: ...
    @property
    def endpoint(self) -> str: ...
    @property
    def http_status(self) -> int | None: ...
    @property
    def duration_ms(self) -> int: ...


def outcome(http_status: int | None) -> str:
    """``ok`` (2xx/3xx), ``client_error`` (4xx, 429 included), ``server_error`` (5xx) or ``no_answer``."""
    if http_status is None:
        return "no_answer"
    if http_status >= 500:
        return "server_error"
    return "client_error" if http_status >= 400 else "ok"


def observe_attempts(attempts: Iterable[_Attempt]) -> None:
    for attempt in attempts:
        side = str(getattr(attempt.side, "value", attempt.side))
        API_REQUESTS.labels(side, attempt.endpoint, outcome(attempt.http_status)).inc()
        API_LATENCY.labels(side, attempt.endpoint).observe(max(0, attempt.duration_ms) / 1000)
