"""Stateful property test: no sequence of operations on a PurchaseOrder breaks its quantity arithmetic or its rules.

Each rule computes, from a simple model, which outcome the domain must give: success, or one documented
``DomainError`` subclass. A refused operation must leave the order exactly as it was.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from _domain_builders import at, make_order, make_problem
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from channel_manager.domain.cancellations import ReasonSource
from channel_manager.domain.errors import (
    CarrierNotAccepted,
    DomainError,
    NothingToCancel,
    QuantityNotOpen,
    RefundNotAllowed,
    ShippedQuantityCannotBeCancelled,
    TrackingNumberRequired,
    UnknownOrderLine,
)
from channel_manager.domain.orders import OrderLine, PurchaseOrder
from channel_manager.domain.quantities import LineQuantities
from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.domain.shipments import TRACKING_CORRECTION_WINDOW, Carrier
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import Side, SyncState

ZERO = Decimal("0")
CENT = Decimal("0.01")

money = st.integers(0, 20_000).map(lambda cents: Decimal(cents) * CENT)
line_spec = st.tuples(st.integers(1, 5), st.integers(1, 20_000), st.integers(0, 2_000), st.integers(0, 1_500))
carriers = st.sampled_from(
    [
        (Carrier("UPS", True), None),
        (Carrier("FedEx", True), "https://fedex.example/t"),
        (Carrier("Bob Courier", False), "https://bob.example/t"),
        (Carrier("Bob Courier", False), None),
    ]
)
trackings = st.one_of(st.sampled_from([None, "", "  "]), st.text("0123456789ABZ", min_size=1, max_size=12))


@dataclass
class ModelLine:
    ordered: int
    shipped: int = 0
    cancelled: int = 0
    refunded: int = 0
    refunded_amount: Decimal = ZERO

    @property
    def open(self) -> int:
        return self.ordered - self.shipped - self.cancelled


def snapshot(order: PurchaseOrder) -> tuple[Any, ...]:
    return (
        [(line.line_number, line.quantities, line.refunded_amount) for line in order.lines],
        copy.deepcopy(order.shipments),
        copy.deepcopy(order.cancellations),
        copy.deepcopy(order.refunds),
        order.problem,
        order.acknowledged_at,
        len(order.new_events),
    )


class PurchaseOrderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.order: PurchaseOrder
        self.model: dict[str, ModelLine] = {}
        self.minute = 0
        self.serial = 0
        self.has_problem = False

    # ------------------------------------------------------------ helpers

    def now(self) -> Any:
        self.minute += 1
        return at(self.minute)

    def key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def attempt(self, expected: type[DomainError] | None, call: Any) -> Any:
        """Runs ``call``: success when ``expected`` is None, else exactly ``expected`` and no change."""
        before = snapshot(self.order)
        if expected is None:
            return call()
        with pytest.raises(DomainError) as caught:
            call()
        assert type(caught.value) is expected, f"expected {expected.__name__}, got {caught.value!r}"
        assert str(caught.value).strip(), "a refusal must tell the merchant why"
        assert snapshot(self.order) == before, f"{expected.__name__} left the order changed"
        return None

    def draw_lines(self, data: st.DataObject, max_quantity: int) -> dict[str, int]:
        numbers = [*self.model, "99"]  # "99" is a line the order does not have
        chosen = data.draw(st.lists(st.sampled_from(numbers), unique=True, max_size=len(numbers)))
        return {n: data.draw(st.integers(1, max_quantity)) for n in chosen}

    def open_error(self, action: str, lines: dict[str, int]) -> type[DomainError] | None:
        if not lines:
            return DomainError
        for number, quantity in lines.items():
            if number not in self.model:
                return UnknownOrderLine
            line = self.model[number]
            if quantity > line.open:
                if action == "cancel" and line.shipped:
                    return ShippedQuantityCannotBeCancelled
                return QuantityNotOpen
        return None

    # ------------------------------------------------------------ setup

    @initialize(specs=st.lists(line_spec, min_size=1, max_size=6))
    def create(self, specs: list[tuple[int, int, int, int]]) -> None:
        lines = [
            OrderLine(
                line_number=str(i + 1),
                sku=f"SKU-{i + 1}",
                product_name=f"Product {i + 1}",
                quantities=LineQuantities.new(quantity),
                unit_price=Decimal(price) * CENT,
                unit_tax=Decimal(tax) * CENT,
                shipping_charge=Decimal(shipping) * CENT,
            )
            for i, (quantity, price, tax, shipping) in enumerate(specs)
        ]
        self.order = make_order(*lines)
        self.model = {line.line_number: ModelLine(line.quantities.ordered) for line in lines}

    # ------------------------------------------------------------ rules

    @rule()
    def acknowledge(self) -> None:
        self.order.acknowledge(self.now())
        assert all(line.quantities.created == 0 for line in self.order.lines)

    @rule(data=st.data(), carrier=carriers, tracking=trackings)
    def ship(self, data: st.DataObject, carrier: tuple[Carrier, str | None], tracking: str | None) -> None:
        lines = self.draw_lines(data, max_quantity=6)
        resolved, url = carrier
        expected: type[DomainError] | None = None
        if not tracking or not tracking.strip():
            expected = TrackingNumberRequired
        elif not resolved.is_walmart_carrier and not url:
            expected = CarrierNotAccepted
        reuse_key = bool(self.order.shipments) and data.draw(st.integers(0, 4)) == 0
        if expected is None and reuse_key:
            expected = DomainError  # a shipment key is used once; a second use must not ship again
        elif expected is None:
            expected = self.open_error("ship", lines)
        now = self.now()
        key = data.draw(st.sampled_from(self.order.shipments)).key if reuse_key else self.key("S")
        shipment = self.attempt(
            expected,
            lambda: self.order.ship(
                key=key,
                lines=lines,
                carrier=resolved,
                tracking_number=tracking,
                tracking_url=url,
                shipped_at=now,
                at=now,
            ),
        )
        if shipment is not None:
            assert shipment.tracking_number == tracking.strip()  # type: ignore[union-attr]
            for number, quantity in lines.items():
                self.model[number].shipped += quantity

    @rule(data=st.data())
    def ship_open_quantity(self, data: st.DataObject) -> None:
        """Valid shipments are rare among random requests; this rule ships part of what is open."""
        open_lines = {n: m.open for n, m in self.model.items() if m.open}
        if not open_lines:
            return
        lines = {n: data.draw(st.integers(1, q)) for n, q in open_lines.items() if data.draw(st.booleans())}
        if not lines:
            return
        now = self.now()
        self.order.ship(
            key=self.key("S"),
            lines=lines,
            carrier=Carrier("USPS", True),
            tracking_number="9400",
            shipped_at=now,
            at=now,
        )
        for number, quantity in lines.items():
            self.model[number].shipped += quantity

    @rule(data=st.data(), reason=st.sampled_from(CancellationReason), by=st.sampled_from([Side.COMMERCE, Side.WALMART]))
    def cancel(self, data: st.DataObject, reason: CancellationReason, by: Side) -> None:
        lines = self.draw_lines(data, max_quantity=5)
        self._cancel(lines, reason, by)

    @precondition(lambda self: any(m.shipped for m in self.model.values()))
    @rule(data=st.data())
    def cancel_shipped_line(self, data: st.DataObject) -> None:
        shipped = [n for n, m in self.model.items() if m.shipped]
        number = data.draw(st.sampled_from(shipped))
        self._cancel({number: self.model[number].open + data.draw(st.integers(1, 3))}, CancellationReason.OUT_OF_STOCK)

    def _cancel(self, lines: dict[str, int], reason: CancellationReason, by: Side = Side.COMMERCE) -> None:
        source = ReasonSource.WALMART if by is Side.WALMART else ReasonSource.MERCHANT
        now = self.now()
        key = self.key("C")
        cancellation = self.attempt(
            self.open_error("cancel", lines),
            lambda: self.order.cancel(key=key, lines=lines, reason=reason, reason_source=source, started_by=by, at=now),
        )
        if cancellation is not None:
            expected_state = SyncState.SYNCED if by is Side.WALMART else SyncState.PENDING
            assert cancellation.sync_state is expected_state
            for number, quantity in lines.items():
                self.model[number].cancelled += quantity

    @rule(reason=st.sampled_from(CancellationReason))
    def cancel_whole_order(self, reason: CancellationReason) -> None:
        open_lines = {n: m.open for n, m in self.model.items() if m.open}
        expected = None if open_lines else NothingToCancel
        now = self.now()
        key = self.key("C")
        cancellation = self.attempt(
            expected,
            lambda: self.order.cancel_whole_order(key=key, reason=reason, reason_source=ReasonSource.MERCHANT, at=now),
        )
        if cancellation is not None:
            assert {line.line_number: line.quantity for line in cancellation.lines} == open_lines
            for number, quantity in open_lines.items():
                self.model[number].cancelled += quantity
            assert self.order.open_quantity == 0

    @rule(data=st.data(), over_quantity=st.booleans(), over_amount=st.booleans())
    def refund(self, data: st.DataObject, over_quantity: bool, over_amount: bool) -> None:
        shipped = [n for n, m in self.model.items() if m.shipped]
        prefer_shipped: bool = data.draw(st.booleans())
        candidates = shipped if shipped and prefer_shipped else list(self.model)
        numbers = data.draw(st.lists(st.sampled_from(candidates), unique=True, min_size=1))
        lines: dict[str, tuple[int, Decimal, Decimal]] = {}
        expected: type[DomainError] | None = None
        for number in numbers:
            model = self.model[number]
            line = self.order.line(number)
            refundable_quantity = model.shipped - model.refunded
            quantity = (
                refundable_quantity + data.draw(st.integers(1, 2))
                if over_quantity or refundable_quantity == 0
                else data.draw(st.integers(1, refundable_quantity))
            )
            left = int(line.refundable_amount / CENT)
            total = (
                left + data.draw(st.one_of(st.just(1), st.integers(1, 5_000)))
                if over_amount
                else data.draw(st.one_of(st.just(left), st.integers(0, left)))
            )
            tax_cents = data.draw(st.integers(0, total))
            lines[number] = (quantity, Decimal(total - tax_cents) * CENT, Decimal(tax_cents) * CENT)
            if expected is None and (quantity > refundable_quantity or total > left):
                expected = RefundNotAllowed
        now = self.now()
        key = self.key("R")
        result = self.attempt(
            expected,
            lambda: self.order.refund(key=key, lines=lines, reason=RefundReason.CUSTOMER_RETURNED_ITEM, at=now),
        )
        if result is not None:
            for number, (quantity, amount, tax) in lines.items():
                self.model[number].refunded += quantity
                self.model[number].refunded_amount += amount + tax

    @precondition(lambda self: bool(self.order.shipments))
    @rule(data=st.data())
    def mark_shipment_synced(self, data: st.DataObject) -> None:
        shipment = data.draw(st.sampled_from(self.order.shipments))
        now = self.now()
        updated = self.order.mark_shipment(shipment.key, SyncState.SYNCED, now)
        assert updated.first_synced_at == (shipment.first_synced_at or now)

    @rule(minutes=st.integers(0, 300))
    def time_passes(self, minutes: int) -> None:
        self.minute += minutes

    @precondition(lambda self: bool(self.order.shipments))
    @rule(data=st.data(), carrier=carriers, tracking=trackings)
    def correct_tracking(self, data: st.DataObject, carrier: tuple[Carrier, str | None], tracking: str | None) -> None:
        shipment = data.draw(st.sampled_from(self.order.shipments))
        resolved, url = carrier
        now = self.now()
        around_window_end = data.draw(st.sampled_from([None, -1, 0, 1]))
        if shipment.first_synced_at is not None and around_window_end is not None:
            # probe the edge of Walmart's 4-hour correction window, to the minute
            now = max(now, shipment.first_synced_at + TRACKING_CORRECTION_WINDOW + timedelta(minutes=around_window_end))
            self.minute = int((now - at(0)).total_seconds() // 60)
        expected: type[DomainError] | None = None
        if not tracking or not tracking.strip():
            expected = TrackingNumberRequired
        elif not resolved.is_walmart_carrier and not url:
            expected = CarrierNotAccepted
        elif shipment.first_synced_at is not None and now - shipment.first_synced_at > TRACKING_CORRECTION_WINDOW:
            expected = DomainError
        updated = self.attempt(
            expected,
            lambda: self.order.correct_tracking(
                shipment.key, carrier=resolved, tracking_number=tracking, tracking_url=url, at=now
            ),
        )
        if updated is not None:
            assert updated.lines == shipment.lines
            assert updated.corrections == shipment.corrections + 1
            assert updated.sync_state is SyncState.PENDING
            assert self.order.shipment(shipment.key) == updated

    @rule(side=st.sampled_from(Side))
    def report_problem(self, side: Side) -> None:
        self.order.report_problem(make_problem(side=side, minute=self.minute))
        self.has_problem = True

    @rule()
    def clear_problem(self) -> None:
        self.order.clear_problem(self.now(), "fixed")
        self.has_problem = False

    # ------------------------------------------------------------ invariants

    @invariant()
    def quantities_add_up(self) -> None:
        if not self.model:
            return
        for line in self.order.lines:
            q = line.quantities
            model = self.model[line.line_number]
            assert q.created + q.acknowledged + q.shipped + q.cancelled == q.ordered == model.ordered
            assert min(q.created, q.acknowledged, q.shipped, q.cancelled, q.refunded, q.returned) >= 0
            assert (q.shipped, q.cancelled, q.refunded) == (model.shipped, model.cancelled, model.refunded)
            assert q.refunded <= q.shipped
            assert line.refunded_amount == model.refunded_amount
            assert ZERO <= line.refunded_amount <= line.charged_for_shipped

    @invariant()
    def records_match_quantities(self) -> None:
        if not self.model:
            return
        for line in self.order.lines:
            n = line.line_number
            shipped = sum(sl.quantity for s in self.order.shipments for sl in s.lines if sl.line_number == n)
            cancelled = sum(cl.quantity for c in self.order.cancellations for cl in c.lines if cl.line_number == n)
            refunded = sum(rl.quantity for r in self.order.refunds for rl in r.lines if rl.line_number == n)
            amount = sum((rl.total for r in self.order.refunds for rl in r.lines if rl.line_number == n), ZERO)
            assert shipped == line.quantities.shipped
            assert cancelled == line.quantities.cancelled
            assert refunded == line.quantities.refunded
            assert amount == line.refunded_amount
        keys = [s.key for s in self.order.shipments]
        assert len(keys) == len(set(keys))
        for shipment in self.order.shipments:
            assert shipment.tracking_number and shipment.tracking_number == shipment.tracking_number.strip()
            assert shipment.carrier.is_walmart_carrier or shipment.tracking_url
            assert all(sl.quantity >= 1 for sl in shipment.lines)

    @invariant()
    def status_agrees_with_quantities(self) -> None:
        if not self.model:
            return
        order = self.order
        ordered = sum(m.ordered for m in self.model.values())
        shipped = sum(m.shipped for m in self.model.values())
        cancelled = sum(m.cancelled for m in self.model.values())
        open_quantity = ordered - shipped - cancelled
        assert order.open_quantity == open_quantity
        assert (order.status is OrderStatus.ERROR) == self.has_problem == (order.problem is not None)
        if self.has_problem:
            assert order.problem is not None and order.problem.describe() in order.status_details
            return
        assert (order.status is OrderStatus.CANCELED) == (cancelled == ordered)
        assert (order.status is OrderStatus.OPEN) == (shipped == 0 and cancelled < ordered)
        assert (order.status is OrderStatus.SHIPPED) == (shipped > 0 and open_quantity == 0)
        assert (order.status is OrderStatus.PARTIALLY_SHIPPED) == (shipped > 0 and open_quantity > 0)
        if order.cancellations:
            assert f"Cancellation reason: {order.cancellations[-1].describe()}." in order.status_details


PurchaseOrderMachine.TestCase.settings = settings(
    max_examples=120,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPurchaseOrderMachine = PurchaseOrderMachine.TestCase
