"""Order intake: a Walmart PO becomes a recorded order with its outbound jobs, in one transaction."""

from __future__ import annotations

from datetime import datetime

from ..domain.stores import ChannelStore
from ..storage.unit_of_work import UnitOfWork
from ..walmart import models as wm
from ..walmart.mapping import purchase_order_from_walmart
from .context import ServiceContext, StoreLink
from .outbox import enqueue_intake, enqueue_intent_note


def take_in_walmart_order(uow: UnitOfWork, store: ChannelStore, walmart_order: wm.Order, now: datetime) -> bool:
    """Records a PO not seen before, with its acknowledge and create-in-Commerce jobs (the outbox).

    Returns False when the store already has the PO (the unique key decides, so a PO seen by polling, a
    webhook and reconciliation at once is still taken in once) or when nothing of it is open any more.
    """
    assert store.id is not None
    if not store.settings.import_orders:
        return False
    order = purchase_order_from_walmart(store.id, walmart_order, received_at=now)
    if order.open_quantity == 0:
        return False
    units = order.ordered_quantity
    order.record(now, "received", f"Walmart PO received: {len(order.lines)} line(s), {units} unit(s).")
    asked = [line.line_number for line in order.lines if line.intent_to_cancel]
    if asked:
        named = ("line " if len(asked) == 1 else "lines ") + ", ".join(asked)
        order.record(now, "intent_to_cancel", f"The buyer asked Walmart to cancel {named}.")
    if not uow.orders.add(order):
        return False
    enqueue_intake(uow, order, now)
    if asked:  # told to the Commerce order once it exists (an order's jobs run oldest first)
        enqueue_intent_note(uow, order, asked, now)
    return True


async def take_in(context: ServiceContext, link: StoreLink, orders: list[wm.Order]) -> int:
    """Records the POs of one page (each new one with its jobs) in one transaction; how many were new."""
    if not orders:
        return 0
    new = await context.in_transaction(
        lambda uow, now: sum(take_in_walmart_order(uow, link.store, order, now) for order in orders)
    )
    if new:
        context.work_available.set()
    return new


async def take_in_purchase_order(context: ServiceContext, link: StoreLink, purchase_order_id: str) -> bool:
    """Reads one PO at Walmart and takes it in (the fast path of a ``PO_CREATED`` notification)."""
    order = await context.read_walmart_order(link, purchase_order_id)
    return await take_in(context, link, [order]) > 0
