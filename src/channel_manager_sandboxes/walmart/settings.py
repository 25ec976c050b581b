"""Settings of one Walmart sandbox instance."""

from __future__ import annotations

from dataclasses import dataclass, field

from channel_manager_sandboxes.walmart.contract import LOOKBACK_DAYS, MAX_QUERY_RESULTS, RATE_LIMITS, RateLimit

DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_SELLER_ID = "seller-1"


@dataclass
class WalmartSandboxSettings:
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    seller_id: str = DEFAULT_SELLER_ID
    token_lifetime: int = 900
    rate_limits: bool = True
    limits: dict[str, RateLimit] = field(default_factory=lambda: dict(RATE_LIMITS))
    require_acknowledgement: bool = True
    """Ship needs the lines acknowledged first (Walmart's docs require it; enforcement unconfirmed)."""
    auto_cancel_days: int = 4
    partial_update_hours: int = 4
    lookback_days: int = LOOKBACK_DAYS
    max_query_results: int = MAX_QUERY_RESULTS
    """One order query serves at most this many results; a page past them is an error (NOTES.md section 2)."""
    delivery_retries: int = 3
    delivery_backoff: float = 0.2
    delivery_timeout: float = 5.0
    seed: int = 7
