"""Faults of the Commerce sandbox for chaos tests: an outage of every route, and "save, then lose the
answer" on every route that changes something; and the store-side truth read back for a verdict."""

from __future__ import annotations

from typing import Any

import httpx

from channel_manager_sandboxes.commerce import rest as rest_routes
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import RunningSandbox
from .test_sandbox_module import ADDRESS, channel_order

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def _rest(sandbox: RunningSandbox) -> httpx.Client:
    return httpx.Client(base_url=f"{sandbox.url}/rest/default", headers=AUTH, timeout=10)


def test_an_outage_answers_every_route_with_an_error_and_applies_nothing(sandbox: RunningSandbox) -> None:
    sandbox.product("MUG-1", quantity=5)
    sandbox.product("LAMP-1", quantity=5)
    rest = _rest(sandbox)
    sandbox.fault(route="*", mode="error", status=503)
    placed = rest.post("/V1/channel-manager/orders", json=channel_order())
    read = rest.get("/V1/products/MUG-1")
    assert (placed.status_code, read.status_code) == (503, 503)
    assert placed.json()["message"].startswith("Internal Error. Details are available in Magento log file.")
    assert sandbox.state.orders == {}
    sandbox.control.delete("/_sandbox/faults").raise_for_status()
    assert rest.post("/V1/channel-manager/orders", json=channel_order()).status_code == 200
    assert sandbox.counters()["faults_injected"] == 2


def _mutations(rest: httpx.Client) -> dict[str, Any]:
    """Every mutating route once, each answered 503 after it was applied; what each one should have done."""
    post, put = rest.post, rest.put
    entity = {
        "customer_email": "d@x.com",
        "items": [{"sku": "MUG-1", "qty_ordered": 1, "price": 8}],
        "payment": {"method": "channelpayment"},
    }
    calls: list[httpx.Response] = [
        post("/V1/channel-manager/orders", json=channel_order("PO-1")),
        post("/V1/orders", json={"entity": entity}),
        put("/V1/orders/create", json={"entity": entity}),
    ]
    module_order, direct = 1, 2  # entity ids, in creation order
    calls += [
        post(f"/V1/orders/{direct}/hold"),
        post(f"/V1/orders/{direct}/unhold"),
        post(f"/V1/orders/{direct}/comments", json={"statusHistory": {"comment": "lost answer"}}),
        post("/V1/orders/3/cancel"),
        post(f"/V1/order/{module_order}/invoice", json={}),
        post(f"/V1/order/{module_order}/ship", json={"items": [{"order_item_id": 1, "qty": 1}]}),
        post("/V1/shipment/track", json={"entity": {"parent_id": 1, "track_number": "1Z-LOST"}}),
        post(f"/V1/order/{module_order}/refund", json={"items": [{"order_item_id": 1, "qty": 1}]}),
        post("/V1/inventory/source-items", json={"sourceItems": [{"sku": "LAMP-1", "quantity": 9, "status": 1}]}),
    ]
    cart = 1
    calls += [
        post("/V1/carts/"),
        post(f"/V1/carts/{cart}/items", json={"cartItem": {"sku": "MUG-1", "qty": 1}}),
        post(
            f"/V1/carts/{cart}/shipping-information",
            json={
                "addressInformation": {
                    "shipping_address": {**ADDRESS, "email": "c@x.com"},
                    "shipping_carrier_code": "channelshipping",
                    "shipping_method_code": "value",
                }
            },
        ),
        put(f"/V1/carts/{cart}/order", json={"paymentMethod": {"method": "channelpayment"}}),
    ]
    return {"statuses": [c.status_code for c in calls]}


def test_save_then_lose_applies_every_mutating_route_and_answers_an_error(sandbox: RunningSandbox) -> None:
    sandbox.product("MUG-1", quantity=20)
    sandbox.product("LAMP-1", price=20, quantity=3)
    rest = _rest(sandbox)
    sandbox.fault(route="mutating", mode="lose_response", status=503)
    assert rest.get("/V1/products/MUG-1").status_code == 200  # reads are not touched
    done = _mutations(rest)
    assert set(done["statuses"]) == {503}
    calls = sandbox.counters()["calls"]
    mutating = {f"{m} {r.path[len('/rest') :]}" for r in rest_routes.router.routes for m in r.methods if m != "GET"}
    assert mutating <= set(calls), f"not exercised: {sorted(mutating - set(calls))}"
    state = sandbox.state
    assert len(state.orders) == 4  # module, direct, create, and the cart's order
    assert state.module.links and state.orders[1]["ext_order_id"] == "PO-1"
    assert state.orders[2]["status_histories"][0]["comment"] == "lost answer"
    assert state.orders[3]["state"] == "canceled"
    assert [t["track_number"] for t in state.shipments[1]["tracks"]] == ["1Z-LOST"]
    assert state.creditmemos[1]["order_id"] == 1 and state.invoices[1]["order_id"] == 1
    assert state.catalog.source_quantity("LAMP-1") == 9
    assert state.carts[1]["order_id"] == 4


def test_the_store_side_truth_per_walmart_po(sandbox: RunningSandbox) -> None:
    sandbox.product("MUG-1", quantity=20)
    sandbox.product("LAMP-1", price=20, quantity=3)
    rest = _rest(sandbox)
    order_id = rest.post("/V1/channel-manager/orders", json=channel_order("PO-7")).json()["entity_id"]
    rest.post(f"/V1/order/{order_id}/invoice", json={}).raise_for_status()
    rest.post(
        f"/V1/order/{order_id}/ship",
        json={"items": [{"order_item_id": 1, "qty": 2}], "tracks": [{"track_number": "1Z9", "carrier_code": "ups"}]},
    ).raise_for_status()
    rest.post(
        f"/V1/order/{order_id}/refund",
        json={"items": [{"order_item_id": 1, "qty": 1}], "arguments": {"shipping_amount": 5}},
    ).raise_for_status()
    duplicate = {
        "customer_email": "d@x.com",
        "ext_order_id": "PO-7",
        "payment": {"method": "channelpayment"},
        "items": [{"sku": "MUG-1", "qty_ordered": 1, "price": 8}],
    }
    rest.post("/V1/orders", json={"entity": duplicate}).raise_for_status()
    truth = sandbox.control.get("/_sandbox/truth").json()
    assert truth["counters"]["duplicate_ext_order_ids"] == 1
    first, second = truth["orders_by_ext_order_id"]["PO-7"]
    assert (first["created_by_module"], second["created_by_module"]) == (True, False)
    assert first["lines"]["1"] == {
        "sku": "MUG-1",
        "qty_ordered": 2,
        "qty_invoiced": 2,
        "qty_shipped": 2,
        "qty_refunded": 1,
        "qty_canceled": 0,
    }
    assert first["tracking_numbers"] == ["1Z9"]
    [memo] = first["creditmemos"]
    # tax_amount counts the shipping tax (0.40 of the 5.00 shipping refunded) with the item tax (0.64), as Commerce does
    assert (memo["subtotal"], memo["tax_amount"], memo["shipping_amount"]) == (7.99, 1.04, 5)
