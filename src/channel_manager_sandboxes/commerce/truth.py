"""The store-side truth for a verdict that does not trust the connector's records
(``GET /_sandbox/truth``): per Walmart PO (``ext_order_id``) every Commerce order that carries it, and
per order line what Commerce did with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce.entities import num

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

_QUANTITIES = ("qty_ordered", "qty_invoiced", "qty_shipped", "qty_refunded", "qty_canceled")


def _order_truth(sandbox: CommerceSandbox, order: dict[str, Any]) -> dict[str, Any]:
    order_id = order["entity_id"]
    shipments = [s for s in sandbox.shipments.values() if s["order_id"] == order_id]
    memos = [m for m in sandbox.creditmemos.values() if m["order_id"] == order_id]
    lines = {}
    for item in order["items"]:
        key = str(item.get("ext_order_item_id") or item["sku"])
        lines[key] = {"sku": item["sku"], **{name: num(item.get(name)) for name in _QUANTITIES}}
    return {
        "entity_id": order_id,
        "increment_id": order["increment_id"],
        "state": order["state"],
        "status": order["status"],
        "created_by_module": sandbox.module.link_of(order_id) is not None,
        "lines": lines,
        "tracking_numbers": sorted({t["track_number"] for s in shipments for t in s["tracks"]}),
        "shipments": [{"entity_id": s["entity_id"], "total_qty": s["total_qty"]} for s in shipments],
        "creditmemos": [
            {
                "entity_id": m["entity_id"],
                "grand_total": m["grand_total"],
                "subtotal": m["subtotal"],
                "tax_amount": m["tax_amount"],
                "shipping_amount": m["shipping_amount"],
            }
            for m in memos
        ],
        "total_refunded": num(order.get("total_refunded")),
    }


def commerce_truth(sandbox: CommerceSandbox) -> dict[str, Any]:
    with sandbox.lock:
        by_po: dict[str, list[dict[str, Any]]] = {}
        for order in sandbox.orders.values():
            if order.get("ext_order_id"):
                by_po.setdefault(str(order["ext_order_id"]), []).append(_order_truth(sandbox, order))
        return {
            "orders_by_ext_order_id": by_po,
            "counters": {
                "orders": len(sandbox.orders),
                "orders_without_ext_order_id": sum(1 for o in sandbox.orders.values() if not o.get("ext_order_id")),
                "duplicate_ext_order_ids": sandbox.order_store.duplicate_ext_order_ids(),
                "module_orders_placed": sandbox.module.placed,
                "module_orders_replayed": sandbox.module.replayed,
            },
        }
