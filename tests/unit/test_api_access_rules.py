"""Roles, tokens, the failure limiter and the Orders page cursor, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from channel_manager.domain.access import Role, new_token, token_hash, token_hint
from channel_manager.domain.statuses import OrderStatus
from channel_manager.service.orders import InvalidCursor, decode_cursor, encode_cursor
from channel_manager.storage.orders import OrderSummary
from channel_manager.web.auth import FailureLimiter


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.OPERATOR) and Role.OPERATOR.allows(Role.VIEWER) and Role.VIEWER.allows(Role.METRICS)
    assert not Role.VIEWER.allows(Role.OPERATOR) and not Role.METRICS.allows(Role.VIEWER)
    assert Role.parse(" Operator ") is Role.OPERATOR
    with pytest.raises(ValueError, match="use one of: metrics, viewer, operator, admin"):
        Role.parse("root")


def test_tokens_are_random_and_only_their_hash_identifies_them() -> None:
    first, second = new_token(), new_token()
    assert first != second and first.startswith("cm_") and len(first) >= 43
    assert token_hash(first) != token_hash(second) and len(token_hash(first)) == 64
    assert first not in token_hash(first) and token_hint(first) == first[:7] + "..."


def test_failure_limiter_refuses_an_address_until_its_failures_leave_the_window() -> None:
    now = [1000.0]
    limiter = FailureLimiter(max_failures=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") is None
        limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 61
    assert limiter.retry_after("10.0.0.2") is None  # per address
    now[0] += 30
    assert limiter.retry_after("10.0.0.1") == 31
    now[0] += 31
    assert limiter.retry_after("10.0.0.1") is None


def _row(value: str, ship_by: datetime | None) -> OrderSummary:
    at = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)
    return OrderSummary(
        id=42, store_id=1, purchase_order_id="P1", customer_order_id="C1", commerce_order_id=None,
        commerce_increment_id=None, items_count=1, order_value=Decimal(value), currency="USD", ordered_at=at,
        ship_by=ship_by, deliver_by=None, ship_method="Value", last_update_at=None, status=OrderStatus.OPEN,
        status_details="",
    )  # fmt: skip


def test_cursor_round_trips_and_refuses_what_it_did_not_make() -> None:
    row = _row("12.50", None)
    assert decode_cursor(encode_cursor(row, "order_value", True), "order_value", True) == (Decimal("12.50"), 42)
    # No ship-by date: it sorts (and pages) by the order date.
    assert decode_cursor(encode_cursor(row, "ship_by", False), "ship_by", False) == (row.ordered_at, 42)
    cursor = encode_cursor(row, "ordered_at", True)
    for wrong in ("", "abc", "!!!", cursor + "x"):
        with pytest.raises(InvalidCursor):
            decode_cursor(wrong, "ordered_at", True)
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, "ordered_at", False)  # made for the other direction
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, "order_value", True)  # made for another sort
