"""The Walmart sandbox's faults for chaos tests, over real HTTP: 5xx, 429 storms, timeouts, "apply then
lose the answer" on every mutating endpoint, revoked tokens; and the seller-side truth read back."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from channel_manager_sandboxes.walmart.contract import MUTATING_ENDPOINTS

from .conftest import CLIENT_ID, CLIENT_SECRET, SandboxUnderTest

QTY1 = {"unitOfMeasurement": "EACH", "amount": "1"}


class Api:
    def __init__(self, walmart: SandboxUnderTest) -> None:
        self.walmart = walmart
        self.http = httpx.Client(base_url=walmart.url, timeout=10)
        self.token = self.new_token()

    def headers(self, **extra: str) -> dict[str, str]:
        return {"WM_QOS.CORRELATION_ID": str(uuid.uuid4()), "WM_SVC.NAME": "test", **extra}

    def new_token(self) -> str:
        answer = self.http.post(
            "/v3/token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, CLIENT_SECRET),
            headers=self.headers(),
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return self.http.request(method, path, headers=self.headers(**{"WM_SEC.ACCESS_TOKEN": self.token}), **kw)


def _ship_body(tracking: str) -> dict[str, Any]:
    info = {"shipDateTime": 1, "carrierName": {"carrier": "UPS"}, "methodCode": "Standard", "trackingNumber": tracking}
    status = {"status": "Shipped", "statusQuantity": QTY1, "trackingInfo": info}
    return {
        "orderShipment": {
            "orderLines": {"orderLine": [{"lineNumber": "1", "orderLineStatuses": {"orderLineStatus": [status]}}]}
        }
    }


def _cancel_body() -> dict[str, Any]:
    status = {"status": "Cancelled", "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK", "statusQuantity": QTY1}
    return {
        "orderCancellation": {
            "orderLines": {"orderLine": [{"lineNumber": "1", "orderLineStatuses": {"orderLineStatus": [status]}}]}
        }
    }


def _refund_body() -> dict[str, Any]:
    charge = {
        "chargeType": "PRODUCT",
        "chargeName": "ItemPrice",
        "chargeAmount": {"currency": "USD", "amount": -5},
        "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": -0.4}},
    }
    refund = {"refundCharges": {"refundCharge": [{"refundReason": "DamagedItem", "charge": charge}]}}
    return {"orderRefund": {"orderLines": {"orderLine": [{"lineNumber": "1", "refunds": {"refund": [refund]}}]}}}


def test_lose_response_applies_every_mutating_endpoint_and_answers_an_error(walmart: SandboxUnderTest) -> None:
    api = Api(walmart)
    po = walmart.order(lines=[{"sku": "M-1", "quantity": 3, "unit_price": 10, "unit_tax": 0.8}])
    shipped = walmart.order(lines=[{"sku": "M-2", "quantity": 1, "status": "Acknowledged"}])
    api.call("POST", f"/v3/orders/{shipped}/shipping", json=_ship_body("1Z-0")).raise_for_status()
    ret = walmart.control("POST", f"/_sandbox/orders/{shipped}/returns", json={"lines": [{"line_number": "1"}]})
    sub_id = walmart.sandbox.subscribe(
        walmart.sandbox.seller("seller-1"),
        {
            "events": [
                {
                    "eventType": "PO_CREATED",
                    "eventVersion": "V1",
                    "resourceName": "ORDER",
                    "eventUrl": "http://127.0.0.1:9/x",
                    "status": "INACTIVE",
                }
            ]
        },
    )["events"][0]["subscriptionId"]
    walmart.fault(endpoint="mutating", mode="lose_response", status=500)
    answers = [
        api.call("POST", f"/v3/orders/{po}/acknowledge"),
        api.call("POST", f"/v3/orders/{po}/shipping", json=_ship_body("1Z-LOST")),
        api.call("POST", f"/v3/orders/{po}/cancel", json=_cancel_body()),
        api.call("POST", f"/v3/orders/{po}/refund", json=_refund_body()),
        api.call(
            "POST", f"/v3/returns/{ret['returnOrderId']}/refund", json={"customerOrderId": ret["customerOrderId"]}
        ),
        api.call(
            "PUT",
            "/v3/inventory",
            params={"sku": "M-1"},
            json={"sku": "M-1", "quantity": {"unit": "EACH", "amount": 7}},
        ),
        api.call(
            "POST",
            "/v3/webhooks/subscriptions",
            json={
                "events": [
                    {
                        "eventType": "PO_CREATED",
                        "eventVersion": "V1",
                        "resourceName": "ORDER",
                        "eventUrl": "http://127.0.0.1:9/y",
                        "status": "INACTIVE",
                    }
                ]
            },
        ),
        api.call("DELETE", f"/v3/webhooks/subscriptions/{sub_id}"),
    ]
    assert [a.status_code for a in answers] == [500] * len(MUTATING_ENDPOINTS)
    assert {a.json()["errors"]["error"][0]["code"] for a in answers} == {"SYSTEM_ERROR.GMP_ORDER_API"}
    calls = walmart.counters["calls"]
    assert set(MUTATING_ENDPOINTS) <= set(calls)
    assert api.call("GET", f"/v3/orders/{po}").status_code == 200  # reads answer as usual
    truth = walmart.control("GET", f"/_sandbox/orders/{po}")["lines"]["1"]
    assert truth["by_status"] == {"Acknowledged": 1, "Shipped": 1, "Cancelled": 1}
    assert truth["tracking_numbers"] == ["1Z-LOST"]
    assert truth["cancel_reasons"] == ["SELLER_CANCEL_OUT_OF_STOCK"]
    assert truth["refunded"] == {"PRODUCT": {"amount": 5, "tax": 0.4}, "SHIPPING": {"amount": 0, "tax": 0}}
    returned = walmart.control("GET", f"/_sandbox/orders/{shipped}")["lines"]["1"]
    assert returned["refunded"]["PRODUCT"]["amount"] == 10
    seller = walmart.sandbox.seller("seller-1")
    assert seller.inventory["M-1"] == 7
    assert sub_id not in seller.subscriptions and len(seller.subscriptions) == 1
    assert walmart.counters["lost_responses"] == len(MUTATING_ENDPOINTS)


def test_timeouts_hang_apply_nothing_and_end_in_a_504(walmart: SandboxUnderTest) -> None:
    api = Api(walmart)
    po = walmart.order()
    walmart.fault(endpoint="POST /v3/orders/{purchaseOrderId}/acknowledge", mode="timeout", hang_seconds=0.3, count=1)
    started = time.monotonic()
    hung = api.call("POST", f"/v3/orders/{po}/acknowledge")
    assert hung.status_code == 504 and time.monotonic() - started >= 0.3
    assert hung.json()["errors"]["error"][0]["code"] == "DOWNSTREAM_SYSTEM_TIME_OUT.GMP_ORDER_API"
    assert walmart.control("GET", f"/_sandbox/orders/{po}")["lines"]["1"]["by_status"] == {"Created": 1}
    with httpx.Client(base_url=walmart.url, timeout=0.1) as impatient:
        walmart.fault(endpoint="GET /v3/orders/{purchaseOrderId}", mode="timeout", hang_seconds=1, count=1)
        headers = api.headers(**{"WM_SEC.ACCESS_TOKEN": api.token})
        try:
            impatient.get(f"/v3/orders/{po}", headers=headers)
        except httpx.ReadTimeout:
            pass
        else:
            raise AssertionError("the client's own timeout must fire first")
    assert api.call("POST", f"/v3/orders/{po}/acknowledge").status_code == 200


def test_5xx_and_429_storms_apply_nothing(walmart: SandboxUnderTest) -> None:
    api = Api(walmart)
    po = walmart.order()
    walmart.fault(endpoint="POST *", mode="error", status=500, count=1)
    assert api.call("POST", f"/v3/orders/{po}/acknowledge").status_code == 500
    walmart.fault(endpoint="*", mode="rate_limit_storm", count=2)
    storm = [api.call("GET", f"/v3/orders/{po}"), api.call("POST", f"/v3/orders/{po}/acknowledge")]
    assert [a.status_code for a in storm] == [429, 429]
    assert storm[0].headers["x-current-token-count"] == "0" and storm[0].headers["Retry-After"] == "1"
    walmart.fault(endpoint="*", mode="error", status=503, count=1)
    bare = api.call("GET", f"/v3/orders/{po}")
    assert (bare.status_code, bare.content) == (503, b"")  # the gateway itself unreachable: no body
    assert walmart.control("GET", f"/_sandbox/orders/{po}")["lines"]["1"]["by_status"] == {"Created": 1}
    assert api.call("POST", f"/v3/orders/{po}/acknowledge").status_code == 200


def test_a_revoked_token_stops_working_before_it_expires(walmart: SandboxUnderTest) -> None:
    api = Api(walmart)
    po = walmart.order()
    assert api.call("GET", f"/v3/orders/{po}").status_code == 200
    walmart.fault(endpoint="GET /v3/orders/{purchaseOrderId}", mode="revoke_token", count=1)
    revoked = api.call("GET", f"/v3/orders/{po}")
    assert revoked.status_code == 401 and revoked.json()["error"][0]["code"] == "UNAUTHORIZED.GMP_GATEWAY_API"
    assert api.call("POST", f"/v3/orders/{po}/acknowledge").status_code == 401  # the token stays dead
    api.token = api.new_token()
    assert api.call("POST", f"/v3/orders/{po}/acknowledge").status_code == 200
    other = api.new_token()
    walmart.control("POST", "/_sandbox/sellers/seller-1/revoke-tokens")
    for token in (api.token, other):
        api.token = token
        assert api.call("GET", f"/v3/orders/{po}").status_code == 401
    assert walmart.counters["revoked_by_fault"] == 1


def test_the_seller_side_truth_of_every_po(walmart: SandboxUnderTest) -> None:
    api = Api(walmart)
    first = walmart.order(lines=[{"sku": "T-1", "quantity": 2, "status": "Acknowledged"}])
    second = walmart.order()
    api.call("POST", f"/v3/orders/{first}/shipping", json=_ship_body("1Z-T")).raise_for_status()
    api.call("POST", f"/v3/orders/{first}/shipping", json=_ship_body("1Z-T")).raise_for_status()  # applied twice
    truth = walmart.control("GET", "/_sandbox/sellers/seller-1/truth")
    assert set(truth["orders"]) == {first, second}
    line = truth["orders"][first]["lines"]["1"]
    assert line["by_status"] == {"Shipped": 2} and line["tracking_numbers"] == ["1Z-T"]
    assert truth["counters"]["applied_twice"] == 1
    assert "order" not in truth["orders"][first]
