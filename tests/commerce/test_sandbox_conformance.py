"""The sandbox's answers on the paths the client uses validate against Adobe's OpenAPI
(``contracts/magento/admin-schema-2.4.8.yaml``, Swagger 2.0, JSON Schema draft 4).

Documented exceptions (fields the schema marks required that real Commerce omits because they are
null, and Commerce omits nulls): ``sales-data-order-payment-interface`` ``account_status`` and
``cc_last4``, and ``catalog-inventory-data-stock-item-interface`` ``low_stock_date`` (null while the item is in
stock). They are dropped from ``required`` before validating. And ``error-response``
``parameters`` is declared an array, but Commerce sends an object for named placeholders
(``{"fieldName": "cartId", ...}``, NOTES.md section 12), so both are allowed.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import RunningSandbox

# The official file lives in the shared docs beside the repository (../shared), as on CI; a missing file
# fails the test rather than skipping it. CHANNEL_MANAGER_CONTRACTS_DIR points elsewhere.
SCHEMA_FILE = (
    Path(os.environ.get("CHANNEL_MANAGER_CONTRACTS_DIR", Path(__file__).resolve().parents[3] / "shared" / "contracts"))
    / "magento"
    / "admin-schema-2.4.8.yaml"
)
ROOT = "urn:magento-admin-2.4.8"
OMITTED_WHEN_NULL = {
    "sales-data-order-payment-interface": ("account_status", "cc_last4"),
    "catalog-inventory-data-stock-item-interface": ("low_stock_date",),
}


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.paths = document["paths"]
        definitions = copy.deepcopy(document["definitions"])
        for name, fields in OMITTED_WHEN_NULL.items():
            definition = definitions[name]
            definition["required"] = [f for f in definition.get("required", []) if f not in fields]
        definitions["error-response"]["properties"]["parameters"] = {"type": ["array", "object"]}
        resource = Resource.from_contents({"definitions": definitions}, default_specification=DRAFT4)
        self.registry = Registry().with_resource(ROOT, resource)

    def schema(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        responses = self.paths[path][method.lower()]["responses"]
        entry = responses.get(str(status))
        if entry is None and status < 300:
            return None  # a void service method (e.g. POST /V1/inventory/source-items answers [])
        entry = entry or responses["default"]
        return self._anchor(copy.deepcopy(entry["schema"]))

    def _anchor(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (ROOT + v if k == "$ref" and v.startswith("#") else self._anchor(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [self._anchor(v) for v in node]
        return node

    def check(self, method: str, path: str, response: httpx.Response) -> Any:
        schema = self.schema(method, path, response.status_code)
        body = response.json()
        if schema is None:
            return body
        errors = sorted(Draft4Validator(schema, registry=self.registry).iter_errors(body), key=str)
        assert not errors, f"{method} {path} {response.status_code}: " + "; ".join(
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
        )
        return body


@pytest.fixture(scope="session")
def contract() -> Contract:
    if not SCHEMA_FILE.exists():
        pytest.fail(f"The official Commerce OpenAPI file {SCHEMA_FILE} is missing; set CHANNEL_MANAGER_CONTRACTS_DIR.")
    with SCHEMA_FILE.open("rb") as handle:
        return Contract(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def test_sandbox_answers_match_the_openapi(sandbox: RunningSandbox, contract: Contract) -> None:
    http = httpx.Client(
        base_url=f"{sandbox.url}/rest/default", timeout=10, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    )

    def call(method: str, path: str, template: str | None = None, **kwargs: Any) -> Any:
        response = http.request(method, path, **kwargs)
        return contract.check(method, template or path, response)

    sandbox.product("SKU-A", price=20, quantity=10)
    sandbox.product("SKU-B", price=5, quantity=10)
    address = {
        "firstname": "Zoë",
        "lastname": "Ångström",
        "street": ["1 Main St"],
        "city": "Bentonville",
        "region_code": "AR",
        "postcode": "72716",
        "country_id": "US",
        "telephone": "5555555555",
        "email": "po1@relay.walmart.com",
    }
    entity = {
        "customer_email": "po1@relay.walmart.com",
        "ext_order_id": "PO-1",
        "base_grand_total": 45,
        "grand_total": 45,
        "shipping_amount": 5,
        "items": [{"sku": "SKU-A", "qty_ordered": 2, "price": 20, "ext_order_item_id": "1"}],
        "billing_address": {**address, "address_type": "billing"},
        "payment": {"method": "channelpayment"},
        "extension_attributes": {
            "shipping_assignments": [
                {
                    "shipping": {"address": {**address, "address_type": "shipping"}, "method": "channelshipping_value"},
                    "items": [],
                }
            ]
        },
    }
    order = call("POST", "/V1/orders", json={"entity": entity})
    order_id, item_id = order["entity_id"], order["items"][0]["item_id"]
    call("GET", f"/V1/orders/{order_id}", "/V1/orders/{id}")
    call(
        "GET",
        "/V1/orders",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "ext_order_id",
            "searchCriteria[filter_groups][0][filters][0][value]": "PO-1",
            "searchCriteria[pageSize]": 10,
        },
    )
    assert (
        call(
            "POST",
            f"/V1/orders/{order_id}/comments",
            "/V1/orders/{id}/comments",
            json={
                "statusHistory": {
                    "comment": "hi",
                    "status": "pending",
                    "is_customer_notified": 0,
                    "is_visible_on_front": 0,
                    "parent_id": order_id,
                }
            },
        )
        is True
    )
    assert call("POST", f"/V1/orders/{order_id}/hold", "/V1/orders/{id}/hold") is True
    assert call("POST", f"/V1/orders/{order_id}/unhold", "/V1/orders/{id}/unhold") is True
    call("POST", f"/V1/order/{order_id}/invoice", "/V1/order/{orderId}/invoice", json={"capture": False})
    assert call("POST", f"/V1/orders/{order_id}/cancel", "/V1/orders/{id}/cancel") is False
    shipment_id = call(
        "POST",
        f"/V1/order/{order_id}/ship",
        "/V1/order/{orderId}/ship",
        json={
            "items": [{"order_item_id": item_id, "qty": 1}],
            "tracks": [{"track_number": "1Z999", "title": "UPS", "carrier_code": "ups"}],
            "comment": {"comment": "first box", "is_visible_on_front": 0},
        },
    )
    call("GET", f"/V1/shipment/{shipment_id}", "/V1/shipment/{id}")
    call(
        "GET",
        "/V1/shipments",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "order_id",
            "searchCriteria[filter_groups][0][filters][0][value]": order_id,
        },
    )
    memo_id = call(
        "POST",
        f"/V1/order/{order_id}/refund",
        "/V1/order/{orderId}/refund",
        json={
            "items": [{"order_item_id": item_id, "qty": 1}],
            "comment": {"comment": "R-1", "is_visible_on_front": 0},
            "arguments": {"shipping_amount": 0, "extension_attributes": {"return_to_stock_items": [item_id]}},
        },
    )
    call("GET", f"/V1/creditmemo/{memo_id}", "/V1/creditmemo/{id}")
    call("GET", "/V1/creditmemos", params={"searchCriteria": ""})
    call(
        "GET",
        "/V1/inventory/source-items",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "sku",
            "searchCriteria[filter_groups][0][filters][0][value]": "SKU-A",
        },
    )
    call(
        "POST",
        "/V1/inventory/source-items",
        json={"sourceItems": [{"sku": "SKU-A", "source_code": "default", "quantity": 7, "status": 1}]},
    )
    call(
        "GET",
        "/V1/inventory/get-product-salable-quantity/SKU-A/1",
        "/V1/inventory/get-product-salable-quantity/{sku}/{stockId}",
    )
    call("GET", "/V1/store/storeViews")

    cart_id = call("POST", "/V1/carts/")
    call(
        "POST",
        f"/V1/carts/{cart_id}/items",
        "/V1/carts/{quoteId}/items",
        json={"cartItem": {"sku": "SKU-B", "qty": 1, "quote_id": str(cart_id)}},
    )
    call(
        "POST",
        f"/V1/carts/{cart_id}/shipping-information",
        "/V1/carts/{cartId}/shipping-information",
        json={
            "addressInformation": {
                "shipping_address": address,
                "billing_address": address,
                "shipping_carrier_code": "channelshipping",
                "shipping_method_code": "value",
            }
        },
    )
    call(
        "PUT",
        f"/V1/carts/{cart_id}/order",
        "/V1/carts/{cartId}/order",
        json={"paymentMethod": {"method": "channelpayment"}},
    )

    # The catalog (read by third-party clients).
    product = call("GET", "/V1/products/SKU-A", "/V1/products/{sku}")
    assert product["sku"] == "SKU-A" and product["extension_attributes"]["stock_item"]["product_id"] == product["id"]
    found = call(
        "GET",
        "/V1/products",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "sku",
            "searchCriteria[filter_groups][0][filters][0][value]": "SKU-%",
            "searchCriteria[filter_groups][0][filters][0][condition_type]": "like",
            "searchCriteria[filter_groups][1][filters][0][field]": "price",
            "searchCriteria[filter_groups][1][filters][0][value]": "10",
            "searchCriteria[filter_groups][1][filters][0][condition_type]": "gt",
            "searchCriteria[pageSize]": 5,
        },
    )
    assert [p["sku"] for p in found["items"]] == ["SKU-A"] and found["total_count"] == 1
    call("GET", "/V1/stockItems/SKU-B", "/V1/stockItems/{productSku}")

    # Error bodies.
    call("GET", "/V1/products/NOPE", "/V1/products/{sku}")
    call("GET", "/V1/stockItems/NOPE", "/V1/stockItems/{productSku}")
    call("GET", "/V1/orders/999", "/V1/orders/{id}")
    call(
        "POST",
        f"/V1/order/{order_id}/refund",
        "/V1/order/{orderId}/refund",
        json={"items": [{"order_item_id": item_id, "qty": 1}], "arguments": {"adjustment_positive": 1000}},
    )
    call("POST", f"/V1/carts/{cart_id}/items", "/V1/carts/{quoteId}/items", json={"cartItem": {"sku": "X", "qty": 1}})
    unauthorized = http.get(f"/V1/orders/{order_id}", headers={"Authorization": "Bearer nope"})
    assert unauthorized.status_code == 401
    contract.check("GET", "/V1/orders/{id}", unauthorized)
    http.close()


def test_the_contract_check_is_not_vacuous(contract: Contract) -> None:
    schema = contract.schema("GET", "/V1/orders/{id}", 200)
    assert schema is not None
    validator = Draft4Validator(schema, registry=contract.registry)
    assert not validator.is_valid({"entity_id": 1})  # items, grand_total ... missing
    assert not validator.is_valid(
        {
            "base_grand_total": 1,
            "customer_email": "a",
            "grand_total": 1,
            "items": [{"sku": "A", "item_id": "not an int"}],
        }
    )
    product = contract.schema("GET", "/V1/products/{sku}", 200)
    assert product is not None
    assert not Draft4Validator(product, registry=contract.registry).is_valid({"id": 1, "name": "no sku"})
    stock_item = contract.schema("GET", "/V1/stockItems/{productSku}", 200)
    assert stock_item is not None
    assert not Draft4Validator(stock_item, registry=contract.registry).is_valid({"qty": "ten", "is_in_stock": True})
