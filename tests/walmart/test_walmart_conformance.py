"""The sandbox's answers for the main flows validate against Walmart's official OpenAPI files.

Known differences, where the official file is wrong or incomplete (see contracts/walmart/NOTES.md):

* The files never mark fields ``nullable``, but real answers carry explicit ``null``s (NOTES 2.1); nulls
  are removed before validating.
* ``GET /v3/orders/{purchaseOrderId}``: the file describes a bare order with ``orderDate`` as a
  date-time string; real answers (and the file's own examples, and every write call's schema) wrap it
  as ``{"order": ...}`` with epoch-ms dates. We validate ``order`` against the acknowledge response's
  order schema instead.
* ``POST /v3/webhooks/subscriptions``: the file's response lists ``event``; NOTES and the sandbox use
  ``events`` (nothing is required there, so both validate).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from channel_manager_sandboxes.walmart import contract

from .conftest import CLIENT_ID, CLIENT_SECRET, SandboxUnderTest

# The official files live in the shared docs beside the repository (../shared), as on CI; a missing file
# fails the test rather than skipping it. CHANNEL_MANAGER_CONTRACTS_DIR points elsewhere.
CONTRACTS = (
    Path(os.environ.get("CHANNEL_MANAGER_CONTRACTS_DIR", Path(__file__).resolve().parents[3] / "shared" / "contracts"))
    / "walmart"
)


@functools.cache
def spec(name: str) -> dict[str, Any]:
    """One parsed OpenAPI file, parsed once per test session (the orders file is 2.7 MB)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (CONTRACTS / f"{name}.openapi.yml").open("rb") as handle:
        return yaml.load(handle, Loader=loader)


@functools.cache
def registry(name: str) -> Registry:
    document = spec(name)
    return Registry().with_resource(f"urn:walmart:{name}", Resource.from_contents(document, DRAFT4))


def response_schema(name: str, path: str, method: str, status: str = "200") -> tuple[dict[str, Any], Registry]:
    """A schema that ``$ref``s the response inside the official document, so its own refs resolve there."""
    steps = ["paths", path, method, "responses", status, "content", "application/json", "schema"]
    pointer = "/".join(quote(step.replace("~", "~0").replace("/", "~1"), safe="~") for step in steps)
    return {"$ref": f"urn:walmart:{name}#/{pointer}"}, registry(name)


def strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value if v is not None]
    return value


def assert_conforms(body: Any, name: str, path: str, method: str) -> None:
    schema, registry = response_schema(name, path, method)
    validator = jsonschema.Draft4Validator(schema, registry=registry)
    errors = sorted(validator.iter_errors(strip_nulls(body)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_main_flows_conform(walmart: SandboxUnderTest) -> None:
    url = walmart.url
    po = walmart.order(
        lines=[{"sku": "C-1", "quantity": 3, "unit_price": 12.5, "shipping": 4}, {"sku": "C-2", "quantity": 1}]
    )
    walmart.control("POST", "/_sandbox/sellers/seller-1/orders", json={"count": 3})
    base = {"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "c0ffee", "Accept": "application/json"}
    with httpx.Client(base_url=url, headers=base, timeout=10) as http:
        answer = http.post("/v3/token", auth=(CLIENT_ID, CLIENT_SECRET), data={"grant_type": "client_credentials"})
        assert answer.status_code == 200
        assert_conforms(answer.json(), "authentication", "/v3/token", "post")
        http.headers["WM_SEC.ACCESS_TOKEN"] = answer.json()["access_token"]

        listing = http.get("/v3/orders", params={"limit": 2})
        assert listing.status_code == 200 and listing.json()["list"]["meta"]["nextCursor"].startswith("?")
        assert_conforms(listing.json(), "orders", "/v3/orders", "get")
        released = http.get("/v3/orders/released")
        assert_conforms(released.json(), "orders", "/v3/orders/released", "get")

        single = http.get(f"/v3/orders/{po}").json()
        assert set(single) == {"order"}
        assert_conforms(single, "orders", "/v3/orders/{purchaseOrderId}/acknowledge", "post")

        acknowledged = http.post(f"/v3/orders/{po}/acknowledge").json()
        assert_conforms(acknowledged, "orders", "/v3/orders/{purchaseOrderId}/acknowledge", "post")

        shipment = {
            "orderShipment": {
                "orderLines": {
                    "orderLine": [
                        {
                            "lineNumber": "1",
                            "sellerOrderId": "SO-1",
                            "orderLineStatuses": {
                                "orderLineStatus": [
                                    {
                                        "status": "Shipped",
                                        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "2"},
                                        "trackingInfo": {
                                            "shipDateTime": 1580821866000,
                                            "carrierName": {"carrier": "UPS"},
                                            "methodCode": "Standard",
                                            "trackingNumber": "1Z97Y4430300463366",
                                        },
                                    }
                                ]
                            },
                        }
                    ]
                }
            }
        }
        shipped = http.post(f"/v3/orders/{po}/shipping", json=shipment)
        assert shipped.status_code == 200, shipped.text
        assert_conforms(shipped.json(), "orders", "/v3/orders/{purchaseOrderId}/shipping", "post")

        cancellation = {
            "orderCancellation": {
                "orderLines": {
                    "orderLine": [
                        {
                            "lineNumber": "2",
                            "orderLineStatuses": {
                                "orderLineStatus": [
                                    {
                                        "status": "Cancelled",
                                        "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK",
                                        "statusQuantity": {"unitOfMeasurement": "EA", "amount": "1"},
                                    }
                                ]
                            },
                        }
                    ]
                }
            }
        }
        cancelled = http.post(f"/v3/orders/{po}/cancel", json=cancellation)
        assert cancelled.status_code == 200, cancelled.text
        assert_conforms(cancelled.json(), "orders", "/v3/orders/{purchaseOrderId}/cancel", "post")

        refund = {
            "orderRefund": {
                "purchaseOrderId": po,
                "orderLines": {
                    "orderLine": [
                        {
                            "lineNumber": "1",
                            "isFullRefund": False,
                            "refunds": {
                                "refund": [
                                    {
                                        "refundComments": "damaged",
                                        "refundCharges": {
                                            "refundCharge": [
                                                {
                                                    "refundReason": "DamagedItem",
                                                    "charge": {
                                                        "chargeType": "PRODUCT",
                                                        "chargeName": "Item Price",
                                                        "chargeAmount": {"currency": "USD", "amount": -5},
                                                        "tax": {
                                                            "taxName": "Item Price Tax",
                                                            "taxAmount": {"currency": "USD", "amount": -0.4},
                                                        },
                                                    },
                                                }
                                            ]
                                        },
                                    }
                                ]
                            },
                        }
                    ]
                },
            }
        }
        refunded = http.post(f"/v3/orders/{po}/refund", json=refund)
        assert refunded.status_code == 200, refunded.text
        assert_conforms(refunded.json(), "orders", "/v3/orders/{purchaseOrderId}/refund", "post")

        walmart.control("POST", f"/_sandbox/orders/{po}/returns", json={"lines": [{"line_number": "1"}]})
        returns = http.get("/v3/returns")
        assert returns.status_code == 200
        assert_conforms(returns.json(), "returns", "/v3/returns", "get")
        return_id = returns.json()["returnOrders"][0]["returnOrderId"]
        customer_order_id = returns.json()["returnOrders"][0]["customerOrderId"]
        return_refund = http.post(
            f"/v3/returns/{return_id}/refund",
            json={"customerOrderId": customer_order_id, "refundLines": [{"returnOrderLineNumber": 1}]},
        )
        assert return_refund.status_code == 200, return_refund.text
        assert_conforms(return_refund.json(), "returns", "/v3/returns/{returnOrderId}/refund", "post")

        put = http.put(
            "/v3/inventory", params={"sku": "C-1"}, json={"sku": "C-1", "quantity": {"unit": "EACH", "amount": 7}}
        )
        assert put.status_code == 200
        assert_conforms(put.json(), "inventory", "/v3/inventory", "put")
        got = http.get("/v3/inventory", params={"sku": "C-1"})
        assert_conforms(got.json(), "inventory", "/v3/inventory", "get")

        subscribed = http.post(
            "/v3/webhooks/subscriptions",
            json={
                "events": [
                    {
                        "eventType": "PO_CREATED",
                        "eventVersion": "V1",
                        "resourceName": "ORDER",
                        "eventUrl": "http://127.0.0.1:9/hooks",
                        "status": "ACTIVE",
                    }
                ]
            },
        )
        assert_conforms(subscribed.json(), "notifications", "/v3/webhooks/subscriptions", "post")
        assert_conforms(
            http.get("/v3/webhooks/subscriptions").json(), "notifications", "/v3/webhooks/subscriptions", "get"
        )


def test_error_bodies_have_walmarts_shapes(walmart: SandboxUnderTest) -> None:
    headers = {"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "c0ffee"}
    with httpx.Client(base_url=walmart.url, timeout=10) as http:
        unauthorized = http.get("/v3/orders", headers={**headers, "WM_SEC.ACCESS_TOKEN": "nope"})
        assert unauthorized.status_code == 401
        assert unauthorized.json()["error"][0]["code"] == "UNAUTHORIZED.GMP_GATEWAY_API"
        missing = http.get("/v3/orders", headers={"WM_SEC.ACCESS_TOKEN": "nope"})
        assert missing.status_code == 400
        assert missing.json()["error"][0]["code"] == "MISSING_REQUEST_HEADER.GMP_GATEWAY_API"
        token = http.post(
            "/v3/token", headers=headers, auth=(CLIENT_ID, CLIENT_SECRET), data={"grant_type": "client_credentials"}
        ).json()["access_token"]
        authed = {**headers, "WM_SEC.ACCESS_TOKEN": token}
        empty = http.get("/v3/orders", headers=authed)
        assert empty.status_code == 404
        entry = empty.json()["errors"]["error"][0]
        assert entry["code"] == "CONTENT_NOT_FOUND.GMP_ORDER_API" and entry["severity"] == "INFO"
        assert entry["description"] == "Failed when called getAllOrders. Orders not found for given search parameters"
        too_many = http.get("/v3/orders", headers=authed, params={"limit": 500})
        assert too_many.status_code == 400 and too_many.json()["errors"]["error"][0]["field"] == "limit"
        old = http.get("/v3/orders", headers=authed, params={"createdStartDate": "2001-01-01"})
        assert old.status_code == 400 and old.json()["errors"]["error"][0]["field"] == "createdStartDate"
        millis = http.get("/v3/orders", headers=authed, params={"createdStartDate": "2030-01-01T00:00:00.396Z"})
        assert millis.json()["errors"]["error"][0]["description"] == "Invalid Date format value"


def _descend(node: Any) -> Any:
    """Through ``items`` and ``properties`` wrappers to the next named level."""
    while isinstance(node, dict) and "items" in node:
        node = node["items"]
    return node.get("properties", node) if isinstance(node, dict) else node


def _enum_at(node: Any, *keys: str) -> list[str]:
    """The enum of the schema under ``node`` reached through the property names ``keys``."""
    for key in keys:
        node = _descend(node)[key]
    while isinstance(node, dict) and "items" in node:
        node = node["items"]
    return list(node["enum"])


def _request_schema(path: str) -> dict[str, Any]:
    return spec("orders")["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_the_sandboxs_own_constants_are_walmarts() -> None:
    """The sandbox keeps its own copies of Walmart's lists (it must not echo the connector's): each equals the
    enum of the official file it was copied from."""
    ship = _request_schema("/v3/orders/{purchaseOrderId}/shipping")
    tracking = ("orderShipment", "orderLines", "orderLine", "orderLineStatuses", "orderLineStatus", "trackingInfo")
    assert list(contract.CARRIERS) == _enum_at(ship, *tracking, "carrierName", "carrier")
    assert list(contract.METHOD_CODES) == _enum_at(ship, *tracking, "methodCode")
    cancel = _request_schema("/v3/orders/{purchaseOrderId}/cancel")
    assert list(contract.CANCEL_REASONS) == _enum_at(
        cancel,
        "orderCancellation",
        "orderLines",
        "orderLine",
        "orderLineStatuses",
        "orderLineStatus",
        "cancellationReason",
    )
    refund = _request_schema("/v3/orders/{purchaseOrderId}/refund")
    assert list(contract.REFUND_REASONS) == _enum_at(
        refund,
        "orderRefund",
        "orderLines",
        "orderLine",
        "refunds",
        "refund",
        "refundCharges",
        "refundCharge",
        "refundReason",
    )
    assert contract.RETURN_REFUND_REASON in contract.REFUND_REASONS
    status = next(p for p in spec("orders")["paths"]["/v3/orders"]["get"]["parameters"] if p["name"] == "status")
    assert all(s in status["description"] for s in contract.ORDER_STATUSES)
    listing = spec("orders")["paths"]["/v3/orders"]["get"]["description"]
    assert f"maximum of {contract.MAX_QUERY_RESULTS} orders" in listing
    assert set(contract.MUTATING_ENDPOINTS) <= set(contract.ENDPOINT_GROUPS)
    assert set(contract.ENDPOINT_GROUPS.values()) == set(contract.RATE_LIMITS)
