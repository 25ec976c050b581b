"""Builders for order-domain tests: small, valid objects with overridable parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from channel_manager.domain.cancellations import Cancellation, ReasonSource
from channel_manager.domain.orders import OrderLine, PurchaseOrder
from channel_manager.domain.quantities import LineQuantities
from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.domain.refunds import Refund
from channel_manager.domain.secret import Secret
from channel_manager.domain.shipments import Carrier, Shipment
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from channel_manager.domain.sync import Side, SyncProblem

T0 = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
PO_ID = "1796277083022"
UPS = Carrier("UPS", True)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make_line(
    number: str = "1",
    quantity: int = 1,
    *,
    price: str = "10.00",
    tax: str = "0.80",
    shipping: str = "0",
) -> OrderLine:
    return OrderLine(
        line_number=number,
        sku=f"SKU-{number}",
        product_name=f"Product {number}",
        quantities=LineQuantities.new(quantity),
        unit_price=Decimal(price),
        unit_tax=Decimal(tax),
        shipping_charge=Decimal(shipping),
    )


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


WALMART_SECRET = "wm-client-secret-value"
TOKEN = "commerce-token-value"


def make_walmart(**changes: object) -> WalmartAccount:
    values: dict[str, object] = {
        "base_url": "https://marketplace.walmartapis.com",
        "client_id": "client-id",
        "client_secret": Secret(WALMART_SECRET),
        "webhook_secret": Secret("wm-webhook-secret-value"),
    }
    values.update(changes)
    return WalmartAccount(**values)  # type: ignore[arg-type]


def make_commerce(**changes: object) -> CommerceConnection:
    values: dict[str, object] = {
        "base_url": "https://shop.example.com",
        "store_code": "default",
        "access_token": Secret(TOKEN),
        "webhook_secret": Secret("commerce-webhook-secret-value"),
    }
    values.update(changes)
    return CommerceConnection(**values)  # type: ignore[arg-type]


def make_store(
    *, name: str = "Walmart US", walmart: WalmartAccount | None = None, commerce: CommerceConnection | None = None
) -> ChannelStore:
    return ChannelStore(
        name=name,
        walmart=walmart or make_walmart(),
        commerce=commerce or make_commerce(),
        settings=StoreSettings(),
    )
