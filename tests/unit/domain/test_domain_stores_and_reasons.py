"""Channel stores and their settings, secrets that never show, and Walmart's cancellation and refund reasons."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

import pytest
from _domain_builders import TOKEN, WALMART_SECRET, make_commerce, make_store, make_walmart

from channel_manager.domain.errors import InvalidStore
from channel_manager.domain.reasons import (
    CANCELLATION_REASON_LABELS,
    CancellationReason,
    RefundReason,
    cancellation_reason_in_text,
)
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import CustomerMode, OrderCreationPath, OrderNumberSource, StoreSettings

# ---------------------------------------------------------------- settings


def test_settings_round_trip_through_a_dict_and_json() -> None:
    settings = StoreSettings(
        import_orders=False,
        order_creation_path=OrderCreationPath.CART,
        customer_mode=CustomerMode.ACCOUNT,
        order_number_source=OrderNumberSource.WALMART,
        carrier_map={"speedy": "OnTrac"},
        default_cancellation_reason=CancellationReason.FRAUD_STOP_SHIPMENT,
        default_refund_reason=RefundReason.SHIPPING_DAMAGED,
        order_poll_seconds=2.5,
    )
    assert StoreSettings.from_dict(settings.as_dict()) == settings
    assert StoreSettings.from_dict(json.loads(json.dumps(settings.as_dict()))) == settings
    assert StoreSettings.from_dict({}) == StoreSettings()


def test_as_dict_copies_the_carrier_map() -> None:
    settings = StoreSettings()
    data = settings.as_dict()
    data["carrier_map"]["ups"] = "FedEx"
    assert settings.carrier_map["ups"] == "UPS"


def test_settings_accept_reason_labels_and_names() -> None:
    settings = StoreSettings.from_dict(
        {"default_cancellation_reason": "The item is out of stock", "default_refund_reason": "damaged_item"}
    )
    assert settings.default_cancellation_reason is CancellationReason.OUT_OF_STOCK
    assert settings.default_refund_reason is RefundReason.DAMAGED_ITEM


@pytest.mark.parametrize("url", ["http://[", "ftp://shop.example", "shop.example"])
def test_a_url_that_is_not_a_web_address_is_refused_with_a_clear_error(url: str) -> None:
    with pytest.raises(InvalidStore, match="is not a web address"):
        make_store(walmart=make_walmart(base_url=url))


def test_updated_settings_are_checked() -> None:
    settings = StoreSettings().updated(customer_mode="account", reconcile_seconds=60)
    assert settings.customer_mode is CustomerMode.ACCOUNT
    assert settings.reconcile_seconds == 60
    with pytest.raises(InvalidStore):
        StoreSettings().updated(reconcile_seconds=0)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"colour": "blue", "another": 1}, "Unknown store setting(s): another, colour."),
        ({"order_creation_path": "fax"}, "'fax' is not a valid OrderCreationPath"),
        ({"default_cancellation_reason": "because"}, "unknown cancellation reason 'because'"),
        ({"default_refund_reason": "because"}, "unknown refund reason 'because'"),
        ({"order_poll_seconds": 0}, "Setting order_poll_seconds must be a positive number of seconds."),
        ({"returns_poll_seconds": -1.0}, "Setting returns_poll_seconds must be a positive number of seconds."),
        ({"order_poll_seconds": "soon"}, "Setting order_poll_seconds must be a positive number of seconds."),
        ({"carrier_map": {"speedy": "Speedy"}}, "'speedy' -> 'Speedy': 'Speedy' is not one of Walmart's carriers"),
        ({"carrier_map": "UPS"}, "carrier mapping"),
        ({"default_cancellation_reason": 5}, "unknown cancellation reason '5'"),
    ],
)
def test_bad_settings_are_invalid_store_with_the_cause(data: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidStore) as caught:
        StoreSettings.from_dict(data)
    assert words in str(caught.value)


# ---------------------------------------------------------------- channel store


def test_a_complete_store_is_valid() -> None:
    store = make_store()
    assert store.settings == StoreSettings()
    assert not store.commerce.uses_oauth
    changed = store.with_settings(StoreSettings(import_orders=False))
    assert changed.settings.import_orders is False
    assert store.settings.import_orders is True


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("marketplace.walmartapis.com", "Walmart API URL"),
        ("ftp://x.example", "Walmart API URL"),
        ("https://", "Walmart"),
    ],
)
def test_a_bad_walmart_url_is_refused(url: str, label: str) -> None:
    with pytest.raises(InvalidStore) as caught:
        make_store(walmart=make_walmart(base_url=url))
    assert label in str(caught.value)
    assert repr(url) in str(caught.value)
    assert "https://host.example" in str(caught.value)


def test_a_bad_commerce_url_is_refused() -> None:
    with pytest.raises(InvalidStore, match="Commerce URL 'shop' is not a web address"):
        make_store(commerce=make_commerce(base_url="shop"))


@pytest.mark.parametrize(
    ("store_kwargs", "message"),
    [
        ({"name": "  "}, "A store needs a name."),
        ({"walmart": make_walmart(client_id=" ")}, "Walmart client id is missing."),
        ({"walmart": make_walmart(client_secret=Secret(""))}, "Walmart client secret is missing."),
        ({"commerce": make_commerce(access_token=None)}, "Commerce integration access token is missing."),
        (
            {"commerce": make_commerce(consumer_key="ck", consumer_secret=Secret("cs"), access_token_secret=None)},
            "Commerce OAuth credentials are incomplete: access token secret missing.",
        ),
        (
            {"commerce": make_commerce(consumer_key="ck", access_token=None)},
            "Commerce OAuth credentials are incomplete: consumer secret, access token, access token secret missing.",
        ),
    ],
)
def test_missing_credentials_are_named(store_kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidStore) as caught:
        make_store(**store_kwargs)
    assert str(caught.value) == message


def test_complete_oauth_credentials_are_accepted() -> None:
    commerce = make_commerce(consumer_key="ck", consumer_secret=Secret("cs"), access_token_secret=Secret("ats"))
    assert make_store(commerce=commerce).commerce.uses_oauth


# ---------------------------------------------------------------- secrets


def test_a_secret_never_shows_its_value(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("hunter2-value")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret!s}", format(secret)]
    for text in shown:
        assert "hunter2" not in text
        assert "*****" in text
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("secret is %s / %r", secret, secret)
    assert "hunter2" not in caplog.text
    assert secret.reveal() == "hunter2-value"
    assert secret == Secret("hunter2-value")
    assert secret != Secret("other")
    assert secret != "hunter2-value"
    assert len({secret, Secret("hunter2-value")}) == 1
    assert bool(secret) and not Secret("")


def test_store_reprs_never_show_secrets() -> None:
    commerce = make_commerce(consumer_key="ck", consumer_secret=Secret("cs-value"), access_token_secret=Secret("ats-v"))
    store = make_store(commerce=commerce)
    texts = [repr(store), str(store), f"{store}", repr(store.walmart), repr(store.commerce), repr(replace(store))]
    for text in texts:
        for value in (WALMART_SECRET, TOKEN, "wm-webhook-secret-value", "commerce-webhook-secret-value", "cs-value"):
            assert value not in text
        assert "ats-v" not in text
    assert "client-id" in repr(store), "non-secret fields still show"


def test_a_secret_has_no_instance_dict_to_leak() -> None:
    secret = Secret("hunter2-value")
    assert not hasattr(secret, "__dict__")


# ---------------------------------------------------------------- reasons


def test_the_labels_are_adobes_four_seller_reasons_plus_customer_requested() -> None:
    assert set(CANCELLATION_REASON_LABELS) == set(CancellationReason)
    assert CancellationReason.PRICING_ERROR.label == "Price or other listing errors"
    assert CancellationReason.OUT_OF_STOCK.label == "The item is out of stock"
    assert CancellationReason.FRAUD_STOP_SHIPMENT.label == (
        "Additional information is needed by our Credit and Fraud Avoidance department"
    )
    assert CancellationReason.ADDRESS_NOT_SERVICEABLE.label == "Unavailable carrier or shipping method"
    assert CancellationReason.CUSTOMER_REQUESTED.value == "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SELLER_CANCEL_OUT_OF_STOCK", CancellationReason.OUT_OF_STOCK),
        ("seller_cancel_pricing_error", CancellationReason.PRICING_ERROR),
        ("out_of_stock", CancellationReason.OUT_OF_STOCK),
        ("  FRAUD_STOP_SHIPMENT ", CancellationReason.FRAUD_STOP_SHIPMENT),
        ("the item is out of stock", CancellationReason.OUT_OF_STOCK),
        ("Unavailable carrier or shipping information", CancellationReason.ADDRESS_NOT_SERVICEABLE),
        (
            "Additional information is required by our Credit or Fraud Avoidance department",
            CancellationReason.FRAUD_STOP_SHIPMENT,
        ),
        ("pricing error", CancellationReason.PRICING_ERROR),
        ("Customer requested", CancellationReason.CUSTOMER_REQUESTED),
        ("Customer requested to cancel", CancellationReason.CUSTOMER_REQUESTED),
    ],
)
def test_cancellation_reasons_parse_from_codes_names_labels_and_aliases(text: str, reason: CancellationReason) -> None:
    assert CancellationReason.parse(text) is reason


def test_an_unknown_cancellation_reason_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="unknown cancellation reason 'because'; use one of: customer_requested, "):
        CancellationReason.parse("because")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Cancelled: the item is OUT OF STOCK, sorry", CancellationReason.OUT_OF_STOCK),
        ("reason=SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE", CancellationReason.ADDRESS_NOT_SERVICEABLE),
        ("Price or other listing errors - wrong price", CancellationReason.PRICING_ERROR),
        ("suspected fraud", CancellationReason.FRAUD_STOP_SHIPMENT),
        ("the customer requested it", CancellationReason.CUSTOMER_REQUESTED),
        ("please ship it soon", None),
        ("", None),
    ],
)
def test_a_reason_is_found_in_a_comment(text: str, reason: CancellationReason | None) -> None:
    assert cancellation_reason_in_text(text) is reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("DamagedItem", RefundReason.DAMAGED_ITEM),
        ("damageditem", RefundReason.DAMAGED_ITEM),
        ("DAMAGED_ITEM", RefundReason.DAMAGED_ITEM),
        ("Missing Parts / Instructions", RefundReason.MISSING_PARTS),
        (" Shipping & Delivery -> Damaged ", RefundReason.SHIPPING_DAMAGED),
    ],
)
def test_refund_reasons_parse(text: str, reason: RefundReason) -> None:
    assert RefundReason.parse(text) is reason


def test_an_unknown_refund_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown refund reason 'nope'"):
        RefundReason.parse("nope")
