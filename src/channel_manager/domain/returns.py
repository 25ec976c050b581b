"""Walmart returns (RMAs) as the merchant sees them: Received, Refunded or Error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class ReturnStatus(StrEnum):
    RECEIVED = "Received"
    REFUNDED = "Refunded"
    ERROR = "Error"


@dataclass(frozen=True)
class ReturnLine:
    return_line_number: int  # Walmart's returnOrderLineNumber
    line_number: str  # the purchase order line it returns
    sku: str
    quantity: int
    reason: str  # Walmart's returnReason, e.g. DAMAGED
    unit_amount: Decimal = Decimal("0")  # product price per unit
    unit_tax: Decimal = Decimal("0")
    refunded_quantity: int = 0


@dataclass
class Return:
    store_id: int
    return_order_id: str  # the RMA number
    customer_order_id: str
    purchase_order_id: str
    lines: list[ReturnLine]
    requested_at: datetime
    return_by: datetime | None = None
    status: ReturnStatus = ReturnStatus.RECEIVED
    status_details: str = ""
    refunded_by_walmart: bool = False  # Walmart refunded it itself (e.g. its 48-hour auto-refund)
    id: int | None = None
    order_id: int | None = None
    version: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def refund_amount(self) -> Decimal:
        return sum(((line.unit_amount + line.unit_tax) * line.quantity for line in self.lines), Decimal("0"))

    def lines_for(self, line_number: str) -> list[ReturnLine]:
        return [line for line in self.lines if line.line_number == line_number]
