"""Walmart-side changes of known POs (cancels Walmart made), seen by notification or by reconciliation."""

from __future__ import annotations

from ..service.walmart_changes import record_walmart_cancels
from ..walmart import models as wm
from ..walmart.notifications import OrderNotification
from .context import StoreLink, SyncContext


async def record_walmart_changes(context: SyncContext, link: StoreLink, orders: list[wm.Order]) -> int:
    """Records what Walmart changed on POs we know (one transaction per PO); how many POs changed."""
    candidates = [o for o in orders if any(line.quantity_in("Cancelled") for line in o.lines)]
    if not candidates:
        return 0

    def record(walmart_order: wm.Order) -> bool:
        now = context.now()
        with context.unit_of_work() as uow:
            order = uow.orders.get(link.id, walmart_order.purchase_order_id, for_update=True)
            if order is None:
                return False
            if not record_walmart_cancels(uow, order, walmart_order, now):
                return False
            uow.orders.save(order)
            uow.commit()
        return True

    changed = 0
    for walmart_order in candidates:
        changed += await context.run_db(record, walmart_order)
    if changed:
        context.work_available.set()
    return changed


async def sync_walmart_order(context: SyncContext, link: StoreLink, purchase_order_id: str) -> int:
    """Re-reads one PO at Walmart and records what Walmart changed on it."""
    with link.attempts.scope(flush=False) as scope:
        walmart_order = await link.walmart.get_order(purchase_order_id)
    if scope.collected:
        await context.run_db(context.database.record_attempts, scope.collected)
    return await record_walmart_changes(context, link, [walmart_order])


async def on_walmart_cancel_notification(
    context: SyncContext, link: StoreLink, notification: OrderNotification
) -> None:
    """Handler of ``PO_LINE_AUTOCANCELLED`` / ``FRAUD_CANCEL`` notifications: the payload is thin, so the PO
    is read again and compared."""
    if notification.purchase_order_id:
        await sync_walmart_order(context, link, notification.purchase_order_id)
