"""The sandbox's in-memory records: sellers, purchase orders with per-quantity line status, returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

OPEN_STATUSES = ("Created", "Acknowledged")
SHIPPED_STATUSES = ("Shipped", "Delivered")
STATUS_ORDER = {"Created": 0, "Acknowledged": 1, "Shipped": 2, "Delivered": 3, "Cancelled": 4}


@dataclass
class StatusEntry:
    status: str
    quantity: int
    tracking: dict[str, Any] | None = None
    cancellation_reason: str | None = None
    shipped_at_ms: int | None = None
    """Sandbox time of the ship call that created this chunk (PARTIAL_UPDATE window)."""


@dataclass
class Line:
    number: str
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    unit_tax: Decimal
    shipping: Decimal = Decimal(0)
    shipping_tax: Decimal = Decimal(0)
    entries: list[StatusEntry] = field(default_factory=list)
    refund_charges: list[dict[str, Any]] = field(default_factory=list)
    refund_id: str | None = None
    refund_comments: str | None = None
    seller_order_id: str | None = None
    status_date_ms: int = 0
    intent_to_cancel: bool = False
    return_order_id: str | None = None
    returned_quantity: int = 0
    ship_method: str = "STANDARD"

    def qty(self, *statuses: str) -> int:
        return sum(e.quantity for e in self.entries if e.status in statuses)

    @property
    def open_quantity(self) -> int:
        return self.qty(*OPEN_STATUSES)

    @property
    def billed_quantity(self) -> int:
        return self.quantity - self.qty("Cancelled")

    def take(self, statuses: tuple[str, ...], quantity: int) -> None:
        """Remove ``quantity`` units from entries in ``statuses`` (in that order)."""
        left = quantity
        for status in statuses:
            for entry in self.entries:
                if left == 0:
                    break
                if entry.status == status and entry.quantity > 0:
                    used = min(left, entry.quantity)
                    entry.quantity -= used
                    left -= used
        if left:
            raise ValueError("not enough quantity")
        self.entries = [e for e in self.entries if e.quantity > 0]

    def put(self, entry: StatusEntry) -> None:
        """Add units in a status; merges with an equal entry (same status, reason, tracking)."""
        for existing in self.entries:
            if (
                existing.status == entry.status
                and existing.cancellation_reason == entry.cancellation_reason
                and existing.tracking == entry.tracking
                and entry.status not in SHIPPED_STATUSES
            ):
                existing.quantity += entry.quantity
                return
        self.entries.append(entry)
        self.entries.sort(key=lambda e: STATUS_ORDER[e.status])

    def charged(self, charge_type: str) -> tuple[Decimal, Decimal]:
        """(amount, tax) charged for ``PRODUCT`` or ``SHIPPING`` on the units not cancelled."""
        if charge_type == "SHIPPING":
            if self.billed_quantity == 0:
                return Decimal(0), Decimal(0)
            return self.shipping, self.shipping_tax
        return self.unit_price * self.billed_quantity, self.unit_tax * self.billed_quantity

    def refunded(self, charge_type: str) -> tuple[Decimal, Decimal]:
        """(amount, tax) refunded so far as positive numbers."""
        amount = tax = Decimal(0)
        for entry in self.refund_charges:
            charge = entry["charge"]
            if charge["chargeType"] != charge_type:
                continue
            amount += -Decimal(str(charge["chargeAmount"]["amount"]))
            if charge.get("tax"):
                tax += -Decimal(str(charge["tax"]["taxAmount"]["amount"]))
        return amount, tax


@dataclass
class PurchaseOrder:
    purchase_order_id: str
    seller_id: str
    customer_order_id: str
    customer_email: str
    order_date_ms: int
    estimated_ship_ms: int
    estimated_delivery_ms: int
    method_code: str
    phone: str
    address: dict[str, Any]
    lines: list[Line]
    last_modified_ms: int
    ship_node_type: str = "SellerFulfilled"
    auto_cancel_checked: bool = False
    _json: dict[str, Any] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)

    def line(self, number: str) -> Line | None:
        for line in self.lines:
            if line.number == number:
                return line
        return None

    def touch(self, now_ms: int) -> None:
        self.last_modified_ms = now_ms
        self._json = None
        self._text = None

    def has_status(self, status: str) -> bool:
        return any(line.qty(status) for line in self.lines)


@dataclass
class ReturnLine:
    number: int
    purchase_order_id: str
    po_line_number: str
    seller_order_id: str | None
    reason: str
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal
    unit_tax: Decimal
    refunded_quantity: int = 0
    refund_channel: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    status_time: str = ""

    @property
    def status(self) -> str:
        return "COMPLETED" if self.refunded_quantity >= self.quantity else "INITIATED"


@dataclass
class ReturnOrder:
    return_order_id: str
    seller_id: str
    customer_order_id: str
    customer_email: str
    first_name: str
    last_name: str
    created_at: str
    created_ms: int
    return_by: str
    lines: list[ReturnLine]
    last_modified_ms: int = 0

    @property
    def status(self) -> str:
        return "COMPLETED" if all(line.status == "COMPLETED" for line in self.lines) else "INITIATED"


@dataclass
class Subscription:
    subscription_id: str
    event_type: str
    event_version: str
    resource_name: str
    event_url: str
    status: str
    headers: dict[str, Any]
    auth: dict[str, Any]


@dataclass
class Seller:
    seller_id: str
    client_id: str
    client_secret: str = field(repr=False)
    partner_id: str
    orders: dict[str, PurchaseOrder] = field(default_factory=dict)
    by_date: list[tuple[int, str]] = field(default_factory=list)
    returns: dict[str, ReturnOrder] = field(default_factory=dict)
    return_ids: list[str] = field(default_factory=list)
    inventory: dict[str, int] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    accepted: set[str] = field(default_factory=set)
    """Canonical forms of every accepted change (to count changes applied twice)."""


def canonical(*parts: Any) -> str:
    return json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
