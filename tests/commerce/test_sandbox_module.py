"""The companion module's contract as the sandbox emulates it: its REST routes over real HTTP, and its
signed events to a real receiver (docs/commerce-module.md; the PHP module follows the same contract)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import RunningSandbox, start_sandbox
from .receiver import receiver

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
ADDRESS = {
    "firstname": "Zoë",
    "lastname": "Núñez",
    "street": ["860 W. California Ave", "Apt 2"],
    "city": "Sunnyvale",
    "region_code": "CA",
    "postcode": "94086",
    "country_id": "US",
    "telephone": "2342423234",
}


def channel_order(po: str = "1796277083022", **overrides: Any) -> dict[str, Any]:
    order = {
        "channel": "walmart",
        "external_order_id": po,
        "store_id": 1,
        "currency_code": "USD",
        "customer": {"email": f"{po}@relay.walmart.com", "firstname": "Zoë", "lastname": "Núñez", "mode": "guest"},
        "shipping_address": ADDRESS,
        "shipping": {"method": "Standard", "amount": 5.00, "tax_amount": 0.40},
        "items": [
            {"line_number": "1", "sku": "MUG-1", "qty": 2, "price": 7.99, "tax_amount": 1.28},
            {"line_number": "2", "sku": "LAMP-1", "qty": 1, "price": 20.00, "tax_amount": 1.60},
        ],
        "comment": f"Walmart Marketplace order {po}",
    }
    order.update(overrides)
    return {"order": order}


@pytest.fixture
def rest(sandbox: RunningSandbox) -> httpx.Client:
    sandbox.product("MUG-1", price=9.99, quantity=10, name="Mug")
    sandbox.product("LAMP-1", price=25.00, quantity=3, name="Lamp")
    return httpx.Client(base_url=f"{sandbox.url}/rest/default", headers=AUTH, timeout=10)


def salable(rest: httpx.Client, sku: str) -> float:
    return float(rest.get(f"/V1/inventory/get-product-salable-quantity/{sku}/1").json())


def test_info_says_the_module_is_installed_and_a_store_without_it_has_no_route(rest: httpx.Client) -> None:
    assert rest.get("/V1/channel-manager/info").json() == {
        "module": "ChannelManager_Connector",
        "version": "1.0.0",
        "payment_method": "channelpayment",
        "carrier": "channelshipping",
        "events_enabled": False,
    }
    bare = start_sandbox(SandboxSettings(module_installed=False))
    try:
        for method, path in (("GET", "/info"), ("POST", "/orders")):
            answer = httpx.request(method, f"{bare.url}/rest/V1/channel-manager{path}", headers=AUTH, json={})
            assert (answer.status_code, answer.json()) == (404, {"message": "Request does not match any route."})
    finally:
        bare.control.close()
        bare.server.stop()


def test_a_placed_order_has_walmart_prices_product_ids_and_reservations_and_a_retry_returns_it(
    sandbox: RunningSandbox, rest: httpx.Client
) -> None:
    placed = rest.post("/V1/channel-manager/orders", json=channel_order())
    assert placed.status_code == 200
    first = placed.json()
    assert first["created"] is True and first["increment_id"] == "000000001"
    order = rest.get(f"/V1/orders/{first['entity_id']}").json()
    assert order["ext_order_id"] == "1796277083022"
    assert [(i["sku"], i["price"], i["qty_ordered"], i["ext_order_item_id"]) for i in order["items"]] == [
        ("MUG-1", 7.99, 2, "1"),
        ("LAMP-1", 20, 1, "2"),
    ]
    products = {p["sku"]: p["id"] for p in rest.get("/V1/products", params={"searchCriteria": ""}).json()["items"]}
    assert [i["product_id"] for i in order["items"]] == [products["MUG-1"], products["LAMP-1"]]
    assert (order["shipping_amount"], order["shipping_tax_amount"], order["tax_amount"]) == (5, 0.4, 3.28)
    assert order["grand_total"] == pytest.approx(2 * 7.99 + 20 + 5 + 3.28)
    assert order["payment"]["method"] == "channelpayment"
    assert order["shipping_description"] == "Channel Shipping - Standard"
    assert order["extension_attributes"]["shipping_assignments"][0]["shipping"]["method"] == "channelshipping_standard"
    assert order["status_histories"][0]["comment"] == "Walmart Marketplace order 1796277083022"
    assert (salable(rest, "MUG-1"), salable(rest, "LAMP-1")) == (8, 2)

    again = rest.post("/V1/channel-manager/orders", json=channel_order())
    assert again.json() == {**first, "created": False}
    assert (salable(rest, "MUG-1"), salable(rest, "LAMP-1")) == (8, 2)
    links = sandbox.control.get("/_sandbox/module/links").json()
    assert [(row["channel"], row["external_order_id"], row["order_id"]) for row in links] == [
        ("walmart", "1796277083022", first["entity_id"])
    ]


def test_refusals_name_the_cause_as_the_module_does(sandbox: RunningSandbox, rest: httpx.Client) -> None:
    sandbox.product("OFF-1", status="disabled")

    def refused(body: dict[str, Any]) -> dict[str, Any]:
        answer = rest.post("/V1/channel-manager/orders", json=body)
        assert answer.status_code == 400, answer.text
        return answer.json()

    item = {"line_number": "1", "qty": 1, "price": 1}
    assert refused(channel_order(items=[{**item, "sku": "NOPE"}])) == {
        "message": 'The product with SKU "%1" does not exist.',
        "parameters": ["NOPE"],
    }
    assert refused(channel_order(items=[{**item, "sku": "OFF-1"}]))["message"] == 'Product "%1" is disabled.'
    assert refused(channel_order(items=[{**item, "sku": "LAMP-1", "qty": 4}])) == {
        "message": 'The requested qty of "%1" is not available.',
        "parameters": ["LAMP-1"],
    }
    assert refused(channel_order(external_order_id="")) == {
        "message": '"%fieldName" is required. Enter and try again.',
        "parameters": {"fieldName": "external_order_id"},
    }
    assert refused({})["parameters"] == {"fieldName": "order"}
    rest.post("/V1/channel-manager/orders", json=channel_order("PO-A", increment_id="WM-1")).raise_for_status()
    assert refused(channel_order("PO-B", increment_id="WM-1")) == {
        "message": 'Order number "%1" is already used by another order.',
        "parameters": ["WM-1"],
    }
    assert salable(rest, "LAMP-1") == 2  # only PO-A reserved anything


def test_the_direct_path_reserves_nothing_and_resolves_no_product_id(rest: httpx.Client) -> None:
    entity = {
        "customer_email": "po@relay.walmart.com",
        "ext_order_id": "PO-DIRECT",
        "items": [{"sku": "MUG-1", "qty_ordered": 3, "price": 7.99}],
        "payment": {"method": "channelpayment"},
    }
    order = rest.post("/V1/orders", json={"entity": entity}).json()
    assert "product_id" not in order["items"][0]
    assert salable(rest, "MUG-1") == 10
    with_id = rest.post("/V1/orders", json={"entity": {**entity, "items": [{**entity["items"][0], "product_id": 77}]}})
    assert with_id.json()["items"][0]["product_id"] == 77


def _verified(call: Any, secret: str) -> dict[str, Any]:
    timestamp = call.headers["x-channel-manager-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + call.body, hashlib.sha256).hexdigest()
    assert call.headers["x-channel-manager-signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 300
    body = json.loads(call.body)
    assert call.headers["x-channel-manager-event"] == body["event"]
    return body


def test_signed_events_for_module_orders_and_stock(sandbox: RunningSandbox, rest: httpx.Client) -> None:
    with receiver() as hook:
        sandbox.control.put(
            "/_sandbox/module", json={"events_url": hook.url, "events_secret": "s3cret", "events_enabled": True}
        ).raise_for_status()
        assert rest.get("/V1/channel-manager/info").json()["events_enabled"] is True
        placed = rest.post("/V1/channel-manager/orders", json=channel_order()).json()
        order_id = placed["entity_id"]
        direct = rest.post(
            "/V1/orders",
            json={
                "entity": {
                    "customer_email": "d@x.com",
                    "items": [{"sku": "MUG-1", "qty_ordered": 1, "price": 1}],
                    "payment": {"method": "channelpayment"},
                }
            },
        ).json()
        rest.post(f"/V1/order/{order_id}/invoice", json={"capture": False}).raise_for_status()
        rest.post(f"/V1/order/{direct['entity_id']}/invoice", json={}).raise_for_status()
        rest.post(f"/V1/order/{direct['entity_id']}/ship", json={}).raise_for_status()  # not a module order: silent
        item = rest.get(f"/V1/orders/{order_id}").json()["items"][0]["item_id"]
        shipment = rest.post(
            f"/V1/order/{order_id}/ship",
            json={
                "items": [{"order_item_id": item, "qty": 1}],
                "tracks": [{"track_number": "1Z1", "carrier_code": "ups"}],
            },
        ).json()
        track = rest.post("/V1/shipment/track", json={"entity": {"parent_id": shipment, "track_number": "1Z2"}}).json()
        memo = rest.post(f"/V1/order/{order_id}/refund", json={"items": [{"order_item_id": item, "qty": 1}]}).json()
        second = rest.post("/V1/channel-manager/orders", json=channel_order("PO-2")).json()
        assert rest.post(f"/V1/orders/{second['entity_id']}/cancel").json() is True
        sandbox.control.put("/_sandbox/products/MUG-1/stock", json={"quantity": 4}).raise_for_status()
        calls = hook.wait_for(6)
    events = [_verified(call, "s3cret") for call in calls]
    names = [e["event"] for e in events]
    assert names == [
        "shipment_saved",
        "track_saved",
        "track_saved",
        "creditmemo_saved",
        "order_cancelled",
        "stock_changed",
    ]
    link = {"order_id": order_id, "increment_id": placed["increment_id"], "ext_order_id": "1796277083022"}
    assert events[0]["data"] == {**link, "shipment_id": shipment}
    assert events[2]["data"] == {**link, "shipment_id": shipment, "track_id": track["entity_id"]}
    assert events[3]["data"] == {**link, "creditmemo_id": memo}
    assert events[4]["data"] == {
        "order_id": second["entity_id"],
        "increment_id": second["increment_id"],
        "ext_order_id": "PO-2",
    }
    assert events[5]["data"] == {"sku": "MUG-1"}
    assert all(e["store_id"] == 1 and e["occurred_at"].endswith("Z") and len(e["event_id"]) == 36 for e in events)
    assert len({e["event_id"] for e in events}) == len(events)
