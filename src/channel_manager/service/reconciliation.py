"""Two-sided reconciliation: an order's Commerce state (shipments with tracking, cancellations, credit memos,
as recorded from Commerce) compared with Walmart's view of the PO.

Both sides are read first: Walmart's PO (its own cancels recorded, ``walmart_changes``) and the Commerce order
(its shipments, cancels and memos recorded, ``commerce_changes``). Then, with the order row locked and no job
of the order in flight, what Commerce has and Walmart lacks is sent again through the normal outbox jobs (a
shipment or a cancellation recorded as sent that Walmart does not show), and what cannot be repaired that way
becomes an Error that says what differs on which side. Agreement clears that Error.

Walmart's view in a page of the pass may be older than an update that finished since (a shipment that landed
while the page was read). So a difference is only acted on after a fresh read of the PO, taken while the order
has no job in flight, and only if no job of the order finished between that check and the locked comparison;
otherwise the order is left to the next pass. The jobs it queues read Walmart again before they send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ..domain.orders import PurchaseOrder
from ..domain.quantities import LineQuantity
from ..domain.shipments import Shipment
from ..domain.sync import ProblemKey, Side, SyncProblem, SyncState
from ..storage.jobs import UNFINISHED
from ..storage.unit_of_work import UnitOfWork
from ..walmart import models as wm
from .commerce_changes import sync_commerce_order
from .context import ServiceContext, StoreLink
from .intake import take_in
from .outbox import enqueue_cancellation, enqueue_shipment
from .walmart_changes import record_walmart_changes

#: The problem reconciliation reports (one per order), cleared by a later pass that finds both sides agree.
RECONCILE_PROBLEM = ProblemKey("reconcile", "order")
SHIPPED = wm.SHIPPED_STATUSES
CENT = Decimal("0.01")
#: Orders reconciled at the same time in one pass (each costs a few Commerce reads).
ORDERS_AT_ONCE = 4


@dataclass
class Reconciliation:
    """What one order's reconciliation found: what it sent again, and what differs that it cannot repair."""

    resent: list[str] = field(default_factory=list)
    differences: list[tuple[Side, str]] = field(default_factory=list)
    skipped: str | None = None  # why the order was not compared (a job of it still in flight)


def _under_an_older_number(
    order: PurchaseOrder, shipment: Shipment, missing: Sequence[LineQuantity], walmart_order: wm.Order
) -> bool:
    """Walmart shows every missing unit of ``shipment`` shipped under a tracking number that no shipment of the
    order has now: the number the shipment had before a correction that never reached Walmart."""
    numbers = {s.tracking_number for s in order.shipments}
    for line in missing:
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            return False
        older = sum(c.quantity for c in remote.shipments if c.tracking_number not in numbers)
        if older < line.quantity:
            return False
    return True


def compare_shipments(
    order: PurchaseOrder, walmart_order: wm.Order, result: Reconciliation, now: datetime
) -> tuple[list[str], list[str]]:
    """Shipments recorded as sent that Walmart does not show: the keys to send again (Walmart still has the
    units open), the keys whose tracking correction to send again (Walmart shows the units under the number
    they had before it, and a correction is still allowed); the rest are differences."""
    resend: list[str] = []
    corrections: list[str] = []
    open_left = {line.line_number: 0 for line in order.lines}
    for line_number in open_left:
        remote = walmart_order.find_line(line_number)
        open_left[line_number] = remote.open_quantity if remote else 0
    for shipment in order.shipments:
        if shipment.sync_state is not SyncState.SYNCED:
            continue
        missing = []
        for ship_line in shipment.lines:
            remote = walmart_order.find_line(ship_line.line_number)
            if remote is None or not remote.has_shipment(shipment.tracking_number):
                missing.append(ship_line)
        if not missing:
            continue
        if all(open_left[x.line_number] >= x.quantity for x in missing) and len(missing) == len(shipment.lines):
            for x in missing:
                open_left[x.line_number] -= x.quantity
            resend.append(shipment.key)
            continue
        if shipment.correction_allowed_at(now) and _under_an_older_number(order, shipment, missing, walmart_order):
            corrections.append(shipment.key)
            continue
        for x in missing:
            remote = walmart_order.find_line(x.line_number)
            shown = ", ".join(
                f"x{s.quantity} tracking {s.tracking_number or 'none'}" for s in (remote.shipments if remote else [])
            )
            result.differences.append(
                (
                    Side.WALMART,
                    f"Commerce shipped line {x.line_number} x{x.quantity} with tracking {shipment.tracking_number} "
                    f"(shipment {shipment.key}); Walmart shows {shown or 'no shipment'} of that line",
                )
            )
    for line in order.lines:
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            result.differences.append((Side.WALMART, f"Walmart's PO has no line {line.line_number}"))
            continue
        shipped_at_walmart = remote.quantity_in(*SHIPPED)
        if shipped_at_walmart > line.quantities.shipped:
            result.differences.append(
                (
                    Side.COMMERCE,
                    f"Walmart shows line {line.line_number} shipped x{shipped_at_walmart}; Commerce shipped "
                    f"x{line.quantities.shipped}",
                )
            )
    return resend, corrections


def compare_cancellations(
    order: PurchaseOrder, walmart_order: wm.Order, result: Reconciliation, now: datetime
) -> list[str]:
    """Cancellations recorded as sent whose units Walmart does not show cancelled: the keys to send again
    (Walmart still has the units open); the rest are differences."""
    resend: list[str] = []
    for line in order.lines:
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            continue
        cancelled_at_walmart = remote.quantity_in("Cancelled")
        missing = line.quantities.cancelled - cancelled_at_walmart
        if missing < 0:
            result.differences.append(
                (
                    Side.COMMERCE,
                    f"Walmart shows line {line.line_number} cancelled x{cancelled_at_walmart}; Commerce cancelled "
                    f"x{line.quantities.cancelled}",
                )
            )
            continue
        if missing == 0:
            continue
        sent = [
            c
            for c in order.cancellations
            if c.sync_state is SyncState.SYNCED
            and c.started_by is Side.COMMERCE
            and any(x.line_number == line.line_number for x in c.lines)
        ]
        if sent and remote.open_quantity >= missing:
            resend.extend(c.key for c in sent if c.key not in resend)
        else:
            result.differences.append(
                (
                    Side.WALMART,
                    f"Commerce cancelled line {line.line_number} x{line.quantities.cancelled}; Walmart shows "
                    f"x{cancelled_at_walmart} cancelled and x{remote.open_quantity} open",
                )
            )
    return resend


def compare_refunds(order: PurchaseOrder, walmart_order: wm.Order, result: Reconciliation) -> None:
    """Credit memos sent as order refunds whose money Walmart does not show refunded on the line. (Walmart may
    show more: a return it refunded itself, or its own money for a return refund.)"""
    for line in order.lines:
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            continue
        ours = sum(
            (
                x.total
                for r in order.refunds
                if r.sync_state is SyncState.SYNCED and r.return_order_id is None
                for x in r.lines
                if x.line_number == line.line_number
            ),
            Decimal("0"),
        )
        at_walmart = -remote.refunded_amount()
        if at_walmart + CENT < ours:
            result.differences.append(
                (
                    Side.WALMART,
                    f"Commerce refunded {ours:.2f} {order.currency} on line {line.line_number} by credit memo; "
                    f"Walmart shows {at_walmart:.2f} refunded",
                )
            )


def settled_jobs(uow: UnitOfWork, order_id: int) -> tuple[int, int]:
    """The order's jobs still in flight, and how many have finished (done or failed)."""
    states = [job.state.value for job in uow.jobs.list(order_id=order_id, limit=100_000)]
    in_flight = sum(state in UNFINISHED for state in states)
    return in_flight, len(states) - in_flight


def reconcile_recorded(
    uow: UnitOfWork, order: PurchaseOrder, walmart_order: wm.Order, now: datetime, *, settled: int | None = None
) -> Reconciliation:
    """Compares the order (locked) with Walmart's view and repairs or reports, in the caller's transaction.
    ``settled``: how many of the order's jobs had finished, none in flight, before ``walmart_order`` was read;
    when more have finished since, the view may not show them and nothing is compared."""
    result = Reconciliation()
    assert order.id is not None
    in_flight, finished = settled_jobs(uow, order.id)
    if in_flight:
        result.skipped = f"{in_flight} update(s) of the order still in flight"
        return result
    if settled is not None and finished != settled:
        result.skipped = "an update of the order finished while Walmart was read"
        return result
    resend, corrections = compare_shipments(order, walmart_order, result, now)
    for key in resend:
        updated = order.resend_shipment(key, now)
        enqueue_shipment(uow, order, key, updated.corrections, now, resend=f":resend:{now.isoformat()}")
        result.resent.append(f"shipment {key}")
    for key in corrections:
        updated = order.resend_tracking_correction(key, now)
        enqueue_shipment(uow, order, key, updated.corrections, now, resend=f":resend:{now.isoformat()}")
        result.resent.append(f"tracking correction of shipment {key}")
    for key in compare_cancellations(order, walmart_order, result, now):
        order.resend_cancellation(key, now)
        enqueue_cancellation(uow, order, key, now, resend=f":resend:{now.isoformat()}")
        result.resent.append(f"cancellation {key}")
    compare_refunds(order, walmart_order, result)
    _report(order, result, now)
    return result


def _report(order: PurchaseOrder, result: Reconciliation, now: datetime) -> None:
    if not result.differences:
        order.clear_problem_of(RECONCILE_PROBLEM, now, "Commerce and Walmart agree")
        return
    if order.problem is not None and order.problem.key != RECONCILE_PROBLEM:
        return  # the order shows a failed update already; that one is fixed first
    side = Side.WALMART if any(s is Side.WALMART for s, _ in result.differences) else Side.COMMERCE
    message = "; ".join(text for _, text in result.differences)
    next_step = (
        "Nothing was sent automatically. Make the two sides agree (in Commerce, or in Walmart Seller Center); "
        "the next reconciliation clears this."
    )
    order.report_problem_once(
        SyncProblem(side, "reconcile Commerce with Walmart", message, next_step, now, key=RECONCILE_PROBLEM)
    )


# ---------------------------------------------------------------- reading both sides


async def reconcile_order(context: ServiceContext, link: StoreLink, walmart_order: wm.Order) -> Reconciliation | None:
    """Reads the order's Commerce side (recording what Commerce changed), then compares it with ``walmart_order``
    (Walmart's view, its own cancels already recorded). ``None`` for a PO not known or not linked yet."""
    purchase_order_id = walmart_order.purchase_order_id
    order = await context.run_db(_order, context, link.id, purchase_order_id)
    if order is None or order.commerce_order_id is None:
        return None
    summary = await sync_commerce_order(context, link, order.commerce_order_id)
    if summary is not None and summary.jobs:
        return Reconciliation(skipped="Commerce changes recorded, being sent")
    result, settled = await context.run_db(_reconcile, context, link.id, purchase_order_id, walmart_order, None)
    if settled is not None:  # a difference in the view at hand: look again before acting on it
        fresh = await context.read_walmart_order(link, purchase_order_id)
        await record_walmart_changes(context, link, [fresh])
        result, _ = await context.run_db(_reconcile, context, link.id, purchase_order_id, fresh, settled)
    if result.resent:
        context.work_available.set()
    return result


def _order(context: ServiceContext, store_id: int, purchase_order_id: str) -> PurchaseOrder | None:
    with context.unit_of_work() as uow:
        return uow.orders.get(store_id, purchase_order_id)


def _reconcile(
    context: ServiceContext, store_id: int, purchase_order_id: str, walmart_order: wm.Order, settled: int | None
) -> tuple[Reconciliation, int | None]:
    """The locked comparison. With ``settled`` None (a view that may be stale), a difference is not acted on:
    the transaction is rolled back and the count of the order's finished jobs returned, to check against
    after a fresh read. Otherwise (agreement, or a fresh view) the result is committed."""
    now = context.now()
    with context.unit_of_work() as uow:
        order = uow.orders.get(store_id, purchase_order_id, for_update=True)
        assert order is not None
        result = reconcile_recorded(uow, order, walmart_order, now, settled=settled)
        if settled is None and (result.resent or result.differences):
            assert order.id is not None
            return result, settled_jobs(uow, order.id)[1]  # rolled back
        uow.orders.save(order)
        uow.commit()
    return result, None


async def reconcile_orders(context: ServiceContext, link: StoreLink, walmart_orders: Sequence[wm.Order]) -> int:
    """Reconciles each open order among ``walmart_orders`` (a page of Walmart's POs); how many were repaired or
    reported."""
    limit = asyncio.Semaphore(ORDERS_AT_ONCE)
    wanted = [
        o for o in walmart_orders if any(line.quantity_in("Created", "Acknowledged", *SHIPPED) for line in o.lines)
    ]

    async def one(walmart_order: wm.Order) -> int:
        async with limit:
            result = await reconcile_order(context, link, walmart_order)
        return int(result is not None and bool(result.resent or result.differences))

    outcomes = await asyncio.gather(*(one(o) for o in wanted), return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        raise failures[0]
    return sum(o for o in outcomes if isinstance(o, int))


async def read_both_sides(context: ServiceContext, link: StoreLink, purchase_order_id: str) -> Reconciliation | None:
    """Resync's reading (``service/resync.py``): re-reads the PO at Walmart (taking it in if new, recording
    Walmart's own cancels) and the order in Commerce (recording its shipments, cancels and memos), then
    reconciles the two."""
    walmart_order = await context.read_walmart_order(link, purchase_order_id)
    await take_in(context, link, [walmart_order])
    await record_walmart_changes(context, link, [walmart_order])
    return await reconcile_order(context, link, walmart_order)
