"""The sandbox's state in-process: volume, paging, counters and clock rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import unquote

from channel_manager_sandboxes.walmart import WalmartSandbox, WalmartSandboxSettings
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError


def test_five_thousand_orders_page_completely() -> None:
    sandbox = WalmartSandbox(WalmartSandboxSettings())
    seller = sandbox.seller("seller-1")
    sandbox.generate_orders("seller-1", 5000, lines_per_order=[1, 4], quantity_per_line=[1, 5], spread_minutes=600)
    seen: set[str] = set()
    params: dict[str, str] = {"limit": "200"}
    while True:
        page = json.loads(sandbox.list_orders(seller, params, released=True, base="/v3/orders/released"))
        orders = page["list"]["elements"]["order"]
        seen.update(o["purchaseOrderId"] for o in orders)
        cursor = page["list"]["meta"].get("nextCursor")
        if not cursor:
            break
        params = dict(pair.split("=", 1) for pair in cursor[1:].split("&"))
        params = {k: v.replace("%3A", ":") for k, v in params.items()}
    assert len(seen) == 5000
    names = {o.address["name"] for o in seller.orders.values()}
    assert any(not name.isascii() for name in names)


def test_auto_cancel_after_estimated_ship_date_plus_four_days() -> None:
    sandbox = WalmartSandbox(WalmartSandboxSettings())
    order = sandbox.create_order("seller-1", {"lines": [{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}]})
    seller = sandbox.seller("seller-1")
    sandbox.acknowledge(seller, order.purchase_order_id)
    sandbox.advance_clock(2 * 86400 + 4 * 86400 - 60)
    assert order.lines[0].qty("Cancelled") == 0
    sandbox.advance_clock(120)
    assert order.lines[0].qty("Cancelled") == 2 and order.lines[1].qty("Cancelled") == 1
    assert [d.event_type for d in sandbox.pending_deliveries] == []  # no subscription, nothing queued


def test_replayed_cancel_is_rejected_and_identical_accepted_changes_are_counted() -> None:
    sandbox = WalmartSandbox(WalmartSandboxSettings())
    order = sandbox.create_order("seller-1", {"lines": [{"sku": "A", "quantity": 4}]})
    seller = sandbox.seller("seller-1")
    body = {
        "orderCancellation": {
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": "1",
                        "orderLineStatuses": {
                            "orderLineStatus": [
                                {
                                    "status": "Cancelled",
                                    "cancellationReason": "SELLER_CANCEL_OUT_OF_STOCK",
                                    "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                                }
                            ]
                        },
                    }
                ]
            }
        }
    }
    sandbox.cancel(seller, order.purchase_order_id, body)
    assert sandbox.counters.applied_twice == 0
    sandbox.cancel(seller, order.purchase_order_id, body)  # quantity remained: Walmart accepts the replay
    assert sandbox.counters.applied_twice == 1
    assert order.lines[0].qty("Cancelled") == 2


def _page(sandbox: WalmartSandbox, params: dict[str, str]) -> dict[str, object]:
    return json.loads(sandbox.list_orders(sandbox.seller("seller-1"), params, released=False, base="/v3/orders"))


def test_one_query_serves_at_most_the_cap_and_answers_past_it_with_an_error() -> None:
    sandbox = WalmartSandbox(WalmartSandboxSettings(max_query_results=5))
    sandbox.generate_orders("seller-1", 12, spread_minutes=60)
    first = _page(sandbox, {"limit": "2"})
    meta = first["list"]["meta"]  # type: ignore[index]
    assert meta["totalCount"] == 12 and meta["nextCursor"]
    served = 0
    params = {"limit": "2"}
    past: SandboxHTTPError | None = None
    while past is None:
        try:
            page = _page(sandbox, params)
        except SandboxHTTPError as error:
            past = error
            continue
        served += len(page["list"]["elements"]["order"])  # type: ignore[index]
        cursor = page["list"]["meta"]["nextCursor"]  # type: ignore[index]
        params = {k: unquote(v) for k, v in (pair.split("=", 1) for pair in cursor[1:].split("&"))}
    assert served == 4  # pages of 2 that fit under the cap of 5
    assert past is not None
    assert (past.status, past.code, past.field) == (400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", "createdStartDate")
    assert "maximum of 5 orders" in past.description and "12 orders" in past.description
    body = past.body()
    assert body["errors"]["error"][0]["category"] == "DATA"
    narrow = _page(
        sandbox,
        {"limit": "200", "customerOrderId": next(iter(sandbox.seller("seller-1").orders.values())).customer_order_id},
    )
    assert narrow["list"]["meta"]["totalCount"] == 1  # type: ignore[index]


def test_the_default_cap_is_walmarts_twenty_thousand() -> None:
    assert WalmartSandboxSettings().max_query_results == 20_000


def test_returns_filter_on_their_last_modification() -> None:
    sandbox = WalmartSandbox(WalmartSandboxSettings())
    seller = sandbox.seller("seller-1")
    ids = []
    for sku in ("A", "B", "C"):
        order = sandbox.create_order("seller-1", {"lines": [{"sku": sku, "quantity": 1, "status": "Acknowledged"}]})
        ship = {
            "orderShipment": {
                "orderLines": {
                    "orderLine": [
                        {
                            "lineNumber": "1",
                            "orderLineStatuses": {
                                "orderLineStatus": [
                                    {
                                        "status": "Shipped",
                                        "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                                        "trackingInfo": {
                                            "shipDateTime": 1,
                                            "carrierName": {"carrier": "UPS"},
                                            "methodCode": "Standard",
                                            "trackingNumber": f"1Z{sku}",
                                        },
                                    }
                                ]
                            },
                        }
                    ]
                }
            }
        }
        sandbox.ship(seller, order.purchase_order_id, ship)
        ids.append(sandbox.open_return(order.purchase_order_id, [{"line_number": "1"}])["returnOrderId"])
        sandbox.advance_clock(3600)
    start = sandbox.clock.now_ms()
    sandbox.advance_clock(60)
    sandbox.auto_refund(ids[0])  # modified now, created first
    iso = datetime.fromtimestamp(start / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def found(**params: str) -> list[str]:
        return [r["returnOrderId"] for r in sandbox.list_returns(seller, params)["returnOrders"]]

    assert found(returnLastModifiedStartDate=iso) == [ids[0]]
    assert found(returnLastModifiedEndDate=iso) == [ids[2], ids[1]]
    assert found(returnLastModifiedStartDate="2000-01-01T00:00:00Z", returnLastModifiedEndDate=iso) == [ids[2], ids[1]]
    try:
        found(returnLastModifiedStartDate="yesterday")
    except SandboxHTTPError as bad:
        assert (bad.status, bad.field) == (400, "returnLastModifiedStartDate")
    else:
        raise AssertionError("an unreadable date must be refused")
