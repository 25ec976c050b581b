"""What Walmart changed on its own (auto-cancel after the ship date, customer or fraud cancels, the buyer's intent
to cancel) comes back.

Called with the PO row locked and Walmart's current view of the PO: units Walmart shows cancelled beyond what
we recorded are cancelled here too, as already synced (Walmart did it), and a job mirrors them in Commerce.
Safe to call again with the same Walmart state: what is recorded is not recorded twice.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.cancellations import Cancellation, ReasonSource
from ..domain.orders import PurchaseOrder
from ..domain.reasons import CancellationReason
from ..domain.sync import Side
from ..storage.unit_of_work import UnitOfWork
from ..walmart import models as wm
from ..walmart.notifications import OrderNotification
from .context import ServiceContext, StoreLink
from .intent_to_cancel import record_walmart_intents, walmart_intent_lines
from .outbox import enqueue_mirror_cancel


def _latest_cancel_reason(line: wm.OrderLine) -> str | None:
    reasons = [s.cancellation_reason for s in line.statuses if s.status == "Cancelled" and s.cancellation_reason]
    return reasons[-1] if reasons else None


def record_walmart_cancels(
    uow: UnitOfWork, order: PurchaseOrder, walmart_order: wm.Order, now: datetime
) -> list[Cancellation]:
    """Records the units Walmart cancelled that we did not, one cancellation per Walmart reason, each with
    its mirror-in-Commerce job. Returns the new cancellations."""
    assert order.id is not None
    by_reason: dict[tuple[CancellationReason, str], dict[str, int]] = {}
    for line in order.lines:
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            continue
        extra = min(remote.quantity_in("Cancelled") - line.quantities.cancelled, line.quantities.open)
        if extra <= 0:
            continue
        code = _latest_cancel_reason(remote) or ""
        by_reason.setdefault((CancellationReason.from_walmart(code), code), {})[line.line_number] = extra
    recorded = []
    for (reason, code), lines in by_reason.items():
        key = f"walmart-{len(order.cancellations) + 1}"
        cancellation = order.cancel(
            key=key,
            lines=lines,
            reason=reason,
            reason_source=ReasonSource.WALMART,
            started_by=Side.WALMART,
            at=now,
        )
        if code and code != reason.value:
            order.record(now, "walmart_reason", f"Walmart's cancellation reason: {code}.")
        enqueue_mirror_cancel(uow, order, key, now)
        recorded.append(cancellation)
    return recorded


async def record_walmart_changes(context: ServiceContext, link: StoreLink, orders: list[wm.Order]) -> int:
    """Records what Walmart changed on POs we know (one transaction per PO); how many POs changed."""
    candidates = [
        o for o in orders if walmart_intent_lines(o) or any(line.quantity_in("Cancelled") for line in o.lines)
    ]
    if not candidates:
        return 0

    def record(walmart_order: wm.Order) -> bool:
        now = context.now()
        with context.unit_of_work() as uow:
            order = uow.orders.get(link.id, walmart_order.purchase_order_id, for_update=True)
            if order is None:
                return False
            cancelled = record_walmart_cancels(uow, order, walmart_order, now)
            noted = record_walmart_intents(uow, order, walmart_order, now)
            if not cancelled and not noted:
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


async def sync_walmart_order(context: ServiceContext, link: StoreLink, purchase_order_id: str) -> int:
    """Re-reads one PO at Walmart and records what Walmart changed on it."""
    walmart_order = await context.read_walmart_order(link, purchase_order_id)
    return await record_walmart_changes(context, link, [walmart_order])


async def on_walmart_change_notification(
    context: ServiceContext, link: StoreLink, notification: OrderNotification
) -> None:
    """Handler of ``PO_LINE_AUTOCANCELLED`` / ``FRAUD_CANCEL`` / ``INTENT_TO_CANCEL`` notifications: the payload
    is thin, so the PO is read again and compared."""
    if notification.purchase_order_id:
        await sync_walmart_order(context, link, notification.purchase_order_id)
