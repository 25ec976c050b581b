"""One record per HTTP attempt against Commerce, for the merchant's sync-attempt history.

Never holds a token, a signature or a body: only what was called and how it ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CommerceAttempt:
    started_at: datetime
    """UTC start of the attempt."""
    method: str
    endpoint: str
    """Route template, e.g. ``"POST /V1/order/{orderId}/ship"``."""
    path: str
    """The path actually called (store-code prefix included, no query string)."""
    http_status: int | None
    """``None`` when no answer came (timeout, connection error)."""
    error: str | None
    duration_ms: float
    order_id: int | None = None
    """The Commerce order ``entity_id`` when the call concerns one."""

    @property
    def ok(self) -> bool:
        return self.error is None


AttemptCallback = Callable[[CommerceAttempt], None]
