"""Purchase orders: creating them (control API), acknowledging them, Walmart's own changes to them
(auto-cancel, delivery, the buyer's intent to cancel) and finding them by PO number."""

from __future__ import annotations

import heapq
import itertools
import random
import uuid
from bisect import insort
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.walmart.contract import AUTO_CANCEL_REASON
from channel_manager_sandboxes.walmart.dates import DAY_MS, iso, to_ms
from channel_manager_sandboxes.walmart.errors import not_found, order_error
from channel_manager_sandboxes.walmart.generator import CatalogItem, catalog_from, pick, random_address
from channel_manager_sandboxes.walmart.model import (
    OPEN_STATUSES,
    SHIPPED_STATUSES,
    Line,
    PurchaseOrder,
    Seller,
    StatusEntry,
)
from channel_manager_sandboxes.walmart.render import render_order

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.state import WalmartSandbox


def _exact_line(raw: Mapping[str, Any], number: int, order_date: int) -> Line:
    quantity = int(raw.get("quantity", 1))
    price = Decimal(str(raw.get("unit_price", "10.00")))
    tax = Decimal(str(raw.get("unit_tax", (price * Decimal("0.08")).quantize(Decimal("0.01")))))
    return Line(
        number=str(raw.get("line_number", number)),
        sku=str(raw["sku"]),
        product_name=str(raw.get("product_name") or raw["sku"]),
        quantity=quantity,
        unit_price=price,
        unit_tax=tax,
        shipping=Decimal(str(raw.get("shipping", "0"))),
        shipping_tax=Decimal(str(raw.get("shipping_tax", "0"))),
        entries=[StatusEntry(str(raw.get("status", "Created")), quantity)],
        status_date_ms=order_date,
        intent_to_cancel=bool(raw.get("intent_to_cancel", False)),
    )


def _generated_line(
    rng: random.Random, items: tuple[CatalogItem, ...], number: int, quantities: int | list[int], status: str, at: int
) -> Line:
    item = rng.choice(items)
    quantity = pick(quantities, rng)
    return Line(
        number=str(number),
        sku=item.sku,
        product_name=item.product_name,
        quantity=quantity,
        unit_price=item.price,
        unit_tax=(item.price * Decimal("0.0825")).quantize(Decimal("0.01")),
        shipping=Decimal("4.99") if number == 1 and rng.random() < 0.3 else Decimal(0),
        shipping_tax=Decimal(0),
        entries=[StatusEntry(status, quantity)],
        status_date_ms=at,
        ship_method=rng.choice(["STANDARD", "VALUE", "EXPEDITED"]),
    )


class OrderBook:
    def __init__(self, sandbox: WalmartSandbox) -> None:
        self.sandbox = sandbox
        self.po_index: dict[str, str] = {}
        """PO number -> seller id."""
        self._po_ids = itertools.count(1796277083022)
        self._customer_ids = itertools.count(4372135469400)
        self._auto_cancel: list[tuple[int, str]] = []

    # ------------------------------------------------------------ finding

    def order(self, seller: Seller, purchase_order_id: str, api: str) -> PurchaseOrder:
        """The seller's PO, or Walmart's 404 for ``api``."""
        order = seller.orders.get(purchase_order_id)
        if order is None:
            raise not_found(f"Failed when called {api}. Order not found for purchaseOrderId {purchase_order_id}")
        return order

    def located(self, purchase_order_id: str) -> tuple[Seller, PurchaseOrder]:
        """Any seller's PO (control API); KeyError when there is none."""
        seller_id = self.po_index.get(purchase_order_id)
        if seller_id is None:
            raise KeyError(f"no PO {purchase_order_id}")
        seller = self.sandbox.sellers[seller_id]
        return seller, seller.orders[purchase_order_id]

    def located_line(self, purchase_order_id: str, line_number: str) -> tuple[Seller, PurchaseOrder, Line]:
        seller, order = self.located(purchase_order_id)
        line = order.line(line_number)
        if line is None:
            raise KeyError(f"PO {purchase_order_id} has no line {line_number}")
        return seller, order, line

    # ------------------------------------------------------------ creating (control API)

    def _new_po_id(self) -> str:
        while True:
            po = str(next(self._po_ids))
            if po not in self.po_index:
                return po

    def insert(self, seller: Seller, order: PurchaseOrder) -> None:
        if order.purchase_order_id in self.po_index:
            raise ValueError(f"PO {order.purchase_order_id} exists")
        seller.orders[order.purchase_order_id] = order
        insort(seller.by_date, (order.order_date_ms, order.purchase_order_id))
        self.po_index[order.purchase_order_id] = seller.seller_id
        deadline = order.estimated_ship_ms + self.sandbox.settings.auto_cancel_days * DAY_MS
        heapq.heappush(self._auto_cancel, (deadline, order.purchase_order_id))
        for line in order.lines:
            seller.inventory.setdefault(line.sku, 100)
        self.sandbox.notifications.emit(seller, "PO_CREATED", order, order.lines, "CREATED")

    def create_order(self, seller_id: str, spec: Mapping[str, Any]) -> PurchaseOrder:
        """One exactly specified order (see ``control.ExactOrder``)."""
        with self.sandbox.lock:
            seller = self.sandbox.seller(seller_id)
            order_date = to_ms(spec.get("order_date"), self.sandbox.clock.now_ms())
            _, _, address = random_address(self.sandbox.rng)
            if spec.get("address"):
                address = {**address, **spec["address"]}
            lines = [_exact_line(raw, i, order_date) for i, raw in enumerate(spec["lines"], start=1)]
            order = PurchaseOrder(
                purchase_order_id=str(spec.get("purchase_order_id") or self._new_po_id()),
                seller_id=seller_id,
                customer_order_id=str(spec.get("customer_order_id") or next(self._customer_ids)),
                customer_email=str(spec.get("customer_email") or f"{uuid.uuid4().hex[:16].upper()}@relay.walmart.com"),
                order_date_ms=order_date,
                estimated_ship_ms=to_ms(spec.get("estimated_ship_date"), order_date + 2 * DAY_MS),
                estimated_delivery_ms=to_ms(spec.get("estimated_delivery_date"), order_date + 6 * DAY_MS),
                method_code=str(spec.get("method_code", "Standard")),
                phone=str(spec.get("phone", "3143450432")),
                address=address,
                lines=lines,
                last_modified_ms=order_date,
            )
            self.insert(seller, order)
            return order

    def generate_orders(
        self,
        seller_id: str,
        count: int,
        *,
        lines_per_order: int | list[int] = (1, 3),  # type: ignore[assignment]
        quantity_per_line: int | list[int] = (1, 3),  # type: ignore[assignment]
        catalog: list[dict[str, Any]] | None = None,
        order_date: Any = None,
        spread_minutes: int = 0,
        ship_in_days: int = 2,
        status: str = "Created",
    ) -> list[str]:
        items = catalog_from(catalog)
        created = []
        with self.sandbox.lock:
            seller = self.sandbox.seller(seller_id)
            base = to_ms(order_date, self.sandbox.clock.now_ms())
            rng = self.sandbox.rng
            for i in range(count):
                at = base - (rng.randint(0, spread_minutes * 60_000) if spread_minutes else 0) - (count - i)
                lines = [
                    _generated_line(rng, items, number, quantity_per_line, status, at)
                    for number in range(1, pick(lines_per_order, rng) + 1)
                ]
                order = self._generated_order(seller_id, rng, lines, at, ship_in_days)
                self.insert(seller, order)
                created.append(order.purchase_order_id)
        return created

    def _generated_order(
        self, seller_id: str, rng: random.Random, lines: list[Line], at: int, ship_in_days: int
    ) -> PurchaseOrder:
        _, _, address = random_address(rng)
        return PurchaseOrder(
            purchase_order_id=self._new_po_id(),
            seller_id=seller_id,
            customer_order_id=str(next(self._customer_ids)),
            customer_email=f"{uuid.UUID(int=rng.getrandbits(128)).hex[:24].upper()}@relay.walmart.com",
            order_date_ms=at,
            estimated_ship_ms=at + ship_in_days * DAY_MS,
            estimated_delivery_ms=at + (ship_in_days + 4) * DAY_MS,
            method_code=rng.choice(["Standard", "Standard", "Value", "Express"]),
            phone=f"{rng.randint(200, 999)}{rng.randint(200, 999)}{rng.randint(1000, 9999)}",
            address=address,
            lines=lines,
            last_modified_ms=at,
        )

    # ------------------------------------------------------------ the seller's acknowledgement

    def acknowledge(self, seller: Seller, purchase_order_id: str) -> dict[str, Any]:
        self.tick()
        sandbox = self.sandbox
        with sandbox.lock:
            order = self.order(seller, purchase_order_id, "acknowledge API")
            higher = any(line.qty(*SHIPPED_STATUSES) for line in order.lines) or all(
                line.qty("Cancelled") == line.quantity for line in order.lines
            )
            if higher:
                raise order_error(
                    f"INVALID_REQUEST_CONTENT :: Failed when called acknowledge API for '{purchase_order_id}'.  "
                    "Some or all qty in higher status"
                )
            created = [line for line in order.lines if line.qty("Created")]
            if not created:
                sandbox.counters.duplicate_acknowledgements += 1
                return {"order": render_order(order)}
            now = sandbox.clock.now_ms()
            for line in created:
                quantity = line.qty("Created")
                line.take(("Created",), quantity)
                line.put(StatusEntry("Acknowledged", quantity))
                line.status_date_ms = now
            order.touch(now)
            sandbox.counters.accept(seller, "acknowledge", purchase_order_id, None, iso(now))
            return {"order": render_order(order)}

    # ------------------------------------------------------------ Walmart's own changes

    def tick(self) -> None:
        """Apply what the clock implies: auto-cancel lines past estimatedShipDate + N days."""
        now = self.sandbox.clock.now_ms()
        if not self._auto_cancel or self._auto_cancel[0][0] > now:
            return
        with self.sandbox.lock:
            while self._auto_cancel and self._auto_cancel[0][0] <= now:
                _, po = heapq.heappop(self._auto_cancel)
                if po in self.po_index:
                    self._auto_cancel_order(*self.located(po), now)

    def _auto_cancel_order(self, seller: Seller, order: PurchaseOrder, now: int) -> None:
        cancelled = []
        for line in order.lines:
            if line.open_quantity:
                quantity = line.open_quantity
                line.take(OPEN_STATUSES, quantity)
                line.put(StatusEntry("Cancelled", quantity, cancellation_reason=AUTO_CANCEL_REASON))
                line.status_date_ms = now
                cancelled.append(line)
        if cancelled:
            order.touch(now)
            self.sandbox.notifications.emit(seller, "PO_LINE_AUTOCANCELLED", order, cancelled, "CANCELLED")

    def deliver_line(self, purchase_order_id: str, line_number: str, quantity: int | None = None) -> dict[str, Any]:
        with self.sandbox.lock:
            _, order, line = self.located_line(purchase_order_id, line_number)
            shipped = line.qty("Shipped")
            left = shipped if quantity is None else quantity
            if left < 1 or left > shipped:
                raise ValueError(f"line {line_number} has {shipped} shipped units to deliver")
            for entry in list(line.entries):
                if entry.status != "Shipped" or left == 0:
                    continue
                moved = min(left, entry.quantity)
                entry.quantity -= moved
                left -= moved
                line.entries.append(
                    StatusEntry("Delivered", moved, tracking=entry.tracking, shipped_at_ms=entry.shipped_at_ms)
                )
            line.entries = [e for e in line.entries if e.quantity > 0]
            now = self.sandbox.clock.now_ms()
            line.status_date_ms = now
            order.touch(now)
            return render_order(order)

    def set_intent_to_cancel(self, purchase_order_id: str, line_number: str) -> dict[str, Any]:
        with self.sandbox.lock:
            seller, order, line = self.located_line(purchase_order_id, line_number)
            line.intent_to_cancel = True
            order.touch(self.sandbox.clock.now_ms())
            self.sandbox.notifications.emit(seller, "INTENT_TO_CANCEL", order, [line], "INTENT_TO_CANCEL")
            return render_order(order)
