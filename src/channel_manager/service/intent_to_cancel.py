"""The buyer's intent to cancel (Walmart's ``intentToCancel`` on PO lines, NOTES sections 3 and 7).

It arrives after intake through a notification (``INTENT_TO_CANCEL``, or ``ORDER_UPDATES`` with that sub-event),
the lastModified poll or reconciliation, which all read the PO and pass it to :func:`record_walmart_intents`.
The lines are recorded (shown in Status details and the order view), and a ``note_intent_to_cancel`` job puts a
comment on the Commerce order, where the merchant works. The merchant then chooses: cancel (the reason defaults
to customer requested, the one case Walmart allows it), or ship anyway on purpose (:func:`ship_despite_intent`:
the shipment is sent with ``intentToCancelOverride``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..domain.sync import SyncState
from ..storage.unit_of_work import Database, UnitOfWork
from ..walmart import models as wm
from . import audit
from .commerce_changes import order_comments
from .job_run import JobRun
from .orders import _find_order
from .outbox import enqueue_intent_note


def walmart_intent_lines(walmart_order: wm.Order) -> list[str]:
    """The line numbers Walmart shows the buyer asked to cancel."""
    return [line.line_number for line in walmart_order.lines if line.asks_to_cancel]


def record_walmart_intents(uow: UnitOfWork, order: PurchaseOrder, walmart_order: wm.Order, now: datetime) -> list[str]:
    """Records the lines Walmart shows the buyer asked to cancel that we had not recorded, with the job that tells
    the Commerce order; the line numbers newly recorded. Safe to call again with the same Walmart state."""
    known = {line.line_number for line in order.lines}
    noted = order.note_intent_to_cancel([n for n in walmart_intent_lines(walmart_order) if n in known], now)
    if noted:
        enqueue_intent_note(uow, order, noted, now)
    return noted


# ---------------------------------------------------------------- the comment in Commerce


def intent_marker(line_numbers: list[str]) -> str:
    """The text by which the comment is recognised in the Commerce order (a retried job does not post it twice)."""
    return f"[channel-manager:intent-to-cancel:{','.join(line_numbers)}]"


def intent_comment(order: PurchaseOrder, line_numbers: list[str]) -> str:
    """The comment for the merchant. It names no cancellation reason (comments are read for a cancel's reason)."""
    lines = ", ".join(f"line {n} ({order.line(n).sku} x{order.line(n).quantities.open})" for n in line_numbers)
    po = order.purchase_order_id
    return (
        f"Walmart: the buyer asked to cancel {lines} of PO {po}. Cancel these units here (channel-manager sends "
        f"Walmart the buyer's own reason), or ship them on purpose with `channel-manager orders ship {po} "
        f"--override-intent-to-cancel`; a shipment made here alone is refused by Walmart. {intent_marker(line_numbers)}"
    )


async def note_intent_to_cancel(run: JobRun) -> None:
    """The ``note_intent_to_cancel`` job: the comment on the Commerce order, once (the order's comments are read
    first when an earlier try may have posted it)."""
    line_numbers = [n for n in str(run.job.payload["lines"]).split(",") if n]
    order = await run.order()
    done = "no Commerce order to comment on"
    if order.commerce_order_id is not None:
        commerce = run.link.commerce
        commerce_order = await commerce.get_order(order.commerce_order_id)
        marker = intent_marker(line_numbers)
        if any(marker in comment for comment in order_comments(commerce_order)):
            done = "the comment was already there"
        else:
            await run.sending()
            await commerce.add_order_comment(
                order.commerce_order_id, intent_comment(order, line_numbers), status=commerce_order.status
            )
            done = "comment added"
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        current.record(now, "intent_noted", f"The buyer's request to cancel, in the Commerce order: {done}.")

    await run.finish(apply)


# ---------------------------------------------------------------- ship anyway


@dataclass(frozen=True)
class ShipDespiteIntent:
    chosen: list[str]  # the lines now shipped on purpose
    retried: int  # waiting shipments sent again with the override


def ship_despite_intent(
    database: Database,
    purchase_order_id: str,
    *,
    store_id: int | None,
    lines: list[str] | None = None,
    actor: str | None = None,
    now: datetime,
) -> ShipDespiteIntent:
    """The merchant's choice to ship lines the buyer asked to cancel (``lines``; default: every such line with a
    shipment waiting or units open). A shipment Walmart refused for want of the override runs again now, with it:
    its job is retried, so nothing is sent twice (the retry reads Walmart first when the call may be in effect)."""
    with database.unit_of_work() as uow:
        order = _find_order(uow, purchase_order_id, store_id)
        order = uow.orders.require(order.store_id, purchase_order_id, for_update=True)
        assert order.id is not None
        waiting = {
            line.line_number
            for shipment in order.shipments
            if shipment.sync_state is not SyncState.SYNCED
            for line in shipment.lines
        }
        asked = [line.line_number for line in order.lines if line.intent_to_cancel]
        wanted = list(lines) if lines else [n for n in asked if n in waiting or order.line(n).quantities.open]
        for number in wanted:
            order.line(number)  # an unknown line number is the merchant's error, named
        if not wanted:
            raise DomainError(
                f"PO {purchase_order_id} has no line the buyer asked to cancel that is waiting to ship; "
                "nothing to ship anyway."
            )
        chosen = order.ship_despite_intent(wanted, now)
        retried = uow.jobs.retry_failed_for_order(order.id, now=now) if waiting & set(wanted) else 0
        uow.orders.save(order)
        audit.record(
            uow, actor, "order.ship_despite_intent", purchase_order_id,
            f"Ship anyway although the buyer asked to cancel: lines {', '.join(wanted)}",
            store_id=order.store_id, order_id=order.id, details={"lines": wanted, "retried_jobs": retried},
        )  # fmt: skip
        uow.commit()
    return ShipDespiteIntent(chosen, retried)
