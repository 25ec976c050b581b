"""The judge itself, on hand-made sandbox truth: each kind of difference lands in its category, and a PO that
matches what the merchant did is clean. (The chaos run is only as good as this.)"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from .lifecycles import OUT_OF_STOCK, Lifecycle, LineExpectation
from .verdict import Verdict, judge_commerce, judge_walmart

PO = "1796277083001"


def lifecycle() -> Lifecycle:
    line = LineExpectation("CH-A", 3, Decimal("12.50"), Decimal("1.00"))
    line.shipped = Counter({"1ZT1": 2})
    line.cancelled = Counter({OUT_OF_STOCK: 1})
    line.refunded_product, line.refunded_tax = Decimal("12.50"), Decimal("1.00")
    return Lifecycle(0, "cancel_remainder", {"1": line}, purchase_order_id=PO)


def truth(
    shipped: list[tuple[int, str]] = [(2, "1ZT1")],  # noqa: B006
    cancelled: list[tuple[int, str]] = [(1, OUT_OF_STOCK)],  # noqa: B006
    refunded: tuple[float, float] = (12.5, 1.0),
    created: int = 0,
) -> dict[str, Any]:
    by_status = {"Shipped": sum(q for q, _ in shipped), "Cancelled": sum(q for q, _ in cancelled)}
    if created:
        by_status["Created"] = created
    line = {
        "by_status": {k: v for k, v in by_status.items() if v},
        "shipments": [{"quantity": q, "status": "Shipped", "tracking": {"trackingNumber": t}} for q, t in shipped],
        "cancelled": [{"quantity": q, "reason": r} for q, r in cancelled],
        "refunded_product": refunded[0],
        "refunded_tax": refunded[1],
    }
    return {"lines": {"1": line}}


def judged(walmart: dict[str, Any], commerce: list[dict[str, Any]] | None = None) -> Verdict:
    verdict = Verdict()
    judge_walmart(verdict, lifecycle(), walmart)
    orders = [{"entity_id": 7, "items": [{"sku": "CH-A", "qty_ordered": 3}]}] if commerce is None else commerce
    judge_commerce(verdict, lifecycle(), orders)
    return verdict


def test_what_the_merchant_did_is_clean() -> None:
    verdict = judged(truth())
    assert verdict.clean, verdict.details()
    assert verdict.line() == "lost=0 dup=0 wrong=0 unconverged=0"


def test_a_shipment_missing_at_walmart_is_lost() -> None:
    assert judged(truth(shipped=[(1, "1ZT1")])).count("lost") == 1


def test_a_shipment_sent_twice_is_a_duplicate() -> None:
    assert judged(truth(shipped=[(2, "1ZT1"), (1, "1ZT1")], cancelled=[])).count("dup") == 1


def test_an_old_tracking_number_is_wrong() -> None:
    assert judged(truth(shipped=[(2, "1ZOLD")])).count("wrong") == 1


def test_a_cancel_with_another_reason_is_wrong() -> None:
    assert judged(truth(cancelled=[(1, "SELLER_CANCEL_PRICING_ERROR")])).count("wrong") == 1


def test_a_refund_paid_twice_is_a_duplicate_and_an_under_refund_is_wrong() -> None:
    assert judged(truth(refunded=(25.0, 2.0))).count("dup") == 1
    assert judged(truth(refunded=(8.5, 1.0))).count("wrong") == 1
    assert judged(truth(refunded=(0, 0))).count("lost") == 1


def test_an_unacknowledged_line_is_wrong() -> None:
    assert judged(truth(created=1)).count("wrong") == 1


def test_no_commerce_order_is_lost_and_two_are_a_duplicate() -> None:
    assert judged(truth(), commerce=[]).count("lost") == 1
    two = [{"entity_id": n, "items": [{"sku": "CH-A", "qty_ordered": 3}]} for n in (7, 8)]
    assert judged(truth(), commerce=two).count("dup") == 1
