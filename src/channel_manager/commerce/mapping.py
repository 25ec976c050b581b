"""Mapper from the domain to Commerce's payloads: the order Commerce creates for a PO."""

from __future__ import annotations

from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..domain.stores import CustomerMode, OrderNumberSource, StoreSettings
from .models import ChannelAddress, ChannelOrder, ChannelOrderLine


def channel_order_for(order: PurchaseOrder, settings: StoreSettings | None = None) -> ChannelOrder:
    """What the Commerce client needs to create the order of a PO (the store's customer and number settings)."""
    settings = settings or StoreSettings()
    settings.check_supported()
    address = order.shipping_address
    if address is None:
        raise DomainError(f"Walmart PO {order.purchase_order_id} has no shipping address.")
    return ChannelOrder(
        purchase_order_id=order.purchase_order_id,
        customer_order_id=order.customer_order_id,
        customer_email=order.customer_email or f"{order.customer_order_id}@relay.walmart.com",
        customer_name=address.name,
        shipping_address=ChannelAddress(
            name=address.name,
            address1=address.address1,
            address2=address.address2,
            city=address.city,
            state=address.state,
            postal_code=address.postal_code,
            country=address.country,
            phone=address.phone,
        ),
        phone=address.phone,
        ship_method_code=order.ship_method,
        order_date=order.ordered_at,
        lines=tuple(
            ChannelOrderLine(
                line_number=line.line_number,
                sku=line.sku,
                product_name=line.product_name,
                quantity=line.quantities.ordered,
                unit_price=line.unit_price,
                tax_per_unit=line.unit_tax,
                shipping_charge=line.shipping_charge,
                shipping_tax=line.shipping_tax,
            )
            for line in order.lines
        ),
        currency=order.currency,
        customer_mode="account" if settings.customer_mode is CustomerMode.ACCOUNT else "guest",
        increment_id=(order.purchase_order_id if settings.order_number_source is OrderNumberSource.WALMART else None),
    )
