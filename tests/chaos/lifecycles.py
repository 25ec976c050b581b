"""Full order lifecycles, driven as the buyer (Walmart's control API) and the merchant (Commerce's REST API)
would, each recording what it did: that record is what Walmart must show at the end.

A lifecycle creates one exact Walmart order, waits until the merchant finds it in Commerce (and Walmart shows
it acknowledged), then plays its kind. It never reads the connector's database."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .control import WalmartControl
from .merchant import Merchant, MerchantRefused

PRICING_ERROR = "SELLER_CANCEL_PRICING_ERROR"
OUT_OF_STOCK = "SELLER_CANCEL_OUT_OF_STOCK"
CUSTOMER_REQUESTED = "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"
AUTO_CANCELLED = "SELLER_CANCEL_AUTO_CANCELLED"
DAY_MS = 86_400_000

#: SKU -> (unit price, unit tax); round amounts so every refund is exact to the cent on both sides.
CATALOG: dict[str, tuple[Decimal, Decimal]] = {
    "CH-A": (Decimal("12.50"), Decimal("1.00")),
    "CH-B": (Decimal("8.00"), Decimal("0.64")),
    "CH-C": (Decimal("20.00"), Decimal("1.60")),
}
STOCK_PRICE = (Decimal("5.00"), Decimal("0.40"))


def stock_sku(index: int) -> str:
    return f"CH-STOCK-{index:04d}"


@dataclass
class LineExpectation:
    """What Walmart must show for one line when everything the merchant did has been carried."""

    sku: str
    quantity: int
    price: Decimal
    tax: Decimal
    shipped: Counter[str] = field(default_factory=Counter)  # tracking number -> units
    cancelled: Counter[str] = field(default_factory=Counter)  # reason -> units
    refunded_product: Decimal = Decimal("0")
    refunded_tax: Decimal = Decimal("0")


@dataclass
class Lifecycle:
    index: int
    kind: str
    lines: dict[str, LineExpectation]
    purchase_order_id: str = ""
    commerce_order_id: int | None = None
    items: dict[str, int] = field(default_factory=dict)  # Walmart line number -> Commerce item id
    ordered_at: float | None = None  # Walmart's orderDate (epoch s)
    intake_at: float | None = None  # the later of Walmart's acknowledgement and Commerce's created_at
    ship_requested_at: float | None = None  # the merchant created the first shipment
    ship_landed_at: float | None = None  # Walmart's statusDate of the line once that shipment is there
    return_ids: list[str] = field(default_factory=list)
    mirror_cancel: bool = False  # Walmart cancels by itself; Commerce must stop expecting to ship
    stock_sku: str | None = None
    done: bool = False
    notes: list[str] = field(default_factory=list)  # what the merchant could not do, and why

    def line_for_sku(self, sku: str) -> str:
        return next(number for number, line in self.lines.items() if line.sku == sku)


class Stage:
    """What a lifecycle can see and do: the merchant, the buyer, and bounded waits on both sandboxes."""

    def __init__(self, walmart: WalmartControl, merchant: Merchant, rng: random.Random, deadline: float) -> None:
        self.walmart = walmart
        self.merchant = merchant
        self.rng = rng
        self.deadline = deadline  # time.monotonic() after which nobody waits any more
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.poll_seconds = 1.0

    # ------------------------------------------------------------------ waits

    async def find_commerce_orders(self, stop: asyncio.Event) -> None:
        """One search for every PO the lifecycles are waiting for, each ``poll_seconds``."""
        while not stop.is_set():
            pending = {po: f for po, f in self._waiting.items() if not f.done()}
            if pending:
                try:
                    found = await self.merchant.orders_for(pending)
                except MerchantRefused:
                    found = {}
                for po, orders in found.items():
                    future = pending.get(po)
                    if future is not None and not future.done():
                        future.set_result(min(orders, key=lambda o: int(o["entity_id"])))
            await asyncio.sleep(self.poll_seconds)

    async def commerce_order(self, po: str) -> dict[str, Any] | None:
        future = self._waiting.setdefault(po, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(future), max(0.1, self.deadline - time.monotonic()))
        except TimeoutError:
            return None

    async def walmart_until(self, po: str, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        while time.monotonic() < self.deadline:
            truth = await self.walmart.truth(po)
            if ready(truth):
                return truth
            await asyncio.sleep(self.poll_seconds)
        return None

    async def commerce_until(self, order_id: int, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        while time.monotonic() < self.deadline:
            order = await self.merchant.order(order_id)
            if ready(order):
                return order
            await asyncio.sleep(self.poll_seconds)
        return None

    async def pause(self, low: float, high: float) -> None:
        await asyncio.sleep(self.rng.uniform(low, high))


# ---------------------------------------------------------------------- reading the sandboxes


def units(truth: dict[str, Any], line: str, *statuses: str) -> int:
    by_status = truth["lines"][line]["by_status"]
    return sum(int(by_status.get(s, 0)) for s in statuses)


def acknowledged(truth: dict[str, Any]) -> bool:
    return all(not line["by_status"].get("Created") for line in truth["lines"].values())


def line_status_dates(truth: dict[str, Any]) -> dict[str, int]:
    return {str(line["lineNumber"]): int(line["statusDate"]) for line in truth["order"]["orderLines"]["orderLine"]}


def commerce_time(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def invoiced(order: dict[str, Any]) -> bool:
    return all(float(i.get("qty_invoiced") or 0) >= float(i["qty_ordered"]) for i in order.get("items") or [])


# ---------------------------------------------------------------------- the merchant's steps, recorded


def tracking_number(lc: Lifecycle, step: int) -> str:
    return f"1ZCH{lc.index:06d}{step:02d}{lc.purchase_order_id[-6:]}"


async def ship(stage: Stage, lc: Lifecycle, shipment: dict[str, int], step: int) -> int | None:
    """Ships ``{line: units}`` in one Commerce shipment; records it. → the shipment id."""
    assert lc.commerce_order_id is not None
    number = tracking_number(lc, step)
    if lc.ship_requested_at is None:
        lc.ship_requested_at = time.time()
    try:
        shipment_id = await stage.merchant.ship(
            lc.commerce_order_id, [(lc.items[line], qty) for line, qty in shipment.items()], number
        )
    except MerchantRefused as error:
        lc.notes.append(f"shipment {step} refused by Commerce: {error}")
        return None
    for line, qty in shipment.items():
        lc.lines[line].shipped[number] += qty
    return shipment_id


async def correct_tracking(stage: Stage, lc: Lifecycle, shipment_id: int, old: str, step: int) -> None:
    assert lc.commerce_order_id is not None
    new = tracking_number(lc, step)
    try:
        await stage.merchant.correct_tracking(lc.commerce_order_id, shipment_id, new)
    except MerchantRefused as error:
        lc.notes.append(f"tracking correction refused by Commerce: {error}")
        return
    for line in lc.lines.values():
        if old in line.shipped:
            line.shipped[new] += line.shipped.pop(old)


async def memo(
    stage: Stage,
    lc: Lifecycle,
    refund: dict[str, int],
    *,
    cancel_reason: str | None = None,
    reason_comment: str | None = None,
    back_to_stock: bool = False,
) -> bool:
    """A credit memo of ``{line: units}``. Units not shipped are a cancel (with ``cancel_reason``), shipped ones a
    refund of their price and tax. Commerce only credits invoiced orders: the merchant waits for the invoice."""
    assert lc.commerce_order_id is not None
    if time.monotonic() >= stage.deadline:
        lc.notes.append("the merchant's time ran out before this credit memo (earlier steps waited that long)")
        return False
    order = await stage.commerce_until(lc.commerce_order_id, invoiced)
    if order is None:
        lc.notes.append("the Commerce order was never invoiced: no credit memo possible")
        return False
    if reason_comment:
        try:
            await stage.merchant.comment(lc.commerce_order_id, reason_comment)
        except MerchantRefused as error:
            lc.notes.append(f"comment refused: {error}")
            return False
    for attempt in range(3):
        try:
            await stage.merchant.credit_memo(
                lc.commerce_order_id,
                [(lc.items[line], qty) for line, qty in refund.items()],
                back_to_stock=back_to_stock,
                comment=reason_comment,
            )
            break
        except MerchantRefused as error:
            if attempt == 2:
                lc.notes.append(f"credit memo refused by Commerce: {error}")
                return False
            await asyncio.sleep(2)
    for line_number, qty in refund.items():
        line = lc.lines[line_number]
        open_units = line.quantity - sum(line.shipped.values()) - sum(line.cancelled.values())
        cancelled = min(qty, open_units)
        if cancelled:
            assert cancel_reason is not None, "a memo of unshipped units needs the reason it cancels with"
            line.cancelled[cancel_reason] += cancelled
        refunded = qty - cancelled
        line.refunded_product += line.price * refunded
        line.refunded_tax += line.tax * refunded
    return True


async def wait_shipped_at_walmart(stage: Stage, lc: Lifecycle, measure: bool = True) -> bool:
    """Waits until Walmart shows every unit the merchant shipped; records the first shipment's landing time."""
    wanted = {n: sum(line.shipped.values()) for n, line in lc.lines.items()}
    truth = await stage.walmart_until(
        lc.purchase_order_id,
        lambda t: all(units(t, n, "Shipped", "Delivered") >= q for n, q in wanted.items()),
    )
    if truth is None:
        return False
    if measure and lc.ship_landed_at is None:
        dates = line_status_dates(truth)
        lc.ship_landed_at = max(dates[n] for n, q in wanted.items() if q) / 1000
    return True


# ---------------------------------------------------------------------- the kinds


def _all(lc: Lifecycle) -> dict[str, int]:
    return {n: line.quantity for n, line in lc.lines.items()}


async def full_ship(stage: Stage, lc: Lifecycle) -> None:
    await ship(stage, lc, _all(lc), 1)
    await wait_shipped_at_walmart(stage, lc)


async def partial_then_rest(stage: Stage, lc: Lifecycle) -> None:
    first = {"1": 1}
    await ship(stage, lc, first, 1)
    await stage.pause(1, 6)
    rest = {n: line.quantity - first.get(n, 0) for n, line in lc.lines.items()}
    await ship(stage, lc, {n: q for n, q in rest.items() if q}, 2)


async def tracking_correction(stage: Stage, lc: Lifecycle) -> None:
    shipment_id = await ship(stage, lc, _all(lc), 1)
    if shipment_id is None:
        return
    await stage.pause(0.2, 4)
    await correct_tracking(stage, lc, shipment_id, tracking_number(lc, 1), 2)


async def whole_cancel(stage: Stage, lc: Lifecycle) -> None:
    await memo(
        stage,
        lc,
        _all(lc),
        cancel_reason=PRICING_ERROR,
        reason_comment="Cancellation reason: Price or other listing errors",
    )


async def cancel_remainder(stage: Stage, lc: Lifecycle) -> None:
    await ship(stage, lc, {"1": 2}, 1)
    await stage.pause(1, 5)
    await memo(
        stage,
        lc,
        {"1": lc.lines["1"].quantity - 2, "2": lc.lines["2"].quantity},
        cancel_reason=OUT_OF_STOCK,
        reason_comment="Cancellation reason: The item is out of stock",
    )


async def return_and_refund(stage: Stage, lc: Lifecycle) -> None:
    await ship(stage, lc, _all(lc), 1)
    if not await wait_shipped_at_walmart(stage, lc):
        lc.notes.append("Walmart never showed the shipment: the buyer could not return")
        return
    opened = await stage.walmart.open_return(lc.purchase_order_id, "1", 1)
    lc.return_ids.append(str(opened.get("returnOrderId") or ""))
    await stage.pause(8, 12)  # the return reaches the merchant's warehouse (and the connector's returns poll)
    await memo(stage, lc, {"1": 1}, back_to_stock=True)


async def refund_without_return(stage: Stage, lc: Lifecycle) -> None:
    await ship(stage, lc, _all(lc), 1)
    if not await wait_shipped_at_walmart(stage, lc):
        lc.notes.append("Walmart never showed the shipment")
    await memo(stage, lc, {"1": 1})
    await stage.pause(0.5, 1.5)  # a second memo on the same line right after (issue 14, item 8)
    await memo(stage, lc, {"1": 2})
    await memo(stage, lc, {"2": 1})


async def walmart_auto_cancel(stage: Stage, lc: Lifecycle) -> None:
    """The merchant does nothing; Walmart cancels every unit when the ship-by date passes (expected from the
    start, see ``plan``: it happens whatever the connector does)."""
    await stage.walmart_until(
        lc.purchase_order_id, lambda t: all(units(t, n, "Cancelled") == line.quantity for n, line in lc.lines.items())
    )


async def buyer_intent_to_cancel(stage: Stage, lc: Lifecycle) -> None:
    await stage.walmart.intent_to_cancel(lc.purchase_order_id, "2")
    await stage.pause(3, 6)  # the merchant sees the buyer's request, then cancels that line in Commerce
    await memo(stage, lc, {"2": lc.lines["2"].quantity}, cancel_reason=CUSTOMER_REQUESTED)
    await ship(stage, lc, {"1": lc.lines["1"].quantity}, 1)


async def stock_changes(stage: Stage, lc: Lifecycle) -> None:
    await ship(stage, lc, _all(lc), 1)
    await wait_shipped_at_walmart(stage, lc)
    assert lc.stock_sku is not None
    for _ in range(stage.rng.randint(2, 4)):  # a burst: pushes for one SKU must not race (issue 14, item 4)
        await stage.pause(0.05, 1.5)
        try:
            await stage.merchant.set_stock(lc.stock_sku, stage.rng.randint(0, 40))
        except MerchantRefused as error:
            lc.notes.append(f"stock change refused: {error}")


Kind = Callable[[Stage, Lifecycle], Awaitable[None]]


@dataclass(frozen=True)
class KindSpec:
    play: Kind
    lines: tuple[tuple[str, int], ...]  # (sku, units) per line; "STOCK" is the lifecycle's own SKU
    auto_cancel: bool = False


KINDS: dict[str, KindSpec] = {
    "full_ship": KindSpec(full_ship, (("CH-A", 2), ("CH-B", 3))),
    "partial_then_rest": KindSpec(partial_then_rest, (("CH-A", 3), ("CH-C", 1))),
    "tracking_correction": KindSpec(tracking_correction, (("CH-B", 2), ("CH-C", 2))),
    "whole_cancel": KindSpec(whole_cancel, (("CH-A", 1), ("CH-B", 2))),
    "cancel_remainder": KindSpec(cancel_remainder, (("CH-A", 3), ("CH-B", 1))),
    "return_and_refund": KindSpec(return_and_refund, (("CH-C", 2), ("CH-A", 1))),
    "refund_without_return": KindSpec(refund_without_return, (("CH-B", 3), ("CH-C", 1))),
    "walmart_auto_cancel": KindSpec(walmart_auto_cancel, (("CH-A", 2), ("CH-B", 1)), auto_cancel=True),
    "buyer_intent_to_cancel": KindSpec(buyer_intent_to_cancel, (("CH-A", 1), ("CH-C", 2))),
    "stock_changes": KindSpec(stock_changes, (("STOCK", 1),)),
}


def plan(count: int, rng: random.Random, *, canaries: int = 0) -> list[Lifecycle]:
    """``count`` lifecycles, every kind equally often (in a seeded order), then ``canaries`` plain full shipments
    (the orders placed once the faults are over: work must still flow after the last fault)."""
    kinds = [name for _, name in zip(range(count), _cycle(list(KINDS)), strict=False)]
    rng.shuffle(kinds)
    kinds += ["full_ship"] * canaries
    lifecycles = []
    for index, kind in enumerate(kinds):
        spec = KINDS[kind]
        lines: dict[str, LineExpectation] = {}
        own_sku = stock_sku(index) if kind == "stock_changes" else None
        for number, (sku, qty) in enumerate(spec.lines, start=1):
            real_sku = own_sku if sku == "STOCK" else sku
            assert real_sku is not None
            price, tax = STOCK_PRICE if sku == "STOCK" else CATALOG[sku]
            lines[str(number)] = LineExpectation(real_sku, qty, price, tax)
            if spec.auto_cancel:
                lines[str(number)].cancelled[AUTO_CANCELLED] = qty
        lifecycles.append(Lifecycle(index, kind, lines, mirror_cancel=spec.auto_cancel, stock_sku=own_sku))
    return lifecycles


def _cycle(names: list[str]) -> Any:
    while True:
        yield from names


def order_spec(lc: Lifecycle, now_ms: int, auto_cancel_after: float) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "lines": [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": float(line.price),
                "unit_tax": float(line.tax),
                "line_number": number,
            }
            for number, line in lc.lines.items()
        ],
        "customer_email": f"chaos-{lc.index}@relay.walmart.com",
    }
    if lc.mirror_cancel:  # Walmart auto-cancels at estimatedShipDate + 4 days
        spec["estimated_ship_date"] = now_ms - 4 * DAY_MS + int(auto_cancel_after * 1000)
    return spec


async def play(stage: Stage, lc: Lifecycle, auto_cancel_after: float) -> None:
    """The whole lifecycle; any exception is recorded in its notes (the verdict then shows it)."""
    try:
        created = await stage.walmart.create_order(order_spec(lc, int(time.time() * 1000), auto_cancel_after))
        lc.purchase_order_id = str(created["purchase_order_id"])
        lc.ordered_at = int(created["order"]["orderDate"]) / 1000
        commerce_order = await stage.commerce_order(lc.purchase_order_id)
        if commerce_order is None:
            lc.notes.append("never found in Commerce")
            return
        lc.commerce_order_id = int(commerce_order["entity_id"])
        for item in commerce_order.get("items") or []:
            lc.items[lc.line_for_sku(str(item["sku"]))] = int(item["item_id"])
        if not lc.mirror_cancel:
            truth = await stage.walmart_until(lc.purchase_order_id, acknowledged)
            if truth is None:
                lc.notes.append("never acknowledged at Walmart")
            else:
                acked = max(line_status_dates(truth).values()) / 1000
                lc.intake_at = max(acked, commerce_time(str(commerce_order["created_at"])))
        if len(lc.items) != len(lc.lines):
            lc.notes.append(f"the Commerce order has items {sorted(lc.items)} for lines {sorted(lc.lines)}")
            return
        await KINDS[lc.kind].play(stage, lc)
        lc.done = True
    except Exception as error:  # a harness or sandbox error: reported, never hidden
        lc.notes.append(f"driver error: {type(error).__name__}: {error}")
