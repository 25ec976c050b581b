"""The load of the multi-seller benchmark: every seller gets a full bucket's worth of orders at once and then
orders at ``overload`` times its allowed acknowledgement rate, so each one always has more orders than its limit
lets through; the merchant ships every order in Commerce as soon as it is in; the connector's database is read
for completion times (stamped by the connector when Walmart or Commerce answered)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa

from channel_manager.commerce.auth import BearerToken
from channel_manager.commerce.client import CommerceClient
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from driver import INTAKE_SQL, _epoch
from seller_world import Seller

STORE_OF_PO_SQL = sa.text("SELECT purchase_order_id, store_id FROM purchase_orders")
SHIPMENTS_SQL = sa.text(
    "SELECT po.purchase_order_id, s.first_synced_at FROM shipments s JOIN purchase_orders po ON po.id = s.order_id"
)


@dataclass
class PoTimes:
    seller: int
    ordered_at: float | None = None
    acknowledged_at: float | None = None
    intake_done_at: float | None = None  # acknowledged and the Commerce order created, the later of both
    commerce_order_id: int | None = None
    ship_requested_at: float | None = None
    ship_synced_at: float | None = None


@dataclass
class SellerLoad:
    engine: sa.Engine
    walmart_url: str
    commerce_url: str
    sellers: list[Seller]
    per_minute: int
    overload: float = 1.25
    pos: dict[str, PoTimes] = field(default_factory=dict)
    generated: Counter[int] = field(default_factory=Counter)
    ship_errors: list[str] = field(default_factory=list)
    observer_transactions: int = 0  # the benchmark's own reads, left out of the connector's round trips

    def __post_init__(self) -> None:
        self._http = httpx.AsyncClient(timeout=30)
        self._merchant = CommerceClient(self.commerce_url, BearerToken(DEFAULT_TOKEN), timeout=30)
        self._slots = asyncio.Semaphore(8)
        self._shipping: set[asyncio.Task[None]] = set()
        self._po_seller: dict[str, int] = {}

    async def aclose(self) -> None:
        await asyncio.gather(*self._shipping, return_exceptions=True)
        await self._http.aclose()
        await self._merchant.aclose()

    # ---------------------------------------------------------------- Walmart customers

    def offered_by(self, seconds: float) -> int:
        """Orders each seller has been offered ``seconds`` into the run: a full bucket, then overload x rate."""
        return self.per_minute + int(self.overload * self.per_minute / 60.0 * seconds)

    async def generate(self, started: float, until: float) -> None:
        while True:
            now = time.monotonic()
            due = self.offered_by(min(now, until) - started)
            wanted = [(s, due - self.generated[s.number]) for s in self.sellers if due > self.generated[s.number]]
            await asyncio.gather(*(self._generate(seller, count) for seller, count in wanted))
            if now >= until:
                return
            await asyncio.sleep(1.0)

    async def _generate(self, seller: Seller, count: int) -> None:
        async with self._slots:
            response = await self._http.post(
                f"{self.walmart_url}/_sandbox/sellers/{seller.seller_id}/orders",
                json={"count": count, "lines_per_order": [1, 2], "quantity_per_line": [1, 2]},
            )
        response.raise_for_status()
        self.generated[seller.number] += count
        for po in response.json()["purchase_order_ids"]:
            self._po_seller[str(po)] = seller.number

    # ---------------------------------------------------------------- observing the connector, the merchant

    def _read(self) -> tuple[list[Any], list[Any]]:
        with self.engine.connect() as connection:
            rows = list(connection.execute(INTAKE_SQL)), list(connection.execute(SHIPMENTS_SQL))
        self.observer_transactions += 1
        return rows

    async def observe(self, *, ship: bool) -> None:
        intake_rows, shipment_rows = await asyncio.to_thread(self._read)
        for po, ordered_at, acknowledged_at, commerce_order_id, created_at in intake_rows:
            times = self.pos.get(po)
            if times is None:
                times = self.pos[po] = PoTimes(self._po_seller.get(po, 0), _epoch(ordered_at))
            if times.acknowledged_at is None:
                times.acknowledged_at = _epoch(acknowledged_at)
            if times.intake_done_at is None and acknowledged_at is not None and created_at is not None:
                times.intake_done_at = max(_epoch(acknowledged_at) or 0.0, _epoch(created_at) or 0.0)
                times.commerce_order_id = commerce_order_id
                if ship:
                    task = asyncio.create_task(self._ship(po, times))
                    self._shipping.add(task)
                    task.add_done_callback(self._shipping.discard)
        for po, first_synced_at in shipment_rows:
            times = self.pos.get(po)
            if times is not None and times.ship_synced_at is None and first_synced_at is not None:
                times.ship_synced_at = _epoch(first_synced_at)

    async def _ship(self, po: str, times: PoTimes) -> None:
        assert times.commerce_order_id is not None
        async with self._slots:
            times.ship_requested_at = time.time()
            try:
                await self._merchant.ship_order(
                    int(times.commerce_order_id), (), [("ups", "UPS", f"1Z{po[-12:]:0>16}")]
                )
            except Exception as error:  # counted; the order shows as not shipped
                times.ship_requested_at = None
                self.ship_errors.append(f"{po}: {error}")

    def shipping_done(self) -> bool:
        requested = [t for t in self.pos.values() if t.ship_requested_at is not None]
        return not self._shipping and all(t.ship_synced_at is not None for t in requested)

    # ---------------------------------------------------------------- what each side holds at the end

    async def walmart_truth(self) -> dict[str, int]:
        """Per PO read back from the Walmart sandbox: acknowledged, shipped (every line fully Shipped)."""
        acknowledged = shipped = 0
        for seller in self.sellers:
            response = await self._http.get(f"{self.walmart_url}/_sandbox/sellers/{seller.seller_id}/truth")
            response.raise_for_status()
            for truth in response.json()["orders"].values():
                lines = truth["lines"].values()
                if all(line["by_status"].get("Created", 0) == 0 for line in lines):
                    acknowledged += 1
                if all(line["by_status"].get("Shipped", 0) == line["quantity"] for line in lines):
                    shipped += 1
        return {"walmart_acknowledged": acknowledged, "walmart_shipped": shipped}
