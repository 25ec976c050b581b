"""The buyer's intent to cancel in the aggregate: recorded once, shown with the merchant's two choices, shipping it
only on purpose, and Walmart's rule that "customer requested" is for those lines only."""

from __future__ import annotations

import pytest
from _domain_builders import PO_ID, at, cancel, make_line, make_order, ship

from channel_manager.domain.errors import BuyerAskedToCancel, CustomerRequestedNotAllowed
from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.sync import SyncState


def test_the_request_is_recorded_once_and_shown_with_both_choices() -> None:
    order = make_order(make_line("1"), make_line("2", 2))
    assert order.note_intent_to_cancel(["2"], at(1)) == ["2"]
    assert order.note_intent_to_cancel(["2"], at(2)) == []
    assert [e.kind for e in order.new_events].count("intent_to_cancel") == 1
    details = order.status_details
    assert "The buyer asked Walmart to cancel line 2" in details
    assert f"orders cancel {PO_ID} --reason customer_requested" in details
    assert f"orders ship {PO_ID} --override-intent-to-cancel" in details


def test_a_line_done_at_walmart_is_not_recorded_but_one_with_a_shipment_on_its_way_is() -> None:
    order = make_order(make_line("1"), make_line("2"))
    cancel(order, "c1", {"1": 1})
    ship(order, "s1", {"2": 1})
    assert order.note_intent_to_cancel(["1", "2"], at(3)) == ["2"]  # s1 is not at Walmart yet
    order.mark_shipment("s1", SyncState.SYNCED, at(4))
    assert "The buyer asked" not in order.status_details  # nothing open waits for a choice


def test_shipping_an_asked_line_needs_the_merchants_choice() -> None:
    order = make_order(make_line("1"), make_line("2"))
    order.note_intent_to_cancel(["2"], at(1))
    order.check_ship_chosen({"1": 1})
    with pytest.raises(BuyerAskedToCancel, match="line 2") as refused:
        order.check_ship_chosen({"1": 1, "2": 1})
    assert "--override-intent-to-cancel" in str(refused.value)
    assert order.ship_despite_intent(["2"], at(2)) == ["2"]
    assert order.ship_despite_intent(["2"], at(3)) == []
    order.check_ship_chosen({"2": 1})
    assert "The buyer asked" not in order.status_details


def test_customer_requested_only_on_lines_the_buyer_asked_to_cancel() -> None:
    order = make_order(make_line("1"), make_line("2"))
    order.note_intent_to_cancel(["2"], at(1))
    order.check_reason_allowed({"2": 1}, CancellationReason.CUSTOMER_REQUESTED)
    order.check_reason_allowed({"1": 1}, CancellationReason.OUT_OF_STOCK)
    with pytest.raises(CustomerRequestedNotAllowed, match=f"did not ask to cancel PO {PO_ID} line 1"):
        order.check_reason_allowed({"1": 1, "2": 1}, CancellationReason.CUSTOMER_REQUESTED)


def test_a_default_reason_becomes_customer_requested() -> None:
    order = make_order(make_line("1"))
    cancel(order, "c1", {"1": 1})
    order.use_customer_requested("c1", at(3))
    assert order.cancellations[0].reason is CancellationReason.CUSTOMER_REQUESTED
