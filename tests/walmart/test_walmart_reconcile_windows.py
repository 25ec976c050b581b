"""Reconciliation's reads stay under Walmart's cap on one query's results (20,000, NOTES §2): 50,000 POs over 14
days, built in the sandbox in one control call, are read a day at a time (a window halved while it matches too
many), page by cursor, every PO once; one 14-day query is refused past the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channel_manager.walmart.client import MAX_QUERY_RESULTS
from channel_manager.walmart.errors import WalmartError
from channel_manager_sandboxes.walmart import WalmartSandboxSettings
from channel_manager_sandboxes.walmart.contract import MAX_QUERY_RESULTS as SANDBOX_CAP

from .conftest import SandboxUnderTest, make_settings

pytestmark = pytest.mark.anyio

POS = 50_000


@pytest.fixture
def sandbox_settings() -> WalmartSandboxSettings:
    return make_settings()  # the documented cap, as the sandbox enforces it by default


def _create(walmart: SandboxUnderTest, now: datetime, count: int) -> list[str]:
    created = walmart.control(
        "POST",
        "/_sandbox/sellers/seller-1/orders",
        json={
            "count": count,
            "lines_per_order": 1,
            "quantity_per_line": 1,
            "order_date": now.isoformat(),
            "spread_minutes": 14 * 24 * 60 - 5,
            "ship_in_days": 30,  # none is auto-cancelled while the test reads (that is another test's subject)
        },
    )
    assert created["count"] == count
    return list(created["purchase_order_ids"])


async def test_50000_pos_over_a_fortnight_are_read_in_windows_under_the_cap(walmart: SandboxUnderTest) -> None:
    assert SANDBOX_CAP == 20_000 and MAX_QUERY_RESULTS <= SANDBOX_CAP  # the client cuts under the smallest cap
    now = datetime.now(UTC).replace(microsecond=0)
    created = _create(walmart, now, POS)
    start = now - timedelta(days=14)
    async with walmart.client() as client:
        with pytest.raises(WalmartError, match="maximum of 20000 orders"):  # one 14-day query is past the cap
            async for _ in client.iter_order_pages(created_start_date=start, limit=200):
                pass
        walmart.attempts.clear()
        seen: list[str] = []
        async for page in client.iter_order_pages_in_windows(start, now, limit=200):
            assert (page.total_count or 0) <= SANDBOX_CAP
            seen.extend(order.purchase_order_id for order in page.orders)
    assert len(seen) == len(set(seen)) == POS
    assert set(seen) == set(created)
    reads = [a for a in walmart.attempts if a.endpoint == "GET /v3/orders"]
    assert all(a.http_status == 200 for a in reads)
    assert len({a.path.split("&limit")[0] for a in reads if "hasMoreElements" not in a.path}) == 14  # a day each


async def test_a_window_matching_too_many_is_halved(walmart: SandboxUnderTest) -> None:
    """A busy day (more POs than one query may return) is read in halves, each under the cap, whether the
    first page says so (``totalCount``) or Walmart refuses the query outright."""
    walmart.control("PUT", "/_sandbox/settings", json={"max_query_results": 100})
    now = datetime.now(UTC).replace(microsecond=0)
    created = _create(walmart, now, 2_000)  # ~143 a day
    async with walmart.client() as client:
        for limit, refused in ((50, False), (200, True)):  # 200 > the cap: Walmart refuses the day's first page
            walmart.attempts.clear()
            seen = [
                order.purchase_order_id
                async for page in client.iter_order_pages_in_windows(
                    now - timedelta(days=14), now, limit=limit, max_results=100
                )
                for order in page.orders
            ]
            assert len(seen) == len(set(seen)) == 2_000 and set(seen) == set(created)
            reads = [a for a in walmart.attempts if a.endpoint == "GET /v3/orders"]
            assert {a.http_status for a in reads} == ({200, 400} if refused else {200})
            assert len({a.path.split("&limit")[0] for a in reads if "hasMoreElements" not in a.path}) > 2 * 14
