"""The load: Walmart orders at a steady rate (or in one burst), a merchant who ships each order in Commerce
as soon as it is there, and an observer that reads the connector's database for completion times."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa

from channel_manager.commerce.auth import BearerToken
from channel_manager.commerce.client import CommerceClient
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

SELLER = "seller-1"

INTAKE_SQL = sa.text(
    """
    SELECT po.purchase_order_id, po.ordered_at, po.acknowledged_at, po.commerce_order_id, ev.at AS created_at
    FROM purchase_orders po
    LEFT JOIN order_events ev ON ev.order_id = po.id AND ev.kind = 'commerce_order_created'
    """
)
SHIPMENTS_SQL = sa.text(
    "SELECT po.purchase_order_id, s.commerce_shipment_id, s.first_synced_at FROM shipments s "
    "JOIN purchase_orders po ON po.id = s.order_id"
)


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value)).timestamp()


@dataclass
class OrderTimes:
    ordered_at: float | None = None  # Walmart's orderDate (the sandbox's clock: this machine's clock)
    intake_done_at: float | None = None  # Commerce order created and PO acknowledged (the later of both)
    commerce_order_id: int | None = None
    ship_requested_at: float | None = None  # the merchant sent "create shipment" to Commerce
    ship_synced_at: float | None = None  # Walmart answered 200 to the ship call


@dataclass
class Observation:
    orders: dict[str, OrderTimes] = field(default_factory=dict)

    def intake_latencies(self) -> list[float]:
        return sorted(
            t.intake_done_at - t.ordered_at
            for t in self.orders.values()
            if t.intake_done_at is not None and t.ordered_at is not None
        )

    def ship_latencies(self) -> list[float]:
        return sorted(
            t.ship_synced_at - t.ship_requested_at
            for t in self.orders.values()
            if t.ship_synced_at is not None and t.ship_requested_at is not None
        )


class Driver:
    def __init__(self, engine: sa.Engine, walmart_url: str, commerce_url: str, *, ship: bool = True) -> None:
        self.engine = engine
        self.walmart_url = walmart_url
        self.commerce_url = commerce_url
        self.ship = ship
        self.generated: list[str] = []
        self.observation = Observation()
        self._http = httpx.AsyncClient(timeout=30)
        self._merchant = CommerceClient(commerce_url, BearerToken(DEFAULT_TOKEN), timeout=30)
        self._ship_slots = asyncio.Semaphore(8)
        self._shipping: set[asyncio.Task[None]] = set()
        self.ship_errors: list[str] = []

    async def aclose(self) -> None:
        await asyncio.gather(*self._shipping, return_exceptions=True)
        await self._http.aclose()
        await self._merchant.aclose()

    # ---------------------------------------------------------------- Walmart customers

    async def generate(self, count: int, rate: float | None) -> None:
        """``count`` orders, ``rate`` per second (None: all at once, in chunks of 200)."""
        if rate is None:
            left = count
            while left:
                chunk = min(200, left)
                await self._generate(chunk)
                left -= chunk
            return
        start = time.monotonic()
        for index in range(count):
            due = start + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._generate(1)

    async def _generate(self, count: int) -> None:
        response = await self._http.post(
            f"{self.walmart_url}/_sandbox/sellers/{SELLER}/orders",
            json={"count": count, "lines_per_order": [1, 2], "quantity_per_line": [1, 2]},
        )
        response.raise_for_status()
        self.generated.extend(str(po) for po in response.json()["purchase_order_ids"])

    # ---------------------------------------------------------------- observing the connector

    def _read(self) -> tuple[list[Any], list[Any]]:
        with self.engine.connect() as connection:
            return list(connection.execute(INTAKE_SQL)), list(connection.execute(SHIPMENTS_SQL))

    async def observe_once(self) -> list[str]:
        """Updates completion times; returns the POs that just finished intake."""
        intake_rows, shipment_rows = await asyncio.to_thread(self._read)
        now = time.time()
        finished: list[str] = []
        for po, ordered_at, acknowledged_at, commerce_order_id, created_at in intake_rows:
            times = self.observation.orders.setdefault(po, OrderTimes())
            times.ordered_at = _epoch(ordered_at)
            if times.intake_done_at is None and acknowledged_at is not None and created_at is not None:
                times.intake_done_at = max(_epoch(acknowledged_at) or now, _epoch(created_at) or now)
                times.commerce_order_id = commerce_order_id
                finished.append(po)
        for po, _, first_synced_at in shipment_rows:
            times = self.observation.orders.setdefault(po, OrderTimes())
            if times.ship_synced_at is None and first_synced_at is not None:
                times.ship_synced_at = _epoch(first_synced_at)
        return finished

    def complete(self, *, shipped: bool) -> bool:
        orders = self.observation.orders
        if len(orders) < len(self.generated) or not self.generated:
            return False
        for po in self.generated:
            times = orders.get(po)
            if times is None or times.intake_done_at is None:
                return False
            if shipped and times.ship_synced_at is None:
                return False
        return True

    async def run_until_complete(self, within: float, *, generating: asyncio.Task[None] | None = None) -> bool:
        """Observes every 100 ms (shipping each order once its intake is done) until every generated order is
        in (and shipped, when shipping) or ``within`` seconds pass."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            finished = await self.observe_once()
            if self.ship and finished:
                self._ship_all(finished)
            if (generating is None or generating.done()) and self.complete(shipped=self.ship):
                return True
            await asyncio.sleep(0.1)
        return False

    # ---------------------------------------------------------------- the merchant in Commerce

    def _ship_all(self, purchase_order_ids: list[str]) -> None:
        for po in purchase_order_ids:
            task = asyncio.create_task(self._ship(po))
            self._shipping.add(task)
            task.add_done_callback(self._shipping.discard)

    async def ship_now(self, purchase_order_ids: list[str]) -> None:
        await asyncio.gather(*(self._ship(po) for po in purchase_order_ids))

    async def _ship(self, po: str) -> None:
        times = self.observation.orders[po]
        assert times.commerce_order_id is not None
        async with self._ship_slots:
            times.ship_requested_at = time.time()
            try:
                await self._merchant.ship_order(
                    int(times.commerce_order_id), (), [("ups", "UPS", f"1Z{po[-12:]:0>16}")]
                )
            except Exception as error:  # counted, and the order shows as not shipped
                times.ship_requested_at = None
                self.ship_errors.append(f"{po}: {error}")

    # ---------------------------------------------------------------- Walmart's side of the story

    async def walmart_truth_check(self) -> dict[str, int]:
        """Reads every PO back from the Walmart sandbox: lines not fully shipped (lost updates), leaving out the
        POs whose shipment the load generator itself failed to create in Commerce."""
        slots = asyncio.Semaphore(16)
        not_shipped = missing = 0

        async def one(po: str) -> None:
            nonlocal not_shipped, missing
            async with slots:
                response = await self._http.get(f"{self.walmart_url}/_sandbox/orders/{po}")
            if response.status_code != 200:
                missing += 1
                return
            for line in response.json()["lines"].values():
                if line["by_status"].get("Shipped", 0) != line["quantity"]:
                    not_shipped += 1

        never_shipped = {error.split(":", 1)[0] for error in self.ship_errors}  # the merchant's own failures
        await asyncio.gather(*(one(po) for po in self.generated if po not in never_shipped))
        return {"lines_not_shipped_at_walmart": not_shipped, "orders_missing_at_walmart": missing}
