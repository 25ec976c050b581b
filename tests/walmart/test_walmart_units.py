"""Pure parts: rate-limit buckets and headers, models of real payloads, notification parsing, error sorting."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from channel_manager.walmart.errors import (
    Intent,
    WalmartAlreadyAppliedError,
    WalmartPermanentError,
    WalmartRetryableError,
    error_from_response,
)
from channel_manager.walmart.models import Order
from channel_manager.walmart.notifications import NotificationError, parse_notification
from channel_manager.walmart.rate_limits import (
    RateLimit,
    TokenBucket,
    parse_replenishment_time,
    parse_retry_after,
)
from channel_manager.walmart.requests import RefundAmount, RefundLine, ShipmentLine, refund_body


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000010000", 10.0),
        ("1700000010", 10.0),
        ("2023-11-14T22:13:30Z", 10.0),
        ("2023-11-14T22:13:30+00:00", 10.0),
        ("1699999990000", 0.0),
        ("soon", None),
    ],
)
def test_replenishment_time_formats(value: str, expected: float | None) -> None:
    assert parse_replenishment_time(value, now=1_700_000_000.0) == expected


def test_retry_after() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None


def test_bucket_follows_headers_and_429() -> None:
    mono, wall = FakeClock(), FakeClock()
    wall.now = 1_700_000_000.0
    bucket = TokenBucket(RateLimit(60), margin=1.0, monotonic=mono, wall=wall)
    assert bucket.tokens == 60
    bucket.observe(200, {"x-current-token-count": "5"})
    assert bucket.tokens == 5
    bucket.observe(200, {"x-current-token-count": "50"})  # never raised by the header
    assert bucket.tokens == 5
    bucket.observe(200, {"x-current-token-count": "0", "x-next-replenishment-time": "1700000002000"})
    assert bucket._wait_time(mono.now) == pytest.approx(2.0)
    wait = bucket.observe(429, {"Retry-After": "3"})
    assert wait == 3.0 and bucket.throttled == 1
    assert bucket._wait_time(mono.now) == pytest.approx(3.0)
    assert bucket.rate < 1.0  # slowed down after the 429
    mono.now += 3.0
    assert bucket._wait_time(mono.now) > 0  # blocked time does not refill


def _server_refusals(skew_seconds: float) -> int:
    """Sends 30 requests through a client bucket (fake time) to the sandbox's server bucket. The first burst
    opens its connections and arrives 30 ms after it left, later requests 1 ms after: the latency skew a
    loaded CPU gives (``test_configured_limits_mean_no_429`` failed once with one 429 this way)."""
    from channel_manager_sandboxes.walmart.limits import ServerBucket

    limit = RateLimit(10, 0.5)
    clock = FakeClock()
    bucket = TokenBucket(limit, skew_seconds=skew_seconds, monotonic=clock, wall=clock)
    arrivals = []
    for n in range(30):
        while (wait := (bucket.tokens, bucket._wait_time(clock.now))[1]) > 0:
            clock.now += wait + 1e-9
        bucket._tokens -= 1.0
        arrivals.append(clock.now + (0.030 if n < 10 else 0.001))
    arrivals.sort()
    server = ServerBucket(limit, arrivals[0])
    return sum(not server.take(moment) for moment in arrivals)


def test_reserve_covers_latency_skew_between_client_and_walmart() -> None:
    assert _server_refusals(skew_seconds=0.0) > 0  # the cause: the bucket spent to its last token
    assert _server_refusals(skew_seconds=0.25) == 0


def test_models_accept_real_payloads() -> None:
    raw = {
        "purchaseOrderId": "1815367951431",
        "customerOrderId": "4372135469400",
        "customerEmailId": "x@relay.walmart.com",
        "orderDate": 1623796407000,
        "unknownField": {"kept": True},
        "shippingInfo": {
            "phone": "3143450432",
            "estimatedDeliveryDate": 1624647600000,
            "estimatedShipDate": 1623906000000,
            "methodCode": "Value",
            "postalAddress": {
                "name": "José Müller",
                "address1": "1 Main",
                "address2": None,
                "city": "X",
                "state": "MO",
                "postalCode": "63016",
                "country": "USA",
            },
        },
        "orderLines": {
            "orderLine": [
                {
                    "lineNumber": "1",
                    "item": {"productName": "Wagon", "sku": "YHY"},
                    "charges": {
                        "charge": [
                            {
                                "chargeType": "PRODUCT",
                                "chargeName": "ItemPrice",
                                "chargeAmount": {"currency": "USD", "amount": 5},
                                "tax": None,
                            }
                        ]
                    },
                    "orderLineQuantity": {"unitOfMeasurement": "EACH", "amount": "3"},
                    "statusDate": 1623835855623,
                    "orderLineStatuses": {
                        "orderLineStatus": [
                            {
                                "status": "Shipped",
                                "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "2"},
                                "cancellationReason": None,
                                "trackingInfo": {
                                    "shipDateTime": 1623835855623,
                                    "carrierName": {"otherCarrier": "Pony", "carrier": None},
                                    "methodCode": "Value",
                                    "trackingNumber": "P1",
                                    "trackingURL": "https://p/1",
                                },
                            },
                            {
                                "status": "Cancelled",
                                "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1.0"},
                                "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK",
                                "trackingInfo": None,
                            },
                        ]
                    },
                    "refund": {
                        "refundId": None,
                        "refundCharges": {
                            "refundCharge": [
                                {
                                    "refundReason": "BillingError",
                                    "charge": {
                                        "chargeType": "PRODUCT",
                                        "chargeName": "ItemPrice",
                                        "chargeAmount": {"currency": "USD", "amount": -1.5},
                                        "tax": None,
                                    },
                                }
                            ]
                        },
                    },
                    "fulfillment": {"pickUpDateTime": 1624647600000, "storeId": None},
                }
            ]
        },
    }
    order = Order.from_response({"order": raw})
    assert order.order_date == datetime(2021, 6, 15, 22, 33, 27, tzinfo=UTC)
    assert order.model_extra == {"unknownField": {"kept": True}}
    line = order.line("1")
    assert line.quantity == 3 and line.quantity_in("Cancelled") == 1 and line.open_quantity == 0
    assert line.has_shipment("P1", 2) and line.shipments[0].carrier == "Pony"
    assert float(line.refunded_amount()) == -1.5
    assert order.shipping_info.postal_address.name == "José Müller"  # type: ignore[union-attr]
    assert json.loads(order.model_dump_json(by_alias=True))["purchaseOrderId"] == "1815367951431"


def test_parse_order_updates_envelope_and_errors() -> None:
    body = {
        "source": {"eventType": "ORDER_UPDATES", "eventId": "e1", "eventTime": "2024-01-01T00:00:00Z"},
        "payload": {
            "subEventType": "INTENT_TO_CANCEL",
            "order": {"purchaseOrderId": "9", "orderLines": [{"lineNumber": "1", "sku": "A"}]},
        },
    }
    event = parse_notification(json.dumps(body))
    assert (event.event_type, event.event_id, event.purchase_order_id) == ("INTENT_TO_CANCEL", "e1", "9")
    flat = parse_notification({"eventType": "ORDER_INTENT_TO_CANCEL", "payload": {"purchaseOrderId": "8"}})
    assert flat.event_type == "INTENT_TO_CANCEL"
    with pytest.raises(NotificationError):
        parse_notification(b"not json")
    with pytest.raises(NotificationError):
        parse_notification({"source": {"eventType": "BUY_BOX_CHANGED"}})


def _error(description: str, code: str = "INVALID_REQUEST_CONTENT.GMP_ORDER_API") -> dict[str, object]:
    return {"errors": {"error": [{"code": code, "field": "data", "description": description}]}}


def test_error_sorting_reads_walmarts_text() -> None:
    shipped = _error("Unable to process this request. The Line: 4 of PO: 45 is in SHIPPED status")
    assert isinstance(
        error_from_response(http_status=400, body=shipped, intent=Intent.SHIP, correlation_id="c"),
        WalmartAlreadyAppliedError,
    )
    assert isinstance(
        error_from_response(http_status=400, body=shipped, intent=Intent.CANCEL, correlation_id="c"),
        WalmartPermanentError,
    )
    outage = _error("Invalid Request", code="INVALID_REQUEST.GMP_ORDER_API")
    error = error_from_response(http_status=400, body=outage, intent=Intent.SHIP, correlation_id="c")
    assert isinstance(error, WalmartRetryableError) and error.ambiguous
    throttled = {"error": [{"code": "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"}]}
    error = error_from_response(
        http_status=429, body=throttled, intent=Intent.SHIP, correlation_id="c", retry_after=2.0
    )
    assert isinstance(error, WalmartRetryableError) and not error.ambiguous and error.retry_after == 2.0
    forbidden = {"error": [{"code": "FORBIDDEN.GMP_GATEWAY_API", "description": "Forbidden"}]}
    assert isinstance(
        error_from_response(http_status=403, body=forbidden, intent=Intent.READ, correlation_id="c"),
        WalmartPermanentError,
    )


def test_request_bodies() -> None:
    with pytest.raises(ValueError, match="tracking URL"):
        ShipmentLine(line_number=1, quantity=1, tracking_number="x", other_carrier="Pony")
    assert ShipmentLine.for_carrier("fedex", line_number=1, quantity=1, tracking_number="x").carrier == "FedEx"
    body = refund_body("1", [RefundLine(1, "DamagedItem", [RefundAmount("2.50", tax_amount=0.2)])])
    refund = body["orderRefund"]["orderLines"]["orderLine"][0]["refunds"]["refund"][0]
    charge = refund["refundCharges"]["refundCharge"][0]
    assert charge["charge"]["chargeAmount"]["amount"] == -2.5
    assert charge["charge"]["tax"]["taxAmount"]["amount"] == -0.2
    with pytest.raises(ValueError, match="all full or all partial"):
        refund_body(
            "1", [RefundLine(1, "DamagedItem", is_full_refund=True), RefundLine(2, "DamagedItem", [RefundAmount(1)])]
        )


def test_a_shipment_refused_for_the_buyers_intent_to_cancel_says_what_to_do() -> None:
    from channel_manager.sync.outcomes import classify
    from channel_manager.walmart.errors import WalmartIntentToCancelError

    body = {
        "errors": {
            "error": [
                {
                    "code": "INVALID_REQUEST_CONTENT.GMP_ORDER_API",
                    "field": "intentToCancelOverride",
                    "description": "Line 2 of PO 45 has a customer request to cancel (intentToCancel)",
                }
            ]
        }
    }
    error = error_from_response(
        http_status=400, body=body, intent=Intent.SHIP, correlation_id="c", purchase_order_id="45"
    )
    assert isinstance(error, WalmartIntentToCancelError)
    failure = classify(error, job_kind="ship_lines")
    assert not failure.retryable and failure.next_step is not None
    assert "orders ship 45 --override-intent-to-cancel" in failure.next_step
    assert "orders cancel 45 --reason customer_requested" in failure.next_step
    other = _error("Method code is not supported in line number 1")
    assert not isinstance(
        error_from_response(http_status=400, body=other, intent=Intent.SHIP, correlation_id="c"),
        WalmartIntentToCancelError,
    )


def test_the_sandbox_refuses_auth_details_it_cannot_deliver_with() -> None:
    from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
    from channel_manager_sandboxes.walmart.notifications import checked_auth

    assert checked_auth(None) == {}
    assert checked_auth({"authMethod": "HMAC", "clientSecret": "s"})["clientSecret"] == "s"
    for bad in ({"authMethod": "HMAC"}, {"authMethod": "BASIC_AUTH", "userName": "u"}, {"authMethod": "JWT"}, "x"):
        with pytest.raises(SandboxHTTPError):
            checked_auth(bad)
