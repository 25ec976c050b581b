"""The Walmart sandbox's state and rules: tokens, orders (per line and per quantity), returns,
inventory and subscriptions for every seller, behind one lock.

Handlers in ``app.py`` translate HTTP to these methods; every method either returns Walmart's JSON
(a dict, or text for big lists) or raises :class:`SandboxHTTPError` with Walmart's error body.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
import json
import random
import re
import threading
import uuid
from bisect import bisect_left, bisect_right, insort
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from channel_manager.domain.carriers import WALMART_CARRIERS, WALMART_METHOD_CODES
from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.sandbox.walmart.clock import SandboxClock
from channel_manager.sandbox.walmart.errors import (
    SandboxHTTPError,
    not_found,
    order_error,
    unauthorized,
)
from channel_manager.sandbox.walmart.faults import FaultBook
from channel_manager.sandbox.walmart.generator import catalog_from, pick, random_address
from channel_manager.sandbox.walmart.limits import SandboxRateLimits
from channel_manager.sandbox.walmart.model import (
    OPEN_STATUSES,
    SHIPPED_STATUSES,
    Line,
    PurchaseOrder,
    ReturnLine,
    ReturnOrder,
    Seller,
    StatusEntry,
    Subscription,
    canonical,
)
from channel_manager.sandbox.walmart.render import (
    money,
    notification_lines,
    order_text,
    render_order,
    render_return,
)
from channel_manager.sandbox.walmart.settings import WalmartSandboxSettings
from channel_manager.walmart.notifications import SIGNATURE_HEADER, sign_notification

DAY_MS = 86_400_000
AUTO_CANCEL_REASON = "SELLER_CANCEL_AUTO_CANCELLED"  # sandbox's choice; Walmart's exact value is unconfirmed
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})?)?$")
_CURSOR_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_ORDER_FILTERS = (
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
_CURSOR_KEYS = ("hasMoreElements", "soIndex", "poIndex", "partnerId", "sellerId")
ORDER_STATUSES = ("Created", "Acknowledged", "Shipped", "Delivered", "Cancelled")
_REFUND_REASONS = {r.value for r in RefundReason}
_CANCEL_REASONS = {r.value for r in CancellationReason if r.is_seller_reason}


@dataclass
class Delivery:
    """One notification to POST: the sandbox's dispatcher sends it (with retries)."""

    event_id: str
    event_type: str
    url: str
    body: bytes
    headers: dict[str, str]
    seller_id: str
    attempts: int = 0
    status: int | None = None
    delivered: bool = False
    error: str | None = None


@dataclass
class Counters:
    calls: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rejected_log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=200))
    applied_twice: int = 0
    applied_twice_log: list[dict[str, Any]] = field(default_factory=list)
    duplicate_acknowledgements: int = 0
    changes_applied: int = 0
    lost_responses: int = 0
    faults_fired: int = 0
    notifications_sent: int = 0
    notifications_failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "calls_total": sum(self.calls.values()),
            "throttled": self.throttled,
            "rejected": dict(self.rejected),
            "rejected_total": sum(self.rejected.values()),
            "rejected_recent": list(self.rejected_log),
            "applied_twice": self.applied_twice,
            "applied_twice_details": list(self.applied_twice_log),
            "duplicate_acknowledgements": self.duplicate_acknowledgements,
            "changes_applied": self.changes_applied,
            "lost_responses": self.lost_responses,
            "faults_fired": self.faults_fired,
            "notifications_sent": self.notifications_sent,
            "notifications_failed": self.notifications_failed,
        }


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def _cursor_time(ms: int) -> str:
    """Dates inside a nextCursor keep milliseconds (as Walmart's sample cursor does)."""
    return _iso(ms)


def parse_query_date(name: str, value: str, *, cursor: bool = False) -> int:
    """``yyyy-MM-dd`` or ``yyyy-MM-ddTHH:mm:ssZ`` -> epoch ms; fractional seconds only inside a cursor."""
    text = value.strip()
    if not (_DATE_RE.match(text) or (cursor and _CURSOR_DATE_RE.match(text))):
        raise SandboxHTTPError(400, "INVALID_REQUEST.GMP_ORDER_API", "Invalid Date format value", field=name)
    if "T" not in text:
        text += "T00:00:00Z"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _quantity(raw: Any, field_name: str = "statusQuantity") -> int:
    try:
        amount = raw["amount"] if isinstance(raw, Mapping) else raw
        number = Decimal(str(amount))
    except (KeyError, TypeError, InvalidOperation):
        raise order_error(f"Invalid {field_name}", field=field_name) from None
    if number != number.to_integral_value() or number < 1:
        raise order_error(f"Invalid {field_name} amount {amount}", field=field_name)
    return int(number)


def _decimal(raw: Any, field_name: str) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, TypeError):
        raise order_error(f"Invalid amount {raw!r}", field=field_name) from None


def _list(container: Any, *keys: str) -> list[Any]:
    value = container
    for key in keys:
        if not isinstance(value, Mapping):
            return []
        value = value.get(key)
    if isinstance(value, Mapping):
        return [value]
    return value if isinstance(value, list) else []


def delivery_headers(body: bytes, headers: Mapping[str, Any], auth: Mapping[str, Any]) -> dict[str, str]:
    """The headers of one notification: the subscription's own, plus its HMAC signature or Basic auth."""
    result = {"Content-Type": "application/json", **{k: str(v) for k, v in headers.items()}}
    method = str(auth.get("authMethod") or "").upper()
    if method == "HMAC" and auth.get("clientSecret"):
        result[auth.get("authHeaderName") or SIGNATURE_HEADER] = sign_notification(body, str(auth["clientSecret"]))
    elif method == "BASIC_AUTH" and auth.get("userName") is not None:
        token = base64.b64encode(f"{auth['userName']}:{auth.get('password', '')}".encode()).decode()
        result[auth.get("authHeaderName") or "Authorization"] = "Basic " + token
    return result


class WalmartSandbox:
    """All sellers of one sandbox instance, with one lock."""

    def __init__(self, settings: WalmartSandboxSettings | None = None, clock: SandboxClock | None = None) -> None:
        self.settings = settings or WalmartSandboxSettings()
        self.clock = clock or SandboxClock()
        self.lock = threading.RLock()
        self.sellers: dict[str, Seller] = {}
        self.by_client_id: dict[str, Seller] = {}
        self.tokens: dict[str, tuple[str, int]] = {}
        self.po_index: dict[str, str] = {}
        self.return_index: dict[str, str] = {}
        self.counters = Counters()
        self.faults = FaultBook(seed=self.settings.seed)
        self.rate_limits = SandboxRateLimits(self.settings.limits, enabled=self.settings.rate_limits)
        self.rng = random.Random(self.settings.seed)
        self._po_ids = itertools.count(1796277083022)
        self._customer_ids = itertools.count(4372135469400)
        self._return_ids = itertools.count(103738048909818825)
        self._partner_ids = itertools.count(10000001)
        self._auto_cancel: list[tuple[int, str]] = []
        self.deliveries: deque[Delivery] = deque(maxlen=1000)
        self.pending_deliveries: list[Delivery] = []
        self.dispatch: Callable[[Delivery], None] | None = None
        self.create_seller(self.settings.seller_id, self.settings.client_id, self.settings.client_secret)

    # ------------------------------------------------------------ sellers and tokens

    def create_seller(self, seller_id: str, client_id: str, client_secret: str) -> Seller:
        with self.lock:
            if seller_id in self.sellers:
                raise ValueError(f"seller {seller_id} exists")
            if client_id in self.by_client_id:
                raise ValueError(f"client id {client_id} is taken")
            seller = Seller(seller_id, client_id, client_secret, str(next(self._partner_ids)))
            self.sellers[seller_id] = seller
            self.by_client_id[client_id] = seller
            return seller

    def seller(self, seller_id: str) -> Seller:
        seller = self.sellers.get(seller_id)
        if seller is None:
            raise KeyError(f"no seller {seller_id}")
        return seller

    def issue_token(self, authorization: str | None, form: Mapping[str, str]) -> dict[str, Any]:
        seller = self._basic_seller(authorization)
        if form.get("grant_type") != "client_credentials":
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_CONTENT.GMP_GATEWAY_API",
                "grant_type must be client_credentials",
                field="grant_type",
                gateway=True,
            )
        token = "sbx." + uuid.uuid4().hex + uuid.uuid4().hex
        lifetime = int(self.settings.token_lifetime)
        with self.lock:
            self.tokens[token] = (seller.seller_id, self.clock.now_ms() + lifetime * 1000)
        return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}

    def _basic_seller(self, authorization: str | None) -> Seller:
        if not authorization or not authorization.startswith("Basic "):
            raise unauthorized()
        try:
            client_id, _, secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized() from None
        seller = self.by_client_id.get(client_id)
        if seller is None or seller.client_secret != secret:
            raise unauthorized()
        return seller

    def authenticate(self, token: str | None) -> Seller:
        if not token:
            raise unauthorized()
        entry = self.tokens.get(token)
        if entry is None or entry[1] <= self.clock.now_ms():
            raise unauthorized()
        return self.sellers[entry[0]]

    def token_detail(self, token: str | None) -> dict[str, Any]:
        self.authenticate(token)
        _seller_id, expires = self.tokens[token or ""]
        issued = expires - int(self.settings.token_lifetime) * 1000
        return {
            "expire_at": str(expires),
            "issued_at": str(issued),
            "is_valid": True,
            "scopes": {
                "orders": "full_access",
                "returns": "full_access",
                "inventory": "full_access",
                "notifications": "full_access",
            },
        }

    def revoke_tokens(self, seller_id: str) -> int:
        with self.lock:
            doomed = [t for t, (s, _) in self.tokens.items() if s == seller_id]
            for token in doomed:
                del self.tokens[token]
            return len(doomed)

    # ------------------------------------------------------------ bookkeeping

    def record_rejection(self, endpoint: str, error: SandboxHTTPError, seller_id: str | None = None) -> None:
        with self.lock:
            key = f"{error.status} {error.code}"
            self.counters.rejected[key] += 1
            self.counters.rejected_log.append(
                {
                    "endpoint": endpoint,
                    "seller_id": seller_id,
                    "status": error.status,
                    "code": error.code,
                    "field": error.field,
                    "description": error.description,
                    "at": _iso(self.clock.now_ms()),
                }
            )

    def _accept(self, seller: Seller, kind: str, target: str, body: Any) -> None:
        """Count an accepted change; one whose canonical request was accepted before is "applied twice".

        The ship time is left out of a shipment's canonical form: a replay that stamps a new ship
        time is still the same shipment.
        """
        if kind == "ship":
            body = json.loads(json.dumps(body))
            for line in _list(body.get("orderShipment"), "orderLines", "orderLine"):
                for status in _list(line, "orderLineStatuses", "orderLineStatus"):
                    if isinstance(status, dict) and isinstance(status.get("trackingInfo"), dict):
                        status["trackingInfo"].pop("shipDateTime", None)
        key = canonical(kind, target, body)
        self.counters.changes_applied += 1
        if key in seller.accepted:
            self.counters.applied_twice += 1
            self.counters.applied_twice_log.append(
                {"seller_id": seller.seller_id, "kind": kind, "target": target, "at": _iso(self.clock.now_ms())}
            )
        else:
            seller.accepted.add(key)

    def _order(self, seller: Seller, purchase_order_id: str, api: str) -> PurchaseOrder:
        order = seller.orders.get(purchase_order_id)
        if order is None:
            raise not_found(f"Failed when called {api}. Order not found for purchaseOrderId {purchase_order_id}")
        return order

    def tick(self) -> None:
        """Apply what the clock implies: auto-cancel lines past estimatedShipDate + N days."""
        now = self.clock.now_ms()
        if not self._auto_cancel or self._auto_cancel[0][0] > now:
            return
        with self.lock:
            while self._auto_cancel and self._auto_cancel[0][0] <= now:
                _, po = heapq.heappop(self._auto_cancel)
                seller_id = self.po_index.get(po)
                if seller_id is None:
                    continue
                order = self.sellers[seller_id].orders[po]
                cancelled = []
                for line in order.lines:
                    if line.open_quantity:
                        quantity = line.open_quantity
                        line.take(OPEN_STATUSES, quantity)
                        line.put(StatusEntry("Cancelled", quantity, cancellation_reason=AUTO_CANCEL_REASON))
                        line.status_date_ms = now
                        cancelled.append(line)
                if cancelled:
                    order.touch(now)
                    self._emit(self.sellers[seller_id], "PO_LINE_AUTOCANCELLED", order, cancelled, "CANCELLED")

    # ------------------------------------------------------------ reading orders

    def list_orders(self, seller: Seller, params: Mapping[str, str], *, released: bool, base: str) -> str:
        self.tick()
        now = self.clock.now_ms()
        unknown = [k for k in params if k not in _ORDER_FILTERS and k not in _CURSOR_KEYS and k != "limit"]
        if unknown:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", f"Invalid query parameter {unknown[0]}", field=unknown[0]
            )
        if released and any(k in params for k in ("status", "lastModifiedStartDate", "lastModifiedEndDate")):
            bad = next(k for k in ("status", "lastModifiedStartDate", "lastModifiedEndDate") if k in params)
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", f"Invalid query parameter {bad}", field=bad
            )
        try:
            limit = int(params.get("limit", "100"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 200:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", "limit should be between 1 and 200", field="limit"
            )
        status = params.get("status")
        if status is not None and status not in ORDER_STATUSES:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_PARAM.GMP_ORDER_API", f"Invalid status {status}", field="status"
            )
        in_cursor = "hasMoreElements" in params
        start = (
            parse_query_date("createdStartDate", params["createdStartDate"], cursor=in_cursor)
            if "createdStartDate" in params
            else now - 7 * DAY_MS
        )
        end = (
            parse_query_date("createdEndDate", params["createdEndDate"], cursor=in_cursor)
            if "createdEndDate" in params
            else now
        )
        oldest = now - self.settings.lookback_days * DAY_MS
        if start < oldest - DAY_MS:
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_PARAM.GMP_ORDER_API",
                f"createdStartDate must be within the last {self.settings.lookback_days} days",
                field="createdStartDate",
            )
        start = max(start, oldest)
        windows = {}
        for low, high, attr in (
            ("fromExpectedShipDate", "toExpectedShipDate", "estimated_ship_ms"),
            ("lastModifiedStartDate", "lastModifiedEndDate", "last_modified_ms"),
        ):
            if low in params or high in params:
                windows[attr] = (
                    parse_query_date(low, params[low]) if low in params else 0,
                    parse_query_date(high, params[high]) if high in params else 1 << 62,
                )
        offset = int(params.get("poIndex", "0") or 0)
        sku = params.get("sku")
        customer_order_id = params.get("customerOrderId")
        po_filter = params.get("purchaseOrderId")
        ship_node = params.get("shipNodeType", "SellerFulfilled")
        with self.lock:
            index = seller.by_date
            lo = bisect_left(index, (start, ""))
            hi = bisect_right(index, (end, "\uffff"))
            matches: list[PurchaseOrder] = []
            total = 0
            for i in range(hi - 1, lo - 1, -1):
                order = seller.orders[index[i][1]]
                if po_filter and order.purchase_order_id != po_filter:
                    continue
                if customer_order_id and order.customer_order_id != customer_order_id:
                    continue
                if order.ship_node_type != ship_node:
                    continue
                if sku and not any(line.sku == sku for line in order.lines):
                    continue
                if released and not order.has_status("Created"):
                    continue
                if status and not order.has_status(status):
                    continue
                if windows and any(not (w[0] <= getattr(order, a) <= w[1]) for a, w in windows.items()):
                    continue
                if offset <= total < offset + limit:
                    matches.append(order)
                total += 1
            texts = [order_text(order) for order in matches]
        if not texts:
            raise not_found("Failed when called getAllOrders. Orders not found for given search parameters")
        meta: dict[str, Any] = {"totalCount": total, "limit": limit}
        if offset + limit < total:
            query = {k: v for k, v in params.items() if k not in _CURSOR_KEYS and k != "limit"}
            query.update(createdStartDate=_cursor_time(start), createdEndDate=_cursor_time(end))
            cursor = {
                "limit": limit,
                "hasMoreElements": "true",
                "soIndex": total,
                "poIndex": offset + limit,
                "partnerId": seller.partner_id,
                "sellerId": seller.seller_id,
                **query,
            }
            meta["nextCursor"] = "?" + urlencode(cursor, quote_via=quote)
        return '{"list":{"meta":' + json.dumps(meta) + ',"elements":{"order":[' + ",".join(texts) + "]}}}"

    def get_order_text(self, seller: Seller, purchase_order_id: str) -> str:
        self.tick()
        with self.lock:
            return '{"order":' + order_text(self._order(seller, purchase_order_id, "getAnOrder")) + "}"

    # ------------------------------------------------------------ writing orders

    def _write_result(self, order: PurchaseOrder) -> dict[str, Any]:
        return {"order": render_order(order)}

    def acknowledge(self, seller: Seller, purchase_order_id: str) -> dict[str, Any]:
        self.tick()
        with self.lock:
            order = self._order(seller, purchase_order_id, "acknowledge API")
            higher = any(line.qty(*SHIPPED_STATUSES) for line in order.lines) or all(
                line.qty("Cancelled") == line.quantity for line in order.lines
            )
            if higher:
                raise order_error(
                    f"INVALID_REQUEST_CONTENT :: Failed when called acknowledge API for '{purchase_order_id}'.  "
                    "Some or all qty in higher status"
                )
            created = [line for line in order.lines if line.qty("Created")]
            if not created:
                self.counters.duplicate_acknowledgements += 1
                return self._write_result(order)
            now = self.clock.now_ms()
            for line in created:
                quantity = line.qty("Created")
                line.take(("Created",), quantity)
                line.put(StatusEntry("Acknowledged", quantity))
                line.status_date_ms = now
            order.touch(now)
            self._accept(seller, "acknowledge", purchase_order_id, None)
            return self._write_result(order)

    def ship(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        self.tick()
        shipment = body.get("orderShipment") if isinstance(body, Mapping) else None
        if not isinstance(shipment, Mapping):
            raise order_error("orderShipment is required", field="orderShipment", code="MALFORMED_REQUEST_CONTENT")
        process_mode = shipment.get("processMode")
        if process_mode not in (None, "PARTIAL_UPDATE"):
            raise order_error(f"Invalid processMode {process_mode}", field="processMode")
        raw_lines = _list(shipment, "orderLines", "orderLine")
        if not raw_lines:
            raise order_error("orderLines is required", field="orderLines")
        with self.lock:
            order = self._order(seller, purchase_order_id, "shipConfirm API")
            plan = self._plan_shipment(order, raw_lines, partial_update=process_mode == "PARTIAL_UPDATE")
            now = self.clock.now_ms()
            changed = False
            for line, raw, entries in plan:
                if process_mode == "PARTIAL_UPDATE":
                    for quantity, tracking in entries:
                        chunks = [e for e in line.entries if e.status in SHIPPED_STATUSES]
                        target = next((c for c in chunks if c.quantity == quantity), chunks[0])
                        if target.tracking != tracking:
                            target.tracking = tracking
                            changed = True
                else:
                    for quantity, tracking in entries:
                        line.take(("Acknowledged", "Created"), quantity)
                        line.put(StatusEntry("Shipped", quantity, tracking=tracking, shipped_at_ms=now))
                        changed = True
                    if raw.get("sellerOrderId"):
                        line.seller_order_id = str(raw["sellerOrderId"])[:30]
                line.status_date_ms = now
            if changed:
                order.touch(now)
                self._accept(seller, "ship", purchase_order_id, body)
            return self._write_result(order)

    def _plan_shipment(
        self, order: PurchaseOrder, raw_lines: list[Any], *, partial_update: bool
    ) -> list[tuple[Line, Mapping[str, Any], list[tuple[int, dict[str, Any]]]]]:
        po = order.purchase_order_id
        plan = []
        wanted: Counter[str] = Counter()
        now = self.clock.now_ms()
        for raw in raw_lines:
            if not isinstance(raw, Mapping):
                raise order_error("Invalid orderLine", field="orderLine")
            number = str(raw.get("lineNumber", ""))
            line = order.line(number)
            if line is None:
                raise order_error(f"Invalid lineNumber {number} for PO {po}", field="lineNumber")
            statuses = _list(raw, "orderLineStatuses", "orderLineStatus")
            if not statuses:
                raise order_error(f"orderLineStatuses is required in line number {number}", field="orderLineStatuses")
            entries = []
            for status in statuses:
                if not isinstance(status, Mapping) or status.get("status") != "Shipped":
                    raise order_error(f"Invalid status in line number {number}: use Shipped", field="status")
                quantity = _quantity(status.get("statusQuantity"))
                entries.append((quantity, self._tracking(status.get("trackingInfo"), number)))
                wanted[number] += quantity
            plan.append((line, raw, entries))
            if partial_update:
                shipped = [e for e in line.entries if e.status in SHIPPED_STATUSES]
                if not shipped:
                    raise order_error(
                        f"Unable to process this request. PARTIAL_UPDATE is allowed only for shipped lines; "
                        f"the Line: {number} of PO: {po} is not shipped",
                        field="processMode",
                    )
                first = min(e.shipped_at_ms or now for e in shipped)
                if now - first > self.settings.partial_update_hours * 3_600_000:
                    raise order_error(
                        f"Unable to process this request. Tracking of the Line: {number} of PO: {po} can only be "
                        f"updated within {self.settings.partial_update_hours} hours of the first shipment",
                        field="processMode",
                    )
                continue
            if line.intent_to_cancel and raw.get("intentToCancelOverride") is not True:
                raise order_error(
                    f"Unable to process this request. The Line: {number} of PO: {po} has a customer request to "
                    "cancel (intentToCancel); send intentToCancelOverride true to ship it",
                    field="intentToCancelOverride",
                )
        if partial_update:
            return plan
        for number, quantity in wanted.items():
            line = order.line(number)
            assert line is not None
            available = line.qty("Acknowledged") + (0 if self.settings.require_acknowledgement else line.qty("Created"))
            if quantity <= available:
                continue
            if line.open_quantity == 0:
                state = (
                    "CANCELLED"
                    if line.qty("Cancelled") == line.quantity
                    else ("DELIVERED" if line.qty("Delivered") and not line.qty("Shipped") else "SHIPPED")
                )
                raise order_error(
                    f"Unable to process this request. The Line: {number} of PO: {po} is in {state} status"
                )
            if self.settings.require_acknowledgement and line.qty("Created") and quantity <= line.open_quantity:
                raise order_error(
                    f"Unable to process this request. The Line: {number} of PO: {po} is in CREATED status; "
                    "acknowledge the order before shipping it"
                )
            raise order_error(
                f"INVALID_REQUEST_CONTENT :: Failed when called shipConfirm API for {po}. Qty OverShipped : Some or "
                "All Line(s)/Qty cannot be Shipped due to invalid Lines Or invalid Qty Or Qty more than allowed"
            )
        return plan

    def _tracking(self, raw: Any, number: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise order_error(f"trackingInfo is required in line number {number}", field="trackingInfo")
        carrier_name = raw.get("carrierName")
        if not isinstance(carrier_name, Mapping):
            raise order_error(f"carrierName is required in line number {number}", field="carrierName")
        carrier, other = carrier_name.get("carrier"), carrier_name.get("otherCarrier")
        url = raw.get("trackingURL")
        if carrier:
            if carrier not in WALMART_CARRIERS:
                raise order_error(f"Carrier {carrier} is not supported in line number {number}", field="carrierName")
        elif other:
            if not url:
                raise order_error(
                    f"trackingURL is required with otherCarrier in line number {number}", field="trackingURL"
                )
        else:
            raise order_error(f"carrierName is required in line number {number}", field="carrierName")
        method = raw.get("methodCode")
        if method not in WALMART_METHOD_CODES:
            raise order_error(f"Method code is not supported in line number {number}", field="methodCode")
        tracking_number = raw.get("trackingNumber")
        if not tracking_number:
            raise order_error(f"trackingNumber is required in line number {number}", field="trackingNumber")
        ship_time = raw.get("shipDateTime")
        if not isinstance(ship_time, int | float) or isinstance(ship_time, bool):
            raise order_error(f"shipDateTime is required in line number {number}", field="shipDateTime")
        return {
            "shipDateTime": int(ship_time),
            "carrierName": {"otherCarrier": other or None, "carrier": carrier or None},
            "methodCode": method,
            "trackingNumber": str(tracking_number),
            "trackingURL": url,
        }

    def cancel(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        self.tick()
        cancellation = body.get("orderCancellation") if isinstance(body, Mapping) else None
        if not isinstance(cancellation, Mapping):
            raise order_error(
                "orderCancellation is required", field="orderCancellation", code="MALFORMED_REQUEST_CONTENT"
            )
        raw_lines = _list(cancellation, "orderLines", "orderLine")
        if not raw_lines:
            raise order_error("orderLines is required", field="orderLines")
        if len(raw_lines) > 100:
            raise order_error("A cancellation request takes at most 100 lines", field="orderLine")
        with self.lock:
            order = self._order(seller, purchase_order_id, "cancel API")
            po = purchase_order_id
            plan: list[tuple[Line, int, str]] = []
            wanted: Counter[str] = Counter()
            for raw in raw_lines:
                number = str(raw.get("lineNumber", "")) if isinstance(raw, Mapping) else ""
                line = order.line(number)
                if line is None:
                    raise order_error(f"Invalid lineNumber {number} for PO {po}", field="lineNumber")
                for status in _list(raw, "orderLineStatuses", "orderLineStatus"):
                    if not isinstance(status, Mapping) or status.get("status") != "Cancelled":
                        raise order_error(f"Invalid status in line number {number}: use Cancelled", field="status")
                    reason = status.get("cancellationReason")
                    if reason not in _CANCEL_REASONS:
                        raise order_error(
                            f"Invalid cancellationReason {reason} in line number {number}", field="cancellationReason"
                        )
                    quantity = _quantity(status.get("statusQuantity"))
                    plan.append((line, quantity, reason))
                    wanted[number] += quantity
                if not wanted[number]:
                    raise order_error(
                        f"orderLineStatuses is required in line number {number}", field="orderLineStatuses"
                    )
            for number, quantity in wanted.items():
                line = order.line(number)
                assert line is not None
                if quantity <= line.open_quantity:
                    continue
                if line.open_quantity == 0:
                    state = "CANCELLED" if line.qty("Cancelled") == line.quantity else "SHIPPED"
                    raise order_error(
                        f"Unable to process this request. The Line: {number} of PO: {po} is in {state} status"
                    )
                raise order_error(
                    f"INVALID_REQUEST_CONTENT :: Failed when called cancel API for {po}. Qty more than allowed: "
                    f"the Line: {number} has {line.open_quantity} units that can be cancelled"
                )
            now = self.clock.now_ms()
            for line, quantity, reason in plan:
                line.take(("Created", "Acknowledged"), quantity)
                line.put(StatusEntry("Cancelled", quantity, cancellation_reason=reason))
                line.status_date_ms = now
                if not line.open_quantity:
                    line.intent_to_cancel = False
            order.touch(now)
            self._accept(seller, "cancel", po, body)
            return self._write_result(order)

    def refund(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        self.tick()
        refund = body.get("orderRefund") if isinstance(body, Mapping) else None
        if not isinstance(refund, Mapping):
            raise order_error("orderRefund is required", field="orderRefund", code="MALFORMED_REQUEST_CONTENT")
        raw_lines = _list(refund, "orderLines", "orderLine")
        if not raw_lines:
            raise order_error("orderLines is required", field="orderLines")
        fulls = {bool(raw.get("isFullRefund")) for raw in raw_lines if isinstance(raw, Mapping)}
        if len(fulls) > 1:
            raise order_error("A refund request must be all full or all partial refunds", field="isFullRefund")
        with self.lock:
            order = self._order(seller, purchase_order_id, "refund API")
            po = purchase_order_id
            plan: list[tuple[Line, list[dict[str, Any]], str | None, bool]] = []
            pending: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
            for raw in raw_lines:
                number = str(raw.get("lineNumber", ""))
                line = order.line(number)
                if line is None:
                    raise order_error(f"Invalid lineNumber {number} for PO {po}", field="lineNumber")
                if not line.qty(*SHIPPED_STATUSES):
                    state = (
                        "CANCELLED"
                        if line.qty("Cancelled") == line.quantity
                        else ("ACKNOWLEDGED" if line.qty("Acknowledged") else "CREATED")
                    )
                    raise order_error(
                        f"Unable to process this request. The Line: {number} of PO: {po} is in {state} status; "
                        "only shipped lines can be refunded"
                    )
                full = bool(raw.get("isFullRefund"))
                charges: list[dict[str, Any]] = []
                comments = None
                if full:
                    for charge_type in ("PRODUCT", "SHIPPING"):
                        charged, charged_tax = line.charged(charge_type)
                        done, done_tax = line.refunded(charge_type)
                        if charged - done > 0 or charged_tax - done_tax > 0:
                            charges.append(
                                self._refund_charge(
                                    "Others" if not charges else charges[0]["refundReason"],
                                    charge_type,
                                    charged - done,
                                    charged_tax - done_tax,
                                )
                            )
                    reasons = [
                        rc.get("refundReason")
                        for r in _list(raw, "refunds", "refund")
                        for rc in _list(r, "refundCharges", "refundCharge")
                        if isinstance(rc, Mapping)
                    ]
                    reason = reasons[0] if reasons else "Others"
                    if reason not in _REFUND_REASONS:
                        raise order_error(
                            f"Invalid refundReason {reason} in line number {number}", field="refundReason"
                        )
                    for charge in charges:
                        charge["refundReason"] = reason
                    if not charges:
                        raise order_error(
                            f"Unable to process this request. The Line: {number} of PO: {po} is already fully refunded",
                            field="isFullRefund",
                        )
                else:
                    for item in _list(raw, "refunds", "refund"):
                        comments = item.get("refundComments") if isinstance(item, Mapping) else None
                        for rc in _list(item, "refundCharges", "refundCharge"):
                            charges.append(self._checked_refund_charge(rc, number))
                    if not charges:
                        raise order_error(f"refundCharges is required in line number {number}", field="refundCharges")
                for charge in charges:
                    key = (number, charge["charge"]["chargeType"])
                    amount = -Decimal(str(charge["charge"]["chargeAmount"]["amount"]))
                    tax = -Decimal(str((charge["charge"].get("tax") or {}).get("taxAmount", {}).get("amount", 0)))
                    before = pending.get(key, line.refunded(key[1]))
                    total = (before[0] + amount, before[1] + tax)
                    charged, charged_tax = line.charged(key[1])
                    if total[0] > charged or total[1] > charged_tax:
                        raise order_error(
                            f"Refund amount exceeds the charged amount in line number {number}: "
                            f"charged {money(charged)} (tax {money(charged_tax)}), refunded {money(before[0])} "
                            f"(tax {money(before[1])}), requested {money(amount)} (tax {money(tax)})",
                            field="chargeAmount",
                        )
                    pending[key] = total
                plan.append((line, charges, comments, full))
            now = self.clock.now_ms()
            for line, charges, comments, full in plan:
                line.refund_charges.extend(charges)
                line.refund_id = line.refund_id or str(uuid.uuid4())
                if comments:
                    line.refund_comments = comments
                if full and line.return_order_id is None:
                    line.return_order_id = str(next(self._return_ids))
                line.status_date_ms = now
            order.touch(now)
            self._accept(seller, "refund", po, body)
            return self._write_result(order)

    @staticmethod
    def _refund_charge(reason: str, charge_type: str, amount: Decimal, tax: Decimal) -> dict[str, Any]:
        return {
            "refundReason": reason,
            "charge": {
                "chargeType": charge_type,
                "chargeName": "ItemPrice" if charge_type == "PRODUCT" else "Shipping",
                "chargeAmount": {"currency": "USD", "amount": money(-amount)},
                "tax": {"taxName": "Tax1", "taxAmount": {"currency": "USD", "amount": money(-tax)}} if tax else None,
            },
        }

    def _checked_refund_charge(self, raw: Any, number: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise order_error(f"Invalid refundCharge in line number {number}", field="refundCharge")
        reason = raw.get("refundReason")
        if reason not in _REFUND_REASONS:
            raise order_error(f"Invalid refundReason {reason} in line number {number}", field="refundReason")
        charge = raw.get("charge")
        if not isinstance(charge, Mapping):
            raise order_error(f"charge is required in line number {number}", field="charge")
        charge_type = charge.get("chargeType")
        if charge_type not in ("PRODUCT", "SHIPPING"):
            raise order_error(f"Invalid chargeType {charge_type} in line number {number}", field="chargeType")
        amount = _decimal((charge.get("chargeAmount") or {}).get("amount"), "chargeAmount")
        tax_raw = charge.get("tax")
        tax = _decimal(tax_raw["taxAmount"]["amount"], "taxAmount") if isinstance(tax_raw, Mapping) else Decimal(0)
        if amount > 0 or tax > 0:
            raise order_error(f"Refund amount should be negative in line number {number}", field="chargeAmount")
        if amount == 0 and tax == 0:
            raise order_error(f"Refund amount should not be zero in line number {number}", field="chargeAmount")
        return {
            "refundReason": reason,
            "charge": {
                "chargeType": charge_type,
                "chargeName": str(charge.get("chargeName") or "ItemPrice"),
                "chargeAmount": {"currency": "USD", "amount": money(amount)},
                "tax": {
                    "taxName": str(tax_raw.get("taxName") or "Tax1"),
                    "taxAmount": {"currency": "USD", "amount": money(tax)},
                }
                if isinstance(tax_raw, Mapping)
                else None,
            },
        }

    # ------------------------------------------------------------ returns

    def list_returns(self, seller: Seller, params: Mapping[str, str]) -> dict[str, Any]:
        self.tick()
        try:
            limit = int(params.get("limit", "10"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_PARAM.GMP_RETURNS_API", "Invalid limit or offset", field="limit"
            ) from None
        if not 1 <= limit <= 200:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_PARAM.GMP_RETURNS_API", "limit should be between 1 and 200", field="limit"
            )
        start = params.get("returnCreationStartDate")
        end = params.get("returnCreationEndDate")
        if (start is None) != (end is None):
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_PARAM.GMP_RETURNS_API",
                "returnCreationStartDate and returnCreationEndDate go together",
                field="returnCreationStartDate",
            )
        window = (self._iso_ms(start), self._iso_ms(end)) if start and end else None
        with self.lock:
            matches = []
            for return_id in reversed(seller.return_ids):
                item = seller.returns[return_id]
                if params.get("returnOrderId") and item.return_order_id != params["returnOrderId"]:
                    continue
                if params.get("customerOrderId") and item.customer_order_id != params["customerOrderId"]:
                    continue
                if params.get("status") and item.status != params["status"]:
                    continue
                if params.get("returnType") and params["returnType"] != "REFUND":
                    continue
                if window and not window[0] <= item.created_ms <= window[1]:
                    continue
                matches.append(item)
            page = [render_return(r) for r in matches[offset : offset + limit]]
        cursor = ""
        if offset + limit < len(matches):
            query = {k: v for k, v in params.items() if k not in ("limit", "offset", "sellerId")}
            cursor = "?" + urlencode(
                {"sellerId": seller.seller_id, "limit": limit, "offset": offset + limit, **query}, quote_via=quote
            )
        return {"meta": {"totalCount": len(matches), "limit": limit, "nextCursor": cursor}, "returnOrders": page}

    @staticmethod
    def _iso_ms(text: str | None) -> int:
        try:
            moment = datetime.fromisoformat((text or "").replace("Z", "+00:00").replace(" ", "+"))
        except ValueError:
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_PARAM.GMP_RETURNS_API",
                "Invalid Date format value",
                field="returnCreationStartDate",
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)

    def refund_return(
        self,
        seller: Seller,
        return_order_id: str,
        body: Any,
        *,
        channel: str = "SELLER_MANUAL_REFUND",
        key_body: bool = True,
    ) -> dict[str, Any]:
        self.tick()
        with self.lock:
            item = seller.returns.get(return_order_id)
            if item is None:
                raise SandboxHTTPError(
                    404, "CONTENT_NOT_FOUND.GMP_RETURNS_API", f"Return order {return_order_id} not found"
                )
            if not isinstance(body, Mapping) or body.get("customerOrderId") != item.customer_order_id:
                raise SandboxHTTPError(
                    400,
                    "INVALID_REQUEST_CONTENT.GMP_RETURNS_API",
                    "customerOrderId does not match the return order",
                    field="customerOrderId",
                )
            raw_lines = body.get("refundLines") or []
            if not raw_lines and len(item.lines) == 1:
                raw_lines = [{}]
            if not raw_lines:
                raise SandboxHTTPError(
                    400, "INVALID_REQUEST_CONTENT.GMP_RETURNS_API", "refundLines is required", field="refundLines"
                )
            plan = []
            for raw in raw_lines:
                number = raw.get("returnOrderLineNumber")
                if number is None:
                    if len(item.lines) != 1:
                        raise SandboxHTTPError(
                            400,
                            "INVALID_REQUEST_CONTENT.GMP_RETURNS_API",
                            "returnOrderLineNumber is required",
                            field="returnOrderLineNumber",
                        )
                    number = item.lines[0].number
                line = next((x for x in item.lines if x.number == int(number)), None)
                if line is None:
                    raise SandboxHTTPError(
                        400,
                        "INVALID_REQUEST_CONTENT.GMP_RETURNS_API",
                        f"Invalid returnOrderLineNumber {number}",
                        field="returnOrderLineNumber",
                    )
                left = line.quantity - line.refunded_quantity
                if left == 0:
                    raise SandboxHTTPError(
                        400,
                        "INVALID_REQUEST_CONTENT.GMP_RETURNS_API",
                        f"Return order line {number} of return {return_order_id} is already refunded",
                        field="returnOrderLineNumber",
                    )
                quantity_raw = raw.get("quantity")
                quantity = int(quantity_raw["measurementValue"]) if isinstance(quantity_raw, Mapping) else left
                if not 1 <= quantity <= left:
                    raise SandboxHTTPError(
                        400,
                        "INVALID_REQUEST_CONTENT.GMP_RETURNS_API",
                        f"Invalid quantity {quantity} for return order line {number}",
                        field="quantity",
                    )
                plan.append((line, quantity))
            now = self.clock.now_ms()
            for line, quantity in plan:
                line.refunded_quantity += quantity
                line.refund_channel = channel
                line.status_time = _iso(now)
                line.events.append(
                    {
                        "sequenceNo": len(line.events) + 1,
                        "eventTag": "REFUND_ISSUED",
                        "eventDescription": "Refund issued",
                        "eventTime": _iso(now),
                        "references": [],
                    }
                )
                self._refund_po_line_for_return(seller, line, quantity, now)
            item.last_modified_ms = now
            self._accept(seller, "return_refund", return_order_id, body if key_body else channel)
            return {
                "returnOrderId": return_order_id,
                "customerOrderId": item.customer_order_id,
                "refundLines": [
                    {
                        "returnOrderLineNumber": line.number,
                        "quantity": {"unitOfMeasure": "EACH", "measurementValue": quantity},
                    }
                    for line, quantity in plan
                ],
            }

    def _refund_po_line_for_return(self, seller: Seller, rline: ReturnLine, quantity: int, now: int) -> None:
        order = seller.orders.get(rline.purchase_order_id)
        line = order.line(rline.po_line_number) if order else None
        if order is None or line is None:
            return
        charged, charged_tax = line.charged("PRODUCT")
        done, done_tax = line.refunded("PRODUCT")
        amount = min(line.unit_price * quantity, charged - done)
        tax = min(line.unit_tax * quantity, charged_tax - done_tax)
        if amount <= 0 and tax <= 0:
            return
        line.refund_charges.append(
            self._refund_charge(RefundReason.CUSTOMER_RETURNED_ITEM.value, "PRODUCT", amount, tax)
        )
        line.refund_id = line.refund_id or str(uuid.uuid4())
        order.touch(now)

    # ------------------------------------------------------------ inventory

    def get_inventory(self, seller: Seller, sku: str | None) -> dict[str, Any]:
        if not sku:
            raise SandboxHTTPError(400, "MISSING_REQUEST_PARAM.GMP_INVENTORY_API", "sku is required", field="sku")
        with self.lock:
            if sku not in seller.inventory:
                raise SandboxHTTPError(404, "CONTENT_NOT_FOUND.GMP_INVENTORY_API", f"SKU {sku} not found")
            return {"sku": sku, "quantity": {"unit": "EACH", "amount": seller.inventory[sku]}}

    def set_inventory(self, seller: Seller, sku: str | None, body: Any) -> dict[str, Any]:
        if not sku:
            raise SandboxHTTPError(400, "MISSING_REQUEST_PARAM.GMP_INVENTORY_API", "sku is required", field="sku")
        quantity = body.get("quantity") if isinstance(body, Mapping) else None
        if not isinstance(quantity, Mapping) or quantity.get("unit") != "EACH":
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_CONTENT.GMP_INVENTORY_API",
                "quantity with unit EACH is required",
                field="quantity",
            )
        try:
            amount = int(Decimal(str(quantity.get("amount"))))
        except (InvalidOperation, ValueError):
            amount = -1
        if amount < 0:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_CONTENT.GMP_INVENTORY_API", "Invalid quantity amount", field="amount"
            )
        if body.get("sku") not in (None, sku):
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_CONTENT.GMP_INVENTORY_API",
                "sku in the body does not match the query",
                field="sku",
            )
        with self.lock:
            seller.inventory[sku] = amount
        return {"sku": sku, "quantity": {"unit": "EACH", "amount": amount}}

    # ------------------------------------------------------------ notifications

    def subscribe(self, seller: Seller, body: Any) -> dict[str, Any]:
        events = body.get("events") if isinstance(body, Mapping) else None
        if not isinstance(events, list) or not events:
            raise SandboxHTTPError(
                400, "INVALID_REQUEST_CONTENT.GMP_NOTIFICATION_API", "events is required", field="events"
            )
        created = []
        with self.lock:
            for raw in events:
                for name in ("eventType", "eventVersion", "resourceName", "eventUrl", "status"):
                    if not isinstance(raw, Mapping) or not raw.get(name):
                        raise SandboxHTTPError(
                            400, "INVALID_REQUEST_CONTENT.GMP_NOTIFICATION_API", f"{name} is required", field=name
                        )
                sub = Subscription(
                    str(uuid.uuid4()),
                    raw["eventType"],
                    raw["eventVersion"],
                    raw["resourceName"],
                    raw["eventUrl"],
                    raw["status"],
                    dict(raw.get("headers") or {}),
                    dict(raw.get("authDetails") or {}),
                )
                seller.subscriptions[sub.subscription_id] = sub
                created.append(self._subscription_json(seller, sub))
        return {"events": created}

    @staticmethod
    def _subscription_json(seller: Seller, sub: Subscription) -> dict[str, Any]:
        data: dict[str, Any] = {
            "eventType": sub.event_type,
            "subscriptionId": sub.subscription_id,
            "partnerId": seller.partner_id,
            "eventVersion": sub.event_version,
            "resourceName": sub.resource_name,
            "status": sub.status,
            "eventUrl": sub.event_url,
        }
        if sub.auth:
            data["authDetails"] = {k: v for k, v in sub.auth.items() if k not in ("clientSecret", "password")}
        return data

    def list_subscriptions(self, seller: Seller) -> dict[str, Any]:
        with self.lock:
            return {"events": [self._subscription_json(seller, s) for s in seller.subscriptions.values()]}

    def delete_subscription(self, seller: Seller, subscription_id: str) -> dict[str, Any]:
        with self.lock:
            if seller.subscriptions.pop(subscription_id, None) is None:
                raise SandboxHTTPError(
                    404, "CONTENT_NOT_FOUND.GMP_NOTIFICATION_API", f"Subscription {subscription_id} not found"
                )
        return {"subscriptionId": subscription_id, "message": "Subscription deleted successfully"}

    def test_notification(self, seller: Seller, body: Any) -> Delivery:
        """``POST /v3/webhooks/test``: the sample delivery of ``eventType`` to ``eventUrl``, signed as a
        subscription with these ``authDetails`` would be. Its payload names no purchase order."""
        for name in ("eventType", "eventVersion", "resourceName", "eventUrl"):
            if not isinstance(body, Mapping) or not body.get(name):
                raise SandboxHTTPError(
                    400, "INVALID_REQUEST_CONTENT.GMP_NOTIFICATION_API", f"{name} is required", field=name
                )
        event_id = f"test-{uuid.uuid4()}"
        source = {
            "eventType": body["eventType"],
            "eventTime": _iso(self.clock.now_ms()),
            "eventId": event_id,
            "eventVersion": body["eventVersion"],
            "eventFilters": None,
        }
        payload = {"partnerId": seller.partner_id, "sample": True}
        raw = json.dumps({"source": source, "payload": payload}, ensure_ascii=False).encode()
        headers = delivery_headers(raw, dict(body.get("headers") or {}), dict(body.get("authDetails") or {}))
        return Delivery(event_id, str(body["eventType"]), str(body["eventUrl"]), raw, headers, seller.seller_id)

    def _emit(self, seller: Seller, event_type: str, order: PurchaseOrder, lines: list[Line], status: str) -> None:
        """Queue a notification to every matching subscription (called with the lock held)."""
        now = self.clock.now_ms()
        payload = {
            "partnerId": seller.partner_id,
            "purchaseOrderId": order.purchase_order_id,
            "customerOrderId": order.customer_order_id,
            "orderDate": _iso(order.order_date_ms),
            "estimatedDeliveryDate": _iso(order.estimated_delivery_ms),
            "estimatedShipDate": _iso(order.estimated_ship_ms),
            "orderLines": notification_lines(order, lines, status),
        }
        for sub in seller.subscriptions.values():
            if sub.status != "ACTIVE" or sub.event_type not in (event_type, "ORDER_UPDATES"):
                continue
            event_id = str(uuid.uuid4())
            source = {
                "eventType": sub.event_type,
                "eventTime": _iso(now),
                "eventId": event_id,
                "eventVersion": sub.event_version,
                "eventFilters": None,
            }
            body_payload = dict(payload)
            if sub.event_type == "ORDER_UPDATES":
                body_payload = {"subEventType": event_type, "order": payload}
            body = json.dumps({"source": source, "payload": body_payload}, ensure_ascii=False).encode()
            headers = delivery_headers(body, sub.headers, sub.auth)
            delivery = Delivery(event_id, event_type, sub.event_url, body, headers, seller.seller_id)
            self.deliveries.append(delivery)
            if self.dispatch is not None:
                self.dispatch(delivery)
            else:
                self.pending_deliveries.append(delivery)

    # ------------------------------------------------------------ control: orders

    def _new_po_id(self) -> str:
        while True:
            po = str(next(self._po_ids))
            if po not in self.po_index:
                return po

    def _insert_order(self, seller: Seller, order: PurchaseOrder) -> None:
        if order.purchase_order_id in self.po_index:
            raise ValueError(f"PO {order.purchase_order_id} exists")
        seller.orders[order.purchase_order_id] = order
        insort(seller.by_date, (order.order_date_ms, order.purchase_order_id))
        self.po_index[order.purchase_order_id] = seller.seller_id
        deadline = order.estimated_ship_ms + self.settings.auto_cancel_days * DAY_MS
        heapq.heappush(self._auto_cancel, (deadline, order.purchase_order_id))
        for line in order.lines:
            seller.inventory.setdefault(line.sku, 100)
        self._emit(seller, "PO_CREATED", order, order.lines, "CREATED")

    def create_order(self, seller_id: str, spec: Mapping[str, Any]) -> PurchaseOrder:
        """One exactly specified order (see ``control.ExactOrder``)."""
        with self.lock:
            seller = self.seller(seller_id)
            now = self.clock.now_ms()
            order_date = _ms(spec.get("order_date"), now)
            _, _, address = random_address(self.rng)
            if spec.get("address"):
                address = {**address, **spec["address"]}
            lines = []
            for i, raw in enumerate(spec["lines"], start=1):
                quantity = int(raw.get("quantity", 1))
                price = Decimal(str(raw.get("unit_price", "10.00")))
                tax = Decimal(str(raw.get("unit_tax", (price * Decimal("0.08")).quantize(Decimal("0.01")))))
                line = Line(
                    number=str(raw.get("line_number", i)),
                    sku=str(raw["sku"]),
                    product_name=str(raw.get("product_name") or raw["sku"]),
                    quantity=quantity,
                    unit_price=price,
                    unit_tax=tax,
                    shipping=Decimal(str(raw.get("shipping", "0"))),
                    shipping_tax=Decimal(str(raw.get("shipping_tax", "0"))),
                    entries=[StatusEntry(str(raw.get("status", "Created")), quantity)],
                    status_date_ms=order_date,
                    intent_to_cancel=bool(raw.get("intent_to_cancel", False)),
                )
                lines.append(line)
            order = PurchaseOrder(
                purchase_order_id=str(spec.get("purchase_order_id") or self._new_po_id()),
                seller_id=seller_id,
                customer_order_id=str(spec.get("customer_order_id") or next(self._customer_ids)),
                customer_email=str(spec.get("customer_email") or f"{uuid.uuid4().hex[:16].upper()}@relay.walmart.com"),
                order_date_ms=order_date,
                estimated_ship_ms=_ms(spec.get("estimated_ship_date"), order_date + 2 * DAY_MS),
                estimated_delivery_ms=_ms(spec.get("estimated_delivery_date"), order_date + 6 * DAY_MS),
                method_code=str(spec.get("method_code", "Standard")),
                phone=str(spec.get("phone", "3143450432")),
                address=address,
                lines=lines,
                last_modified_ms=order_date,
            )
            self._insert_order(seller, order)
            return order

    def generate_orders(
        self,
        seller_id: str,
        count: int,
        *,
        lines_per_order: int | list[int] = (1, 3),  # type: ignore[assignment]
        quantity_per_line: int | list[int] = (1, 3),  # type: ignore[assignment]
        catalog: list[dict[str, Any]] | None = None,
        order_date: Any = None,
        spread_minutes: int = 0,
        ship_in_days: int = 2,
        status: str = "Created",
    ) -> list[str]:
        items = catalog_from(catalog)
        created = []
        with self.lock:
            seller = self.seller(seller_id)
            now = self.clock.now_ms()
            base = _ms(order_date, now)
            for i in range(count):
                rng = self.rng
                at = base - (rng.randint(0, spread_minutes * 60_000) if spread_minutes else 0) - (count - i)
                n_lines = pick(lines_per_order, rng)
                lines = []
                for number in range(1, n_lines + 1):
                    item = rng.choice(items)
                    quantity = pick(quantity_per_line, rng)
                    lines.append(
                        Line(
                            number=str(number),
                            sku=item.sku,
                            product_name=item.product_name,
                            quantity=quantity,
                            unit_price=item.price,
                            unit_tax=(item.price * Decimal("0.0825")).quantize(Decimal("0.01")),
                            shipping=Decimal("4.99") if number == 1 and rng.random() < 0.3 else Decimal(0),
                            shipping_tax=Decimal(0),
                            entries=[StatusEntry(status, quantity)],
                            status_date_ms=at,
                            ship_method=rng.choice(["STANDARD", "VALUE", "EXPEDITED"]),
                        )
                    )
                _, _, address = random_address(rng)
                order = PurchaseOrder(
                    purchase_order_id=self._new_po_id(),
                    seller_id=seller_id,
                    customer_order_id=str(next(self._customer_ids)),
                    customer_email=f"{uuid.UUID(int=rng.getrandbits(128)).hex[:24].upper()}@relay.walmart.com",
                    order_date_ms=at,
                    estimated_ship_ms=at + ship_in_days * DAY_MS,
                    estimated_delivery_ms=at + (ship_in_days + 4) * DAY_MS,
                    method_code=rng.choice(["Standard", "Standard", "Value", "Express"]),
                    phone=f"{rng.randint(200, 999)}{rng.randint(200, 999)}{rng.randint(1000, 9999)}",
                    address=address,
                    lines=lines,
                    last_modified_ms=at,
                )
                self._insert_order(seller, order)
                created.append(order.purchase_order_id)
        return created

    def _located(self, purchase_order_id: str) -> tuple[Seller, PurchaseOrder]:
        seller_id = self.po_index.get(purchase_order_id)
        if seller_id is None:
            raise KeyError(f"no PO {purchase_order_id}")
        seller = self.sellers[seller_id]
        return seller, seller.orders[purchase_order_id]

    def deliver_line(self, purchase_order_id: str, line_number: str, quantity: int | None = None) -> dict[str, Any]:
        with self.lock:
            _, order = self._located(purchase_order_id)
            line = order.line(line_number)
            if line is None:
                raise KeyError(f"PO {purchase_order_id} has no line {line_number}")
            left = line.qty("Shipped") if quantity is None else quantity
            if left < 1 or left > line.qty("Shipped"):
                raise ValueError(f"line {line_number} has {line.qty('Shipped')} shipped units to deliver")
            for entry in list(line.entries):
                if entry.status != "Shipped" or left == 0:
                    continue
                moved = min(left, entry.quantity)
                entry.quantity -= moved
                left -= moved
                line.entries.append(
                    StatusEntry("Delivered", moved, tracking=entry.tracking, shipped_at_ms=entry.shipped_at_ms)
                )
            line.entries = [e for e in line.entries if e.quantity > 0]
            now = self.clock.now_ms()
            line.status_date_ms = now
            order.touch(now)
            return render_order(order)

    def set_intent_to_cancel(self, purchase_order_id: str, line_number: str) -> dict[str, Any]:
        with self.lock:
            seller, order = self._located(purchase_order_id)
            line = order.line(line_number)
            if line is None:
                raise KeyError(f"PO {purchase_order_id} has no line {line_number}")
            line.intent_to_cancel = True
            order.touch(self.clock.now_ms())
            self._emit(seller, "INTENT_TO_CANCEL", order, [line], "INTENT_TO_CANCEL")
            return render_order(order)

    def open_return(self, purchase_order_id: str, lines: list[Mapping[str, Any]]) -> dict[str, Any]:
        with self.lock:
            seller, order = self._located(purchase_order_id)
            now = self.clock.now_ms()
            rlines = []
            for i, raw in enumerate(lines, start=1):
                line = order.line(str(raw["line_number"]))
                if line is None:
                    raise KeyError(f"PO {purchase_order_id} has no line {raw['line_number']}")
                quantity = int(raw.get("quantity", 1))
                returnable = line.qty(*SHIPPED_STATUSES) - line.returned_quantity
                if quantity < 1 or quantity > returnable:
                    raise ValueError(f"line {line.number} has {returnable} shipped units that can be returned")
                line.returned_quantity += quantity
                rlines.append(
                    ReturnLine(
                        number=i,
                        purchase_order_id=purchase_order_id,
                        po_line_number=line.number,
                        seller_order_id=line.seller_order_id,
                        reason=str(raw.get("reason", "NO_LONGER_WANTED")),
                        sku=line.sku,
                        product_name=line.product_name,
                        quantity=quantity,
                        unit_price=line.unit_price,
                        unit_tax=line.unit_tax,
                        status_time=_iso(now),
                        events=[
                            {
                                "sequenceNo": 1,
                                "eventTag": "RETURN_INITIATED",
                                "eventDescription": "Return initiated",
                                "eventTime": _iso(now),
                                "references": [],
                            }
                        ],
                    )
                )
            name = str(order.address.get("name") or "").split(" ", 1)
            item = ReturnOrder(
                return_order_id=str(next(self._return_ids)),
                seller_id=seller.seller_id,
                customer_order_id=order.customer_order_id,
                customer_email=order.customer_email,
                first_name=name[0],
                last_name=name[1] if len(name) > 1 else "",
                created_at=_iso(now),
                created_ms=now,
                return_by=_iso(now + 30 * DAY_MS),
                lines=rlines,
                last_modified_ms=now,
            )
            seller.returns[item.return_order_id] = item
            seller.return_ids.append(item.return_order_id)
            self.return_index[item.return_order_id] = seller.seller_id
            return render_return(item)

    def auto_refund(self, return_order_id: str) -> dict[str, Any]:
        """Walmart's own refund of a return (48 h after delivery at the return center)."""
        seller_id = self.return_index.get(return_order_id)
        if seller_id is None:
            raise KeyError(f"no return {return_order_id}")
        seller = self.sellers[seller_id]
        item = seller.returns[return_order_id]
        lines = [
            {"returnOrderLineNumber": line.number} for line in item.lines if line.refunded_quantity < line.quantity
        ]
        return self.refund_return(
            seller,
            return_order_id,
            {"customerOrderId": item.customer_order_id, "refundLines": lines},
            channel="WALMART_TRIGGERED_REFUND",
            key_body=False,
        )

    def truth(self, purchase_order_id: str) -> dict[str, Any]:
        with self.lock:
            seller, order = self._located(purchase_order_id)
            lines = {}
            for line in order.lines:
                lines[line.number] = {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "by_status": {s: line.qty(s) for s in ORDER_STATUSES if line.qty(s)},
                    "shipments": [
                        {"quantity": e.quantity, "status": e.status, "tracking": e.tracking}
                        for e in line.entries
                        if e.status in SHIPPED_STATUSES
                    ],
                    "cancelled": [
                        {"quantity": e.quantity, "reason": e.cancellation_reason}
                        for e in line.entries
                        if e.status == "Cancelled"
                    ],
                    "refunded_product": money(line.refunded("PRODUCT")[0]),
                    "refunded_tax": money(line.refunded("PRODUCT")[1] + line.refunded("SHIPPING")[1]),
                    "refunded_shipping": money(line.refunded("SHIPPING")[0]),
                    "intent_to_cancel": line.intent_to_cancel,
                    "returned_quantity": line.returned_quantity,
                }
            return {
                "seller_id": seller.seller_id,
                "purchase_order_id": purchase_order_id,
                "lines": lines,
                "order": render_order(order),
            }

    def advance_clock(self, seconds: float) -> datetime:
        moment = self.clock.advance(seconds)
        self.tick()
        return moment

    def reset_counters(self) -> None:
        with self.lock:
            self.counters = Counters()
            for seller in self.sellers.values():
                seller.accepted.clear()


def _ms(value: Any, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, int | float):
        return int(value if value > 1e11 else value * 1000)
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)
    text = str(value)
    if text.lstrip("-").isdigit():
        return _ms(int(text), default)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return _ms(moment, default)


__all__ = ["Counters", "Delivery", "WalmartSandbox", "timedelta"]
