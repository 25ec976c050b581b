"""How much of one Walmart order line is in which state.

Walmart lines carry a quantity (multi-line, multi-quantity orders): a line of 3 can be 2 shipped and
1 cancelled. The ordered quantity is split over created, acknowledged, shipped and cancelled; returned
and refunded count units among the shipped ones.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class LineQuantity:
    """Units of one PO line that a shipment or a cancellation covers."""

    line_number: str
    quantity: int


@dataclass(frozen=True)
class LineQuantities:
    ordered: int
    created: int = 0
    acknowledged: int = 0
    shipped: int = 0
    cancelled: int = 0
    returned: int = 0
    refunded: int = 0

    @classmethod
    def new(cls, ordered: int) -> LineQuantities:
        return cls(ordered=ordered, created=ordered)

    def __post_init__(self) -> None:
        parts = (self.created, self.acknowledged, self.shipped, self.cancelled, self.returned, self.refunded)
        if self.ordered < 1 or any(p < 0 for p in parts):
            raise ValueError(f"invalid line quantities {self}")
        if self.created + self.acknowledged + self.shipped + self.cancelled != self.ordered:
            raise ValueError(f"line quantities do not add up to the ordered quantity: {self}")
        if self.returned > self.shipped or self.refunded > self.shipped:
            raise ValueError(f"returned or refunded quantity exceeds the shipped quantity: {self}")

    @property
    def open(self) -> int:
        """Quantity that can still be shipped or cancelled."""
        return self.created + self.acknowledged

    def acknowledge(self) -> LineQuantities:
        return replace(self, created=0, acknowledged=self.acknowledged + self.created)

    def _take_open(self, quantity: int) -> tuple[int, int]:
        _check_not_negative(quantity)
        from_acknowledged = min(quantity, self.acknowledged)
        return self.created - (quantity - from_acknowledged), self.acknowledged - from_acknowledged

    def ship(self, quantity: int) -> LineQuantities:
        created, acknowledged = self._take_open(quantity)
        return replace(self, created=created, acknowledged=acknowledged, shipped=self.shipped + quantity)

    def cancel(self, quantity: int) -> LineQuantities:
        created, acknowledged = self._take_open(quantity)
        return replace(self, created=created, acknowledged=acknowledged, cancelled=self.cancelled + quantity)

    def mark_returned(self, quantity: int) -> LineQuantities:
        _check_not_negative(quantity)
        return replace(self, returned=self.returned + quantity)

    def refund(self, quantity: int) -> LineQuantities:
        _check_not_negative(quantity)
        return replace(self, refunded=self.refunded + quantity)


def _check_not_negative(quantity: int) -> None:
    """A negative quantity would silently move units back (e.g. un-ship them)."""
    if quantity < 0:
        raise ValueError(f"a quantity to move cannot be negative: {quantity}")
