"""A Walmart purchase order, its lines, and the operations that change them.

``PurchaseOrder`` is the aggregate: every change to a PO goes through one of its methods, which check
the rules, move line quantities and append to the timeline. Times are passed in, never read.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from .cancellations import Cancellation, ReasonSource
from .errors import (
    BuyerAskedToCancel,
    CarrierNotAccepted,
    CustomerRequestedNotAllowed,
    DomainError,
    InvalidQuantity,
    NothingToCancel,
    QuantityNotOpen,
    RefundNotAllowed,
    ShippedQuantityCannotBeCancelled,
    TrackingNumberRequired,
    UnknownOrderLine,
    WholeOrderCancelRequired,
)
from .quantities import LineQuantities, LineQuantity
from .reasons import CancellationReason, RefundReason
from .refunds import CENT, Refund, RefundLine
from .shipments import Carrier, Shipment
from .statuses import OrderStatus, status_from_quantities
from .sync import OrderEvent, ProblemKey, Side, SyncProblem, SyncState

ZERO = Decimal("0")


@dataclass(frozen=True)
class Address:
    name: str
    address1: str
    city: str
    state: str
    postal_code: str
    country: str = "USA"
    address2: str | None = None
    phone: str | None = None


@dataclass
class OrderLine:
    line_number: str
    sku: str
    product_name: str
    quantities: LineQuantities
    unit_price: Decimal
    unit_tax: Decimal = ZERO
    shipping_charge: Decimal = ZERO  # the line's shipping charge, all units together, before tax
    shipping_tax: Decimal = ZERO  # the tax on the line's shipping charge
    refunded_amount: Decimal = ZERO  # money refunded so far (product, shipping and their tax)
    commerce_item_id: int | None = None  # the Commerce order item this line became
    intent_to_cancel: bool = False  # the buyer asked Walmart to cancel
    #: The merchant chose to ship this line although the buyer asked to cancel (``intentToCancelOverride``).
    intent_to_cancel_override: bool = False

    @property
    def awaits_cancel_decision(self) -> bool:
        """The buyer asked to cancel, units are still open, and the merchant has not chosen to ship them."""
        return self.intent_to_cancel and not self.intent_to_cancel_override and self.quantities.open > 0

    @property
    def charged_for_shipped(self) -> Decimal:
        """What Walmart charged the customer for this line: shipped units and the shipping charge."""
        if self.quantities.shipped == 0:
            return ZERO
        return (self.unit_price + self.unit_tax) * self.quantities.shipped + self.shipping_charge + self.shipping_tax

    @property
    def refundable_amount(self) -> Decimal:
        return max(ZERO, self.charged_for_shipped - self.refunded_amount)

    @property
    def value(self) -> Decimal:
        return (self.unit_price + self.unit_tax) * self.quantities.ordered + self.shipping_charge + self.shipping_tax


def _positive(what: str, quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise InvalidQuantity(what, quantity)
    return quantity


@dataclass
class PurchaseOrder:
    store_id: int
    purchase_order_id: str
    customer_order_id: str
    customer_email: str
    ship_method: str  # Walmart methodCode, e.g. "Value"
    ordered_at: datetime
    lines: list[OrderLine]
    shipping_address: Address | None = None
    ship_by: datetime | None = None
    deliver_by: datetime | None = None
    currency: str = "USD"
    commerce_order_id: int | None = None
    commerce_increment_id: str | None = None
    acknowledged_at: datetime | None = None
    problem: SyncProblem | None = None
    return_requested: bool = False
    last_update_at: datetime | None = None
    shipments: list[Shipment] = field(default_factory=list)
    cancellations: list[Cancellation] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    new_events: list[OrderEvent] = field(default_factory=list)
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        numbers = [line.line_number for line in self.lines]
        if not numbers:
            raise DomainError(f"PO {self.purchase_order_id} has no lines.")
        if len(set(numbers)) != len(numbers):
            raise DomainError(f"PO {self.purchase_order_id} lists a line number twice.")

    # ---------------------------------------------------------------- reading

    def line(self, line_number: str) -> OrderLine:
        for line in self.lines:
            if line.line_number == line_number:
                return line
        raise UnknownOrderLine(self.purchase_order_id, line_number)

    def line_for_commerce_item(self, item_id: int) -> OrderLine | None:
        return next((line for line in self.lines if line.commerce_item_id == item_id), None)

    @property
    def ordered_quantity(self) -> int:
        return sum(line.quantities.ordered for line in self.lines)

    @property
    def shipped_quantity(self) -> int:
        return sum(line.quantities.shipped for line in self.lines)

    @property
    def cancelled_quantity(self) -> int:
        return sum(line.quantities.cancelled for line in self.lines)

    @property
    def open_quantity(self) -> int:
        return sum(line.quantities.open for line in self.lines)

    @property
    def value(self) -> Decimal:
        return sum((line.value for line in self.lines), ZERO)

    @property
    def status(self) -> OrderStatus:
        if self.problem is not None:
            return OrderStatus.ERROR
        return status_from_quantities(self.ordered_quantity, self.shipped_quantity, self.cancelled_quantity)

    @property
    def status_details(self) -> str:
        """Plain-language details for the Status details column."""
        parts: list[str] = []
        if self.problem is not None:
            parts.append(self.problem.describe())
        if self.commerce_order_id is None:
            parts.append("Waiting for the Commerce order to be created.")
        if self.acknowledged_at is None and self.cancelled_quantity < self.ordered_quantity:
            parts.append("Waiting for the acknowledgement at Walmart.")
        pending = [s for s in self.shipments if s.sync_state is SyncState.PENDING]
        if pending:
            parts.append(f"{len(pending)} shipment(s) being sent to Walmart.")
        pending_cancels = [c for c in self.cancellations if c.sync_state is SyncState.PENDING]
        if pending_cancels:
            parts.append("Cancellation being sent to Walmart.")
        if self.status is OrderStatus.CANCELED or (self.cancellations and self.problem is None):
            latest = self.cancellations[-1] if self.cancellations else None
            if latest is not None:
                parts.append(f"Cancellation reason: {latest.describe()}.")
        waiting = self.lines_awaiting_cancel_decision()
        if waiting:
            parts.append(self.intent_to_cancel_details(waiting))
        if self.return_requested:
            parts.append("Return requested.")
        return " ".join(parts)

    # ---------------------------------------------------------------- the buyer's intent to cancel

    def lines_awaiting_cancel_decision(self) -> list[str]:
        return [line.line_number for line in self.lines if line.awaits_cancel_decision]

    def intent_to_cancel_details(self, line_numbers: list[str]) -> str:
        """What Status details says while the buyer's request waits for the merchant's choice."""
        named = ("line " if len(line_numbers) == 1 else "lines ") + ", ".join(line_numbers)
        po = self.purchase_order_id
        return (
            f"The buyer asked Walmart to cancel {named}: cancel in Commerce (reason: customer requested, the "
            f"default there) or `channel-manager orders cancel {po} --reason customer_requested`; or ship anyway "
            f"with `channel-manager orders ship {po} --override-intent-to-cancel ...`."
        )

    def note_intent_to_cancel(self, line_numbers: list[str], at: datetime) -> list[str]:
        """Records that the buyer asked Walmart to cancel these lines (Walmart's ``intentToCancel``); the line
        numbers newly recorded, in order. A line already recorded is not again, nor one whose every unit is shipped
        at Walmart or cancelled: the request can change nothing there."""
        unsent = {sl.line_number for s in self.shipments if s.sync_state is not SyncState.SYNCED for sl in s.lines}
        noted = []
        for number in line_numbers:
            line = self.line(number)
            if line.intent_to_cancel or (line.quantities.open == 0 and number not in unsent):
                continue
            line.intent_to_cancel = True
            noted.append(number)
        if noted:
            named = ("line " if len(noted) == 1 else "lines ") + ", ".join(noted)
            self.record(at, "intent_to_cancel", f"The buyer asked Walmart to cancel {named}.")
        return noted

    def check_ship_chosen(self, lines: Mapping[str, int]) -> None:
        """The merchant ships lines the buyer asked to cancel only on purpose: raises ``BuyerAskedToCancel``
        for such lines shipped without the override."""
        asked = [n for n in lines if self.line(n).awaits_cancel_decision]
        if asked:
            raise BuyerAskedToCancel(self.purchase_order_id, asked)

    def ship_despite_intent(self, line_numbers: list[str], at: datetime) -> list[str]:
        """The merchant's choice to ship these lines although the buyer asked to cancel: their shipments are sent
        with ``intentToCancelOverride``. The line numbers newly chosen."""
        chosen = []
        for number in line_numbers:
            line = self.line(number)
            if not line.intent_to_cancel_override:
                line.intent_to_cancel_override = True
                chosen.append(number)
        if chosen:
            named = ("line " if len(chosen) == 1 else "lines ") + ", ".join(chosen)
            self.record(at, "intent_override", f"Shipped on purpose although the buyer asked to cancel: {named}.")
        return chosen

    def check_reason_allowed(self, lines: Mapping[str, int] | list[str], reason: CancellationReason) -> None:
        """Walmart's rule: ``CUSTOMER_REQUESTED_SELLER_TO_CANCEL`` only on lines the buyer asked to cancel."""
        if reason is not CancellationReason.CUSTOMER_REQUESTED:
            return
        missing = [n for n in lines if not self.line(n).intent_to_cancel]
        if missing:
            raise CustomerRequestedNotAllowed(self.purchase_order_id, missing)

    def use_customer_requested(self, key: str, at: datetime) -> None:
        """A cancellation given the store's default reason turns out to be of lines the buyer asked to cancel
        (Walmart shows it): it is sent as customer requested, Walmart's reason for them."""
        for index, cancellation in enumerate(self.cancellations):
            if cancellation.key == key:
                self.cancellations[index] = replace(
                    cancellation, reason=CancellationReason.CUSTOMER_REQUESTED, reason_source=ReasonSource.WALMART
                )
                self.record(
                    at, "cancel_reason", f"Cancellation {key}: the buyer asked to cancel, so customer requested."
                )
                return
        raise DomainError(f"PO {self.purchase_order_id} has no cancellation {key}.")

    # ---------------------------------------------------------------- timeline and problems

    def record(self, at: datetime, kind: str, message: str) -> None:
        self.new_events.append(OrderEvent(at=at, kind=kind, message=message))
        self.last_update_at = at

    def report_problem(self, problem: SyncProblem) -> None:
        self.problem = problem
        self.record(problem.occurred_at, "error", problem.describe())

    def clear_problem(self, at: datetime, resolved_by: str) -> None:
        if self.problem is not None:
            self.problem = None
            self.record(at, "error_cleared", f"Error cleared: {resolved_by}.")

    def report_problem_once(self, problem: SyncProblem) -> None:
        """Reports ``problem`` unless the same one (same key and message) is already shown: a poll that finds
        the same fault again does not repeat it on the timeline."""
        current = self.problem
        if current is not None and (current.key, current.message) == (problem.key, problem.message):
            return
        self.report_problem(problem)

    def clear_problem_of(self, key: ProblemKey, at: datetime, resolved_by: str) -> None:
        """Clears the problem about ``key`` (a success of the same job kind and business key); others stay."""
        if self.problem is not None and self.problem.key == key:
            self.clear_problem(at, resolved_by)

    # ---------------------------------------------------------------- intake

    def link_commerce_order(self, entity_id: int, increment_id: str, items: Mapping[str, int], at: datetime) -> None:
        """Binds this PO to its Commerce order; ``items`` maps Walmart line numbers to Commerce item ids."""
        self.commerce_order_id = entity_id
        self.commerce_increment_id = increment_id
        for line_number, item_id in items.items():
            self.line(line_number).commerce_item_id = item_id
        self.record(at, "commerce_order_created", f"Commerce order {increment_id} created.")

    def acknowledge(self, at: datetime) -> None:
        for line in self.lines:
            line.quantities = line.quantities.acknowledge()
        self.acknowledged_at = at
        self.record(at, "acknowledged", "Acknowledged at Walmart.")

    # ---------------------------------------------------------------- shipping

    def _closed_quantities(self) -> dict[str, int]:
        quantities = [line.quantities for line in self.lines]
        return {"shipped": sum(q.shipped for q in quantities), "cancelled": sum(q.cancelled for q in quantities)}

    def check_open(self, action: str, requested: Mapping[str, int]) -> None:
        """Raises the rule's error unless ``requested`` (line -> quantity) can be shipped or cancelled."""
        if not requested:
            if not self.open_lines():
                done = ", ".join(f"{n} {what}" for what, n in self._closed_quantities().items() if n)
                raise DomainError(
                    f"Nothing to {action}: PO {self.purchase_order_id} has no open quantity left ({done or 'none'})."
                )
            raise DomainError(f"Nothing to {action}: no lines given for PO {self.purchase_order_id}.")
        for line_number, quantity in requested.items():
            _positive(f"The quantity to {action} of line {line_number}", quantity)
            line = self.line(line_number)
            if quantity > line.quantities.open:
                if action == "cancel" and line.quantities.shipped:
                    raise ShippedQuantityCannotBeCancelled(self.purchase_order_id, line_number, line.quantities.shipped)
                raise QuantityNotOpen(self.purchase_order_id, line_number, action, quantity, line.quantities.open)

    def require_tracking_number(self, tracking_number: str | None) -> str:
        """The tracking rule: Walmart takes no shipment without a tracking number. The number, stripped."""
        if not tracking_number or not tracking_number.strip():
            raise TrackingNumberRequired(self.purchase_order_id)
        return tracking_number.strip()

    def checked_tracking(self, tracking_number: str | None, carrier: Carrier, tracking_url: str | None) -> str:
        """A shipment's tracking as Walmart takes it: a number, and a tracking URL for a carrier Walmart does
        not know. The number, stripped."""
        number = self.require_tracking_number(tracking_number)
        if not carrier.is_walmart_carrier and not tracking_url:
            raise CarrierNotAccepted(carrier.name)
        return number

    def ship(
        self,
        *,
        key: str,
        lines: Mapping[str, int],
        carrier: Carrier,
        tracking_number: str | None,
        shipped_at: datetime,
        tracking_url: str | None = None,
        commerce_shipment_id: int | None = None,
        at: datetime,
    ) -> Shipment:
        number = self.checked_tracking(tracking_number, carrier, tracking_url)
        if any(s.key == key for s in self.shipments):
            raise DomainError(f"PO {self.purchase_order_id} already has a shipment {key}.")
        self.check_open("ship", lines)
        shipment = Shipment(
            key=key,
            lines=tuple(LineQuantity(n, q) for n, q in lines.items()),
            carrier=carrier,
            method_code=self.ship_method,
            tracking_number=number,
            tracking_url=tracking_url,
            shipped_at=shipped_at,
            commerce_shipment_id=commerce_shipment_id,
        )
        for line_number, quantity in lines.items():
            line = self.line(line_number)
            line.quantities = line.quantities.ship(quantity)
        self.shipments.append(shipment)
        summary = ", ".join(f"line {n} x{q}" for n, q in lines.items())
        self.record(
            at, "shipped", f"Shipment {key} ({summary}) via {carrier.name}, tracking {shipment.tracking_number}."
        )
        return shipment

    def shipment(self, key: str) -> Shipment:
        for shipment in self.shipments:
            if shipment.key == key:
                return shipment
        raise DomainError(f"PO {self.purchase_order_id} has no shipment {key}.")

    def _replace_shipment(self, updated: Shipment) -> None:
        self.shipments = [updated if s.key == updated.key else s for s in self.shipments]

    def correct_tracking(
        self, key: str, *, carrier: Carrier, tracking_number: str | None, tracking_url: str | None, at: datetime
    ) -> Shipment:
        number = self.checked_tracking(tracking_number, carrier, tracking_url)
        shipment = self.shipment(key)
        if not shipment.correction_allowed_at(at):
            raise DomainError(
                f"Walmart accepts tracking corrections only within 4 hours of the shipment; shipment {key} of "
                f"PO {self.purchase_order_id} was sent at {shipment.first_synced_at:%Y-%m-%d %H:%M} UTC. "
                "Correct it in Walmart Seller Center."
            )
        updated = shipment.with_tracking(carrier, number, tracking_url)
        self._replace_shipment(updated)
        self.record(at, "tracking_corrected", f"Tracking of shipment {key} corrected to {updated.tracking_number}.")
        return updated

    def mark_shipment(self, key: str, state: SyncState, at: datetime) -> Shipment:
        shipment = self.shipment(key)
        first = shipment.first_synced_at or (at if state is SyncState.SYNCED else None)
        updated = replace(shipment, sync_state=state, first_synced_at=first)
        self._replace_shipment(updated)
        if state is SyncState.SYNCED:
            self.record(at, "shipment_synced", f"Shipment {key} is shipped at Walmart.")
        return updated

    def resend_shipment(self, key: str, at: datetime) -> Shipment:
        """Walmart does not have a shipment recorded as sent (read back by reconciliation): it is sent again,
        as a new shipment (not a correction of one Walmart lacks)."""
        updated = replace(self.shipment(key), sync_state=SyncState.PENDING, first_synced_at=None)
        self._replace_shipment(updated)
        self.record(at, "reconciled", f"Walmart does not show shipment {key}; channel-manager sends it again.")
        return updated

    def resend_tracking_correction(self, key: str, at: datetime) -> Shipment:
        """Walmart shows a shipment's units under a tracking number Commerce has since corrected (the correction
        never reached Walmart): the correction is sent again, reading what Walmart has first."""
        shipment = self.shipment(key)
        updated = replace(shipment, sync_state=SyncState.PENDING, corrections=shipment.corrections + 1)
        self._replace_shipment(updated)
        self.record(
            at,
            "reconciled",
            f"Walmart shows shipment {key} with an older tracking number; channel-manager sends the correction to "
            f"{shipment.tracking_number} again.",
        )
        return updated

    # ---------------------------------------------------------------- cancelling

    def cancel(
        self,
        *,
        key: str,
        lines: Mapping[str, int],
        reason: CancellationReason,
        reason_source: ReasonSource,
        started_by: Side,
        at: datetime,
    ) -> Cancellation:
        self.check_open("cancel", lines)
        cancellation = Cancellation(
            key=key,
            lines=tuple(LineQuantity(n, q) for n, q in lines.items()),
            reason=reason,
            reason_source=reason_source,
            started_by=started_by,
            created_at=at,
            sync_state=SyncState.SYNCED if started_by is Side.WALMART else SyncState.PENDING,
        )
        for line_number, quantity in lines.items():
            line = self.line(line_number)
            line.quantities = line.quantities.cancel(quantity)
        self.cancellations.append(cancellation)
        summary = ", ".join(f"line {n} x{q}" for n, q in lines.items())
        self.record(at, "cancelled", f"{started_by.value} cancelled {summary}: {cancellation.describe()}.")
        return cancellation

    def open_lines(self) -> dict[str, int]:
        return {line.line_number: line.quantities.open for line in self.lines if line.quantities.open}

    def cancel_whole_order(
        self, *, key: str, reason: CancellationReason, reason_source: ReasonSource, at: datetime
    ) -> Cancellation:
        """A cancel made in Commerce: every open quantity of every line."""
        open_lines = self.open_lines()
        if not open_lines:
            raise NothingToCancel(self.purchase_order_id)
        return self.cancel(
            key=key, lines=open_lines, reason=reason, reason_source=reason_source, started_by=Side.COMMERCE, at=at
        )

    def check_whole_order_cancel(self, lines: Mapping[str, int]) -> None:
        if dict(lines) != self.open_lines():
            raise WholeOrderCancelRequired(self.purchase_order_id)

    def mark_cancellation(self, key: str, state: SyncState, at: datetime) -> None:
        for index, cancellation in enumerate(self.cancellations):
            if cancellation.key == key:
                self.cancellations[index] = replace(cancellation, sync_state=state)
                if state is SyncState.SYNCED:
                    self.record(at, "cancellation_synced", "Cancellation applied at Walmart.")
                return
        raise DomainError(f"PO {self.purchase_order_id} has no cancellation {key}.")

    def resend_cancellation(self, key: str, at: datetime) -> None:
        """Walmart does not show a cancellation recorded as sent (read back by reconciliation): sent again."""
        self.mark_cancellation(key, SyncState.PENDING, at)
        self.record(at, "reconciled", f"Walmart does not show cancellation {key}; channel-manager sends it again.")

    # ---------------------------------------------------------------- returns

    def mark_returned(self, line_number: str, quantity: int) -> int:
        """Counts ``quantity`` units of a line as returned, at most the shipped units not returned yet; how
        many were counted."""
        line = self.line(line_number)
        room = line.quantities.shipped - line.quantities.returned
        counted = min(room, quantity)
        if counted > 0:
            line.quantities = line.quantities.mark_returned(counted)
        return max(0, counted)

    # ---------------------------------------------------------------- refunds

    def refund_by_key(self, key: str) -> Refund:
        for refund in self.refunds:
            if refund.key == key:
                return refund
        raise DomainError(f"PO {self.purchase_order_id} has no refund {key}.")

    def mark_refund_synced(self, key: str, message: str, at: datetime) -> None:
        """The refund ``key`` is applied at Walmart (``message`` says how); once."""
        for index, refund in enumerate(self.refunds):
            if refund.key == key and refund.sync_state is not SyncState.SYNCED:
                self.refunds[index] = replace(refund, sync_state=SyncState.SYNCED)
                self.record(at, "refund_synced", message)

    def refunded_skus(self, refund: Refund) -> set[str]:
        return {self.line(line.line_number).sku for line in refund.lines if line.quantity}

    def plan_refund(
        self, lines: Mapping[str, int], amount: Decimal | None
    ) -> tuple[dict[str, tuple[int, Decimal, Decimal]], Decimal]:
        """The money of a refund of ``lines`` (line -> units) at Walmart's unit prices: (quantity, product
        amount, tax) per line, and the adjustment (positive or negative) that makes the total ``amount`` when
        one is given. Raises ``RefundNotAllowed`` when Walmart would not take it; changes nothing."""
        if not lines:
            raise RefundNotAllowed(f"Nothing to refund: name the lines of PO {self.purchase_order_id} to refund.")
        planned: dict[str, tuple[int, Decimal, Decimal]] = {}
        for line_number, quantity in lines.items():
            line = self.line(line_number)
            planned[line_number] = (
                quantity,
                (line.unit_price * quantity).quantize(CENT),
                (line.unit_tax * quantity).quantize(CENT),
            )
        adjustment = ZERO
        checked = planned
        if amount is not None:
            if amount <= 0:
                raise RefundNotAllowed("The amount to refund must be positive.")
            adjustment = amount.quantize(CENT) - sum((a + t for _, a, t in planned.values()), ZERO)
            first = next(iter(planned))
            quantity, product, tax = planned[first]
            if product + adjustment < 0:
                raise RefundNotAllowed(f"An amount of {amount:.2f} is too small to refund those units.")
            checked = {**planned, first: (quantity, product + adjustment, tax)}
        copy.deepcopy(self).refund(key="check", lines=checked, reason=RefundReason.OTHERS, at=self.ordered_at)
        return planned, adjustment

    def refund(
        self,
        *,
        key: str,
        lines: Mapping[str, tuple[int, Decimal, Decimal]],
        reason: RefundReason,
        at: datetime,
        return_order_id: str | None = None,
        commerce_credit_memo_id: int | None = None,
        shipping: Mapping[str, tuple[Decimal, Decimal]] | None = None,
    ) -> Refund:
        """``lines`` maps line numbers to (quantity, product amount, tax amount), amounts positive; a quantity
        of 0 refunds money only. ``shipping`` maps line numbers to (shipping, shipping tax) refunded."""
        if not lines:
            raise RefundNotAllowed(f"Nothing to refund: no lines given for PO {self.purchase_order_id}.")
        refund_lines: list[RefundLine] = []
        shipping = shipping or {}
        for line_number in shipping:
            self.line(line_number)
            if line_number not in lines:
                raise RefundNotAllowed(
                    f"Shipping refunded on PO {self.purchase_order_id} line {line_number} needs the line."
                )
        for line_number, (quantity, amount, tax) in lines.items():
            line = self.line(line_number)
            ship, ship_tax = shipping.get(line_number, (ZERO, ZERO))
            if quantity != 0 or amount + tax + ship + ship_tax == 0 or line.quantities.shipped == 0:
                _positive(f"The quantity to refund of line {line_number}", quantity)
            refundable_quantity = line.quantities.shipped - line.quantities.refunded
            if quantity > refundable_quantity:
                raise RefundNotAllowed(
                    f"Cannot refund {quantity} of PO {self.purchase_order_id} line {line_number}: only shipped "
                    f"quantity can be refunded, and {refundable_quantity} shipped unit(s) are not refunded yet."
                )
            if min(amount, tax, ship, ship_tax) < ZERO:
                raise RefundNotAllowed("Refund amounts are given as positive numbers.")
            total = amount + tax + ship + ship_tax
            if total > line.refundable_amount:
                raise RefundNotAllowed(
                    f"Cannot refund {total:.2f} {self.currency} on PO {self.purchase_order_id} line "
                    f"{line_number}: Walmart charged {line.charged_for_shipped:.2f} for what shipped and "
                    f"{line.refunded_amount:.2f} is already refunded, so at most {line.refundable_amount:.2f} is left."
                )
            self._check_shipping_left(line, ship, ship_tax)
            refund_lines.append(RefundLine(line_number, quantity, amount, tax, ship, ship_tax))
        refund = Refund(
            key=key,
            lines=tuple(refund_lines),
            reason=reason,
            created_at=at,
            return_order_id=return_order_id,
            commerce_credit_memo_id=commerce_credit_memo_id,
        )
        for refund_line in refund_lines:
            line = self.line(refund_line.line_number)
            if refund_line.quantity:
                line.quantities = line.quantities.refund(refund_line.quantity)
            line.refunded_amount += refund_line.total
        self.refunds.append(refund)
        self.record(at, "refunded", f"Refund {key} of {refund.total:.2f} {self.currency} ({reason.value}).")
        return refund

    def _check_shipping_left(self, line: OrderLine, shipping: Decimal, shipping_tax: Decimal) -> None:
        """Walmart refunds shipping per line, never more than it charged on the line (its tax likewise)."""
        if not shipping and not shipping_tax:
            return
        done_shipping = sum(
            (x.shipping for r in self.refunds for x in r.lines if x.line_number == line.line_number), ZERO
        )
        done_tax = sum(
            (x.shipping_tax for r in self.refunds for x in r.lines if x.line_number == line.line_number), ZERO
        )
        for what, wanted, charged, done in (
            ("shipping", shipping, line.shipping_charge, done_shipping),
            ("shipping tax", shipping_tax, line.shipping_tax, done_tax),
        ):
            if wanted > charged - done:
                raise RefundNotAllowed(
                    f"Cannot refund {what} of {wanted:.2f} {self.currency} on PO {self.purchase_order_id} line "
                    f"{line.line_number}: Walmart charged {charged:.2f} and {done:.2f} is already refunded."
                )
