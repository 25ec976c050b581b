"""The record of one HTTP attempt against Walmart, handed to the client's ``on_attempt`` callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WalmartAttempt:
    """One HTTP attempt (token calls and retries included). Never holds a secret or a token."""

    started_at: datetime
    method: str
    endpoint: str
    """The endpoint template, e.g. ``"POST /v3/orders/{purchaseOrderId}/shipping"``."""
    path: str
    """The path actually called, with its query string."""
    correlation_id: str
    http_status: int | None
    """``None`` when no answer came (timeout, connection error)."""
    error_code: str | None
    error_description: str | None
    duration_ms: float
    purchase_order_id: str | None = None
    account: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


AttemptCallback = Callable[[WalmartAttempt], object]
