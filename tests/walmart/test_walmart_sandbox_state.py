"""The sandbox's state in-process: volume, paging, counters and clock rules."""

from __future__ import annotations

import json

from channel_manager_sandboxes.walmart import WalmartSandbox, WalmartSandboxSettings


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
