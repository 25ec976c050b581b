"""Reconciliation's reads stay under Walmart's cap on one query's results (20,000, NOTES §2). Scaled down ten
times to stay fast on a shared machine (the sandbox's cap lowered to 2,000 and 5,000 POs over 14 days: the same
ratio as 50,000 POs under 20,000): read a day at a time (a window halved while it matches too many), page by
cursor, every PO once; one 14-day query is refused past the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channel_manager.walmart.errors import WalmartError
from channel_manager_sandboxes.walmart import WalmartSandboxSettings

from .conftest import SandboxUnderTest, make_settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def sandbox_settings() -> WalmartSandboxSettings:
    return make_settings(max_query_results=2_000)


async def test_a_fortnight_of_pos_past_the_cap_is_read_in_windows_under_it(walmart: SandboxUnderTest) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    created = walmart.control(
        "POST",
        "/_sandbox/sellers/seller-1/orders",
        json={
            "count": 5_000,
            "lines_per_order": 1,
            "quantity_per_line": 1,
            "order_date": now.isoformat(),
            "spread_minutes": 14 * 24 * 60 - 5,
        },
    )
    assert created["count"] == 5_000
    start = now - timedelta(days=14)
    async with walmart.client() as client:
        with pytest.raises(WalmartError, match="maximum of 2000 orders"):  # one 14-day query is past the cap
            async for _ in client.iter_order_pages(created_start_date=start, limit=200):
                pass
        walmart.attempts.clear()
        seen: list[str] = []
        async for page in client.iter_order_pages_in_windows(
            start, now + timedelta(seconds=1), limit=200, max_results=300
        ):
            seen.extend(order.purchase_order_id for order in page.orders)
    assert len(seen) == len(set(seen)) == 5_000
    assert set(seen) == set(created["purchase_order_ids"])
    assert all(a.http_status in (200, 404) for a in walmart.attempts if a.endpoint == "GET /v3/orders")  # 404: no PO
    # days of ~360 POs were halved to stay under the 300 asked for: more queries than the 15 day windows
    assert len({a.path.split("&limit")[0] for a in walmart.attempts if "createdEndDate" in a.path}) > 15
