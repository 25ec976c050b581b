"""Mappers between Walmart's payloads and the domain: a PO in, shipment and cancel lines out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ..domain.cancellations import Cancellation
from ..domain.carriers import WALMART_METHOD_CODES
from ..domain.errors import DomainError
from ..domain.orders import Address, OrderLine, PurchaseOrder
from ..domain.quantities import LineQuantities
from ..domain.shipments import Shipment
from . import models as wm
from .requests import CancelLine, ShipmentLine

ZERO = Decimal("0")


def _line_charges(line: wm.OrderLine) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(unit price, unit tax, shipping charge, shipping tax) of a Walmart line: the shipping tax stays apart so
    Commerce gets it as its shipping tax and the order's tax total is Walmart's."""
    # Walmart charges the units that are not cancelled: the product charge is quantity x unit price.
    quantity = max(line.quantity - line.quantity_in("Cancelled"), 1)
    product = tax = shipping = shipping_tax = ZERO
    for charge in line.charges.charge:
        amount = charge.charge_amount.amount if charge.charge_amount else ZERO
        charge_tax = charge.tax.tax_amount.amount if charge.tax and charge.tax.tax_amount else ZERO
        if (charge.charge_type or "").upper() == "SHIPPING":
            shipping += amount
            shipping_tax += charge_tax
        else:
            product += amount
            tax += charge_tax
    unit_price, unit_tax = (product / quantity).quantize(Decimal("0.01")), (tax / quantity).quantize(Decimal("0.0001"))
    return unit_price, unit_tax, shipping, shipping_tax


def quantities_from_walmart(line: wm.OrderLine) -> LineQuantities:
    ordered = line.quantity
    shipped = line.quantity_in("Shipped", "Delivered")
    cancelled = line.quantity_in("Cancelled")
    acknowledged = line.quantity_in("Acknowledged")
    created = max(0, ordered - shipped - cancelled - acknowledged)
    return LineQuantities(
        ordered=ordered, created=created, acknowledged=acknowledged, shipped=shipped, cancelled=cancelled
    )


def purchase_order_from_walmart(store_id: int, order: wm.Order, *, received_at: datetime) -> PurchaseOrder:
    info = order.shipping_info
    method = (info.method_code if info else None) or "Standard"
    if method not in WALMART_METHOD_CODES:
        method = next((m for m in WALMART_METHOD_CODES if m.casefold() == method.casefold()), "Standard")
    address = None
    if info and info.postal_address:
        postal = info.postal_address
        address = Address(
            name=postal.name or "",
            address1=postal.address1 or "",
            address2=postal.address2,
            city=postal.city or "",
            state=postal.state or "",
            postal_code=postal.postal_code or "",
            country=postal.country or "USA",
            phone=info.phone,
        )
    lines = []
    for line in order.lines:
        unit_price, unit_tax, shipping, shipping_tax = _line_charges(line)
        lines.append(
            OrderLine(
                line_number=line.line_number,
                sku=line.item.sku,
                product_name=line.item.product_name or line.item.sku,
                quantities=quantities_from_walmart(line),
                unit_price=unit_price,
                unit_tax=unit_tax,
                shipping_charge=shipping,
                shipping_tax=shipping_tax,
                intent_to_cancel=bool(line.intent_to_cancel),
            )
        )
    if not lines:
        raise DomainError(f"Walmart PO {order.purchase_order_id} has no lines.")
    # Walmart charges a PO in one currency (its marketplace's); the first charge that names one says which.
    currency = next(
        (
            charge.charge_amount.currency
            for line in order.lines
            for charge in line.charges.charge
            if charge.charge_amount and charge.charge_amount.currency
        ),
        "USD",
    )
    return PurchaseOrder(
        store_id=store_id,
        purchase_order_id=order.purchase_order_id,
        customer_order_id=order.customer_order_id or order.purchase_order_id,
        customer_email=order.customer_email_id or "",
        ship_method=method,
        ordered_at=order.order_date or received_at,
        lines=lines,
        shipping_address=address,
        ship_by=info.estimated_ship_date if info else None,
        deliver_by=info.estimated_delivery_date if info else None,
        last_update_at=received_at,
        currency=currency,
    )


def shipment_lines_for(order: PurchaseOrder, shipment: Shipment) -> list[ShipmentLine]:
    carrier = shipment.carrier
    return [
        ShipmentLine(
            line_number=line.line_number,
            quantity=line.quantity,
            tracking_number=shipment.tracking_number,
            carrier=carrier.name if carrier.is_walmart_carrier else None,
            other_carrier=None if carrier.is_walmart_carrier else carrier.name,
            tracking_url=shipment.tracking_url,
            method_code=shipment.method_code,
            ship_time=shipment.shipped_at.astimezone(UTC),
            seller_order_id=(order.commerce_increment_id or order.purchase_order_id)[:30],
            intent_to_cancel_override=order.line(line.line_number).intent_to_cancel,
        )
        for line in shipment.lines
    ]


def cancel_lines_for(cancellation: Cancellation) -> list[CancelLine]:
    return [CancelLine(line.line_number, line.quantity, cancellation.reason) for line in cancellation.lines]
