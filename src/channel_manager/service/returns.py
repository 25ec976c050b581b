"""Walmart returns and Commerce credit memos.

* A Walmart return (RMA) is recorded as Received, linked to its order and lines; the order's Status details
  say "Return requested". Seen again, it is brought up to date (a refund Walmart made itself marks it
  Refunded, "refunded by Walmart").
* A Commerce credit memo of *shipped* units becomes a refund at Walmart: the refund of the matching return
  lines when the order has a return for them, else an order refund with a refund reason (the one the memo's
  comment names, else the store's default). Credit-memo units that had not shipped are a cancel, recorded by
  ``commerce_changes.record_cancellation``; the two together account for every refunded unit.

Both are called with the order row locked and record the change with its job in the same transaction; both
are safe to call again with the same remote state.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..commerce.models import CommerceCreditMemo, CommerceOrder, CommerceOrderItem, CommerceShipment
from ..domain.errors import DomainError, RefundNotAllowed
from ..domain.orders import PurchaseOrder
from ..domain.reasons import RefundReason, refund_reason_in_text
from ..domain.refund_money import MemoAmounts, plan_memo_refund
from ..domain.refunds import CreditedRow, share_of
from ..domain.returns import Return, ReturnLine, ReturnStatus
from ..domain.stores import ChannelStore
from ..domain.sync import Side, SyncProblem
from ..storage.errors import ReturnNotFound, StorageError
from ..storage.unit_of_work import Database, UnitOfWork
from ..walmart import models as wm
from .context import ServiceContext, StoreLink
from .outbox import credit_memo_problem_key, enqueue_order_refund, enqueue_return_refund, refund_marker

ZERO = Decimal("0")


# ---------------------------------------------------------------- Walmart returns


def _money(value: Any) -> Decimal:
    if isinstance(value, dict):
        value = value.get("currencyAmount", value.get("amount"))
    try:
        return Decimal(str(value)) if value is not None else ZERO
    except ArithmeticError:
        return ZERO


def _unit_tax(line: wm.ReturnOrderLine) -> Decimal:
    for charge in (line.model_extra or {}).get("charges") or []:
        if isinstance(charge, dict) and charge.get("chargeCategory", "PRODUCT") == "PRODUCT":
            return sum((_money(t.get("taxPerUnit")) for t in charge.get("tax") or [] if isinstance(t, dict)), ZERO)
    return ZERO


def _refunded_by_walmart(walmart_return: wm.ReturnOrder) -> bool:
    return any(line.refunded_by_walmart for line in walmart_return.return_order_lines)


def _return_lines(walmart_return: wm.ReturnOrder, purchase_order_id: str) -> list[ReturnLine]:
    lines = []
    for line in walmart_return.return_order_lines:
        if (line.purchase_order_id or purchase_order_id) != purchase_order_id:
            continue
        number = line.purchase_order_line_number or line.sales_order_line_number
        lines.append(
            ReturnLine(
                return_line_number=line.return_order_line_number,
                line_number=str(number) if number is not None else "",
                sku=(line.item.sku if line.item else None) or "",
                quantity=line.quantity.measurement_value if line.quantity else 0,
                reason=line.return_reason or "",
                unit_amount=line.unit_price.currency_amount if line.unit_price else ZERO,
                unit_tax=_unit_tax(line),
                refunded_quantity=line.refunded_qty,
            )
        )
    return lines


def _describe_lines(lines: Sequence[ReturnLine]) -> str:
    return ", ".join(f"line {line.line_number} x{line.quantity} ({line.reason or 'no reason given'})" for line in lines)


def _walmart_refund_details(item: Return) -> str:
    return (
        "Walmart already refunded this return itself (its automatic refund). Create the credit memo in Commerce "
        "to keep the order in line; nothing more is sent to Walmart."
    )


def record_walmart_return(uow: UnitOfWork, store: ChannelStore, walmart_return: wm.ReturnOrder, now: datetime) -> bool:
    """Records a return not seen before, or brings a known one up to date. True when something changed."""
    assert store.id is not None
    first = next(iter(walmart_return.return_order_lines), None)
    purchase_order_id = (first.purchase_order_id if first else None) or ""
    existing = uow.returns.get(store.id, walmart_return.return_order_id)
    if existing is not None:
        return _update_return(uow, existing, walmart_return, now)
    order = uow.orders.get(store.id, purchase_order_id, for_update=True) if purchase_order_id else None
    lines = _return_lines(walmart_return, purchase_order_id)
    item = Return(
        store_id=store.id,
        return_order_id=walmart_return.return_order_id,
        customer_order_id=walmart_return.customer_order_id or "",
        purchase_order_id=purchase_order_id,
        lines=lines,
        requested_at=walmart_return.return_order_date or now,
        return_by=walmart_return.return_by_date,
        order_id=order.id if order else None,
    )
    problem = _check_return(item, order)
    if problem:
        item.status, item.status_details = ReturnStatus.ERROR, problem
    elif _refunded_by_walmart(walmart_return) and all(line.refunded_quantity >= line.quantity for line in lines):
        item.status, item.refunded_by_walmart = ReturnStatus.REFUNDED, True
        item.status_details = _walmart_refund_details(item)
    else:
        item.status_details = "Refund it with a credit memo in Commerce (offline) for the returned items."
    if not uow.returns.add(item):
        return False
    if order is not None:
        for line in lines:
            if line.line_number in {ol.line_number for ol in order.lines}:
                order.mark_returned(line.line_number, line.quantity)
        by = f", return by {item.return_by:%Y-%m-%d}" if item.return_by else ""
        order.record(now, "return_requested", f"Walmart return {item.return_order_id}: {_describe_lines(lines)}{by}.")
        if item.refunded_by_walmart:
            order.record(now, "return_refunded", f"Walmart refunded return {item.return_order_id} itself.")
        _refresh_return_requested(uow, order)
        uow.orders.save(order)
    return True


def _check_return(item: Return, order: PurchaseOrder | None) -> str | None:
    if order is None:
        return (
            f"The order of this return (PO {item.purchase_order_id or 'none given'}) is not known to channel-manager; "
            "refund it in Walmart Seller Center."
        )
    if not item.lines:
        return "Walmart sent this return without lines; check it in Walmart Seller Center."
    numbers = {line.line_number for line in order.lines}
    unknown = [line.line_number for line in item.lines if line.line_number not in numbers]
    if unknown:
        return f"The return names line(s) {', '.join(unknown)} that PO {order.purchase_order_id} does not have."
    return None


def _update_return(uow: UnitOfWork, item: Return, walmart_return: wm.ReturnOrder, now: datetime) -> bool:
    if item.refunded_by_walmart or item.status is ReturnStatus.REFUNDED:
        return False
    remote = {line.return_order_line_number: line for line in walmart_return.return_order_lines}
    if not _refunded_by_walmart(walmart_return):
        return False
    if not all(remote.get(line.return_line_number) and remote[line.return_line_number].refunded_qty >= line.quantity
               for line in item.lines):  # fmt: skip
        return False
    item.refunded_by_walmart = True
    item.status = ReturnStatus.REFUNDED
    item.status_details = _walmart_refund_details(item)
    uow.returns.save(item)
    if item.order_id is not None:
        order = uow.orders.get_by_id(item.order_id, for_update=True)
        if order is not None:
            order.record(now, "return_refunded", f"Walmart refunded return {item.return_order_id} itself.")
            _refresh_return_requested(uow, order)
            uow.orders.save(order)
    return True


def _refresh_return_requested(uow: UnitOfWork, order: PurchaseOrder) -> None:
    """ "Return requested" shows while a return of the order waits for its credit memo in Commerce."""
    assert order.id is not None
    order.return_requested = any(
        item.status is ReturnStatus.RECEIVED or (item.refunded_by_walmart and _unmatched_units(item) > 0)
        for item in uow.returns.list_for_order(order.id)
    )


# ---------------------------------------------------------------- Commerce credit memos


def _matched(item: Return, return_line_number: int) -> int:
    return int(item.extra.get(f"matched.{return_line_number}", "0"))


def units_to_refund(item: Return) -> dict[str, int]:
    """PO line -> returned units neither refunded nor covered by a credit memo yet (the Returns page's Refund)."""
    lines: dict[str, int] = {}
    for line in item.lines:
        left = line.quantity - max(line.refunded_quantity, _matched(item, line.return_line_number))
        if left > 0 and line.line_number:
            lines[line.line_number] = lines.get(line.line_number, 0) + left
    return lines


def _unmatched_units(item: Return) -> int:
    """Returned units no credit memo covers yet."""
    return sum(max(0, line.quantity - _matched(item, line.return_line_number)) for line in item.lines)


def _memo_reason(store: ChannelStore, memo: CommerceCreditMemo) -> RefundReason:
    for comment in reversed(memo.comments):
        reason = refund_reason_in_text(comment)
        if reason is not None:
            return reason
    return store.settings.default_refund_reason


def _shipped(item: CommerceOrderItem, shipments: Sequence[CommerceShipment]) -> int:
    """Units of the item Commerce shipped: its own count, or its shipments' when those were read later."""
    in_shipments = sum(i.qty for s in shipments for i in s.items if i.order_item_id == item.item_id)
    return int(max(item.qty_shipped, in_shipments) + 1e-6)


def _allocate(
    order: PurchaseOrder,
    commerce_order: CommerceOrder,
    memos: Sequence[CommerceCreditMemo],
    shipments: Sequence[CommerceShipment] = (),
) -> dict[int, dict[str, int]]:
    """Credit memo id -> PO line -> shipped units it refunds, for memos not recorded yet, each from the memo's
    own items. Commerce refunds the units still to ship first: walking the order's memos oldest first, a line's
    units up to its unshipped quantity (less what Commerce cancelled) are a cancel
    (``commerce_changes.record_cancellation``), the units beyond it are refunds of shipped units."""
    recorded_ids = {r.commerce_credit_memo_id for r in order.refunds if r.commerce_credit_memo_id is not None}
    unshipped: dict[int, int] = {}
    for item in commerce_order.items:
        if item.parent_item_id is None:
            left = item.qty_ordered - _shipped(item, shipments) - item.qty_canceled
            unshipped[item.item_id] = max(0, int(left + 1e-6))
    allocation: dict[int, dict[str, int]] = {}
    for memo in sorted(memos, key=lambda m: m.entity_id):
        if memo.order_id != commerce_order.entity_id:
            continue
        for memo_item in memo.items:
            units = int(memo_item.qty + 1e-6)
            cancelled = min(units, unshipped.get(memo_item.order_item_id, 0))
            unshipped[memo_item.order_item_id] = unshipped.get(memo_item.order_item_id, 0) - cancelled
            memo_line = order.line_for_commerce_item(memo_item.order_item_id)
            if memo_line is None or memo.entity_id in recorded_ids or units - cancelled <= 0:
                continue
            lines = allocation.setdefault(memo.entity_id, {})
            lines[memo_line.line_number] = lines.get(memo_line.line_number, 0) + units - cancelled
    return allocation


def _memo_amounts(memo: CommerceCreditMemo, order: PurchaseOrder, lines: dict[str, int]) -> MemoAmounts:
    """What the memo credits, read from its own rows and totals as Decimals."""
    raw_items = {int(i.get("order_item_id", 0)): i for i in memo.raw.get("items") or [] if isinstance(i, dict)}
    rows: dict[str, CreditedRow] = {}
    for line_number in lines:
        raw = raw_items.get(order.line(line_number).commerce_item_id or -1, {})
        rows[line_number] = CreditedRow(
            quantity=_decimal_or_none(raw.get("qty")),
            product=_decimal_or_none(raw.get("row_total")),
            tax=_decimal_or_none(raw.get("tax_amount")),
        )
    return MemoAmounts(
        rows=rows,
        shipping=_decimal(memo.raw.get("shipping_amount")),
        shipping_tax=_decimal(memo.raw.get("shipping_tax_amount")),
        adjustment_refund=_decimal(memo.raw.get("adjustment_positive")),
        adjustment_fee=_decimal(memo.raw.get("adjustment_negative")),
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value else ZERO


def _decimal_or_none(value: Any) -> Decimal | None:
    """A memo's number, or None where it gives none (or zero: Commerce leaves unset amounts at 0)."""
    return Decimal(str(value)) if value else None


def _money_only(memo: CommerceCreditMemo) -> bool:
    """A memo without items that refunds money (shipping or an adjustment only)."""
    keys = ("shipping_amount", "shipping_tax_amount", "adjustment_positive")
    return not memo.items and any(_decimal(memo.raw.get(k)) > 0 for k in keys)


@dataclass
class _ReturnMatch:
    item: Return
    lines: dict[str, int]  # PO line -> units
    return_lines: list[list[int]]  # [return line number, units, units matched before]


def _match_returns(
    uow: UnitOfWork, order: PurchaseOrder, lines: dict[str, int]
) -> tuple[list[_ReturnMatch], dict[str, int]]:
    """Splits refunded units over the order's returns (oldest first); what no return covers is left over."""
    assert order.id is not None
    left = dict(lines)
    matches = []
    for item in uow.returns.list_for_order(order.id):
        if item.status is ReturnStatus.ERROR and item.order_id is None:
            continue
        match = _ReturnMatch(item, {}, [])
        for return_line in item.lines:
            wanted = left.get(return_line.line_number, 0)
            before = _matched(item, return_line.return_line_number)
            take = min(wanted, return_line.quantity - before)
            if take <= 0:
                continue
            match.lines[return_line.line_number] = match.lines.get(return_line.line_number, 0) + take
            match.return_lines.append([return_line.return_line_number, take, before])
            item.extra[f"matched.{return_line.return_line_number}"] = str(before + take)
            left[return_line.line_number] -= take
        if match.lines:
            matches.append(match)
    return matches, {n: q for n, q in left.items() if q > 0}


def record_credit_memos(
    uow: UnitOfWork,
    store: ChannelStore,
    order: PurchaseOrder,
    commerce_order: CommerceOrder,
    memos: Sequence[CommerceCreditMemo],
    now: datetime,
    shipments: Sequence[CommerceShipment] = (),
) -> int:
    """Turns the shipped units and the money of new credit memos into Walmart refunds with their jobs; how
    many jobs. Each memo refunds what its own items and totals say (``_allocate``,
    ``domain.refund_money.plan_memo_refund``), never what changed between two reads."""
    assert order.id is not None
    jobs = 0
    allocation = _allocate(order, commerce_order, memos, shipments)
    recorded_ids = {r.commerce_credit_memo_id for r in order.refunds if r.commerce_credit_memo_id is not None}
    for memo in sorted(memos, key=lambda m: m.entity_id):
        lines = allocation.get(memo.entity_id)
        if not lines and not (
            memo.order_id == commerce_order.entity_id and memo.entity_id not in recorded_ids and _money_only(memo)
        ):
            continue
        lines = lines or {}
        label = memo.increment_id or f"#{memo.entity_id}"
        action = f"send credit memo {label} to Walmart as a refund"
        key = credit_memo_problem_key(memo.entity_id)
        try:
            if memo.currency and memo.currency != order.currency:
                raise RefundNotAllowed(
                    f"Credit memo {label} is in {memo.currency}; PO {order.purchase_order_id} was charged in "
                    f"{order.currency}."
                )
            amounts = _memo_amounts(memo, order, lines)
            _refund(uow, store, copy.deepcopy(order), memo, lines, amounts, now, dry_run=True)
        except DomainError as error:
            next_step = "Nothing was sent to Walmart. Correct the refund in Commerce or refund in Seller Center."
            order.report_problem_once(SyncProblem(Side.COMMERCE, action, str(error), next_step, now, key=key))
            continue
        jobs += _refund(uow, store, order, memo, lines, amounts, now, dry_run=False)
        order.clear_problem_of(key, now, "refund recorded")
    if jobs:
        _refresh_return_requested(uow, order)
    return jobs


def _refund(
    uow: UnitOfWork,
    store: ChannelStore,
    order: PurchaseOrder,
    memo: CommerceCreditMemo,
    lines: dict[str, int],
    amounts: MemoAmounts,
    now: datetime,
    *,
    dry_run: bool,
) -> int:
    """Records the refunds of one memo (return refunds first, then an order refund for the rest of its units
    and its money) with their jobs; with ``dry_run`` only checks them against the order's rules (raising
    ``DomainError``)."""
    assert order.id is not None
    jobs = 0
    matches, left = _match_returns(uow, order, lines)
    returned_units: dict[str, int] = {}
    for match in matches:
        for number, units in match.lines.items():
            returned_units[number] = returned_units.get(number, 0) + units
    plan = plan_memo_refund(order, returned_units, left, amounts)
    label = memo.increment_id or f"#{memo.entity_id}"
    for note in plan.notes:
        order.record(now, "refund_note", f"Credit memo {label}: {note}")
    shares = {n: plan.returned[n].as_tuple for n in returned_units}
    for match in matches:
        key = f"memo-{memo.entity_id}-{match.item.return_order_id}"
        order_lines = {}
        for number, units in match.lines.items():
            share = share_of(shares[number], units)
            order_lines[number] = share
            quantity, product, tax = shares[number]
            shares[number] = (quantity - units, product - share[1], tax - share[2])
        order.refund(
            key=key,
            lines=order_lines,
            reason=RefundReason.CUSTOMER_RETURNED_ITEM,
            at=now,
            return_order_id=match.item.return_order_id,
            commerce_credit_memo_id=memo.entity_id,
        )
        if dry_run:
            continue
        uow.returns.save(match.item)
        enqueue_return_refund(uow, order, key, match.item.return_order_id, match.return_lines, now)
        jobs += 1
    if plan.order_refund:
        key = f"memo-{memo.entity_id}"
        order.refund(
            key=key,
            lines={n: m.as_tuple for n, m in plan.order_refund.items()},
            shipping={n: m.shipping_pair for n, m in plan.order_refund.items() if m.shipping or m.shipping_tax},
            reason=_memo_reason(store, memo),
            at=now,
            commerce_credit_memo_id=memo.entity_id,
        )
        if not dry_run:
            enqueue_order_refund(uow, order, key, refund_marker(memo.entity_id, label), now)
            jobs += 1
    return jobs


# ---------------------------------------------------------------- a page of polled returns


async def record_walmart_returns(context: ServiceContext, link: StoreLink, returns: list[wm.ReturnOrder]) -> int:
    """Records one page of Walmart returns in one transaction; how many were new or changed."""
    if not returns:
        return 0
    return await context.in_transaction(
        lambda uow, now: sum(record_walmart_return(uow, link.store, item, now) for item in returns)
    )


# ---------------------------------------------------------------- the Returns page


def returns_page(
    database: Database, *, store_id: int | None = None, status: ReturnStatus | None = None, limit: int = 100
) -> list[Return]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.returns.list(store_id=store_id, status=status, limit=limit)


def find_return(database: Database, return_order_id: str, *, store_id: int | None = None) -> Return:
    with database.unit_of_work(read_only=True) as uow:
        store_ids = [store_id] if store_id is not None else [s.id for s in uow.stores.list() if s.id is not None]
        found = [r for r in (uow.returns.get(sid, return_order_id) for sid in store_ids) if r is not None]
    if len(found) > 1:
        raise StorageError(f"Return {return_order_id!r} exists in {len(found)} stores; name one with --store.")
    if not found:
        raise ReturnNotFound(return_order_id)
    return found[0]
