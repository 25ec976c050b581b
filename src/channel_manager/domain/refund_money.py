"""The money of a Commerce credit memo as Walmart refunds it, line by line and charge by charge.

Walmart refunds per PO line, in ``PRODUCT`` and ``SHIPPING`` charges, each with its tax. A credit memo states
its money per item row (row total, tax) and once for the whole memo (shipping, shipping tax, the adjustment
refund and the adjustment fee). ``plan_memo_refund`` turns the second into the first so that Walmart refunds
exactly what the memo refunded (docs/returns-and-refunds.md, "The money"):

* each line's product amount and tax come from the memo's row, shared by units between the part a Walmart
  return refund covers (Walmart works that money out itself) and the part sent as an order refund;
* the memo's shipping (and, separately, its shipping tax) is spread over the memo's lines that still have
  shipping charged at Walmart, in proportion to what is left, to the cent; what they cannot take goes to the
  order's other shipped lines; more than Walmart charged is refused;
* the adjustment refund is added to the product amount of the first line of the order refund; the
  adjustment fee is taken off the order refund's product amounts, then its shipping; a fee that only return
  refunds could carry is not deducted at Walmart, and the plan says so;
* refunding a line's whole item price makes Walmart refund its tax and shipping too, even in a partial
  refund (Walmart NOTES section 3.4): a memo that refunds the whole item price but keeps some of them is
  refused, since no request could refund exactly what it did.

Pure: no I/O; it reads the order and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from .errors import RefundNotAllowed
from .orders import OrderLine, PurchaseOrder
from .refunds import CENT, CreditedRow

ZERO = Decimal("0")


@dataclass(frozen=True)
class MemoAmounts:
    """What a credit memo credits, in the order's currency (positive numbers)."""

    rows: Mapping[str, CreditedRow] = field(default_factory=dict)  # PO line -> the memo's row for it
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    adjustment_refund: Decimal = ZERO  # Commerce's "Adjustment Refund" (adjustment_positive)
    adjustment_fee: Decimal = ZERO  # Commerce's "Adjustment Fee" (adjustment_negative)


@dataclass(frozen=True)
class LineMoney:
    quantity: int
    product: Decimal
    tax: Decimal
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.product + self.tax + self.shipping + self.shipping_tax

    @property
    def as_tuple(self) -> tuple[int, Decimal, Decimal]:
        return self.quantity, self.product, self.tax

    @property
    def shipping_pair(self) -> tuple[Decimal, Decimal]:
        return self.shipping, self.shipping_tax


@dataclass(frozen=True)
class MemoRefundPlan:
    returned: dict[str, LineMoney]  # units a Walmart return refund covers (product and tax only)
    order_refund: dict[str, LineMoney]  # sent as an order refund, charge by charge
    notes: tuple[str, ...] = ()  # what the merchant should know (money not sent, and why)

    @property
    def total(self) -> Decimal:
        parts = [*self.returned.values(), *self.order_refund.values()]
        return sum((m.total for m in parts), ZERO)


# ---------------------------------------------------------------- what is left to refund per line


def refunded_so_far(order: PurchaseOrder, line_number: str) -> LineMoney:
    """Product, tax, shipping and shipping tax already refunded on a line (every recorded refund)."""
    product = tax = shipping = shipping_tax = ZERO
    for refund in order.refunds:
        for line in refund.lines:
            if line.line_number == line_number:
                product += line.amount
                tax += line.tax
                shipping += line.shipping
                shipping_tax += line.shipping_tax
    return LineMoney(0, product, tax, shipping, shipping_tax)


def shipping_left(order: PurchaseOrder, line: OrderLine) -> tuple[Decimal, Decimal]:
    """(shipping, shipping tax) Walmart charged on a line and has not refunded; nothing before it shipped."""
    if line.quantities.shipped == 0:
        return ZERO, ZERO
    done = refunded_so_far(order, line.line_number)
    return max(ZERO, line.shipping_charge - done.shipping), max(ZERO, line.shipping_tax - done.shipping_tax)


def item_price_charged(line: OrderLine) -> Decimal:
    """The line's whole item price at Walmart: the units not cancelled at the unit price."""
    return (line.unit_price * (line.quantities.ordered - line.quantities.cancelled)).quantize(CENT)


# ---------------------------------------------------------------- spreading one amount over lines


def _spread(amount: Decimal, rooms: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """``amount`` over lines in proportion to their room (never above it), in cents that add up exactly;
    the caller made sure the rooms hold it."""
    total_room = sum((room for _, room in rooms), ZERO)
    if amount <= 0 or total_room <= 0:
        return {}
    if amount >= total_room:
        return {n: room for n, room in rooms if room > 0}
    shares = {n: (amount * room / total_room).quantize(CENT, rounding=ROUND_DOWN) for n, room in rooms}
    left = amount - sum(shares.values(), ZERO)
    for number, room in sorted(rooms, key=lambda r: -r[1]):  # the remaining cents to the largest rooms
        while left > 0 and shares[number] + CENT <= room:
            shares[number] += CENT
            left -= CENT
    return {n: s for n, s in shares.items() if s > 0}


def _spread_over(
    order: PurchaseOrder, amount: Decimal, what: str, memo_lines: list[str], room_of: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """``amount`` of ``what`` over the memo's lines first, then the order's other lines; refused when Walmart
    has less of it left to refund."""
    if amount <= 0:
        return {}
    first = [(n, room_of[n]) for n in memo_lines]
    others = [
        (line.line_number, room_of[line.line_number]) for line in order.lines if line.line_number not in memo_lines
    ]
    room_first = sum((r for _, r in first), ZERO)
    room_all = room_first + sum((r for _, r in others), ZERO)
    if amount > room_all:
        raise RefundNotAllowed(
            f"Cannot refund {what} of {amount:.2f} {order.currency} on PO {order.purchase_order_id}: Walmart has "
            f"only {room_all:.2f} of {what} charged on shipped lines and not refunded yet."
        )
    spread = _spread(min(amount, room_first), first)
    rest = amount - min(amount, room_first)
    for number, share in _spread(rest, others).items():
        spread[number] = spread.get(number, ZERO) + share
    return spread


# ---------------------------------------------------------------- the plan


def _row_money(line: OrderLine, units: int, row: CreditedRow) -> tuple[Decimal, Decimal]:
    """Product and tax of ``units`` of a line: the memo row's share for them (Walmart's prices where the
    memo states nothing)."""
    memo_quantity = row.quantity or Decimal(units)
    product = row.product if row.product is not None else line.unit_price * memo_quantity
    tax = row.tax if row.tax is not None else line.unit_tax * memo_quantity
    share = Decimal(units) / memo_quantity if memo_quantity else Decimal(1)
    return (product * share).quantize(CENT), (tax * share).quantize(CENT)


def plan_memo_refund(
    order: PurchaseOrder, returned_units: Mapping[str, int], other_units: Mapping[str, int], memo: MemoAmounts
) -> MemoRefundPlan:
    """How the memo's money is refunded at Walmart: per line, the part of the return refunds
    (``returned_units``) and the order refund (``other_units`` plus every money-only charge). Raises
    ``RefundNotAllowed`` when Walmart cannot refund exactly that."""
    memo_lines = [line.line_number for line in order.lines if line.line_number in {**returned_units, **other_units}]
    returned: dict[str, LineMoney] = {}
    refund: dict[str, LineMoney] = {}
    for number in memo_lines:
        line = order.line(number)
        back, rest = returned_units.get(number, 0), other_units.get(number, 0)
        product, tax = _row_money(line, back + rest, memo.rows.get(number, CreditedRow()))
        back_product = (product * back / (back + rest)).quantize(CENT)
        back_tax = (tax * back / (back + rest)).quantize(CENT)
        if back:
            returned[number] = LineMoney(back, back_product, back_tax)
        if rest:
            refund[number] = LineMoney(rest, product - back_product, tax - back_tax)

    rooms = {line.line_number: shipping_left(order, line) for line in order.lines}
    shipping = _spread_over(order, memo.shipping, "shipping", memo_lines, {n: r[0] for n, r in rooms.items()})
    shipping_tax = _spread_over(
        order, memo.shipping_tax, "shipping tax", memo_lines, {n: r[1] for n, r in rooms.items()}
    )
    for number in [line.line_number for line in order.lines]:
        if number in shipping or number in shipping_tax:
            base = refund.get(number, LineMoney(0, ZERO, ZERO))
            refund[number] = LineMoney(
                base.quantity, base.product, base.tax, shipping.get(number, ZERO), shipping_tax.get(number, ZERO)
            )

    notes: list[str] = []
    net = memo.adjustment_refund - memo.adjustment_fee
    if net > 0:
        shipped = [line.line_number for line in order.lines if line.quantities.shipped]
        number = next(iter(refund), (memo_lines or shipped or [order.lines[0].line_number])[0])
        base = refund.get(number, LineMoney(0, ZERO, ZERO))
        refund[number] = LineMoney(base.quantity, base.product + net, base.tax, base.shipping, base.shipping_tax)
    elif net < 0:
        refund, left = _take_fee(refund, -net)
        if left > 0:
            notes.append(
                f"Adjustment fee {left:.2f} {order.currency} of the credit memo is not deducted at Walmart: the "
                "refund of a Walmart return is the money Walmart works out for the returned units."
            )
    refund = {n: m for n, m in refund.items() if m.quantity or m.total > 0}
    _check_item_price_rule(order, returned, refund)
    return MemoRefundPlan(returned, refund, tuple(notes))


def _take_fee(refund: dict[str, LineMoney], fee: Decimal) -> tuple[dict[str, LineMoney], Decimal]:
    """The fee off the order refund's product amounts, then off its shipping; what is left of the fee."""
    result = dict(refund)
    for attribute in ("product", "shipping"):
        for number, money in result.items():
            take = min(fee, getattr(money, attribute))
            if take > 0:
                values = {
                    "product": money.product,
                    "shipping": money.shipping,
                    attribute: getattr(money, attribute) - take,
                }
                result[number] = LineMoney(
                    money.quantity, values["product"], money.tax, values["shipping"], money.shipping_tax
                )
                fee -= take
    return result, fee


def _check_item_price_rule(
    order: PurchaseOrder, returned: Mapping[str, LineMoney], refund: Mapping[str, LineMoney]
) -> None:
    """Walmart refunds a line's tax and shipping with its whole item price, even in a partial refund."""
    for number, money in refund.items():
        if money.product <= 0:
            continue
        line = order.line(number)
        done = refunded_so_far(order, number)
        back = returned.get(number, LineMoney(0, ZERO, ZERO))
        if done.product + back.product + money.product < item_price_charged(line):
            continue
        shipped_tax = (line.unit_tax * (line.quantities.ordered - line.quantities.cancelled)).quantize(CENT)
        kept = (
            max(ZERO, shipped_tax - done.tax - back.tax - money.tax)
            + max(ZERO, line.shipping_charge - done.shipping - money.shipping)
            + max(ZERO, line.shipping_tax - done.shipping_tax - money.shipping_tax)
        )
        if kept >= CENT:
            raise RefundNotAllowed(
                f"Credit memo refunds the whole item price of PO {order.purchase_order_id} line {number} but keeps "
                f"{kept:.2f} {order.currency} of its tax and shipping, which Walmart refunds with the whole item "
                "price; Walmart cannot refund exactly this memo."
            )
