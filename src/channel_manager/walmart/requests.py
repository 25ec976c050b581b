"""What the caller asks Walmart to do: shipment, cancellation and refund lines, and their JSON bodies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from channel_manager.domain.carriers import walmart_carrier_named
from channel_manager.domain.reasons import CancellationReason, RefundReason


def epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def query_time(value: datetime | date | str) -> str:
    """A date query parameter as Walmart takes it: ``yyyy-MM-dd`` or ``yyyy-MM-ddTHH:mm:ssZ`` (no ms)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ShipmentLine:
    """Ship ``quantity`` units of line ``line_number`` with one tracking number.

    Give ``carrier`` (one of Walmart's carrier names, sent as is) or ``other_carrier`` plus
    ``tracking_url``; :meth:`for_carrier` picks between them from a free carrier name.
    """

    line_number: str | int
    quantity: int
    tracking_number: str
    carrier: str | None = None
    other_carrier: str | None = None
    tracking_url: str | None = None
    method_code: str = "Standard"
    ship_time: datetime | None = None
    seller_order_id: str | None = None
    intent_to_cancel_override: bool = False

    def __post_init__(self) -> None:
        if (self.carrier is None) == (self.other_carrier is None):
            raise ValueError("a shipment line needs either carrier or other_carrier")
        if self.other_carrier is not None and not self.tracking_url:
            raise ValueError(f"carrier {self.other_carrier!r} is not a Walmart carrier and needs a tracking URL")
        if self.quantity < 1:
            raise ValueError("a shipment line ships at least one unit")

    @classmethod
    def for_carrier(cls, carrier_name: str, **kw: Any) -> ShipmentLine:
        known = walmart_carrier_named(carrier_name)
        if known is not None:
            return cls(carrier=known, **kw)
        return cls(other_carrier=carrier_name, **kw)

    def status_entry(self) -> dict[str, Any]:
        carrier: dict[str, Any] = (
            {"carrier": self.carrier} if self.carrier is not None else {"otherCarrier": self.other_carrier}
        )
        tracking: dict[str, Any] = {
            "shipDateTime": epoch_ms(self.ship_time or datetime.now(UTC)),
            "carrierName": carrier,
            "methodCode": self.method_code,
            "trackingNumber": self.tracking_number,
        }
        if self.tracking_url:
            tracking["trackingURL"] = self.tracking_url
        return {
            "status": "Shipped",
            "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(self.quantity)},
            "trackingInfo": tracking,
        }


def shipment_body(
    purchase_order_id: str, lines: Sequence[ShipmentLine], process_mode: str | None = None
) -> dict[str, Any]:
    grouped: dict[str, dict[str, Any]] = {}
    for line in lines:
        number = str(line.line_number)
        entry = grouped.get(number)
        if entry is None:
            entry = grouped[number] = {
                "lineNumber": number,
                "sellerOrderId": (line.seller_order_id or purchase_order_id)[:30],
                "orderLineStatuses": {"orderLineStatus": []},
            }
            if line.intent_to_cancel_override:
                entry["intentToCancelOverride"] = True
        entry["orderLineStatuses"]["orderLineStatus"].append(line.status_entry())
    shipment: dict[str, Any] = {"orderLines": {"orderLine": list(grouped.values())}}
    if process_mode:
        shipment = {"processMode": process_mode, **shipment}
    return {"orderShipment": shipment}


@dataclass(frozen=True)
class CancelLine:
    line_number: str | int
    quantity: int
    reason: CancellationReason | str

    def entry(self) -> dict[str, Any]:
        return {
            "lineNumber": str(self.line_number),
            "orderLineStatuses": {
                "orderLineStatus": [
                    {
                        "status": "Cancelled",
                        "cancellationReason": str(CancellationReason(self.reason)),
                        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": str(self.quantity)},
                    }
                ]
            },
        }


def cancellation_body(lines: Sequence[CancelLine]) -> dict[str, Any]:
    if not lines:
        raise ValueError("nothing to cancel")
    if len(lines) > 100:
        raise ValueError("Walmart takes at most 100 lines per cancellation")
    return {"orderCancellation": {"orderLines": {"orderLine": [line.entry() for line in lines]}}}


@dataclass(frozen=True)
class RefundAmount:
    """An amount to refund (given positive or negative; it is sent negative), of one charge type: ``PRODUCT``
    (the item price) or ``SHIPPING``, each with its own tax."""

    amount: Decimal | float | int | str
    charge_type: str = "PRODUCT"
    charge_name: str = "ItemPrice"
    tax_amount: Decimal | float | int | str | None = None
    tax_name: str = "Tax1"
    currency: str = "USD"

    @classmethod
    def shipping(cls, amount: Decimal, tax_amount: Decimal | None = None, currency: str = "USD") -> RefundAmount:
        return cls(amount, "SHIPPING", "Shipping", tax_amount, "Tax2", currency)

    def charge(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "chargeType": self.charge_type,
            "chargeName": self.charge_name,
            "chargeAmount": {"currency": self.currency, "amount": _negative(self.amount)},
        }
        if self.tax_amount is not None:
            body["tax"] = {
                "taxName": self.tax_name,
                "taxAmount": {"currency": self.currency, "amount": _negative(self.tax_amount)},
            }
        return body


def _negative(value: Decimal | float | int | str) -> float:
    """The amount negated, to the cent. The Decimal becomes a JSON number here, at the wire: a float's
    shortest form (what ``json`` writes) of a value in cents is that value exactly."""
    return float(-abs(Decimal(str(value))).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class RefundLine:
    line_number: str | int
    reason: RefundReason | str
    charges: Sequence[RefundAmount] = field(default_factory=tuple)
    is_full_refund: bool = False
    comments: str | None = None

    def entry(self) -> dict[str, Any]:
        reason = str(RefundReason(self.reason))
        refund: dict[str, Any] = {
            "refundCharges": {"refundCharge": [{"refundReason": reason, "charge": c.charge()} for c in self.charges]}
        }
        if self.comments:
            refund = {"refundComments": self.comments, **refund}
        return {
            "lineNumber": str(self.line_number),
            "isFullRefund": self.is_full_refund,
            "refunds": {"refund": [refund]},
        }


def refund_body(purchase_order_id: str, lines: Sequence[RefundLine]) -> dict[str, Any]:
    if not lines:
        raise ValueError("nothing to refund")
    if len({line.is_full_refund for line in lines}) > 1:
        raise ValueError("one refund request is either all full or all partial refunds")
    for line in lines:
        if not line.is_full_refund and not line.charges:
            raise ValueError(f"partial refund of line {line.line_number} needs amounts")
    return {
        "orderRefund": {
            "purchaseOrderId": purchase_order_id,
            "orderLines": {"orderLine": [line.entry() for line in lines]},
        }
    }


@dataclass(frozen=True)
class ReturnRefundLine:
    return_order_line_number: int
    quantity: int | None = None

    def entry(self) -> dict[str, Any]:
        body: dict[str, Any] = {"returnOrderLineNumber": self.return_order_line_number}
        if self.quantity is not None:
            body["quantity"] = {"unitOfMeasure": "EA", "measurementValue": self.quantity}
        return body
