"""The merchant's Resync: read the order again from Walmart and Commerce, record what was missed, and run
its failed updates again."""

from __future__ import annotations

from ..domain.orders import PurchaseOrder
from ..storage.unit_of_work import Database
from . import audit
from . import orders as order_service
from .commerce_changes import sync_commerce_order
from .context import ServiceContext
from .intake import take_in_purchase_order


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
    await take_in_purchase_order(context, link, purchase_order_id)
    if order.commerce_order_id is not None:
        await sync_commerce_order(context, link, order.commerce_order_id)
    await context.run_db(
        audit.record_for_order, database, order, actor, "order.resync", "Resync from Walmart and Commerce requested"
    )
    return await context.run_db(lambda: order_service.find_order(database, purchase_order_id, store_id=order.store_id))
