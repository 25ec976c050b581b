"""Refund jobs: a Commerce credit memo's shipped units become a refund at Walmart.

* ``refund_return`` refunds the matching lines and quantities of a Walmart return (RMA); Walmart works out
  the money from the return. The return becomes Refunded, or Error with Walmart's reason.
* ``refund_order`` refunds lines of the PO without a return (``/v3/orders/{po}/refund``) with a refund reason
  and the credit memo's amounts; its ``refundComments`` carry a marker naming the memo.

Walmart has no idempotency key. Before sending again after a try whose outcome is unknown, each handler reads
Walmart's view (the return's refunded quantities, the PO's refund comments) and skips what is already there.
"""

from __future__ import annotations

from dataclasses import replace

from ..domain.orders import PurchaseOrder
from ..domain.refunds import Refund
from ..domain.returns import Return, ReturnLine, ReturnStatus
from ..domain.sync import SyncState
from ..storage.unit_of_work import UnitOfWork
from ..walmart import models as wm
from ..walmart.errors import WalmartAlreadyAppliedError, WalmartPermanentError
from ..walmart.requests import RefundAmount, RefundLine, ReturnRefundLine
from .inventory import queue_stock_pushes
from .job_run import JobRun

# ---------------------------------------------------------------- returns


async def _walmart_return(run: JobRun, return_order_id: str) -> wm.ReturnOrder | None:
    async for item in run.link.walmart.list_returns(return_order_id=return_order_id):
        if item.return_order_id == return_order_id:
            return item
    return None


def _still_to_refund(
    lines: list[list[int]], walmart_return: wm.ReturnOrder | None
) -> tuple[list[ReturnRefundLine], bool]:
    """Return lines and units Walmart does not show refunded yet, and whether Walmart refunded on its own.

    Each planned line is [return line number, units, units of this line our earlier refunds covered]: the
    line is done once Walmart shows at least ``earlier + units`` refunded."""
    if walmart_return is None:
        return [ReturnRefundLine(number, quantity) for number, quantity, _ in lines], False
    remote = {line.return_order_line_number: line for line in walmart_return.return_order_lines}
    needed = []
    by_walmart = False
    for number, quantity, earlier in lines:
        line = remote.get(number)
        refunded = line.refunded_qty if line else 0
        if line is not None and line.refunded_by_walmart:
            by_walmart = True
        missing = min(quantity, earlier + quantity - refunded)
        if missing > 0:
            needed.append(ReturnRefundLine(number, missing))
    return ([], True) if by_walmart else (needed, False)


async def refund_return(run: JobRun) -> None:
    payload = run.job.payload
    key, return_order_id = str(payload["refund"]), str(payload["return"])
    lines: list[list[int]] = [list(map(int, line)) for line in payload["lines"]]
    order = await run.order()
    refund = order.refund_by_key(key)
    walmart = run.link.walmart
    by_walmart = False
    if refund.sync_state is not SyncState.SYNCED:
        local = await run.context.run_db(_load_return, run, return_order_id)
        by_walmart = local.refunded_by_walmart
        if not by_walmart:
            # After a try whose answer was lost, Walmart may have the refund already: look first.
            needed, by_walmart = (
                _still_to_refund(lines, await _walmart_return(run, return_order_id))
                if run.may_be_in_effect
                else ([ReturnRefundLine(n, q) for n, q, _ in lines], False)
            )
            if needed and not by_walmart:
                await run.sending()
                try:
                    await walmart.refund_return(return_order_id, local.customer_order_id, needed)
                except WalmartAlreadyAppliedError:
                    needed, by_walmart = _still_to_refund(lines, await _walmart_return(run, return_order_id))
                    if needed and not by_walmart:
                        raise
                except WalmartPermanentError as error:
                    await run.context.run_db(_return_error, run, return_order_id, str(error))
                    raise
    now = run.context.now()
    refunded = dict((number, quantity) for number, quantity, _ in lines)

    def apply(uow: UnitOfWork, current: PurchaseOrder) -> None:
        item = uow.returns.get(current.store_id, return_order_id)
        if item is not None:
            _return_refunded(item, refunded, key, by_walmart, refund.commerce_credit_memo_id)
            uow.returns.save(item)
        how = "Walmart had already refunded it" if by_walmart or (item and item.refunded_by_walmart) else "refunded"
        current.mark_refund_synced(key, f"Return {return_order_id} at Walmart: {how} (refund {key}).", now)
        assert current.id is not None
        current.return_requested = any(
            r.status is ReturnStatus.RECEIVED for r in uow.returns.list_for_order(current.id)
        )
        queue_stock_pushes(uow, current.store_id, current.refunded_skus(refund), now)

    await run.finish(apply)


def _load_return(run: JobRun, return_order_id: str) -> Return:
    with run.context.unit_of_work() as uow:
        item = uow.returns.get(run.link.id, return_order_id)
    if item is None:
        raise LookupError(f"return {return_order_id} of job {run.job.id} is gone")
    return item


def _return_error(run: JobRun, return_order_id: str, message: str) -> None:
    with run.context.unit_of_work() as uow:
        item = uow.returns.get(run.link.id, return_order_id)
        if item is not None and item.status is not ReturnStatus.REFUNDED:
            item.status = ReturnStatus.ERROR
            item.status_details = f"Walmart side: the refund could not be sent: {message}"
            uow.returns.save(item)
            uow.commit()


def _return_refunded(
    item: Return, refunded: dict[int, int], key: str, by_walmart: bool, credit_memo_id: int | None
) -> None:
    item.lines = [
        replace(
            line,
            refunded_quantity=min(line.quantity, line.refunded_quantity + refunded.get(line.return_line_number, 0)),
        )
        if not item.refunded_by_walmart
        else line
        for line in item.lines
    ]
    memos = [m for m in item.extra.get("credit_memos", "").split(",") if m]
    if credit_memo_id is not None and str(credit_memo_id) not in memos:
        memos.append(str(credit_memo_id))
    item.extra["credit_memos"] = ",".join(memos)
    if by_walmart:
        item.refunded_by_walmart = True
    done = item.refunded_by_walmart or all(line.refunded_quantity >= line.quantity for line in item.lines)
    if done:
        item.status = ReturnStatus.REFUNDED
        who = "Refunded by Walmart (its automatic refund); " if item.refunded_by_walmart else "Refunded; "
        item.status_details = f"{who}Commerce credit memo(s) #{', #'.join(memos)}."
    else:
        left = sum(_left(line) for line in item.lines)
        item.status = ReturnStatus.RECEIVED
        item.status_details = f"Partly refunded ({key}); {left} returned unit(s) still to refund."


def _left(line: ReturnLine) -> int:
    return max(0, line.quantity - line.refunded_quantity)


# ---------------------------------------------------------------- refunds without a return


def _walmart_shows_refund(walmart_order: wm.Order, refund: Refund, marker: str) -> bool:
    for line in refund.lines:
        if not line.total:
            continue  # nothing of this line is sent
        remote = walmart_order.find_line(line.line_number)
        if remote is None:
            return False
        if remote.refund is None or marker not in (remote.refund.refund_comments or ""):
            return False
    return True


def refund_lines_for(refund: Refund, marker: str, currency: str) -> list[RefundLine]:
    """The refund's lines as Walmart takes them: a PRODUCT charge (item price with its tax) and a SHIPPING
    charge (with its tax) where the refund has them, partial (``isFullRefund: false``), amounts exactly the
    credit memo's (``domain.refund_money``)."""
    lines = []
    for line in refund.lines:
        charges = []
        if line.amount or line.tax:
            charges.append(RefundAmount(line.amount, tax_amount=line.tax or None, currency=currency))
        if line.shipping or line.shipping_tax:
            charges.append(RefundAmount.shipping(line.shipping, line.shipping_tax or None, currency))
        if charges:
            lines.append(RefundLine(line.line_number, refund.reason, charges, comments=marker))
    return lines


async def refund_order(run: JobRun) -> None:
    key, marker = str(run.job.payload["refund"]), str(run.job.payload["marker"])
    order = await run.order()
    refund = order.refund_by_key(key)
    walmart = run.link.walmart
    if refund.sync_state is not SyncState.SYNCED:
        applied = run.may_be_in_effect and _walmart_shows_refund(
            await walmart.get_order(order.purchase_order_id), refund, marker
        )
        lines = refund_lines_for(refund, marker, order.currency)
        if not applied and lines:
            await run.sending()
            await walmart.refund_order_lines(order.purchase_order_id, lines)
    now = run.context.now()

    def apply(uow: UnitOfWork, current: PurchaseOrder) -> None:
        message = f"Refund {key} of {refund.total:.2f} {current.currency} ({refund.reason.value}) applied at Walmart."
        current.mark_refund_synced(key, message, now)
        queue_stock_pushes(uow, current.store_id, current.refunded_skus(refund), now)

    await run.finish(apply)
