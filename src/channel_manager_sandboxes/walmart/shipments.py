"""``POST /v3/orders/{id}/shipping``: ship confirmations and PARTIAL_UPDATE tracking corrections
(NOTES.md section 3.2), checked against Walmart's own carrier and method lists (``contract.py``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.walmart.contract import CARRIERS, METHOD_CODES
from channel_manager_sandboxes.walmart.dates import iso
from channel_manager_sandboxes.walmart.errors import order_error
from channel_manager_sandboxes.walmart.model import SHIPPED_STATUSES, Line, PurchaseOrder, Seller, StatusEntry
from channel_manager_sandboxes.walmart.payload import as_list, envelope, order_lines, quantity
from channel_manager_sandboxes.walmart.render import render_order

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.state import WalmartSandbox


@dataclass
class PlannedLine:
    line: Line
    raw: Mapping[str, Any]
    units: list[tuple[int, dict[str, Any]]]
    """(quantity, trackingInfo) per requested status entry."""


def tracking_info(raw: Any, number: str) -> dict[str, Any]:
    """A request's ``trackingInfo``, checked, in the shape the order then shows."""
    if not isinstance(raw, Mapping):
        raise order_error(f"trackingInfo is required in line number {number}", field="trackingInfo")
    carrier_name = raw.get("carrierName")
    if not isinstance(carrier_name, Mapping):
        raise order_error(f"carrierName is required in line number {number}", field="carrierName")
    carrier, other = carrier_name.get("carrier"), carrier_name.get("otherCarrier")
    url = raw.get("trackingURL")
    if carrier:
        if carrier not in CARRIERS:
            raise order_error(f"Carrier {carrier} is not supported in line number {number}", field="carrierName")
    elif other:
        if not url:
            raise order_error(f"trackingURL is required with otherCarrier in line number {number}", field="trackingURL")
    else:
        raise order_error(f"carrierName is required in line number {number}", field="carrierName")
    method = raw.get("methodCode")
    if method not in METHOD_CODES:
        raise order_error(f"Method code is not supported in line number {number}", field="methodCode")
    tracking_number = raw.get("trackingNumber")
    if not tracking_number:
        raise order_error(f"trackingNumber is required in line number {number}", field="trackingNumber")
    ship_time = raw.get("shipDateTime")
    if not isinstance(ship_time, int | float) or isinstance(ship_time, bool):
        raise order_error(f"shipDateTime is required in line number {number}", field="shipDateTime")
    return {
        "shipDateTime": int(ship_time),
        "carrierName": {"otherCarrier": other or None, "carrier": carrier or None},
        "methodCode": method,
        "trackingNumber": str(tracking_number),
        "trackingURL": url,
    }


def _line_state(line: Line) -> str:
    if line.qty("Cancelled") == line.quantity:
        return "CANCELLED"
    return "DELIVERED" if line.qty("Delivered") and not line.qty("Shipped") else "SHIPPED"


class Shipments:
    def __init__(self, sandbox: WalmartSandbox) -> None:
        self.sandbox = sandbox

    def ship(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        sandbox = self.sandbox
        sandbox.orders.tick()
        shipment = envelope(body, "orderShipment")
        process_mode = shipment.get("processMode")
        if process_mode not in (None, "PARTIAL_UPDATE"):
            raise order_error(f"Invalid processMode {process_mode}", field="processMode")
        raw_lines = order_lines(shipment)
        partial_update = process_mode == "PARTIAL_UPDATE"
        with sandbox.lock:
            order = sandbox.orders.order(seller, purchase_order_id, "shipConfirm API")
            plan = self._plan(order, raw_lines, partial_update=partial_update)
            now = sandbox.clock.now_ms()
            changed = False
            for planned in plan:
                changed |= self._apply(planned, now, partial_update=partial_update)
            if changed:
                order.touch(now)
                sandbox.counters.accept(seller, "ship", purchase_order_id, body, iso(now))
            return {"order": render_order(order)}

    @staticmethod
    def _apply(planned: PlannedLine, now: int, *, partial_update: bool) -> bool:
        line, changed = planned.line, False
        if partial_update:
            for units, tracking in planned.units:
                chunks = [e for e in line.entries if e.status in SHIPPED_STATUSES]
                target = next((c for c in chunks if c.quantity == units), chunks[0])
                if target.tracking != tracking:
                    target.tracking = tracking
                    changed = True
        else:
            for units, tracking in planned.units:
                line.take(("Acknowledged", "Created"), units)
                line.put(StatusEntry("Shipped", units, tracking=tracking, shipped_at_ms=now))
                changed = True
            if planned.raw.get("sellerOrderId"):
                line.seller_order_id = str(planned.raw["sellerOrderId"])[:30]
        line.status_date_ms = now
        return changed

    def _plan(self, order: PurchaseOrder, raw_lines: list[Any], *, partial_update: bool) -> list[PlannedLine]:
        plan = [self._planned_line(order, raw) for raw in raw_lines]
        for planned in plan:
            if partial_update:
                self._check_correction(order, planned.line)
            elif planned.line.intent_to_cancel and planned.raw.get("intentToCancelOverride") is not True:
                raise order_error(
                    f"Unable to process this request. The Line: {planned.line.number} of PO: "
                    f"{order.purchase_order_id} has a customer request to cancel (intentToCancel); send "
                    "intentToCancelOverride true to ship it",
                    field="intentToCancelOverride",
                )
        if not partial_update:
            wanted: Counter[str] = Counter()
            for planned in plan:
                wanted[planned.line.number] += sum(units for units, _ in planned.units)
            for number, units in wanted.items():
                line = order.line(number)
                assert line is not None
                self._check_available(order, line, units)
        return plan

    @staticmethod
    def _planned_line(order: PurchaseOrder, raw: Any) -> PlannedLine:
        if not isinstance(raw, Mapping):
            raise order_error("Invalid orderLine", field="orderLine")
        number = str(raw.get("lineNumber", ""))
        line = order.line(number)
        if line is None:
            raise order_error(f"Invalid lineNumber {number} for PO {order.purchase_order_id}", field="lineNumber")
        statuses = as_list(raw, "orderLineStatuses", "orderLineStatus")
        if not statuses:
            raise order_error(f"orderLineStatuses is required in line number {number}", field="orderLineStatuses")
        units = []
        for status in statuses:
            if not isinstance(status, Mapping) or status.get("status") != "Shipped":
                raise order_error(f"Invalid status in line number {number}: use Shipped", field="status")
            units.append((quantity(status.get("statusQuantity")), tracking_info(status.get("trackingInfo"), number)))
        return PlannedLine(line, raw, units)

    def _check_correction(self, order: PurchaseOrder, line: Line) -> None:
        """PARTIAL_UPDATE: only shipped lines, and only within the window after the first shipment."""
        po, number = order.purchase_order_id, line.number
        shipped = [e for e in line.entries if e.status in SHIPPED_STATUSES]
        if not shipped:
            raise order_error(
                f"Unable to process this request. PARTIAL_UPDATE is allowed only for shipped lines; "
                f"the Line: {number} of PO: {po} is not shipped",
                field="processMode",
            )
        now = self.sandbox.clock.now_ms()
        hours = self.sandbox.settings.partial_update_hours
        first = min(e.shipped_at_ms or now for e in shipped)
        if now - first > hours * 3_600_000:
            raise order_error(
                f"Unable to process this request. Tracking of the Line: {number} of PO: {po} can only be "
                f"updated within {hours} hours of the first shipment",
                field="processMode",
            )

    def _check_available(self, order: PurchaseOrder, line: Line, units: int) -> None:
        po, number = order.purchase_order_id, line.number
        require_ack = self.sandbox.settings.require_acknowledgement
        available = line.qty("Acknowledged") + (0 if require_ack else line.qty("Created"))
        if units <= available:
            return
        if line.open_quantity == 0:
            raise order_error(
                f"Unable to process this request. The Line: {number} of PO: {po} is in {_line_state(line)} status"
            )
        if require_ack and line.qty("Created") and units <= line.open_quantity:
            raise order_error(
                f"Unable to process this request. The Line: {number} of PO: {po} is in CREATED status; "
                "acknowledge the order before shipping it"
            )
        raise order_error(
            f"INVALID_REQUEST_CONTENT :: Failed when called shipConfirm API for {po}. Qty OverShipped : Some or "
            "All Line(s)/Qty cannot be Shipped due to invalid Lines Or invalid Qty Or Qty more than allowed"
        )
