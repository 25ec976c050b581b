"""What the merchant did in Commerce (shipments, tracking corrections, cancels) becomes Walmart jobs.

Called with the order row locked; records the change and its outbound job in the same transaction.
Safe to call again with the same Commerce state: what is already recorded is recognised by its key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..commerce.models import CommerceCreditMemo, CommerceOrder, CommerceShipment, ShipmentTrack
from ..domain.cancellations import ReasonSource
from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..domain.reasons import CancellationReason, cancellation_reason_in_text
from ..domain.shipments import Carrier
from ..domain.stores import ChannelStore
from ..domain.sync import ProblemKey, Side, SyncProblem, SyncState
from ..storage.unit_of_work import UnitOfWork
from .commerce_mirror import linked_items
from .context import ServiceContext, StoreLink
from .inventory import queue_cancel_stock_pushes
from .outbox import JobKind, describe, enqueue_cancellation, enqueue_shipment
from .returns import record_credit_memos


@dataclass
class ChangeSummary:
    shipments: int = 0
    corrections: int = 0
    cancellations: int = 0
    refunds: int = 0

    @property
    def jobs(self) -> int:
        return self.shipments + self.corrections + self.cancellations + self.refunds


def shipment_key(shipment: CommerceShipment) -> str:
    return shipment.increment_id or f"#{shipment.entity_id}"


def _track(shipment: CommerceShipment) -> tuple[ShipmentTrack | None, str | None]:
    """The shipment's latest track with a number, and its tracking URL when Commerce has one."""
    tracks = [t for t in shipment.tracks if t.track_number and t.track_number.strip()]
    if not tracks:
        return None, None
    track = tracks[-1]
    url = None
    for raw in shipment.raw.get("tracks") or []:
        if raw.get("track_number") == track.track_number:
            description = str(raw.get("description") or "").strip()
            if description.startswith(("http://", "https://")):
                url = description
    return track, url


def _carrier(store: ChannelStore, track: ShipmentTrack, tracking_url: str | None) -> Carrier:
    settings = store.settings
    code, title = (track.carrier_code or "").strip(), (track.title or "").strip()
    mapped = (settings.walmart_carrier_for(code) if code else None) or (
        settings.walmart_carrier_for(title) if title else None
    )
    name = title if code in {"", "custom"} else (title or code)
    return Carrier.resolve(name or code, tracking_url=tracking_url, walmart_name=mapped)


def _problem(order: PurchaseOrder, key: ProblemKey, message: str, next_step: str, now: datetime) -> None:
    """A shipment Commerce has that cannot go to Walmart as it is; reported once, not on every poll."""
    action = describe(key.kind, {"shipment": key.key})
    order.report_problem_once(SyncProblem(Side.COMMERCE, action, message, next_step, now, key=key))


def reason_for_cancel(store: ChannelStore, comments: Sequence[str]) -> tuple[CancellationReason, ReasonSource]:
    """The reason named in the newest order comment that names one, else the store's default."""
    for comment in reversed(comments):
        reason = cancellation_reason_in_text(comment)
        if reason is not None:
            return reason, ReasonSource.ORDER_COMMENT
    return store.settings.default_cancellation_reason, ReasonSource.STORE_DEFAULT


def order_comments(commerce_order: CommerceOrder) -> list[str]:
    """Status-history comments, oldest first."""
    histories = commerce_order.raw.get("status_histories") or []
    ordered = sorted(histories, key=lambda h: (str(h.get("created_at") or ""), int(h.get("entity_id") or 0)))
    return [str(h.get("comment") or "") for h in ordered if h.get("comment")]


def record_shipments(
    uow: UnitOfWork, store: ChannelStore, order: PurchaseOrder, shipments: Sequence[CommerceShipment], now: datetime
) -> ChangeSummary:
    assert order.id is not None
    summary = ChangeSummary()
    known = {s.key: s for s in order.shipments}
    for shipment in sorted(shipments, key=lambda s: s.entity_id):
        key = shipment_key(shipment)
        problem_key = ProblemKey(JobKind.SHIP_LINES, key)
        lines: dict[str, int] = {}
        for item in shipment.items:
            line = order.line_for_commerce_item(item.order_item_id)
            if line is not None and item.qty >= 1:
                lines[line.line_number] = lines.get(line.line_number, 0) + int(item.qty)
        if not lines:
            continue
        track, tracking_url = _track(shipment)
        if track is None or not track.track_number:
            if key not in known:
                try:
                    order.require_tracking_number(None)
                except DomainError as error:
                    next_step = "Add the tracking number to the shipment in Commerce; it is sent as soon as it is there"
                    _problem(order, problem_key, str(error), next_step + ".", now)
            continue
        try:
            carrier = _carrier(store, track, tracking_url)
            previous = known.get(key)
            if previous is None:
                order.ship(
                    key=key,
                    lines=lines,
                    carrier=carrier,
                    tracking_number=track.track_number,
                    tracking_url=tracking_url,
                    shipped_at=shipment.created_at or now,
                    commerce_shipment_id=shipment.entity_id,
                    at=now,
                )
                summary.shipments += 1
                revision = 0
            elif previous.tracking_number != track.track_number.strip() or previous.carrier != carrier:
                updated = order.correct_tracking(
                    key, carrier=carrier, tracking_number=track.track_number, tracking_url=tracking_url, at=now
                )
                summary.corrections += 1
                revision = updated.corrections
            else:
                continue
        except DomainError as error:
            next_step = "Correct the shipment in Commerce; it is sent once it is valid."
            _problem(order, problem_key, str(error), next_step, now)
            continue
        order.clear_problem_of(problem_key, now, "fixed in Commerce")
        enqueue_shipment(uow, order, key, revision, now)
    return summary


def record_cancellation(
    uow: UnitOfWork, store: ChannelStore, order: PurchaseOrder, commerce_order: CommerceOrder, now: datetime
) -> ChangeSummary:
    """Units Commerce will no longer ship (order cancelled, or unshipped units refunded by credit memo)
    are cancelled at Walmart, with the reason from the order comments or the store default."""
    assert order.id is not None
    summary = ChangeSummary()
    wanted: dict[str, int] = {}
    for line, item in linked_items(order, commerce_order):
        if line.quantities.open == 0:
            continue
        unshippable = max(0, int(item.qty_ordered - item.qty_shipped - item.qty_to_ship))
        target = min(line.quantities.ordered - line.quantities.shipped, unshippable)
        extra = min(line.quantities.open, target - line.quantities.cancelled)
        if extra > 0:
            wanted[line.line_number] = extra
    if not wanted:
        return summary
    reason, source = reason_for_cancel(store, order_comments(commerce_order))
    for (line_reason, line_source), lines in _reasons_by_intent(store, order, wanted, reason, source, now).items():
        key = f"commerce-{commerce_order.entity_id}-{len(order.cancellations) + 1}"
        if commerce_order.state == "canceled" and lines == order.open_lines():
            cancellation = order.cancel_whole_order(key=key, reason=line_reason, reason_source=line_source, at=now)
        else:
            cancellation = order.cancel(
                key=key, lines=lines, reason=line_reason, reason_source=line_source, started_by=Side.COMMERCE, at=now
            )
        assert cancellation.sync_state is SyncState.PENDING
        summary.cancellations += 1
        enqueue_cancellation(uow, order, key, now)
    return summary


def _reasons_by_intent(
    store: ChannelStore,
    order: PurchaseOrder,
    wanted: dict[str, int],
    reason: CancellationReason,
    source: ReasonSource,
    now: datetime,
) -> dict[tuple[CancellationReason, ReasonSource], dict[str, int]]:
    """The cancel's lines grouped by the reason each is sent with. Walmart takes "customer requested" only on
    lines the buyer asked to cancel: those default to it when no reason was given, and the others never get it
    (a comment naming it for them falls back to the store's default, and the timeline says so)."""
    groups: dict[tuple[CancellationReason, ReasonSource], dict[str, int]] = {}
    refused = []
    for number, quantity in wanted.items():
        asked = order.line(number).intent_to_cancel
        chosen = (reason, source)
        if asked and source is ReasonSource.STORE_DEFAULT:
            chosen = (CancellationReason.CUSTOMER_REQUESTED, ReasonSource.WALMART)
        elif not asked and reason is CancellationReason.CUSTOMER_REQUESTED:
            chosen = (store.settings.default_cancellation_reason, ReasonSource.STORE_DEFAULT)
            refused.append(number)
        groups.setdefault(chosen, {})[number] = quantity
    if refused:
        named = ("line " if len(refused) == 1 else "lines ") + ", ".join(refused)
        order.record(
            now, "cancel_reason", f"The buyer did not ask to cancel {named}, and Walmart takes 'customer requested' "
            f"only then: sent with the store's default, {store.settings.default_cancellation_reason.label}.",
        )  # fmt: skip
    return groups


# ---------------------------------------------------------------- one Commerce order read and recorded


async def sync_commerce_order(
    context: ServiceContext, link: StoreLink, commerce_order: CommerceOrder | int
) -> ChangeSummary | None:
    """Reads one Commerce order's shipments and state, and records what changed (with its jobs).
    ``None`` when the order is not linked to a PO: if it carries a Walmart PO number (``ext_order_id``) its
    change is recorded for the Commerce order, and read in full once the order is linked
    (:func:`sync_recorded_changes`), so a poll that moves on past it loses nothing."""
    commerce_order_id = commerce_order if isinstance(commerce_order, int) else commerce_order.entity_id
    local_id = await context.run_db(_linked_order_id, context, link.id, commerce_order_id)
    if local_id is None:
        await _record_unlinked_change(context, link, commerce_order)
        return None
    with link.attempts.scope(order_id=local_id, flush=False) as scope:
        if isinstance(commerce_order, int):
            commerce_order = await link.commerce.get_order(commerce_order)
        elif not commerce_order.raw.get("status_histories") and commerce_order.state == "canceled":
            commerce_order = await link.commerce.get_order(commerce_order.entity_id)
        shipments = await link.commerce.list_shipments(order_id=commerce_order.entity_id)
        refunded = commerce_order.total_refunded > 0 or any(i.qty_refunded for i in commerce_order.items)
        credit_memos = await link.commerce.list_credit_memos(order_id=commerce_order.entity_id) if refunded else []
    await context.record_attempts(scope.collected)
    summary = await context.run_db(
        _record_commerce_state, context, link, local_id, commerce_order, shipments, credit_memos
    )
    if summary.jobs:
        context.work_available.set()
    return summary


def _record_commerce_state(
    context: ServiceContext,
    link: StoreLink,
    order_id: int,
    commerce_order: CommerceOrder,
    shipments: list[CommerceShipment],
    credit_memos: list[CommerceCreditMemo],
) -> ChangeSummary:
    """Locks the PO, records what Commerce changed (with the jobs that send it to Walmart), commits."""
    now = context.now()
    with context.unit_of_work() as uow:
        order = uow.orders.get_by_id(order_id, for_update=True)
        assert order is not None
        summary = record_shipments(uow, link.store, order, shipments, now)
        cancelled = record_cancellation(uow, link.store, order, commerce_order, now)
        summary.cancellations += cancelled.cancellations
        summary.refunds += record_credit_memos(uow, link.store, order, commerce_order, credit_memos, now, shipments)
        queue_cancel_stock_pushes(uow, order, now)
        uow.orders.save(order)
        uow.commit()
    return summary


# ---------------------------------------------------------------- changes of orders not linked yet

#: A recorded change of a Commerce order never linked is dropped after this long (another channel's order).
UNLINKED_CHANGE_KEPT = timedelta(days=14)


async def _record_unlinked_change(
    context: ServiceContext, link: StoreLink, commerce_order: CommerceOrder | int
) -> None:
    if isinstance(commerce_order, int):  # a webhook names the order only: is it a Walmart order?
        with link.attempts.scope(flush=False) as scope:
            commerce_order = await link.commerce.get_order(commerce_order)
        await context.record_attempts(scope.collected)
    if not commerce_order.ext_order_id:
        return
    await context.run_db(_record_change, context, link.id, commerce_order)


def _record_change(context: ServiceContext, store_id: int, commerce_order: CommerceOrder) -> None:
    with context.unit_of_work() as uow:
        record_unlinked_change(uow, store_id, commerce_order, context.now())
        uow.commit()


def record_unlinked_change(uow: UnitOfWork, store_id: int, commerce_order: CommerceOrder, now: datetime) -> None:
    """Records that the Commerce order has changes not read in full yet (until it is linked and read)."""
    uow.commerce_changes.record(
        store_id, commerce_order.entity_id, commerce_order.ext_order_id, commerce_order.updated_at, now
    )


async def sync_recorded_changes(
    context: ServiceContext, link: StoreLink, commerce_order_id: int | None = None
) -> ChangeSummary:
    """Reads in full every Commerce order (or the one given) whose change was recorded while it was not linked
    and that is linked now, records what it finds (shipments, cancels, credit memos), then forgets the record.
    A failure leaves the record for the next turn."""
    ids = await context.run_db(_recorded_linked, context, link.id, commerce_order_id)
    total = ChangeSummary()
    for recorded_id in ids:
        read_at = context.now()
        summary = await sync_commerce_order(context, link, recorded_id)
        if summary is not None:
            total.shipments += summary.shipments
            total.corrections += summary.corrections
            total.cancellations += summary.cancellations
            total.refunds += summary.refunds
            await context.run_db(_forget_change, context, link.id, recorded_id, read_at)
    return total


def _recorded_linked(context: ServiceContext, store_id: int, commerce_order_id: int | None) -> list[int]:
    with context.database.unit_of_work(read_only=commerce_order_id is not None) as uow:
        if commerce_order_id is None:  # the poll's turn: records of orders never linked are dropped in time
            uow.commerce_changes.prune(store_id, context.now() - UNLINKED_CHANGE_KEPT)
        ids = uow.commerce_changes.linked(store_id)
        uow.commit()
    return [i for i in ids if commerce_order_id is None or i == commerce_order_id]


def _forget_change(context: ServiceContext, store_id: int, commerce_order_id: int, read_at: datetime) -> None:
    with context.unit_of_work() as uow:
        uow.commerce_changes.forget(store_id, commerce_order_id, recorded_before=read_at)
        uow.commit()


def _linked_order_id(context: ServiceContext, store_id: int, commerce_order_id: int) -> int | None:
    with context.database.unit_of_work(read_only=True) as uow:
        return uow.orders.id_of_commerce_order(store_id, commerce_order_id)
