"""Walmart's per-seller write limits scaled down for the multi-seller benchmark: the same table for the Walmart
sandbox (``bench/walmart_sandbox.py``) and the connector's client (``bench/connector.py --writes-per-minute``).

At Walmart acknowledgements and shipments are 60 a minute per seller; a hundred sellers at that rate are 100 full
lifecycles a second, more than two shared cores can carry. Scaling every seller's write limits down keeps the
shape (a bucket of one minute's refill that starts full) at a rate the machine can serve."""

from __future__ import annotations

#: The endpoint groups Walmart limits to 60 a minute per seller (NOTES section 6): the order writes.
WRITE_GROUPS = ("acknowledge", "ship", "cancel", "refund", "return_refund")


def scaled_write_limits(per_minute: int, limit_type: type) -> dict[str, object]:
    """``limit_type`` is the sandbox's or the client's ``RateLimit``: ``per_minute`` per 60 s, same bucket."""
    if per_minute < 1:
        raise SystemExit("--writes-per-minute must be at least 1")
    return {group: limit_type(per_minute, 60.0) for group in WRITE_GROUPS}
