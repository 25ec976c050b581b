"""The merchant's Resync: read the order again from Walmart and Commerce, record what changed on either side
(Walmart's own cancels included), reconcile the two (``service/reconciliation.py``), and run its failed updates
again."""

from __future__ import annotations

from ..domain.orders import PurchaseOrder
from ..storage.unit_of_work import Database
from . import audit
from . import orders as order_service
from .context import ServiceContext
from .reconciliation import read_both_sides


async def resync_order(
    context: ServiceContext,
    database: Database,
    purchase_order_id: str,
    *,
    store_id: int | None = None,
    actor: str | None = None,
) -> PurchaseOrder:
    order = await context.run_db(lambda: order_service.find_order(database, purchase_order_id, store_id=store_id))
    await context.run_db(
        lambda: order_service.retry_order(database, purchase_order_id, store_id=order.store_id, actor=actor)
    )
    link = await context.store(order.store_id)
    # Both sides read again (Walmart's own cancels included) and reconciled: what Walmart lacks is sent again.
    await read_both_sides(context, link, purchase_order_id)
    await context.run_db(
        audit.record_for_order, database, order, actor, "order.resync", "Resync from Walmart and Commerce requested"
    )
    return await context.run_db(lambda: order_service.find_order(database, purchase_order_id, store_id=order.store_id))
