"""Order intake: a Walmart PO becomes a recorded order with its outbound jobs, in one transaction."""

from __future__ import annotations

from datetime import datetime

from ..domain.orders import PurchaseOrder
from ..domain.stores import ChannelStore
from ..storage.unit_of_work import UnitOfWork
from ..sync.handlers import ACKNOWLEDGE_ORDER, CREATE_COMMERCE_ORDER
from ..sync.mapping import purchase_order_from_walmart
from ..walmart import models as wm


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
    if not uow.orders.add(order):
        return False
    enqueue_intake_jobs(uow, order, now)
    return True


def enqueue_intake_jobs(uow: UnitOfWork, order: PurchaseOrder, now: datetime) -> None:
    assert order.id is not None
    if order.acknowledged_at is None:
        uow.jobs.enqueue(
            ACKNOWLEDGE_ORDER, store_id=order.store_id, order_id=order.id, dedupe_key=f"ack:{order.id}", now=now
        )
    if order.commerce_order_id is None:
        uow.jobs.enqueue(
            CREATE_COMMERCE_ORDER,
            store_id=order.store_id,
            order_id=order.id,
            dedupe_key=f"create:{order.id}",
            max_attempts=50,
            now=now,
        )
