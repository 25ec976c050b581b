"""One handler per job kind: do the remote call, then record its effect and finish the job atomically.

Every handler may run more than once for the same job (a lost response, a worker killed after the call).
So each one first finds out whether its change is already in effect on the other side, and treats a
remote "already done" as success after checking: the change is applied once in effect.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..domain.orders import PurchaseOrder
from ..domain.sync import SyncState
from ..storage.jobs import Job
from ..storage.unit_of_work import UnitOfWork
from ..walmart import models as wm
from ..walmart.errors import WalmartAlreadyAppliedError, WalmartPermanentError
from .commerce_jobs import MIRROR_WALMART_CANCEL, mirror_action, mirror_walmart_cancel
from .context import StoreLink, SyncContext
from .inventory_jobs import PUSH_INVENTORY, push_inventory, push_inventory_action
from .mapping import cancel_lines_for, channel_order_for, shipment_lines_for
from .outcomes import LeaseLost
from .refund_jobs import (
    REFUND_ORDER,
    REFUND_RETURN,
    refund_order,
    refund_order_action,
    refund_return,
    refund_return_action,
)

ACKNOWLEDGE_ORDER = "acknowledge_order"
CREATE_COMMERCE_ORDER = "create_commerce_order"
SHIP_LINES = "ship_lines"
CANCEL_LINES = "cancel_lines"


def action_of(job: Job) -> str:
    """What the job does, in the words of Status details (also how its problem is recognised)."""
    if job.kind == ACKNOWLEDGE_ORDER:
        return "acknowledge the order at Walmart"
    if job.kind == CREATE_COMMERCE_ORDER:
        return "create the order in Commerce"
    if job.kind == SHIP_LINES:
        return f"send shipment {job.payload.get('shipment')} to Walmart"
    if job.kind == CANCEL_LINES:
        return "send the cancellation to Walmart"
    if job.kind == REFUND_RETURN:
        return refund_return_action(job.payload)
    if job.kind == REFUND_ORDER:
        return refund_order_action(job.payload)
    if job.kind == MIRROR_WALMART_CANCEL:
        return mirror_action()
    if job.kind == PUSH_INVENTORY:
        return push_inventory_action(str(job.payload.get("sku")))
    return job.kind.replace("_", " ")


@dataclass
class JobRun:
    context: SyncContext
    link: StoreLink
    job: Job
    worker_id: str

    def load_order(self) -> PurchaseOrder:
        assert self.job.order_id is not None
        with self.context.unit_of_work() as uow:
            order = uow.orders.get_by_id(self.job.order_id)
        if order is None:
            raise LookupError(f"order {self.job.order_id} of job {self.job.id} is gone")
        return order

    async def order(self) -> PurchaseOrder:
        return await self.context.run_db(self.load_order)

    async def finish(self, apply: Callable[[UnitOfWork, PurchaseOrder], None] | None = None) -> None:
        """Applies the job's effect to its order, clears the problem the job had caused, and marks the
        job done, all in one transaction. Raises :class:`LeaseLost` if another worker owns the job now."""
        await self.context.run_db(self._finish, apply)
        self.context.work_available.set()

    def _finish(self, apply: Callable[[UnitOfWork, PurchaseOrder], None] | None) -> None:
        now = self.context.now()
        with self.context.unit_of_work() as uow:
            if self.job.order_id is not None:
                order = uow.orders.get_by_id(self.job.order_id, for_update=True)
                assert order is not None
                if apply is not None:
                    apply(uow, order)
                if order.problem is not None and order.problem.action == action_of(self.job):
                    order.clear_problem(now, f"{action_of(self.job)} succeeded")
                uow.orders.save(order)
            if not uow.jobs.complete(self.job.id, self.worker_id, now=now):
                raise LeaseLost(f"job {self.job.id} was taken over by another worker")
            uow.commit()


Handler = Callable[[JobRun], Awaitable[None]]


async def acknowledge_order(run: JobRun) -> None:
    order = await run.order()
    walmart = run.link.walmart
    # A try after the first may follow an acknowledgement Walmart applied but whose answer was lost:
    # look at the PO before sending it again (no unit left in Created means it is in effect).
    if order.acknowledged_at is None and (
        run.job.attempts <= 1
        or any(line.quantity_in("Created") for line in (await walmart.get_order(order.purchase_order_id)).lines)
    ):
        # Already acknowledged, or its lines already moved on: nothing left to acknowledge.
        with contextlib.suppress(WalmartAlreadyAppliedError):
            await walmart.acknowledge_order(order.purchase_order_id)
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        if current.acknowledged_at is None:
            current.acknowledge(now)

    await run.finish(apply)


async def create_commerce_order(run: JobRun) -> None:
    order = await run.order()
    if order.commerce_order_id is not None:
        await run.finish()
        return
    settings = run.link.store.settings
    commerce = run.link.commerce
    created = await commerce.create_order(
        channel_order_for(order), path=settings.order_creation_path.value, store_id=settings.commerce_store_id
    )
    if settings.invoice_on_import and created.total_invoiced == 0:
        await commerce.invoice_order(created.entity_id, increment_id=created.increment_id)
    items: dict[str, int] = {}
    for item in created.items:
        if item.parent_item_id is not None:
            continue
        for line_number in item.line_numbers:
            items[line_number] = item.item_id
    missing = [line.line_number for line in order.lines if line.line_number not in items]
    for line in order.lines:  # an order without line tags (made elsewhere): match by SKU
        if line.line_number in missing:
            match = next((i for i in created.items if i.sku == line.sku and i.item_id not in items.values()), None)
            if match is not None:
                items[line.line_number] = match.item_id
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        if current.commerce_order_id is None:
            current.link_commerce_order(created.entity_id, created.increment_id, items, now)

    await run.finish(apply)


def _walmart_shows_shipment(walmart_order: wm.Order, order: PurchaseOrder, key: str) -> bool:
    """Walmart has this shipment: on each of its lines, as many units under its tracking number as this
    shipment and the ones already sent with the same number add up to (a second shipment in the same box
    is not mistaken for the first)."""
    shipment = order.shipment(key)
    sent_with_number = [
        s
        for s in order.shipments
        if s.tracking_number == shipment.tracking_number and (s.key == key or s.sync_state is SyncState.SYNCED)
    ]
    for line in shipment.lines:
        try:
            remote = walmart_order.line(line.line_number)
        except KeyError:
            return False
        expected = sum(x.quantity for s in sent_with_number for x in s.lines if x.line_number == line.line_number)
        shipped_with_tracking = sum(
            s.quantity for s in remote.shipments if s.tracking_number == shipment.tracking_number
        )
        if shipped_with_tracking < expected:
            return False
    return True


async def ship_lines(run: JobRun) -> None:
    key = str(run.job.payload["shipment"])
    order = await run.order()
    shipment = order.shipment(key)
    walmart = run.link.walmart
    if shipment.sync_state is not SyncState.SYNCED:
        # A try after the first may follow a call that Walmart applied but whose answer was lost:
        # look at the PO before shipping again (a partial quantity would otherwise ship twice).
        applied = run.job.attempts > 1 and _walmart_shows_shipment(
            await walmart.get_order(order.purchase_order_id), order, key
        )
        if not applied:
            process_mode = "PARTIAL_UPDATE" if shipment.needs_partial_update() else None
            try:
                await walmart.ship_order_lines(
                    order.purchase_order_id, shipment_lines_for(order, shipment), process_mode=process_mode
                )
            except WalmartAlreadyAppliedError as exc:
                if not _walmart_shows_shipment(await walmart.get_order(order.purchase_order_id), order, key):
                    raise WalmartPermanentError(
                        f"{exc} Walmart shows these lines shipped with another tracking number; correct it in "
                        "Seller Center or ship the rest again in Commerce.",
                        http_status=exc.http_status,
                        code=exc.code,
                        correlation_id=exc.correlation_id,
                    ) from exc
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        if current.shipment(key).sync_state is not SyncState.SYNCED:
            current.mark_shipment(key, SyncState.SYNCED, now)

    await run.finish(apply)


def _walmart_shows_cancellation(walmart_order: wm.Order, order: PurchaseOrder, key: str) -> bool:
    """Walmart has this cancellation: each of its lines has at least as much cancelled as we recorded,
    leaving out the other cancellations not sent yet (a later one waiting behind this job)."""
    waiting = [c for c in order.cancellations if c.key != key and c.sync_state is not SyncState.SYNCED]
    cancellation = next(c for c in order.cancellations if c.key == key)
    for line in cancellation.lines:
        try:
            remote = walmart_order.line(line.line_number)
        except KeyError:
            return False
        not_sent = sum(x.quantity for c in waiting for x in c.lines if x.line_number == line.line_number)
        if remote.quantity_in("Cancelled") < order.line(line.line_number).quantities.cancelled - not_sent:
            return False
    return True


async def cancel_lines(run: JobRun) -> None:
    key = str(run.job.payload["cancellation"])
    order = await run.order()
    cancellation = next(c for c in order.cancellations if c.key == key)
    walmart = run.link.walmart
    if cancellation.sync_state is not SyncState.SYNCED:
        applied = run.job.attempts > 1 and _walmart_shows_cancellation(
            await walmart.get_order(order.purchase_order_id), order, key
        )
        if not applied:
            try:
                await walmart.cancel_order_lines(order.purchase_order_id, cancel_lines_for(cancellation))
            except WalmartAlreadyAppliedError:
                if not _walmart_shows_cancellation(await walmart.get_order(order.purchase_order_id), order, key):
                    raise
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        current.mark_cancellation(key, SyncState.SYNCED, now)

    await run.finish(apply)


HANDLERS: dict[str, Handler] = {
    ACKNOWLEDGE_ORDER: acknowledge_order,
    CREATE_COMMERCE_ORDER: create_commerce_order,
    SHIP_LINES: ship_lines,
    CANCEL_LINES: cancel_lines,
    REFUND_RETURN: refund_return,
    REFUND_ORDER: refund_order,
    MIRROR_WALMART_CANCEL: mirror_walmart_cancel,
    PUSH_INVENTORY: push_inventory,
}
