"""Returns: the customer's return (control API), ``GET /v3/returns`` with its filters and
``POST /v3/returns/{id}/refund`` (NOTES.md section 4), and Walmart's own auto refund."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from channel_manager_sandboxes.walmart.dates import DAY_MS, iso, parse_returns_date
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
from channel_manager_sandboxes.walmart.model import (
    SHIPPED_STATUSES,
    Line,
    PurchaseOrder,
    ReturnLine,
    ReturnOrder,
    Seller,
)
from channel_manager_sandboxes.walmart.refunds import refund_po_line_for_return
from channel_manager_sandboxes.walmart.render import render_return

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.state import WalmartSandbox

_PARAM = "INVALID_REQUEST_PARAM.GMP_RETURNS_API"
_CONTENT = "INVALID_REQUEST_CONTENT.GMP_RETURNS_API"
_NO_LIMIT = 1 << 62


def _event(sequence: int, tag: str, description: str, at: int) -> dict[str, Any]:
    return {
        "sequenceNo": sequence,
        "eventTag": tag,
        "eventDescription": description,
        "eventTime": iso(at),
        "references": [],
    }


@dataclass
class ReturnQuery:
    limit: int
    offset: int
    created: tuple[int, int] | None
    modified: tuple[int, int] | None
    params: Mapping[str, str]

    def matches(self, item: ReturnOrder) -> bool:
        params = self.params
        if params.get("returnOrderId") and item.return_order_id != params["returnOrderId"]:
            return False
        if params.get("customerOrderId") and item.customer_order_id != params["customerOrderId"]:
            return False
        if params.get("status") and item.status != params["status"]:
            return False
        if params.get("returnType") and params["returnType"] != "REFUND":
            return False
        if self.created and not self.created[0] <= item.created_ms <= self.created[1]:
            return False
        return not (self.modified and not self.modified[0] <= item.last_modified_ms <= self.modified[1])


def parse_return_query(params: Mapping[str, str]) -> ReturnQuery:
    try:
        limit = int(params.get("limit", "10"))
        offset = int(params.get("offset", "0"))
    except ValueError:
        raise SandboxHTTPError(400, _PARAM, "Invalid limit or offset", field="limit") from None
    if not 1 <= limit <= 200:
        raise SandboxHTTPError(400, _PARAM, "limit should be between 1 and 200", field="limit")
    start, end = params.get("returnCreationStartDate"), params.get("returnCreationEndDate")
    if (start is None) != (end is None):
        raise SandboxHTTPError(
            400,
            _PARAM,
            "returnCreationStartDate and returnCreationEndDate go together",
            field="returnCreationStartDate",
        )
    created = None
    if start and end:
        created = (
            parse_returns_date("returnCreationStartDate", start),
            parse_returns_date("returnCreationEndDate", end),
        )
    modified = None
    low, high = params.get("returnLastModifiedStartDate"), params.get("returnLastModifiedEndDate")
    if low or high:
        modified = (
            parse_returns_date("returnLastModifiedStartDate", low) if low else 0,
            parse_returns_date("returnLastModifiedEndDate", high) if high else _NO_LIMIT,
        )
    return ReturnQuery(limit, offset, created, modified, params)


class Returns:
    def __init__(self, sandbox: WalmartSandbox) -> None:
        self.sandbox = sandbox
        self.return_index: dict[str, str] = {}
        """return order id -> seller id."""

    def list_returns(self, seller: Seller, params: Mapping[str, str]) -> dict[str, Any]:
        self.sandbox.orders.tick()
        query = parse_return_query(params)
        with self.sandbox.lock:
            matches = [seller.returns[r] for r in reversed(seller.return_ids) if query.matches(seller.returns[r])]
            page = [render_return(r) for r in matches[query.offset : query.offset + query.limit]]
        cursor = ""
        if query.offset + query.limit < len(matches):
            rest = {k: v for k, v in params.items() if k not in ("limit", "offset", "sellerId")}
            cursor = "?" + urlencode(
                {"sellerId": seller.seller_id, "limit": query.limit, "offset": query.offset + query.limit, **rest},
                quote_via=quote,
            )
        return {"meta": {"totalCount": len(matches), "limit": query.limit, "nextCursor": cursor}, "returnOrders": page}

    # ------------------------------------------------------------ the customer returns (control API)

    def open_return(self, purchase_order_id: str, lines: list[Mapping[str, Any]]) -> dict[str, Any]:
        sandbox = self.sandbox
        with sandbox.lock:
            seller, order = sandbox.orders.located(purchase_order_id)
            now = sandbox.clock.now_ms()
            rlines = [self._return_line(order, raw, i, now) for i, raw in enumerate(lines, start=1)]
            name = str(order.address.get("name") or "").split(" ", 1)
            item = ReturnOrder(
                return_order_id=str(next(sandbox.return_ids)),
                seller_id=seller.seller_id,
                customer_order_id=order.customer_order_id,
                customer_email=order.customer_email,
                first_name=name[0],
                last_name=name[1] if len(name) > 1 else "",
                created_at=iso(now),
                created_ms=now,
                return_by=iso(now + 30 * DAY_MS),
                lines=rlines,
                last_modified_ms=now,
            )
            seller.returns[item.return_order_id] = item
            seller.return_ids.append(item.return_order_id)
            self.return_index[item.return_order_id] = seller.seller_id
            return render_return(item)

    @staticmethod
    def _return_line(order: PurchaseOrder, raw: Mapping[str, Any], number: int, now: int) -> ReturnLine:
        line: Line | None = order.line(str(raw["line_number"]))
        if line is None:
            raise KeyError(f"PO {order.purchase_order_id} has no line {raw['line_number']}")
        units = int(raw.get("quantity", 1))
        returnable = line.qty(*SHIPPED_STATUSES) - line.returned_quantity
        if units < 1 or units > returnable:
            raise ValueError(f"line {line.number} has {returnable} shipped units that can be returned")
        line.returned_quantity += units
        return ReturnLine(
            number=number,
            purchase_order_id=order.purchase_order_id,
            po_line_number=line.number,
            seller_order_id=line.seller_order_id,
            reason=str(raw.get("reason", "NO_LONGER_WANTED")),
            sku=line.sku,
            product_name=line.product_name,
            quantity=units,
            unit_price=line.unit_price,
            unit_tax=line.unit_tax,
            status_time=iso(now),
            events=[_event(1, "RETURN_INITIATED", "Return initiated", now)],
        )

    # ------------------------------------------------------------ refunding a return

    def auto_refund(self, return_order_id: str) -> dict[str, Any]:
        """Walmart's own refund of a return (48 h after delivery at the return center)."""
        seller_id = self.return_index.get(return_order_id)
        if seller_id is None:
            raise KeyError(f"no return {return_order_id}")
        seller = self.sandbox.sellers[seller_id]
        item = seller.returns[return_order_id]
        lines = [{"returnOrderLineNumber": x.number} for x in item.lines if x.refunded_quantity < x.quantity]
        body = {"customerOrderId": item.customer_order_id, "refundLines": lines}
        return self.refund_return(seller, return_order_id, body, channel="WALMART_TRIGGERED_REFUND", key_body=False)

    def refund_return(
        self,
        seller: Seller,
        return_order_id: str,
        body: Any,
        *,
        channel: str = "SELLER_MANUAL_REFUND",
        key_body: bool = True,
    ) -> dict[str, Any]:
        sandbox = self.sandbox
        sandbox.orders.tick()
        with sandbox.lock:
            item = seller.returns.get(return_order_id)
            if item is None:
                raise SandboxHTTPError(
                    404, "CONTENT_NOT_FOUND.GMP_RETURNS_API", f"Return order {return_order_id} not found"
                )
            plan = self._plan(item, body)
            now = sandbox.clock.now_ms()
            for line, units in plan:
                line.refunded_quantity += units
                line.refund_channel = channel
                line.status_time = iso(now)
                line.events.append(_event(len(line.events) + 1, "REFUND_ISSUED", "Refund issued", now))
                order = seller.orders.get(line.purchase_order_id)
                if order is not None:
                    refund_po_line_for_return(order, line, units, now)
            item.last_modified_ms = now
            sandbox.counters.accept(seller, "return_refund", return_order_id, body if key_body else channel, iso(now))
            refund_lines = [
                {"returnOrderLineNumber": line.number, "quantity": {"unitOfMeasure": "EACH", "measurementValue": units}}
                for line, units in plan
            ]
            return {
                "returnOrderId": return_order_id,
                "customerOrderId": item.customer_order_id,
                "refundLines": refund_lines,
            }

    @staticmethod
    def _plan(item: ReturnOrder, body: Any) -> list[tuple[ReturnLine, int]]:
        if not isinstance(body, Mapping) or body.get("customerOrderId") != item.customer_order_id:
            raise SandboxHTTPError(
                400, _CONTENT, "customerOrderId does not match the return order", field="customerOrderId"
            )
        raw_lines = body.get("refundLines") or []
        if not raw_lines and len(item.lines) == 1:
            raw_lines = [{}]
        if not raw_lines:
            raise SandboxHTTPError(400, _CONTENT, "refundLines is required", field="refundLines")
        return [_planned_return_line(item, raw) for raw in raw_lines]


def _planned_return_line(item: ReturnOrder, raw: Mapping[str, Any]) -> tuple[ReturnLine, int]:
    number = raw.get("returnOrderLineNumber")
    if number is None:
        if len(item.lines) != 1:
            raise SandboxHTTPError(400, _CONTENT, "returnOrderLineNumber is required", field="returnOrderLineNumber")
        number = item.lines[0].number
    line = next((x for x in item.lines if x.number == int(number)), None)
    if line is None:
        raise SandboxHTTPError(400, _CONTENT, f"Invalid returnOrderLineNumber {number}", field="returnOrderLineNumber")
    left = line.quantity - line.refunded_quantity
    if left == 0:
        raise SandboxHTTPError(
            400,
            _CONTENT,
            f"Return order line {number} of return {item.return_order_id} is already refunded",
            field="returnOrderLineNumber",
        )
    quantity_raw = raw.get("quantity")
    units = int(quantity_raw["measurementValue"]) if isinstance(quantity_raw, Mapping) else left
    if not 1 <= units <= left:
        raise SandboxHTTPError(
            400, _CONTENT, f"Invalid quantity {units} for return order line {number}", field="quantity"
        )
    return line, units
