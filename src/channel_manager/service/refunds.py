"""A refund the merchant starts from channel-manager goes through Commerce first, as a credit memo (offline),
the way it would from Commerce's admin; the memo then becomes Walmart's refund like any other.

The rules are checked before anything is made: only shipped, not yet refunded units, and never more money
than Walmart charged for the line (product, tax and the line's shipping charge, less what was refunded).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..domain.reasons import RefundReason
from ..storage.unit_of_work import Database
from . import orders as order_service
from .commerce_changes import ChangeSummary, sync_commerce_order
from .context import ServiceContext


def planned_amounts(
    order: PurchaseOrder, lines: Mapping[str, int], amount: Decimal | None
) -> tuple[dict[str, tuple[int, Decimal, Decimal]], Decimal]:
    """The money of a refund the merchant asks for (see ``PurchaseOrder.plan_refund``)."""
    return order.plan_refund(lines, amount)


async def refund_through_commerce(
    context: ServiceContext,
    database: Database,
    purchase_order_id: str,
    *,
    store_id: int | None,
    lines: Mapping[str, int],
    amount: Decimal | None = None,
    reason: RefundReason | None = None,
    return_to_stock: bool = False,
) -> ChangeSummary | None:
    """Creates the credit memo in Commerce (offline) for ``lines`` (PO line -> units), then records it; the
    reason goes in the memo's comment (else the store's default reason applies)."""
    order = await context.run_db(lambda: order_service.find_order(database, purchase_order_id, store_id=store_id))
    link = await context.store(order.store_id)
    if order.commerce_order_id is None:
        raise DomainError(f"PO {purchase_order_id} has no Commerce order yet; nothing to refund.")
    _, adjustment = planned_amounts(order, lines, amount)
    items = []
    for line_number, quantity in lines.items():
        item_id = order.line(line_number).commerce_item_id
        if item_id is None:
            raise DomainError(f"Line {line_number} of PO {purchase_order_id} has no Commerce item.")
        items.append((item_id, float(quantity)))
    chosen = reason or link.store.settings.default_refund_reason
    await link.commerce.refund_order(
        order.commerce_order_id,
        items,
        return_to_stock_items=[item_id for item_id, _ in items] if return_to_stock else (),
        shipping_amount=0.0,
        adjustment_positive=float(max(adjustment, Decimal("0"))),
        adjustment_negative=float(max(-adjustment, Decimal("0"))),
        comment=f"Refund reason: {chosen.value}",
        increment_id=order.commerce_increment_id,
    )
    return await sync_commerce_order(context, link, order.commerce_order_id)
