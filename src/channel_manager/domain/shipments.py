"""Shipments of Walmart order lines and the carrier they go with."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .carriers import WALMART_METHOD_CODES, walmart_carrier_named
from .errors import CarrierNotAccepted, DomainError
from .quantities import LineQuantity
from .sync import SyncState

#: Walmart accepts tracking corrections (``processMode: PARTIAL_UPDATE``) this long after the first ship call.
TRACKING_CORRECTION_WINDOW = timedelta(hours=4)


@dataclass(frozen=True)
class Carrier:
    """A carrier as Walmart receives it: one of Walmart's carriers, or another one with a tracking URL."""

    name: str
    is_walmart_carrier: bool

    @classmethod
    def resolve(cls, name: str, *, tracking_url: str | None, walmart_name: str | None = None) -> Carrier:
        """``walmart_name`` is the store's mapping of ``name``, when it has one."""
        known = walmart_name or walmart_carrier_named(name)
        if known is not None:
            return cls(known, True)
        if not name.strip():
            raise DomainError("A shipment needs a carrier.")
        if not tracking_url:
            raise CarrierNotAccepted(name)
        return cls(name.strip(), False)


@dataclass(frozen=True)
class Shipment:
    """One shipment of some lines and quantities, with its tracking; synced to Walmart on its own."""

    key: str  # stable identity: the Commerce shipment id, or a local id
    lines: tuple[LineQuantity, ...]
    carrier: Carrier
    method_code: str
    tracking_number: str
    shipped_at: datetime
    tracking_url: str | None = None
    commerce_shipment_id: int | None = None
    sync_state: SyncState = SyncState.PENDING
    first_synced_at: datetime | None = None
    corrections: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        if self.method_code not in WALMART_METHOD_CODES:
            raise DomainError(
                f"Ship method {self.method_code!r} is not a Walmart method code ({', '.join(WALMART_METHOD_CODES)})."
            )

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    def needs_partial_update(self) -> bool:
        """A change to a shipment Walmart already has goes as a tracking correction."""
        return self.first_synced_at is not None

    def correction_allowed_at(self, now: datetime) -> bool:
        return self.first_synced_at is None or now - self.first_synced_at <= TRACKING_CORRECTION_WINDOW

    def with_tracking(self, carrier: Carrier, tracking_number: str, tracking_url: str | None) -> Shipment:
        return replace(
            self,
            carrier=carrier,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
            sync_state=SyncState.PENDING,
            corrections=self.corrections + 1,
        )
