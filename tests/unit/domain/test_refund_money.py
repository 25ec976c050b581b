"""The money of a credit memo as Walmart refund charges (``domain.refund_money``): exact to the cent."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from _domain_builders import make_line, make_order, refund, ship

from channel_manager.domain.errors import RefundNotAllowed
from channel_manager.domain.orders import PurchaseOrder
from channel_manager.domain.refund_money import LineMoney, MemoAmounts, plan_memo_refund

D = Decimal


def shipped_order() -> PurchaseOrder:
    lines = [
        replace(make_line("1", 2, shipping="1.00"), shipping_tax=D("0.10")),
        replace(make_line("2", 1, shipping="2.00"), shipping_tax=D("0.20")),
        replace(make_line("3", 1, shipping="0.00")),
        replace(make_line("4", 2, shipping="2.00"), shipping_tax=D("0.20")),
    ]
    order = make_order(*lines)
    for line in order.lines:
        line.quantities = line.quantities.acknowledge()
    ship(order, "s1", {"1": 2, "2": 1, "3": 1, "4": 2})
    return order


def test_shipping_is_spread_over_the_memo_lines_by_what_is_left_and_adds_up_to_the_cent() -> None:
    order = shipped_order()
    plan = plan_memo_refund(order, {}, {"1": 1, "4": 1}, MemoAmounts(shipping=D("1.01"), shipping_tax=D("0.01")))
    shipping = {n: m.shipping for n, m in plan.order_refund.items()}
    assert sum(shipping.values()) == D("1.01")
    assert shipping == {"1": D("0.33"), "4": D("0.68")}
    assert sum(m.shipping_tax for m in plan.order_refund.values()) == D("0.01")
    assert plan.total == D("10.00") + D("0.80") + D("10.00") + D("0.80") + D("1.01") + D("0.01")


def test_shipping_beyond_the_memo_lines_goes_to_the_other_shipped_lines_and_never_above_the_charge() -> None:
    order = shipped_order()
    plan = plan_memo_refund(order, {}, {"3": 1}, MemoAmounts(shipping=D("5.00")))
    assert plan.order_refund["1"] == LineMoney(0, D("0"), D("0"), D("1.00"))
    assert plan.order_refund["2"] == LineMoney(0, D("0"), D("0"), D("2.00"))
    assert plan.order_refund["4"] == LineMoney(0, D("0"), D("0"), D("2.00"))
    with pytest.raises(RefundNotAllowed, match=r"shipping of 5\.01 USD .* only 5\.00"):
        plan_memo_refund(order, {}, {"3": 1}, MemoAmounts(shipping=D("5.01")))


def test_a_fee_comes_off_the_order_refund_and_what_only_a_return_could_carry_is_said() -> None:
    order = shipped_order()
    plan = plan_memo_refund(order, {}, {"1": 1}, MemoAmounts(adjustment_fee=D("2.50")))
    assert plan.order_refund["1"] == LineMoney(1, D("7.50"), D("0.80"))
    returned = plan_memo_refund(order, {"1": 1}, {}, MemoAmounts(adjustment_fee=D("2.50")))
    assert returned.order_refund == {}
    assert returned.returned["1"] == LineMoney(1, D("10.00"), D("0.80"))
    assert returned.notes and "2.50 USD" in returned.notes[0] and "not deducted at Walmart" in returned.notes[0]


def test_the_whole_item_price_is_refused_when_the_memo_keeps_shipping_walmart_would_refund_with_it() -> None:
    order = shipped_order()
    with pytest.raises(RefundNotAllowed, match=r"whole item price of PO .* line 2 but keeps 2\.20 USD"):
        plan_memo_refund(order, {}, {"2": 1}, MemoAmounts())
    plan = plan_memo_refund(order, {}, {"2": 1}, MemoAmounts(shipping=D("2.00"), shipping_tax=D("0.20")))
    assert plan.order_refund["2"] == LineMoney(1, D("10.00"), D("0.80"), D("2.00"), D("0.20"))
    # Half the units first, then the other half: the second memo reaches the whole item price.
    refund(order, "r1", {"1": (1, D("10.00"), D("0.80"))})
    with pytest.raises(RefundNotAllowed, match=r"line 1 but keeps 1\.10 USD"):
        plan_memo_refund(order, {}, {"1": 1}, MemoAmounts())
