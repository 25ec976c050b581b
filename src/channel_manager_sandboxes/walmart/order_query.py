"""``GET /v3/orders``, ``/v3/orders/released`` and ``/v3/orders/{id}``: filters, windows, paging by
nextCursor and the cap on one query's results (NOTES.md section 2)."""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from channel_manager_sandboxes.walmart.contract import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ORDER_STATUSES
from channel_manager_sandboxes.walmart.dates import DAY_MS, iso, parse_query_date
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError, not_found
from channel_manager_sandboxes.walmart.model import PurchaseOrder, Seller
from channel_manager_sandboxes.walmart.render import order_text

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.state import WalmartSandbox

ORDER_FILTERS = (
    "sku",
    "customerOrderId",
    "purchaseOrderId",
    "status",
    "createdStartDate",
    "createdEndDate",
    "fromExpectedShipDate",
    "toExpectedShipDate",
    "lastModifiedStartDate",
    "lastModifiedEndDate",
    "shipNodeType",
    "productInfo",
    "replacementInfo",
    "orderType",
    "shippingProgramType",
)
CURSOR_KEYS = ("hasMoreElements", "soIndex", "poIndex", "partnerId", "sellerId")
_NOT_ON_RELEASED = ("status", "lastModifiedStartDate", "lastModifiedEndDate")
_WINDOWS = (
    ("fromExpectedShipDate", "toExpectedShipDate", "estimated_ship_ms"),
    ("lastModifiedStartDate", "lastModifiedEndDate", "last_modified_ms"),
)


def _bad_param(description: str, name: str) -> SandboxHTTPError:
    return SandboxHTTPError(400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", description, field=name)


@dataclass
class OrderQuery:
    """One order query, checked."""

    limit: int
    offset: int
    start: int
    end: int
    released: bool
    status: str | None = None
    sku: str | None = None
    customer_order_id: str | None = None
    purchase_order_id: str | None = None
    ship_node: str = "SellerFulfilled"
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def matches(self, order: PurchaseOrder) -> bool:
        if self.purchase_order_id and order.purchase_order_id != self.purchase_order_id:
            return False
        if self.customer_order_id and order.customer_order_id != self.customer_order_id:
            return False
        if order.ship_node_type != self.ship_node:
            return False
        if self.sku and not any(line.sku == self.sku for line in order.lines):
            return False
        if self.released and not order.has_status("Created"):
            return False
        if self.status and not order.has_status(self.status):
            return False
        return all(low <= getattr(order, attr) <= high for attr, (low, high) in self.windows.items())


def _checked_limit(params: Mapping[str, str]) -> int:
    try:
        limit = int(params.get("limit", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise _bad_param(f"limit should be between 1 and {MAX_PAGE_SIZE}", "limit")
    return limit


def _check_names(params: Mapping[str, str], released: bool) -> None:
    unknown = [k for k in params if k not in ORDER_FILTERS and k not in CURSOR_KEYS and k != "limit"]
    if unknown:
        raise _bad_param(f"Invalid query parameter {unknown[0]}", unknown[0])
    if released:
        bad = next((k for k in _NOT_ON_RELEASED if k in params), None)
        if bad is not None:
            raise _bad_param(f"Invalid query parameter {bad}", bad)
    status = params.get("status")
    if status is not None and status not in ORDER_STATUSES:
        raise _bad_param(f"Invalid status {status}", "status")


def parse_order_query(params: Mapping[str, str], *, released: bool, now: int, lookback_days: int) -> OrderQuery:
    _check_names(params, released)
    limit = _checked_limit(params)
    in_cursor = "hasMoreElements" in params
    start = now - 7 * DAY_MS
    if "createdStartDate" in params:
        start = parse_query_date("createdStartDate", params["createdStartDate"], cursor=in_cursor)
    end = (
        parse_query_date("createdEndDate", params["createdEndDate"], cursor=in_cursor)
        if "createdEndDate" in params
        else now
    )
    oldest = now - lookback_days * DAY_MS
    if start < oldest - DAY_MS:
        raise _bad_param(f"createdStartDate must be within the last {lookback_days} days", "createdStartDate")
    windows = {}
    for low, high, attr in _WINDOWS:
        if low in params or high in params:
            windows[attr] = (
                parse_query_date(low, params[low]) if low in params else 0,
                parse_query_date(high, params[high]) if high in params else 1 << 62,
            )
    return OrderQuery(
        limit=limit,
        offset=int(params.get("poIndex", "0") or 0),
        start=max(start, oldest),
        end=end,
        released=released,
        status=params.get("status"),
        sku=params.get("sku"),
        customer_order_id=params.get("customerOrderId"),
        purchase_order_id=params.get("purchaseOrderId"),
        ship_node=params.get("shipNodeType", "SellerFulfilled"),
        windows=windows,
    )


def _too_many(cap: int, total: int) -> SandboxHTTPError:
    """The answer past the cap: orders.openapi.yml says "a maximum of 20000 orders can be fetched at a time.
    Attempting to download more than 20000 orders will return an error" without the error's code; the sandbox
    answers Walmart's service error shape with 400 INVALID_REQUEST_PARAM (docs/walmart-sandbox.md)."""
    return _bad_param(
        f"Only a maximum of {cap} orders can be fetched at a time; this query matches {total} orders. "
        "Narrow the date range (createdStartDate, createdEndDate) and try again.",
        "createdStartDate",
    )


class OrderReads:
    def __init__(self, sandbox: WalmartSandbox) -> None:
        self.sandbox = sandbox

    def list_orders(self, seller: Seller, params: Mapping[str, str], *, released: bool, base: str) -> str:
        sandbox = self.sandbox
        sandbox.orders.tick()
        query = parse_order_query(
            params, released=released, now=sandbox.clock.now_ms(), lookback_days=sandbox.settings.lookback_days
        )
        cap = sandbox.settings.max_query_results
        with sandbox.lock:
            matches, total = self._page(seller, query)
            if query.offset >= cap or (total > cap and query.offset + query.limit > cap):
                raise _too_many(cap, total)
            texts = [order_text(order) for order in matches]
        if not texts:
            raise not_found("Failed when called getAllOrders. Orders not found for given search parameters")
        meta: dict[str, Any] = {"totalCount": total, "limit": query.limit}
        if query.offset + query.limit < total:
            meta["nextCursor"] = self._next_cursor(seller, params, query, total)
        return '{"list":{"meta":' + json.dumps(meta) + ',"elements":{"order":[' + ",".join(texts) + "]}}}"

    @staticmethod
    def _page(seller: Seller, query: OrderQuery) -> tuple[list[PurchaseOrder], int]:
        """(the page's orders, newest first; how many match in all)."""
        index = seller.by_date
        lo = bisect_left(index, (query.start, ""))
        hi = bisect_right(index, (query.end, "\uffff"))
        matches: list[PurchaseOrder] = []
        total = 0
        for i in range(hi - 1, lo - 1, -1):
            order = seller.orders[index[i][1]]
            if not query.matches(order):
                continue
            if query.offset <= total < query.offset + query.limit:
                matches.append(order)
            total += 1
        return matches, total

    @staticmethod
    def _next_cursor(seller: Seller, params: Mapping[str, str], query: OrderQuery, total: int) -> str:
        rest = {k: v for k, v in params.items() if k not in CURSOR_KEYS and k != "limit"}
        rest.update(createdStartDate=iso(query.start), createdEndDate=iso(query.end))
        cursor = {
            "limit": query.limit,
            "hasMoreElements": "true",
            "soIndex": total,
            "poIndex": query.offset + query.limit,
            "partnerId": seller.partner_id,
            "sellerId": seller.seller_id,
            **rest,
        }
        return "?" + urlencode(cursor, quote_via=quote)

    def get_order_text(self, seller: Seller, purchase_order_id: str) -> str:
        self.sandbox.orders.tick()
        with self.sandbox.lock:
            return '{"order":' + order_text(self.sandbox.orders.order(seller, purchase_order_id, "getAnOrder")) + "}"
