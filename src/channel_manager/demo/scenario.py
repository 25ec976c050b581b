"""What happens in the demo: Walmart customers order, a merchant works in Commerce, and things go wrong.

The merchant only does what a real one does in Commerce's admin (ship, ship in parts, cancel with a reason
in a comment, refund a return by credit memo); channel-manager has to notice and tell Walmart.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import itertools
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

import httpx

from ..commerce.client import CommerceClient
from ..commerce.errors import CommerceCancelRefusedError
from ..domain.orders import PurchaseOrder
from ..domain.reasons import CANCELLATION_REASON_LABELS, CancellationReason
from ..logs import get_logger
from ..storage.unit_of_work import Database
from .environment import DEMO_SELLER, Sandboxes

log = get_logger("channel_manager.demo")


class Plan(StrEnum):
    """What the merchant will do with an order."""

    SHIP = "ship"
    SPLIT = "ship in 2 parcels"
    CANCEL = "cancel"
    SPLIT_CANCEL = "ship part, cancel rest"
    RETURN = "ship, return, refund"


#: The merchant's plans in turn: mostly shipping, some cancels, some returns.
PLAN_CYCLE = (Plan.SHIP, Plan.CANCEL, Plan.SPLIT, Plan.SHIP, Plan.SPLIT_CANCEL, Plan.RETURN, Plan.SHIP, Plan.SPLIT)
CARRIERS = (("ups", "UPS", "1Z{n:016d}"), ("fedex", "FedEx", "7489{n:08d}"), ("usps", "USPS", "9400{n:018d}"))
SELLER_REASONS = [
    r for r in CancellationReason if r.is_seller_reason and r is not CancellationReason.CUSTOMER_REQUESTED
]


def returns_supported() -> bool:
    """Returns and refunds need the engine's returns support (``service/returns.py``)."""
    return importlib.util.find_spec("channel_manager.service.returns") is not None


@dataclass
class DemoOrder:
    purchase_order_id: str
    plan: Plan
    created_at: float  # epoch seconds, just before Walmart had it
    step: int = 0  # how far the merchant got with the plan
    next_step_at: float = 0.0
    done: bool = False
    #: Commerce shipment id -> epoch seconds when the merchant created it.
    shipments: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Pace:
    """How fast things happen."""

    order_every: float = 2.0  # seconds between new Walmart orders
    think: tuple[float, float] = (1.5, 4.0)  # merchant's delay before acting on an order
    second_parcel_after: float = 4.0
    fault_every: float = 15.0
    first_fault_after: float = 10.0
    commerce_outage: float = 6.0


class Scenario:
    """Generates orders, acts as the merchant and injects faults until ``stop`` (or ``quiet``) is set."""

    def __init__(
        self,
        database: Database,
        store_id: int,
        sandboxes: Sandboxes,
        merchant: CommerceClient,
        *,
        max_orders: int | None = None,
        pace: Pace | None = None,
        seed: int = 42,
    ) -> None:
        self.database = database
        self.store_id = store_id
        self.sandboxes = sandboxes
        self.merchant = merchant
        self.max_orders = max_orders
        self.pace = pace or Pace()
        self.rng = random.Random(seed)
        self.orders: dict[str, DemoOrder] = {}
        self.events: deque[tuple[float, str]] = deque(maxlen=8)
        self.faults_injected = 0
        self.with_returns = returns_supported()
        self._tracking = itertools.count(1)
        self._http = httpx.AsyncClient(timeout=10)
        self._faults = itertools.cycle(self._fault_kinds())
        self._background: set[asyncio.Task[None]] = set()

    def note(self, text: str) -> None:
        self.events.append((time.time(), text))
        log.info("demo_event", what=text)

    async def aclose(self) -> None:
        await self.clear_faults()
        await self._http.aclose()

    # ---------------------------------------------------------------- the loop

    async def run(self, winding_down: asyncio.Event, stop: asyncio.Event) -> None:
        """New orders and faults until ``winding_down``; the merchant keeps working until ``stop``."""
        started = time.monotonic()
        next_order = started
        next_fault = started + self.pace.first_fault_after
        while not stop.is_set():
            now = time.monotonic()
            if not winding_down.is_set():
                if now >= next_order and (self.max_orders is None or len(self.orders) < self.max_orders):
                    await self._guard("new Walmart order", self.new_order())
                    next_order = now + self.pace.order_every
                if now >= next_fault:
                    await self._guard("fault injection", next(self._faults)())
                    next_fault = now + self.pace.fault_every
            await self.merchant_steps()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.25)

    def all_done(self) -> bool:
        return all(o.done for o in self.orders.values())

    async def _guard(self, what: str, step: Awaitable[object]) -> None:
        try:
            await step
        except (httpx.HTTPError, OSError) as error:
            self.note(f"{what} failed ({error}); trying again later")

    # ---------------------------------------------------------------- Walmart customers

    async def new_order(self) -> str:
        plan = PLAN_CYCLE[len(self.orders) % len(PLAN_CYCLE)]
        if plan is Plan.RETURN and not self.with_returns:
            plan = Plan.SHIP
        created = time.time()
        response = await self._http.post(
            f"{self.sandboxes.walmart_url}/_sandbox/sellers/{DEMO_SELLER}/orders",
            json={"count": 1, "lines_per_order": [1, 3], "quantity_per_line": [1, 3]},
        )
        response.raise_for_status()
        po = str(response.json()["purchase_order_ids"][0])
        self.orders[po] = DemoOrder(po, plan, created)
        return po

    # ---------------------------------------------------------------- the merchant in Commerce

    async def merchant_steps(self) -> None:
        now = time.time()
        waiting = [o for o in self.orders.values() if not o.done and o.next_step_at <= now]
        if not waiting:
            return
        linked = await asyncio.to_thread(self._load, [o.purchase_order_id for o in waiting])
        for demo_order in waiting:
            order = linked.get(demo_order.purchase_order_id)
            if order is None or order.commerce_order_id is None:
                continue  # not in Commerce yet
            if demo_order.step == 0 and demo_order.next_step_at == 0.0:
                demo_order.next_step_at = now + self.rng.uniform(*self.pace.think)  # the merchant gets to it
                continue
            try:
                await self._step(demo_order, order)
            except Exception as error:  # Commerce down, or a rule: the merchant tries again a bit later
                demo_order.next_step_at = time.time() + 2.0
                self.note(f"merchant could not work on PO {demo_order.purchase_order_id}: {_short(error)}")

    def _load(self, purchase_order_ids: list[str]) -> dict[str, PurchaseOrder]:
        found: dict[str, PurchaseOrder] = {}
        with self.database.unit_of_work(read_only=True) as uow:
            for po in purchase_order_ids:
                order = uow.orders.get(self.store_id, po)
                if order is not None:
                    found[po] = order
        return found

    async def _step(self, demo: DemoOrder, order: PurchaseOrder) -> None:
        assert order.commerce_order_id is not None
        commerce = await self.merchant.get_order(order.commerce_order_id)
        to_ship = {item.item_id: int(item.qty_to_ship) for item in commerce.items if item.qty_to_ship >= 1}
        plan = demo.plan
        if plan in (Plan.SPLIT, Plan.SPLIT_CANCEL) and demo.step == 0 and sum(to_ship.values()) < 2:
            plan = demo.plan = Plan.SHIP if plan is Plan.SPLIT else Plan.CANCEL
        if demo.step == 0:
            if plan is Plan.CANCEL:
                await self._cancel_rest(order, to_ship, whole=True)
                demo.done = True
                return
            half = plan in (Plan.SPLIT, Plan.SPLIT_CANCEL)
            await self._ship(demo, order, _half(to_ship) if half else to_ship)
            demo.done = plan is Plan.SHIP
            demo.step = 1
            demo.next_step_at = time.time() + self.pace.second_parcel_after
        elif plan is Plan.SPLIT:
            await self._ship(demo, order, to_ship)
            demo.done = True
        elif plan is Plan.SPLIT_CANCEL:
            await self._cancel_rest(order, to_ship, whole=False)
            demo.done = True
        elif plan is Plan.RETURN:
            await self._return_and_refund(demo, order)

    async def _ship(self, demo: DemoOrder, order: PurchaseOrder, items: dict[int, int]) -> None:
        assert order.commerce_order_id is not None
        n = next(self._tracking)
        code, title, pattern = CARRIERS[n % len(CARRIERS)]
        shipment_id = await self.merchant.ship_order(
            order.commerce_order_id,
            [(item, float(q)) for item, q in items.items()],
            [(code, title, pattern.format(n=n))],
            increment_id=order.commerce_increment_id,
        )
        demo.shipments[shipment_id] = time.time()
        units = sum(items.values())
        what = "everything" if units == order.ordered_quantity else f"{units} of {order.ordered_quantity} units"
        self.note(f"merchant shipped {what} of Commerce order {order.commerce_increment_id} with {title}")

    async def _cancel_rest(self, order: PurchaseOrder, to_ship: dict[int, int], *, whole: bool) -> None:
        """Commerce's Cancel with a reason in the comment; a paid (invoiced) order is cancelled the way Commerce
        allows: a credit memo of the units not shipped."""
        assert order.commerce_order_id is not None
        label = CANCELLATION_REASON_LABELS[self.rng.choice(SELLER_REASONS)]
        await self.merchant.add_order_comment(order.commerce_order_id, f"Cancel: {label}")
        try:
            await self.merchant.cancel_order(order.commerce_order_id, increment_id=order.commerce_increment_id)
            how = "cancelled"
        except CommerceCancelRefusedError:
            await self.merchant.refund_order(
                order.commerce_order_id,
                [(item, float(q)) for item, q in to_ship.items()],
                comment=f"Cancel: {label}",
                increment_id=order.commerce_increment_id,
            )
            how = "cancelled (by credit memo: it was invoiced)"
        scope = "" if whole else "the rest of "
        self.note(f"merchant {how} {scope}Commerce order {order.commerce_increment_id}: {label!r}")

    async def _return_and_refund(self, demo: DemoOrder, order: PurchaseOrder) -> None:
        """Step 1: the customer returns a shipped unit at Walmart. Step 2 (once channel-manager shows the return):
        the merchant refunds it by credit memo."""
        assert order.commerce_order_id is not None
        if demo.step == 1:
            shipped = [line for line in order.lines if line.quantities.shipped > 0]
            if not shipped:
                demo.next_step_at = time.time() + 1.0
                return
            line = shipped[0]
            response = await self._http.post(
                f"{self.sandboxes.walmart_url}/_sandbox/orders/{order.purchase_order_id}/returns",
                json={"lines": [{"line_number": line.line_number, "quantity": 1, "reason": "DAMAGED_ITEM"}]},
            )
            response.raise_for_status()
            demo.step = 2
            demo.next_step_at = time.time() + 1.0
            self.note(f"customer returned 1 x {line.sku} of PO {order.purchase_order_id} at Walmart")
            return
        returned = [line for line in order.lines if line.quantities.returned > 0]
        if not returned:
            demo.next_step_at = time.time() + 1.0  # channel-manager has not picked the return up yet
            return
        items = [(line.commerce_item_id or 0, float(line.quantities.returned)) for line in returned]
        await self.merchant.refund_order(
            order.commerce_order_id,
            items,
            comment="Refund of the Walmart return",
            increment_id=order.commerce_increment_id,
        )
        demo.done = True
        self.note(f"merchant refunded the return of Commerce order {order.commerce_increment_id} by credit memo")

    # ---------------------------------------------------------------- faults

    def _fault_kinds(self) -> list[Callable[[], Awaitable[None]]]:
        return [self.walmart_503, self.lost_response, self.rate_limit_storm, self.commerce_down]

    async def _walmart_fault(self, **spec: object) -> None:
        response = await self._http.post(f"{self.sandboxes.walmart_url}/_sandbox/faults", json=spec)
        response.raise_for_status()
        self.faults_injected += 1

    async def walmart_503(self) -> None:
        await self._walmart_fault(
            endpoint="POST /v3/orders/{purchaseOrderId}/acknowledge", mode="error", status=503, count=4
        )
        self.note("FAULT: Walmart answers the next 4 acknowledgements with 503")

    async def lost_response(self) -> None:
        await self._walmart_fault(
            endpoint="POST /v3/orders/{purchaseOrderId}/shipping", mode="lose_response", status=504, count=1
        )
        self.note("FAULT: Walmart applies the next shipment but the answer is lost (504)")

    async def rate_limit_storm(self) -> None:
        await self._walmart_fault(endpoint="*", mode="rate_limit_storm", count=8)
        self.note("FAULT: Walmart answers the next 8 calls with 429 Too Many Requests")

    async def commerce_down(self) -> None:
        response = await self._http.post(
            f"{self.sandboxes.commerce_url}/_sandbox/faults", json={"route": "*", "mode": "error", "status": 503}
        )
        response.raise_for_status()
        self.faults_injected += 1
        self.note(f"FAULT: Commerce is down (503 on every call) for {self.pace.commerce_outage:.0f} s")
        self._background.add(asyncio.create_task(self._commerce_back_after(self.pace.commerce_outage)))

    async def _commerce_back_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        (await self._http.delete(f"{self.sandboxes.commerce_url}/_sandbox/faults")).raise_for_status()
        self.note("Commerce is back")

    async def clear_faults(self) -> None:
        """Ends every fault, so the sync can converge before the demo stops."""
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background.clear()
        for url in (self.sandboxes.walmart_url, self.sandboxes.commerce_url):
            with contextlib.suppress(httpx.HTTPError):
                await self._http.delete(f"{url}/_sandbox/faults")


def _half(items: dict[int, int]) -> dict[int, int]:
    """About half of the units, item by item; always leaves something for the second parcel."""
    wanted = max(1, sum(items.values()) // 2)
    chosen: dict[int, int] = {}
    for item, quantity in items.items():
        if wanted <= 0:
            break
        chosen[item] = min(quantity, wanted)
        wanted -= chosen[item]
    return chosen


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= 90 else text[:87] + "..."
