"""Carrier resolution, and the Orders-page status and Status details derived from quantities and sync state."""

from __future__ import annotations

from decimal import Decimal

import pytest
from _domain_builders import at, cancel, make_line, make_order, make_problem, refund, ship

from channel_manager.domain.cancellations import ReasonSource
from channel_manager.domain.carriers import WALMART_CARRIERS, walmart_carrier_named
from channel_manager.domain.errors import CarrierNotAccepted, DomainError
from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.shipments import Carrier
from channel_manager.domain.statuses import OrderStatus, status_from_quantities
from channel_manager.domain.stores import StoreSettings
from channel_manager.domain.sync import Side, SyncState

# ---------------------------------------------------------------- carriers


@pytest.mark.parametrize("name", ["UPS", "ups", " Ups ", "fedex", "FEDEX", "dhl ecommerce - us", "royal mail"])
def test_a_walmart_carrier_is_recognised_in_any_case(name: str) -> None:
    carrier = Carrier.resolve(name, tracking_url=None)
    assert carrier.is_walmart_carrier
    assert carrier.name in WALMART_CARRIERS
    assert carrier.name.casefold() == name.strip().casefold()


def test_every_walmart_carrier_resolves_to_its_exact_spelling() -> None:
    for name in WALMART_CARRIERS:
        assert walmart_carrier_named(name.upper()) == name
        assert Carrier.resolve(name.lower(), tracking_url=None) == Carrier(name, True)


def test_the_store_mapping_wins_over_the_commerce_name() -> None:
    settings = StoreSettings(carrier_map={"ups": "UPS", "Speedy Freight": "estes express"})
    walmart_name = settings.walmart_carrier_for("speedy freight")
    assert walmart_name == "Estes Express"
    assert Carrier.resolve("speedy freight", tracking_url=None, walmart_name=walmart_name) == Carrier(
        "Estes Express", True
    )


def test_the_default_mapping_covers_commerce_built_in_codes() -> None:
    settings = StoreSettings()
    assert settings.walmart_carrier_for("fedex") == "FedEx"
    assert settings.walmart_carrier_for("USPS") == "USPS"
    assert settings.walmart_carrier_for("OnTrac") == "OnTrac", "unmapped names fall back to Walmart's list"
    assert settings.walmart_carrier_for("custom") is None


def test_another_carrier_with_a_tracking_url_is_sent_as_other() -> None:
    carrier = Carrier.resolve("  Bob Courier ", tracking_url="https://bob.example/t/1")
    assert carrier == Carrier("Bob Courier", False)


def test_another_carrier_without_a_tracking_url_is_refused() -> None:
    with pytest.raises(CarrierNotAccepted) as caught:
        Carrier.resolve("Bob Courier", tracking_url=None)
    message = str(caught.value)
    assert "'Bob Courier' is not one of Walmart's carriers" in message
    assert "carrier mapping" in message
    assert "tracking URL" in message
    with pytest.raises(CarrierNotAccepted):
        Carrier.resolve("Bob Courier", tracking_url="")


def test_a_blank_carrier_is_refused() -> None:
    with pytest.raises(DomainError, match="A shipment needs a carrier"):
        Carrier.resolve("  ", tracking_url="https://x.example")


# ---------------------------------------------------------------- status from quantities


@pytest.mark.parametrize(
    ("ordered", "shipped", "cancelled", "expected"),
    [
        (3, 0, 0, OrderStatus.OPEN),
        (3, 0, 2, OrderStatus.OPEN),
        (3, 1, 0, OrderStatus.PARTIALLY_SHIPPED),
        (3, 1, 1, OrderStatus.PARTIALLY_SHIPPED),
        (3, 3, 0, OrderStatus.SHIPPED),
        (3, 2, 1, OrderStatus.SHIPPED),
        (3, 0, 3, OrderStatus.CANCELED),
    ],
)
def test_status_from_quantities(ordered: int, shipped: int, cancelled: int, expected: OrderStatus) -> None:
    assert status_from_quantities(ordered, shipped, cancelled) is expected


def test_status_labels_match_the_orders_page() -> None:
    assert [s.value for s in OrderStatus] == ["Open", "Partially shipped", "Shipped", "Canceled", "Error"]


def test_an_order_walks_through_every_status() -> None:
    order = make_order(make_line("1", 2), make_line("2", 1))
    assert order.status is OrderStatus.OPEN
    order.acknowledge(at(0))
    assert order.status is OrderStatus.OPEN
    ship(order, "S1", {"1": 1})
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    order.report_problem(make_problem())
    assert order.status is OrderStatus.ERROR
    order.clear_problem(at(6), "retry succeeded")
    assert order.status is OrderStatus.PARTIALLY_SHIPPED
    assert [e.kind for e in order.new_events][-2:] == ["error", "error_cleared"]
    assert order.new_events[-1].message == "Error cleared: retry succeeded."
    ship(order, "S2", {"1": 1, "2": 1})
    assert order.status is OrderStatus.SHIPPED


def test_a_fully_cancelled_order_is_canceled_and_error_wins_while_a_problem_is_set() -> None:
    order = make_order(make_line("1", 2))
    order.cancel_whole_order(
        key="C1", reason=CancellationReason.OUT_OF_STOCK, reason_source=ReasonSource.MERCHANT, at=at(1)
    )
    assert order.status is OrderStatus.CANCELED
    order.report_problem(make_problem(side=Side.COMMERCE))
    assert order.status is OrderStatus.ERROR
    order.clear_problem(at(9), "fixed in Seller Center")
    assert order.status is OrderStatus.CANCELED


def test_clearing_without_a_problem_records_nothing() -> None:
    order = make_order()
    order.clear_problem(at(1), "nothing")
    assert order.new_events == []
    assert order.last_update_at is None


# ---------------------------------------------------------------- status details


def test_details_of_a_new_order_say_what_it_waits_for() -> None:
    order = make_order()
    assert order.status_details == (
        "Waiting for the Commerce order to be created. Waiting for the acknowledgement at Walmart."
    )
    order.link_commerce_order(42, "000000042", {"1": 7}, at(1))
    order.acknowledge(at(1))
    assert order.status_details == ""
    assert order.line("1").commerce_item_id == 7
    assert order.line_for_commerce_item(7) is order.line("1")


def test_details_show_the_problem_with_side_and_code() -> None:
    order = make_order()
    order.link_commerce_order(42, "000000042", {}, at(1))
    order.acknowledge(at(1))
    order.report_problem(make_problem())
    assert order.status_details == (
        "Walmart side: could not send shipment S1 to Walmart: Invalid tracking number "
        "[INVALID_REQUEST_CONTENT.GMP_ORDER_API]. Retrying automatically at 12:10 UTC (attempt 2 of 10)."
    )


def test_details_count_pending_shipments() -> None:
    order = make_order(make_line("1", 3))
    order.link_commerce_order(42, "000000042", {}, at(1))
    order.acknowledge(at(1))
    ship(order, "S1", {"1": 1})
    ship(order, "S2", {"1": 1})
    assert order.status_details == "2 shipment(s) being sent to Walmart."
    order.mark_shipment("S1", SyncState.SYNCED, at(3))
    assert order.status_details == "1 shipment(s) being sent to Walmart."
    order.mark_shipment("S2", SyncState.SYNCED, at(3))
    assert order.status_details == ""
    assert order.shipment("S1").first_synced_at == at(3)


@pytest.mark.parametrize(
    ("source", "reason", "text"),
    [
        (
            ReasonSource.MERCHANT,
            CancellationReason.PRICING_ERROR,
            "Price or other listing errors (chosen by the merchant)",
        ),
        (
            ReasonSource.ORDER_COMMENT,
            CancellationReason.OUT_OF_STOCK,
            "The item is out of stock (named in the order comment)",
        ),
        (
            ReasonSource.STORE_DEFAULT,
            CancellationReason.ADDRESS_NOT_SERVICEABLE,
            "Unavailable carrier or shipping method (the store's default reason)",
        ),
        (
            ReasonSource.WALMART,
            CancellationReason.CUSTOMER_REQUESTED,
            "Customer requested to cancel (given by Walmart)",
        ),
    ],
)
def test_details_give_the_cancellation_reason_and_its_source(
    source: ReasonSource, reason: CancellationReason, text: str
) -> None:
    order = make_order(make_line("1", 1))
    order.link_commerce_order(42, "000000042", {}, at(1))
    order.acknowledge(at(1))
    started_by = Side.WALMART if source is ReasonSource.WALMART else Side.COMMERCE
    cancel(order, "C1", {"1": 1}, reason=reason, source=source, started_by=started_by)
    pending = "" if started_by is Side.WALMART else "Cancellation being sent to Walmart. "
    assert order.status_details == f"{pending}Cancellation reason: {text}."
    assert order.status is OrderStatus.CANCELED


def test_details_say_return_requested() -> None:
    order = make_order(make_line("1", 1))
    order.link_commerce_order(42, "000000042", {}, at(1))
    order.acknowledge(at(1))
    ship(order, "S1", {"1": 1})
    order.mark_shipment("S1", SyncState.SYNCED, at(2))
    order.return_requested = True
    assert order.status is OrderStatus.SHIPPED
    assert order.status_details == "Return requested."
    refund(order, "R1", {"1": (1, Decimal("10.00"), Decimal("0.80"))})
    assert order.status is OrderStatus.SHIPPED, "a refund does not change the order status"


def test_a_cancelled_order_is_not_waiting_for_acknowledgement() -> None:
    order = make_order(make_line("1", 1))
    cancel(order, "C1", {"1": 1}, started_by=Side.WALMART, source=ReasonSource.WALMART)
    assert order.status_details == (
        "Waiting for the Commerce order to be created. "
        "Cancellation reason: The item is out of stock (given by Walmart)."
    )
