"""Cancellations of Walmart order lines, whichever side started them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .quantities import LineQuantity
from .reasons import CancellationReason
from .sync import Side, SyncState


class ReasonSource(StrEnum):
    """Where a cancellation's reason came from, so Status details can say so."""

    MERCHANT = "chosen by the merchant"
    ORDER_COMMENT = "named in the order comment"
    STORE_DEFAULT = "the store's default reason"
    WALMART = "given by Walmart"


@dataclass(frozen=True)
class Cancellation:
    key: str
    lines: tuple[LineQuantity, ...]
    reason: CancellationReason
    reason_source: ReasonSource
    started_by: Side  # Commerce (merchant), or Walmart (auto-cancel, customer, fraud)
    created_at: datetime
    sync_state: SyncState = SyncState.PENDING
    id: int | None = None

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    def describe(self) -> str:
        return f"{self.reason.label} ({self.reason_source.value})"
