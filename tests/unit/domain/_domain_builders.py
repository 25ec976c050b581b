"""Builders for order-domain tests: small, valid objects with overridable parts (lines, times and store
connections come from ``tests/builders.py``)."""

from __future__ import annotations

from decimal import Decimal

from builders import T0, TOKEN, WALMART_SECRET, at, make_commerce, make_line, make_walmart
from channel_manager.domain.cancellations import Cancellation, ReasonSource
from channel_manager.domain.orders import OrderLine, PurchaseOrder
from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.domain.refunds import Refund
from channel_manager.domain.shipments import Carrier, Shipment
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from channel_manager.domain.sync import Side, SyncProblem

__all__ = ["T0", "TOKEN", "WALMART_SECRET", "at", "make_commerce", "make_line", "make_walmart"]

PO_ID = "1796277083022"
UPS = Carrier("UPS", True)


def make_order(*lines: OrderLine, purchase_order_id: str = PO_ID) -> PurchaseOrder:
    return PurchaseOrder(
        store_id=1,
        purchase_order_id=purchase_order_id,
        customer_order_id="4372135469400",
        customer_email="buyer@relay.walmart.com",
        ship_method="Value",
        ordered_at=T0,
        lines=list(lines) or [make_line()],
    )


def ship(
    order: PurchaseOrder, key: str, lines: dict[str, int], *, tracking: str | None = "1Z999", minute: int = 1
) -> Shipment:
    return order.ship(key=key, lines=lines, carrier=UPS, tracking_number=tracking, shipped_at=at(minute), at=at(minute))


def cancel(
    order: PurchaseOrder,
    key: str,
    lines: dict[str, int],
    *,
    reason: CancellationReason = CancellationReason.OUT_OF_STOCK,
    source: ReasonSource = ReasonSource.MERCHANT,
    started_by: Side = Side.COMMERCE,
    minute: int = 2,
) -> Cancellation:
    return order.cancel(key=key, lines=lines, reason=reason, reason_source=source, started_by=started_by, at=at(minute))


def refund(
    order: PurchaseOrder, key: str, lines: dict[str, tuple[int, Decimal, Decimal]], *, minute: int = 3
) -> Refund:
    return order.refund(key=key, lines=lines, reason=RefundReason.CUSTOMER_RETURNED_ITEM, at=at(minute))


def make_problem(*, side: Side = Side.WALMART, minute: int = 5) -> SyncProblem:
    return SyncProblem(
        side=side,
        action="send shipment S1 to Walmart",
        message="Invalid tracking number.",
        next_step="Retrying automatically at 12:10 UTC (attempt 2 of 10).",
        occurred_at=at(minute),
        code="INVALID_REQUEST_CONTENT.GMP_ORDER_API",
    )


def make_store(
    *, name: str = "Walmart US", walmart: WalmartAccount | None = None, commerce: CommerceConnection | None = None
) -> ChannelStore:
    return ChannelStore(
        name=name,
        walmart=walmart or make_walmart(),
        commerce=commerce or make_commerce(),
        settings=StoreSettings(),
    )
