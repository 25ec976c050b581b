"""The jobs that send an order's changes to Walmart: acknowledge, ship (and correct tracking), cancel.

Every one may run more than once for the same job (a lost response, a worker killed after the call, a lease
taken over, the merchant's Retry). So each commits the job's "may be in effect" marker before it sends
(``JobRun.sending``), reads Walmart first whenever the marker is set (``JobRun.may_be_in_effect``), and treats
Walmart's "already done" as success after checking: the change is applied once in effect.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

from ..domain.cancellations import Cancellation, ReasonSource
from ..domain.errors import CustomerRequestedNotAllowed
from ..domain.orders import PurchaseOrder
from ..domain.quantities import LineQuantity
from ..domain.reasons import CancellationReason
from ..domain.shipments import Shipment
from ..domain.sync import Side, SyncState
from ..storage.unit_of_work import UnitOfWork
from ..walmart import models as wm
from ..walmart.errors import WalmartAlreadyAppliedError, WalmartIntentToCancelError, WalmartPermanentError
from ..walmart.mapping import cancel_lines_for, shipment_lines_for
from .intent_to_cancel import walmart_intent_lines
from .job_run import JobRun
from .walmart_changes import record_walmart_changes


async def acknowledge_order(run: JobRun) -> None:
    order = await run.order()
    walmart = run.link.walmart
    # An earlier try may have sent an acknowledgement Walmart applied but whose answer was lost:
    # look at the PO before sending it again (no unit left in Created means it is in effect).
    if order.acknowledged_at is None and (
        not run.may_be_in_effect
        or any(line.quantity_in("Created") for line in (await walmart.get_order(order.purchase_order_id)).lines)
    ):
        await run.sending()
        # Already acknowledged, or its lines already moved on: nothing left to acknowledge.
        with contextlib.suppress(WalmartAlreadyAppliedError):
            await walmart.acknowledge_order(order.purchase_order_id)
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        if current.acknowledged_at is None:
            current.acknowledge(now)

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
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            return False
        expected = sum(x.quantity for s in sent_with_number for x in s.lines if x.line_number == line.line_number)
        shipped_with_tracking = sum(
            s.quantity for s in remote.shipments if s.tracking_number == shipment.tracking_number
        )
        if shipped_with_tracking < expected:
            return False
    return True


@dataclass(frozen=True)
class ShipmentPlan:
    """What a shipment still needs at Walmart, per line: units to correct (Walmart shows them shipped with
    another tracking number: ``PARTIAL_UPDATE``) and units to ship (Walmart does not have them)."""

    correct: tuple[LineQuantity, ...]
    ship: tuple[LineQuantity, ...]


def plan_shipment(walmart_order: wm.Order, order: PurchaseOrder, key: str) -> ShipmentPlan:
    """Reads what Walmart already has of shipment ``key``. On each of its lines, units under its (current)
    tracking number are done; units under a number no other shipment of the order has are this shipment's,
    sent before a correction (or before a lost answer): corrected in place; the rest is shipped."""
    shipment = order.shipment(key)
    others = [s for s in order.shipments if s.key != key]
    other_numbers = {s.tracking_number for s in others}
    correct: list[LineQuantity] = []
    ship: list[LineQuantity] = []
    for line in shipment.lines:
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            ship.append(line)
            continue
        same_number_elsewhere = sum(
            x.quantity
            for s in others
            if s.tracking_number == shipment.tracking_number and s.sync_state is SyncState.SYNCED
            for x in s.lines
            if x.line_number == line.line_number
        )
        with_number = sum(c.quantity for c in remote.shipments if c.tracking_number == shipment.tracking_number)
        done = min(line.quantity, max(0, with_number - same_number_elsewhere))
        with_old_number = sum(
            c.quantity
            for c in remote.shipments
            if c.tracking_number != shipment.tracking_number and c.tracking_number not in other_numbers
        )
        to_correct = min(line.quantity - done, with_old_number)
        to_ship = line.quantity - done - to_correct
        if to_correct:
            correct.append(LineQuantity(line.line_number, to_correct))
        if to_ship:
            ship.append(LineQuantity(line.line_number, to_ship))
    return ShipmentPlan(tuple(correct), tuple(ship))


def _unread_plan(shipment: Shipment) -> ShipmentPlan:
    """Without a read of Walmart: a shipment Walmart confirmed is corrected, any other is shipped."""
    if shipment.needs_partial_update():
        return ShipmentPlan(shipment.lines, ())
    return ShipmentPlan((), shipment.lines)


async def ship_lines(run: JobRun) -> None:
    key = str(run.job.payload["shipment"])
    order = await run.order()
    shipment = order.shipment(key)
    walmart = run.link.walmart
    if shipment.sync_state is not SyncState.SYNCED:
        # An earlier try may have sent a call that Walmart applied but whose answer was lost, and a tracking
        # correction needs to know what Walmart has: look at the PO first (a partial quantity would
        # otherwise ship twice, a shipped line be shipped again instead of corrected).
        plan = _unread_plan(shipment)
        if run.may_be_in_effect or shipment.corrections > 0:
            plan = plan_shipment(await walmart.get_order(order.purchase_order_id), order, key)
        if plan.correct or plan.ship:
            await run.sending()
        try:
            for lines, process_mode in ((plan.correct, "PARTIAL_UPDATE"), (plan.ship, None)):
                if lines:
                    await walmart.ship_order_lines(
                        order.purchase_order_id,
                        shipment_lines_for(order, replace(shipment, lines=lines)),
                        process_mode=process_mode,
                    )
        except WalmartIntentToCancelError:
            # The buyer asked to cancel (maybe after our last read): record it, so Status details show the
            # merchant's two choices; the job stops until one is made.
            await record_walmart_changes(run.context, run.link, [await walmart.get_order(order.purchase_order_id)])
            raise
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
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            return False
        not_sent = sum(x.quantity for c in waiting for x in c.lines if x.line_number == line.line_number)
        if remote.quantity_in("Cancelled") < order.line(line.line_number).quantities.cancelled - not_sent:
            return False
    return True


def _open_at_walmart(walmart_order: wm.Order, line_number: str) -> int:
    remote = walmart_order.find_line(line_number)
    return 0 if remote is None else remote.open_quantity


def _reason_depends_on_intent(cancellation: Cancellation) -> bool:
    """A cancel whose reason is the store's default (the buyer's request may have come since it was recorded),
    or customer requested (Walmart takes it only on lines the buyer asked to cancel)."""
    return (
        cancellation.reason_source is ReasonSource.STORE_DEFAULT
        or cancellation.reason is CancellationReason.CUSTOMER_REQUESTED
    ) and cancellation.started_by is not Side.WALMART


async def _reason_for_intent(
    run: JobRun, order: PurchaseOrder, cancellation: Cancellation, walmart_order: wm.Order
) -> Cancellation:
    """The reason Walmart takes for this cancel as Walmart shows the lines now: customer requested when the buyer
    asked to cancel every line of it and no reason was given (the rule's error otherwise)."""
    asked = set(walmart_intent_lines(walmart_order))
    lines = [cl.line_number for cl in cancellation.lines]
    if cancellation.reason is CancellationReason.CUSTOMER_REQUESTED:
        # Walmart clears a line's request once it is cancelled: a line with nothing open left (cancelled by an
        # earlier try whose answer was lost, say) is no reason to refuse; sending finds it already applied.
        missing = [n for n in lines if n not in asked and _open_at_walmart(walmart_order, n) > 0]
        if missing:
            raise CustomerRequestedNotAllowed(order.purchase_order_id, missing)
        return cancellation
    if not all(n in asked for n in lines):
        return cancellation
    key, now = cancellation.key, run.context.now()

    def switch() -> None:
        with run.context.unit_of_work() as uow:
            current = uow.orders.get_by_id(order.id or 0, for_update=True)
            assert current is not None
            current.note_intent_to_cancel(lines, now)
            current.use_customer_requested(key, now)
            uow.orders.save(current)
            uow.commit()

    await run.context.run_db(switch)
    return replace(cancellation, reason=CancellationReason.CUSTOMER_REQUESTED, reason_source=ReasonSource.WALMART)


async def cancel_lines(run: JobRun) -> None:
    key = str(run.job.payload["cancellation"])
    order = await run.order()
    cancellation = next(c for c in order.cancellations if c.key == key)
    walmart = run.link.walmart
    if cancellation.sync_state is not SyncState.SYNCED:
        walmart_order = None
        if run.may_be_in_effect or _reason_depends_on_intent(cancellation):
            walmart_order = await walmart.get_order(order.purchase_order_id)
        applied = (
            walmart_order is not None
            and run.may_be_in_effect
            and _walmart_shows_cancellation(walmart_order, order, key)
        )
        if not applied:
            if walmart_order is not None and _reason_depends_on_intent(cancellation):
                cancellation = await _reason_for_intent(run, order, cancellation, walmart_order)
            await run.sending()
            try:
                await walmart.cancel_order_lines(order.purchase_order_id, cancel_lines_for(cancellation))
            except (WalmartAlreadyAppliedError, WalmartPermanentError):
                # A refusal may mean the units are cancelled already: a line with nothing open left is refused
                # "in SHIPPED status" when some of it shipped and the rest was cancelled by a try whose answer
                # was lost. What Walmart shows decides; otherwise the refusal stands.
                if not _walmart_shows_cancellation(await walmart.get_order(order.purchase_order_id), order, key):
                    raise
    now = run.context.now()

    def apply(_: UnitOfWork, current: PurchaseOrder) -> None:
        current.mark_cancellation(key, SyncState.SYNCED, now)

    await run.finish(apply)
