"""Each rule of the PurchaseOrder aggregate: its typed error, a merchant-readable message, and no change on refusal."""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal

import pytest
from _domain_builders import (
    PO_ID,
    UPS,
    at,
    cancel,
    make_line,
    make_order,
    refund,
    ship,
)

from channel_manager.domain.cancellations import ReasonSource
from channel_manager.domain.errors import (
    CarrierNotAccepted,
    DomainError,
    InvalidQuantity,
    NothingToCancel,
    QuantityNotOpen,
    RefundNotAllowed,
    ShippedQuantityCannotBeCancelled,
    TrackingNumberRequired,
    UnknownOrderLine,
    WholeOrderCancelRequired,
)
from channel_manager.domain.orders import PurchaseOrder
from channel_manager.domain.quantities import LineQuantities
from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.shipments import Carrier
from channel_manager.domain.sync import Side, SyncState

D = Decimal


def snapshot(order: PurchaseOrder) -> tuple[object, ...]:
    return (
        [(line.line_number, line.quantities, line.refunded_amount) for line in order.lines],
        copy.deepcopy(order.shipments),
        copy.deepcopy(order.cancellations),
        copy.deepcopy(order.refunds),
        len(order.new_events),
    )


# ---------------------------------------------------------------- the multi-quantity line


def test_a_line_of_three_can_be_two_shipped_and_one_cancelled() -> None:
    order = make_order(make_line("1", 3))
    order.acknowledge(at(0))
    ship(order, "S1", {"1": 2})
    cancel(order, "C1", {"1": 1})
    assert order.line("1").quantities == LineQuantities(ordered=3, shipped=2, cancelled=1)
    assert order.status.value == "Shipped"


def test_shipping_takes_acknowledged_quantity_before_created() -> None:
    quantities = LineQuantities(ordered=3, created=1, acknowledged=2)
    assert quantities.ship(2) == LineQuantities(ordered=3, created=1, shipped=2)
    assert quantities.ship(3) == LineQuantities(ordered=3, shipped=3)


# ---------------------------------------------------------------- tracking number


@pytest.mark.parametrize("tracking", [None, "", "   "])
def test_a_shipment_needs_a_tracking_number(tracking: str | None) -> None:
    order = make_order(make_line("1", 2))
    before = snapshot(order)
    with pytest.raises(TrackingNumberRequired) as caught:
        ship(order, "S1", {"1": 1}, tracking=tracking)
    message = str(caught.value)
    assert f"PO {PO_ID}" in message
    assert "tracking number" in message
    assert "nothing was sent to Walmart" in message
    assert snapshot(order) == before


def test_the_tracking_number_is_stored_trimmed() -> None:
    order = make_order(make_line("1", 1))
    shipment = ship(order, "S1", {"1": 1}, tracking="  1Z999AA10123456784 ")
    assert shipment.tracking_number == "1Z999AA10123456784"
    assert shipment.method_code == "Value"
    assert shipment.sync_state is SyncState.PENDING


def test_a_tracking_correction_needs_a_tracking_number() -> None:
    order = make_order(make_line("1", 1))
    ship(order, "S1", {"1": 1})
    before = snapshot(order)
    with pytest.raises(TrackingNumberRequired, match=PO_ID):
        order.correct_tracking("S1", carrier=UPS, tracking_number=" ", tracking_url=None, at=at(5))
    assert snapshot(order) == before


def test_a_tracking_correction_is_refused_four_hours_after_walmart_got_the_shipment() -> None:
    order = make_order(make_line("1", 1))
    ship(order, "S1", {"1": 1})
    order.mark_shipment("S1", SyncState.SYNCED, at(10))
    corrected = order.correct_tracking("S1", carrier=UPS, tracking_number="NEW1", tracking_url=None, at=at(10 + 240))
    assert corrected.tracking_number == "NEW1"
    assert corrected.corrections == 1
    assert corrected.sync_state is SyncState.PENDING
    assert corrected.needs_partial_update()
    before = snapshot(order)
    with pytest.raises(DomainError) as caught:
        order.correct_tracking("S1", carrier=UPS, tracking_number="NEW2", tracking_url=None, at=at(10 + 241))
    message = str(caught.value)
    assert "within 4 hours" in message
    assert f"shipment S1 of PO {PO_ID}" in message
    assert "2024-07-01 12:10 UTC" in message
    assert "Walmart Seller Center" in message
    assert snapshot(order) == before


def test_correcting_an_unknown_shipment_names_it() -> None:
    order = make_order()
    with pytest.raises(DomainError, match=f"PO {PO_ID} has no shipment S9"):
        order.correct_tracking("S9", carrier=UPS, tracking_number="X", tracking_url=None, at=at(1))


# ---------------------------------------------------------------- carrier


def test_another_carrier_without_a_tracking_url_is_refused_at_shipping() -> None:
    order = make_order(make_line("1", 1))
    before = snapshot(order)
    with pytest.raises(CarrierNotAccepted) as caught:
        order.ship(
            key="S1",
            lines={"1": 1},
            carrier=Carrier("Bob Courier", False),
            tracking_number="B-1",
            tracking_url=None,
            shipped_at=at(1),
            at=at(1),
        )
    assert "'Bob Courier' is not one of Walmart's carriers" in str(caught.value)
    assert snapshot(order) == before


def test_another_carrier_with_a_tracking_url_ships() -> None:
    order = make_order(make_line("1", 1))
    shipment = order.ship(
        key="S1",
        lines={"1": 1},
        carrier=Carrier("Bob Courier", False),
        tracking_number="B-1",
        tracking_url="https://bob.example/track/B-1",
        shipped_at=at(1),
        at=at(1),
    )
    assert shipment.carrier == Carrier("Bob Courier", False)
    assert shipment.tracking_url == "https://bob.example/track/B-1"


def test_a_tracking_correction_to_another_carrier_needs_a_tracking_url() -> None:
    order = make_order(make_line("1", 1))
    ship(order, "S1", {"1": 1})
    before = snapshot(order)
    with pytest.raises(CarrierNotAccepted):
        order.correct_tracking("S1", carrier=Carrier("Bob", False), tracking_number="B", tracking_url=None, at=at(2))
    assert snapshot(order) == before


# ---------------------------------------------------------------- shipping and cancelling more than is open


def test_shipping_more_than_is_open_names_po_line_and_quantities() -> None:
    order = make_order(make_line("1", 2), make_line("2", 1))
    ship(order, "S1", {"1": 1})
    before = snapshot(order)
    with pytest.raises(QuantityNotOpen) as caught:
        ship(order, "S2", {"2": 1, "1": 2})
    assert str(caught.value) == f"Cannot ship 2 of PO {PO_ID} line 1: only 1 is open."
    assert snapshot(order) == before, "a refused multi-line shipment must not ship its valid lines"


def test_cancelling_more_than_is_open_on_an_unshipped_line() -> None:
    order = make_order(make_line("1", 2))
    with pytest.raises(QuantityNotOpen) as caught:
        cancel(order, "C1", {"1": 3})
    assert str(caught.value) == f"Cannot cancel 3 of PO {PO_ID} line 1: only 2 are open."


def test_cancelling_shipped_quantity_is_refused_with_refund_advice() -> None:
    order = make_order(make_line("1", 3))
    ship(order, "S1", {"1": 2})
    before = snapshot(order)
    with pytest.raises(ShippedQuantityCannotBeCancelled) as caught:
        cancel(order, "C1", {"1": 3})
    message = str(caught.value)
    assert f"PO {PO_ID} line 1" in message
    assert "2 of it already shipped" in message
    assert "Refund it instead" in message
    assert snapshot(order) == before


def test_cancelling_a_fully_shipped_line() -> None:
    order = make_order(make_line("1", 1))
    ship(order, "S1", {"1": 1})
    with pytest.raises(ShippedQuantityCannotBeCancelled):
        cancel(order, "C1", {"1": 1})


@pytest.mark.parametrize("quantity", [0, -1, True])
def test_quantities_must_be_positive_whole_numbers(quantity: int) -> None:
    order = make_order(make_line("1", 2))
    before = snapshot(order)
    with pytest.raises(InvalidQuantity) as caught:
        ship(order, "S1", {"1": quantity})
    assert str(caught.value) == f"The quantity to ship of line 1 must be a positive whole number, not {quantity}."
    with pytest.raises(InvalidQuantity, match="quantity to cancel of line 1"):
        cancel(order, "C1", {"1": quantity})
    assert snapshot(order) == before


def test_unknown_lines_are_named() -> None:
    order = make_order(make_line("1", 1))
    with pytest.raises(UnknownOrderLine) as caught:
        ship(order, "S1", {"7": 1})
    assert str(caught.value) == f"PO {PO_ID} has no line 7."
    with pytest.raises(UnknownOrderLine):
        refund(order, "R1", {"7": (1, D("1"), D("0"))})


def test_shipping_or_cancelling_nothing_is_refused() -> None:
    order = make_order()
    with pytest.raises(DomainError, match=f"Nothing to ship: no lines given for PO {PO_ID}"):
        ship(order, "S1", {})
    with pytest.raises(DomainError, match=f"Nothing to cancel: no lines given for PO {PO_ID}"):
        cancel(order, "C1", {})


def test_an_order_needs_lines_with_distinct_numbers() -> None:
    with pytest.raises(DomainError, match="has no lines"):
        PurchaseOrder(
            store_id=1,
            purchase_order_id="P",
            customer_order_id="C",
            customer_email="e",
            ship_method="Value",
            ordered_at=at(0),
            lines=[],
        )
    with pytest.raises(DomainError, match="lists a line number twice"):
        make_order(make_line("1"), make_line("1"))


def test_a_shipment_key_cannot_be_used_twice() -> None:
    order = make_order(make_line("1", 2))
    ship(order, "S1", {"1": 1})
    before = snapshot(order)
    with pytest.raises(DomainError, match=f"PO {PO_ID} already has a shipment S1"):
        ship(order, "S1", {"1": 1})
    assert snapshot(order) == before


# ---------------------------------------------------------------- whole-order cancel from Commerce


def test_a_commerce_cancel_covers_every_open_quantity() -> None:
    order = make_order(make_line("1", 3), make_line("2", 2), make_line("3", 1))
    ship(order, "S1", {"1": 1, "3": 1})
    cancellation = order.cancel_whole_order(
        key="C1", reason=CancellationReason.PRICING_ERROR, reason_source=ReasonSource.MERCHANT, at=at(2)
    )
    assert {line.line_number: line.quantity for line in cancellation.lines} == {"1": 2, "2": 2}
    assert cancellation.started_by is Side.COMMERCE
    assert cancellation.sync_state is SyncState.PENDING
    assert order.open_quantity == 0
    assert order.status.value == "Shipped"


def test_a_commerce_cancel_of_an_order_with_nothing_open_is_refused() -> None:
    order = make_order(make_line("1", 1))
    ship(order, "S1", {"1": 1})
    with pytest.raises(NothingToCancel) as caught:
        order.cancel_whole_order(
            key="C1", reason=CancellationReason.OUT_OF_STOCK, reason_source=ReasonSource.MERCHANT, at=at(2)
        )
    assert str(caught.value) == f"PO {PO_ID} has no open quantity left to cancel."
    assert order.cancellations == []


def test_a_partial_commerce_cancel_is_refused() -> None:
    order = make_order(make_line("1", 3), make_line("2", 2))
    with pytest.raises(WholeOrderCancelRequired) as caught:
        order.check_whole_order_cancel({"1": 3})
    assert f"every open quantity of PO {PO_ID}" in str(caught.value)
    with pytest.raises(WholeOrderCancelRequired):
        order.check_whole_order_cancel({"1": 3, "2": 1})
    order.check_whole_order_cancel({"1": 3, "2": 2})


def test_a_walmart_cancel_is_already_synced() -> None:
    order = make_order(make_line("1", 2))
    cancellation = cancel(order, "C1", {"1": 1}, started_by=Side.WALMART, source=ReasonSource.WALMART)
    assert cancellation.sync_state is SyncState.SYNCED
    order.mark_cancellation("C1", SyncState.FAILED, at(3))
    assert order.cancellations[0].sync_state is SyncState.FAILED
    with pytest.raises(DomainError, match=f"PO {PO_ID} has no cancellation C9"):
        order.mark_cancellation("C9", SyncState.SYNCED, at(3))


# ---------------------------------------------------------------- refunds


def test_refunding_unshipped_quantity_is_refused() -> None:
    order = make_order(make_line("1", 3))
    ship(order, "S1", {"1": 1})
    before = snapshot(order)
    with pytest.raises(RefundNotAllowed) as caught:
        refund(order, "R1", {"1": (2, D("10"), D("0"))})
    message = str(caught.value)
    assert f"Cannot refund 2 of PO {PO_ID} line 1" in message
    assert "only shipped quantity can be refunded" in message
    assert "1 shipped unit(s) are not refunded yet" in message
    assert snapshot(order) == before


def test_refunding_more_money_than_was_charged_is_refused() -> None:
    order = make_order(make_line("1", 2, price="10.00", tax="0.80", shipping="4.99"))
    ship(order, "S1", {"1": 1})
    assert order.line("1").charged_for_shipped == D("15.79")
    before = snapshot(order)
    with pytest.raises(RefundNotAllowed) as caught:
        refund(order, "R1", {"1": (1, D("15.00"), D("0.80"))})
    assert str(caught.value) == (
        f"Cannot refund 15.80 USD on PO {PO_ID} line 1: Walmart charged 15.79 for what shipped and "
        "0.00 is already refunded, so at most 15.79 is left."
    )
    assert snapshot(order) == before
    refund(order, "R1", {"1": (1, D("14.99"), D("0.80"))})
    assert order.line("1").refundable_amount == D("0")


def test_the_over_amount_message_gives_charged_refunded_and_left() -> None:
    order = make_order(make_line("1", 2, price="10.00", tax="0.80", shipping="4.99"))
    ship(order, "S1", {"1": 2})
    refund(order, "R1", {"1": (1, D("5.00"), D("0.40"))})
    with pytest.raises(RefundNotAllowed) as caught:
        refund(order, "R2", {"1": (1, D("21.20"), D("0.00"))})
    assert str(caught.value) == (
        f"Cannot refund 21.20 USD on PO {PO_ID} line 1: Walmart charged 26.59 for what shipped and "
        "5.40 is already refunded, so at most 21.19 is left."
    )


def test_a_refund_up_to_the_charged_amount_is_accepted() -> None:
    order = make_order(make_line("1", 2, price="10.00", tax="0.80", shipping="4.99"), make_line("2", 1))
    ship(order, "S1", {"1": 2, "2": 1})
    result = refund(order, "R1", {"1": (2, D("21.60"), D("1.60")), "2": (1, D("10.00"), D("0.80"))})
    assert result.total == D("34.00")
    line = order.line("1")
    assert line.quantities.refunded == 2
    assert line.refunded_amount == D("23.20")
    assert line.refundable_amount == D("3.39")


def test_negative_refund_amounts_are_refused() -> None:
    order = make_order(make_line("1", 1))
    ship(order, "S1", {"1": 1})
    with pytest.raises(RefundNotAllowed, match="positive numbers"):
        refund(order, "R1", {"1": (1, D("-1"), D("0"))})


def test_refunding_nothing_is_refused() -> None:
    order = make_order()
    with pytest.raises(RefundNotAllowed, match=f"Nothing to refund: no lines given for PO {PO_ID}"):
        refund(order, "R1", {})


def test_a_refused_multi_line_refund_changes_nothing() -> None:
    order = make_order(make_line("1", 1), make_line("2", 1))
    ship(order, "S1", {"1": 1})
    before = snapshot(order)
    with pytest.raises(RefundNotAllowed, match="line 2"):
        refund(order, "R1", {"1": (1, D("1"), D("0")), "2": (1, D("1"), D("0"))})
    assert snapshot(order) == before


def test_nothing_is_charged_before_shipping() -> None:
    line = make_line("1", 2, shipping="4.99")
    assert line.charged_for_shipped == D("0")
    assert line.value == D("26.59")
    shipped = replace(line, quantities=line.quantities.ship(1))
    assert shipped.charged_for_shipped == D("15.79")


def test_cancelling_a_shipped_order_says_nothing_is_open_not_that_no_lines_were_given() -> None:
    order = make_order(make_line("1", 2))
    order.acknowledge(at(0))
    ship(order, "S1", {"1": 2})
    with pytest.raises(DomainError) as caught:
        order.check_open("cancel", order.open_lines())
    message = str(caught.value)
    assert message == f"Nothing to cancel: PO {PO_ID} has no open quantity left (2 shipped)."
    assert "no lines given" not in message
