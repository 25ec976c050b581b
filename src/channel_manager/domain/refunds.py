"""Refunds of shipped Walmart order lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .reasons import RefundReason
from .sync import SyncState

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RefundLine:
    line_number: str
    quantity: int  # units refunded; 0 for money only (shipping or an adjustment on a line refunded before)
    amount: Decimal  # product amount refunded, positive; Walmart receives it negated (a PRODUCT charge)
    tax: Decimal = Decimal("0")  # the product amount's tax
    shipping: Decimal = Decimal("0")  # shipping refunded on this line (a SHIPPING charge)
    shipping_tax: Decimal = Decimal("0")  # the shipping's tax

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax + self.shipping + self.shipping_tax


@dataclass(frozen=True)
class Refund:
    key: str  # the Commerce credit memo id, or a local id
    lines: tuple[RefundLine, ...]
    reason: RefundReason
    created_at: datetime
    return_order_id: str | None = None  # the Walmart return (RMA) it settles, if any
    commerce_credit_memo_id: int | None = None
    sync_state: SyncState = SyncState.PENDING
    id: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0"))


@dataclass(frozen=True)
class CreditedRow:
    """What a credit memo states it credits on one order line; ``None`` where it says nothing."""

    quantity: Decimal | None = None
    product: Decimal | None = None  # the row total, before tax
    tax: Decimal | None = None


def share_of(amounts: tuple[int, Decimal, Decimal], quantity: int) -> tuple[int, Decimal, Decimal]:
    """The part of a line's refund (quantity, product amount, tax) that covers ``quantity`` of its units."""
    total_quantity, amount, tax = amounts
    if quantity == total_quantity:
        return amounts
    share = Decimal(quantity) / Decimal(total_quantity)
    return quantity, (amount * share).quantize(CENT), (tax * share).quantize(CENT)
