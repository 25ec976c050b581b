"""The sandbox's state machine, quantity arithmetic and search semantics, in process (no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channel_manager_sandboxes.commerce.errors import SandboxApiError
from channel_manager_sandboxes.commerce.order_rules import to_invoice, to_refund, to_ship
from channel_manager_sandboxes.commerce.search import parse_criteria, search
from channel_manager_sandboxes.commerce.state import CommerceSandbox


def direct_order(sandbox: CommerceSandbox, po: str) -> dict[str, Any]:
    """A direct save (``POST /V1/orders``): no reservation, and nothing stops a second order for the PO."""
    return sandbox.save_order(
        {
            "customer_email": "x@relay.walmart.com",
            "ext_order_id": po,
            "items": [{"sku": "A", "qty_ordered": 1, "price": 10}],
            "payment": {"method": "channelpayment"},
        },
        1,
    )


def new_order(sandbox: CommerceSandbox, qty_a: int = 2, qty_b: int = 1, po: str = "PO-1") -> dict[str, Any]:
    """An order placed the way that reserves stock (the companion module's quote path)."""
    for sku, price in (("A", 10.0), ("B", 4.0)):
        if sku not in sandbox.catalog.products:
            sandbox.upsert_product(sku, price=price, quantity=50)
    address = {
        "firstname": "Jane",
        "lastname": "Doe",
        "street": ["1 Main St"],
        "city": "Austin",
        "region_code": "TX",
        "postcode": "78701",
        "country_id": "US",
        "telephone": "5125550100",
    }
    placed = sandbox.module.place(
        {
            "order": {
                "channel": "walmart",
                "external_order_id": po,
                "customer": {"email": "x@relay.walmart.com", "firstname": "Jane", "lastname": "Doe"},
                "shipping_address": address,
                "shipping": {"method": "Standard", "amount": 5},
                "items": [
                    {"line_number": "1", "sku": "A", "qty": qty_a, "price": 10},
                    {"line_number": "2", "sku": "B", "qty": qty_b, "price": 4},
                ],
            }
        },
        1,
    )
    return sandbox.get_order(placed["entity_id"])


def items(order: dict[str, Any]) -> tuple[int, int]:
    return order["items"][0]["item_id"], order["items"][1]["item_id"]


def test_cancel_after_partial_invoice_keeps_the_order_processing() -> None:
    sandbox = CommerceSandbox()
    order = new_order(sandbox)
    a, _ = items(order)
    sandbox.invoice(order["entity_id"], {"items": [{"order_item_id": a, "qty": 2}]})
    assert sandbox.cancel(order["entity_id"]) is True
    after = sandbox.get_order(order["entity_id"])
    assert [i["qty_canceled"] for i in after["items"]] == [0, 1]
    assert (after["state"], after["status"]) == ("processing", "processing")
    sandbox.ship(order["entity_id"], {})
    assert sandbox.get_order(order["entity_id"])["state"] == "complete"


def test_shipment_validation_messages_are_joined() -> None:
    sandbox = CommerceSandbox()
    order = new_order(sandbox)
    a, _ = items(order)
    with pytest.raises(SandboxApiError) as refused:
        sandbox.ship(
            order["entity_id"],
            {
                "items": [{"order_item_id": a, "qty": 5}, {"order_item_id": 999, "qty": 1}],
                "tracks": [{"track_number": " ", "carrier_code": "ups"}],
            },
        )
    assert refused.value.status == 400
    assert refused.value.message == (
        "Shipment Document Validation Error(s):\n"
        'The quantity to ship must not be greater than the unshipped quantity for product SKU "A".\n'
        'The shipment contains product SKU "999" that is not part of the original order.\n'
        "Please enter a tracking number."
    )


def test_hold_blocks_invoice_and_refund_rules() -> None:
    sandbox = CommerceSandbox()
    order = new_order(sandbox)
    sandbox.hold(order["entity_id"])
    with pytest.raises(SandboxApiError, match="An invoice cannot be created when an order has a status of holded"):
        sandbox.invoice(order["entity_id"], {})
    assert sandbox.cancel(order["entity_id"]) is False
    sandbox.unhold(order["entity_id"])
    sandbox.invoice(order["entity_id"], {})
    with pytest.raises(SandboxApiError, match=r"Maximum shipping amount allowed to refund is: \$5\.00"):
        sandbox.refund(order["entity_id"], {"arguments": {"shipping_amount": 6}})


def test_direct_save_partial_update_keeps_or_regenerates_increment_id() -> None:
    sandbox = CommerceSandbox()
    order = new_order(sandbox)
    tagged = sandbox.save_order(
        {
            "entity_id": order["entity_id"],
            "increment_id": order["increment_id"],
            "ext_order_id": "PO-9",
            "items": [{"item_id": order["items"][0]["item_id"], "sku": "A", "ext_order_item_id": "1"}],
        },
        1,
    )
    assert (tagged["increment_id"], tagged["ext_order_id"], tagged["items"][0]["ext_order_item_id"]) == (
        "000000001",
        "PO-9",
        "1",
    )
    untagged = sandbox.save_order({"entity_id": order["entity_id"], "status": "pending"}, 1)
    assert untagged["increment_id"] == "000000002"  # Commerce's quirk: resend increment_id


def test_duplicate_ext_order_ids_are_counted() -> None:
    sandbox = CommerceSandbox()
    new_order(sandbox, po="PO-1")
    direct_order(sandbox, po="PO-1")
    direct_order(sandbox, po="PO-2")
    assert sandbox.duplicate_ext_order_ids() == 1


def rows() -> list[dict[str, Any]]:
    return [
        {"id": n, "status": s, "sku": k, "tag": t}
        for n, s, k, t in (
            (1, "pending", "MUG-1", "a,b"),
            (2, "processing", "CAP-1", None),
            (3, "pending", "MUG-2", "c"),
        )
    ]


def ids(params: list[tuple[str, str]]) -> list[int]:
    return [r["id"] for r in search(rows(), parse_criteria(params), dict)["items"]]


F = "searchCriteria[filter_groups][{g}][filters][{f}][{k}]"


def flt(g: int, f: int, field: str, value: str, cond: str = "eq") -> list[tuple[str, str]]:
    return [
        (F.format(g=g, f=f, k="field"), field),
        (F.format(g=g, f=f, k="value"), value),
        (F.format(g=g, f=f, k="condition_type"), cond),
    ]


def test_search_semantics() -> None:
    assert ids([("searchCriteria", "")]) == [1, 2, 3]
    assert ids([("searchCriteria[sortOrders][0][field]", "id")]) == [3, 2, 1]  # DESC by default
    assert ids(flt(0, 0, "status", "pending") + flt(0, 1, "id", "2")) == [1, 2, 3]  # OR in a group
    assert ids(flt(0, 0, "status", "pending") + flt(1, 0, "sku", "MUG%", "like")) == [1, 3]  # AND across
    assert ids(flt(0, 0, "id", "1,3", "nin")) == [2]
    assert ids(flt(0, 0, "tag", "", "null")) == [2]
    assert ids(flt(0, 0, "tag", "b", "finset")) == [1]
    assert ids(
        [
            ("searchCriteria[filterGroups][0][filters][0][field]", "id"),
            ("searchCriteria[filterGroups][0][filters][0][value]", "2"),
            ("searchCriteria[filterGroups][0][filters][0][conditionType]", "gteq"),
        ]
    ) == [2, 3]
    with pytest.raises(SandboxApiError) as missing:
        parse_criteria([])
    assert missing.value.parameters == {"fieldName": "searchCriteria"}


actions = st.lists(
    st.tuples(
        st.sampled_from(["invoice", "ship", "refund", "cancel", "hold", "unhold"]), st.integers(0, 1), st.integers(1, 3)
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(actions)
def test_quantities_stay_consistent_whatever_the_merchant_does(steps: list[tuple[str, int, int]]) -> None:
    sandbox = CommerceSandbox()
    order = new_order(sandbox, qty_a=3, qty_b=2)
    order_id = order["entity_id"]
    for action, index, qty in steps:
        item_id = order["items"][index]["item_id"]
        body = {"items": [{"order_item_id": item_id, "qty": qty}]}
        try:
            if action == "invoice":
                sandbox.invoice(order_id, body)
            elif action == "ship":
                sandbox.ship(order_id, body)
            elif action == "refund":
                sandbox.refund(order_id, {**body, "arguments": {"shipping_amount": 0}})
            else:
                getattr(sandbox, action)(order_id)
        except SandboxApiError as refused:
            assert refused.status == 400
    final = sandbox.get_order(order_id)
    for item in final["items"]:
        assert item["qty_shipped"] + item["qty_canceled"] <= item["qty_ordered"]
        assert item["qty_invoiced"] + item["qty_canceled"] <= item["qty_ordered"]
        assert to_invoice(item) >= 0 and to_refund(item) >= 0 and item["qty_refunded"] <= item["qty_invoiced"]
    assert final["total_refunded"] <= final["total_paid"] + 1e-6
    for sku in ("A", "B"):
        open_qty = sum(to_ship(i) for i in final["items"] if i["sku"] == sku)  # reserved until shipped
        assert sandbox.catalog.reserved.get(sku, 0) == pytest.approx(open_qty)
        shipped = sum(i["qty_shipped"] for i in final["items"] if i["sku"] == sku)
        assert sandbox.catalog.source_quantity(sku) == 50 - shipped
