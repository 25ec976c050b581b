"""Refunds of shipped Walmart order lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .reasons import RefundReason
from .sync import SyncState


@dataclass(frozen=True)
class RefundLine:
    line_number: str
    quantity: int
    amount: Decimal  # product amount refunded, positive; Walmart receives it negated
    tax: Decimal = Decimal("0")

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


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
