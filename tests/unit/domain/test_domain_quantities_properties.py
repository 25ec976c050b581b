"""Property-based tests of LineQuantities on its own: every change keeps the ordered quantity split exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channel_manager.domain.quantities import LineQuantities

FAST = settings(max_examples=150, deadline=None)


@st.composite
def line_quantities(draw: st.DrawFn) -> LineQuantities:
    ordered = draw(st.integers(1, 12))
    shipped = draw(st.integers(0, ordered))
    cancelled = draw(st.integers(0, ordered - shipped))
    acknowledged = draw(st.integers(0, ordered - shipped - cancelled))
    created = ordered - shipped - cancelled - acknowledged
    returned = draw(st.integers(0, shipped))
    refunded = draw(st.integers(0, shipped))
    return LineQuantities(ordered, created, acknowledged, shipped, cancelled, returned, refunded)


def assert_valid(q: LineQuantities) -> None:
    assert q.created + q.acknowledged + q.shipped + q.cancelled == q.ordered
    assert min(q.created, q.acknowledged, q.shipped, q.cancelled, q.returned, q.refunded) >= 0
    assert q.returned <= q.shipped
    assert q.refunded <= q.shipped
    assert q.open == q.created + q.acknowledged


@FAST
@given(st.integers(1, 50))
def test_a_new_line_is_all_created(ordered: int) -> None:
    q = LineQuantities.new(ordered)
    assert q == LineQuantities(ordered=ordered, created=ordered)
    assert q.open == ordered


@FAST
@given(line_quantities())
def test_acknowledging_moves_created_to_acknowledged_and_is_idempotent(q: LineQuantities) -> None:
    acknowledged = q.acknowledge()
    assert acknowledged.created == 0
    assert acknowledged.acknowledged == q.acknowledged + q.created
    assert acknowledged.open == q.open
    assert (acknowledged.shipped, acknowledged.cancelled) == (q.shipped, q.cancelled)
    assert acknowledged.acknowledge() == acknowledged


@FAST
@given(line_quantities(), st.integers(1, 15), st.sampled_from(["ship", "cancel"]))
def test_shipping_or_cancelling_takes_open_quantity_or_raises(q: LineQuantities, quantity: int, action: str) -> None:
    operation: Callable[[int], LineQuantities] = getattr(q, action)
    if quantity > q.open:
        with pytest.raises(ValueError):
            operation(quantity)
        return
    after = operation(quantity)
    assert_valid(after)
    assert after.open == q.open - quantity
    assert after.acknowledged == max(0, q.acknowledged - quantity), "acknowledged quantity goes first"
    assert after.shipped == q.shipped + (quantity if action == "ship" else 0)
    assert after.cancelled == q.cancelled + (quantity if action == "cancel" else 0)
    assert (after.ordered, after.returned, after.refunded) == (q.ordered, q.returned, q.refunded)


@FAST
@given(line_quantities(), st.integers(1, 15), st.sampled_from(["refund", "mark_returned"]))
def test_refunded_and_returned_never_exceed_shipped(q: LineQuantities, quantity: int, action: str) -> None:
    field = "refunded" if action == "refund" else "returned"
    operation: Callable[[int], LineQuantities] = getattr(q, action)
    if getattr(q, field) + quantity > q.shipped:
        with pytest.raises(ValueError):
            operation(quantity)
        return
    after = operation(quantity)
    assert_valid(after)
    assert getattr(after, field) == getattr(q, field) + quantity
    assert (after.created, after.acknowledged, after.shipped, after.cancelled) == (
        q.created,
        q.acknowledged,
        q.shipped,
        q.cancelled,
    )


@FAST
@given(line_quantities(), st.integers(-5, -1), st.sampled_from(["ship", "cancel", "refund", "mark_returned"]))
def test_negative_quantities_are_refused(q: LineQuantities, quantity: int, action: str) -> None:
    with pytest.raises(ValueError):
        getattr(q, action)(quantity)


@FAST
@given(
    line_quantities(),
    st.lists(
        st.tuples(st.sampled_from(["acknowledge", "ship", "cancel", "refund", "mark_returned"]), st.integers(0, 6)),
        max_size=25,
    ),
)
def test_no_sequence_of_changes_breaks_the_split(q: LineQuantities, steps: list[tuple[str, int]]) -> None:
    for action, quantity in steps:
        before = q
        try:
            q = q.acknowledge() if action == "acknowledge" else getattr(q, action)(quantity)
        except ValueError:
            assert q == before
            continue
        assert_valid(q)
        assert q.ordered == before.ordered
        assert q.shipped >= before.shipped and q.cancelled >= before.cancelled, "nothing is ever un-shipped"
        assert q.refunded >= before.refunded and q.returned >= before.returned


@FAST
@given(
    st.integers(-2, 6),
    st.integers(-2, 6),
    st.integers(-2, 6),
    st.integers(-2, 6),
    st.integers(-2, 6),
    st.integers(-2, 6),
    st.integers(-2, 6),
)
def test_construction_accepts_exactly_the_valid_splits(
    ordered: int, created: int, acknowledged: int, shipped: int, cancelled: int, returned: int, refunded: int
) -> None:
    valid = (
        ordered >= 1
        and min(created, acknowledged, shipped, cancelled, returned, refunded) >= 0
        and created + acknowledged + shipped + cancelled == ordered
        and returned <= shipped
        and refunded <= shipped
    )
    args = (ordered, created, acknowledged, shipped, cancelled, returned, refunded)
    if valid:
        assert_valid(LineQuantities(*args))
    else:
        with pytest.raises(ValueError):
            LineQuantities(*args)
