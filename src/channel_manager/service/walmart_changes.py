"""What Walmart changed on its own (auto-cancel after the ship date, customer or fraud cancels) comes back.

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
from ..sync.commerce_jobs import MIRROR_WALMART_CANCEL
from ..walmart import models as wm


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
        try:
            remote = walmart_order.line(line.line_number)
        except KeyError:
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
        uow.jobs.enqueue(
            MIRROR_WALMART_CANCEL,
            store_id=order.store_id,
            order_id=order.id,
            payload={"cancellation": key},
            dedupe_key=f"mirror:{order.id}:{key}",
            now=now,
        )
        recorded.append(cancellation)
    return recorded
