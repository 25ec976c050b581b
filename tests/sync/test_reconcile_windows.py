"""The reconciliation poller reads a fortnight of POs a day at a time, so a seller with more POs than one Walmart
query may return (the sandbox's ``max_query_results``, lowered here to keep the test small) is reconciled in
full, with no query refused; one 14-day query would be."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from channel_manager.sync import pollers
from channel_manager.walmart.errors import WalmartError

from .conftest import World

pytestmark = pytest.mark.anyio

CAP = 40
POS = 300  # ~21 a day over 14 days: every day under the cap, the fortnight far past it


def _fortnight_of_pos(world: World, now: datetime) -> list[str]:
    """The sandbox's cap lowered, and POS POs over 14 days made in one control call."""
    base = world.servers.walmart_url
    httpx.put(f"{base}/_sandbox/settings", json={"max_query_results": CAP}, timeout=10).raise_for_status()
    spec = {"count": POS, "order_date": now.isoformat(), "spread_minutes": 14 * 24 * 60 - 5, "ship_in_days": 30}
    created = httpx.post(f"{base}/_sandbox/sellers/seller-1/orders", json=spec, timeout=30)
    created.raise_for_status()
    return list(created.json()["purchase_order_ids"])


async def test_reconciliation_takes_in_a_fortnight_past_the_cap_without_a_refused_query(world: World) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    created = _fortnight_of_pos(world, now)
    link = await world.context.store(world.store_id)
    with pytest.raises(WalmartError, match=f"maximum of {CAP} orders"):
        async for _ in link.walmart.iter_order_pages(created_start_date=now - pollers.RECONCILE_LOOKBACK):
            pass

    def refused() -> int:  # the sandbox counts its 4xx answers; a 404 only says a window has no PO
        return sum(n for key, n in world.walmart_counters()["rejected"].items() if key.startswith("400 "))

    assert refused() == 1  # that one query

    result = await pollers.reconcile_walmart_orders(world.context, link)

    assert refused() == 1  # no query of the reconciliation was refused

    assert (result.seen, result.new) == (POS, POS)
    with world.database.unit_of_work(read_only=True) as uow:
        known = {o.purchase_order_id for o in uow.orders.list(world.store_id, limit=POS + 1)}
    assert known == set(created)
    calls = world.walmart_counters()["calls"]
    assert calls.get("GET /v3/orders", 0) >= 14
