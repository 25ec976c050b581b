"""Async client of the Walmart Marketplace API (US, v3) for one seller account.

One :class:`WalmartClient` per seller account: it owns one httpx connection pool, the account's
token cache and rate-limit buckets, and reports every HTTP attempt (token calls and retries too)
to ``on_attempt``. Reads are retried on retryable failures; a change is retried only when it was
certainly not applied (429, connection refused). When a change may have been applied (timeout
after sending, 5xx) the client raises :class:`WalmartRetryableError` with ``ambiguous=True``, and
the caller re-reads the PO before sending it again.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import time
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import structlog
from pydantic.alias_generators import to_camel

from channel_manager.http_clients import OnDemandClient
from channel_manager.walmart.errors import (
    Intent,
    WalmartAuthError,
    WalmartError,
    WalmartPermanentError,
    WalmartRetryableError,
    error_from_response,
    parse_error_details,
)
from channel_manager.walmart.http_attempts import AttemptCallback, WalmartAttempt
from channel_manager.walmart.models import (
    Inventory,
    Order,
    OrderPage,
    ReturnOrder,
    ReturnRefundResult,
    Subscription,
    TokenResponse,
)
from channel_manager.walmart.rate_limits import RateLimit, RateLimiter, parse_retry_after
from channel_manager.walmart.requests import (
    CancelLine,
    RefundLine,
    ReturnRefundLine,
    ShipmentLine,
    cancellation_body,
    query_time,
    refund_body,
    shipment_body,
)
from channel_manager.walmart.tokens import TokenCache, basic_credentials

log = structlog.get_logger(__name__)

PRODUCTION_URL = "https://marketplace.walmartapis.com"
MAX_LIMIT = 200
#: The cap on one order query's results: orders.openapi.yml says "a maximum of 20000 orders can be fetched at a
#: time. Attempting to download more than 20000 orders will return an error"; Walmart's guide says 10,000 and a
#: later post 50,000 (NOTES.md section 2). Windows are cut to stay under the smallest.
MAX_QUERY_RESULTS = 10_000
#: Reconciliation asks for one day of POs at a time (a window is halved while it matches too many).
ORDER_WINDOW = timedelta(days=1)
MIN_ORDER_WINDOW = timedelta(minutes=1)
LOOKBACK = timedelta(days=180)
ORDER_STATUSES = ("Created", "Acknowledged", "Shipped", "Delivered", "Cancelled")
_WINDOW_STARTS = ("createdStartDate", "lastModifiedStartDate", "fromExpectedShipDate")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return query_time(value)
    return str(value)


def _encode_query(params: Mapping[str, Any]) -> str:
    """``?a=1&b=x%20y``: spaces as %20 and reserved characters encoded (SKUs need this)."""
    pairs = [f"{quote(k, safe='')}={quote(_query_value(v), safe='')}" for k, v in params.items() if v is not None]
    return ("?" + "&".join(pairs)) if pairs else ""


def _camel_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    return {(to_camel(k) if "_" in k else k): v for k, v in filters.items() if v is not None}


def _is_past_the_cap(error: WalmartPermanentError) -> bool:
    """Walmart's refusal of an order query that matches more than it returns at a time ("a maximum of N orders
    can be fetched at a time"; the error's code is not documented, so its text is read)."""
    text = " ".join(filter(None, [error.message, error.description, *(d.description or "" for d in error.details)]))
    return error.http_status == 400 and "maximum of" in text.lower()


class WalmartClient:
    """Walmart Marketplace API client for one seller account (``async with`` or ``aclose()``)."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        account: str | None = None,
        rate_limits: Mapping[str, RateLimit] | RateLimiter | None = None,
        rate_limiting: bool = True,
        timeout: float = 30.0,
        on_attempt: AttemptCallback | None = None,
        service_name: str = "Walmart Marketplace",
        max_retries: int = 3,
        retry_backoff: float = 0.2,
        max_retry_wait: float = 60.0,
        retry_ambiguous: bool = False,
        token_renew_before: float = 60.0,
        max_connections: int = 20,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account or client_id
        self._basic = basic_credentials(client_id, client_secret)
        if isinstance(rate_limits, RateLimiter):
            self.rate_limiter = rate_limits
        else:
            self.rate_limiter = RateLimiter(rate_limits, enabled=rate_limiting)
        self.on_attempt = on_attempt
        self.service_name = service_name
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.max_retry_wait = max_retry_wait
        self.retry_ambiguous = retry_ambiguous
        self._http = OnDemandClient(timeout=timeout, max_connections=max_connections)
        self._tokens = TokenCache(self._fetch_token, renew_before=token_renew_before)

    def __repr__(self) -> str:
        return f"WalmartClient(base_url={self.base_url!r}, account={self.account!r})"

    async def __aenter__(self) -> WalmartClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def is_open(self) -> bool:
        """Whether the client holds a connection pool now (from its first call until it is closed or idle)."""
        return self._http.is_open

    async def close_if_idle(self, idle_seconds: float) -> bool:
        """Closes the connection pool when no call used it for ``idle_seconds``; the next call opens it again
        (the token and the rate-limit buckets are kept)."""
        return await self._http.close_if_idle(idle_seconds)

    # ------------------------------------------------------------ transport

    async def _record(self, attempt: WalmartAttempt) -> None:
        if self.on_attempt is None:
            return
        try:
            result = self.on_attempt(attempt)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a broken recorder must not break the call
            log.exception("walmart.on_attempt_failed", endpoint=attempt.endpoint)

    async def _send_once(
        self,
        method: str,
        endpoint: str,
        path: str,
        headers: dict[str, str],
        *,
        content: bytes | str | None,
        intent: Intent,
        purchase_order_id: str | None,
        subject: str | None,
    ) -> httpx.Response:
        correlation_id = str(uuid.uuid4())
        headers = {**headers, "WM_QOS.CORRELATION_ID": correlation_id, "WM_SVC.NAME": self.service_name}
        started_at = datetime.now(UTC)
        start = time.perf_counter()
        bucket = self.rate_limiter.bucket(self.account, endpoint)
        response: httpx.Response | None = None
        code = description = None
        try:
            response = await self._http.request(method, self.base_url + path, headers=headers, content=content)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            code, description = "CONNECTION_ERROR", f"{type(exc).__name__}: could not reach Walmart"
            raise WalmartRetryableError(
                f"Walmart could not be reached for {endpoint}: {type(exc).__name__}",
                code=code,
                correlation_id=correlation_id,
                purchase_order_id=purchase_order_id,
                ambiguous=False,
            ) from None
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            code = "TIMEOUT" if isinstance(exc, httpx.TimeoutException) else "CONNECTION_LOST"
            description = f"{type(exc).__name__}: no answer from Walmart"
            what = f" of {subject}" if subject else ""
            raise WalmartRetryableError(
                f"Walmart did not answer {endpoint}{what} ({type(exc).__name__}); the request may have been applied",
                code=code,
                correlation_id=correlation_id,
                purchase_order_id=purchase_order_id,
                ambiguous=intent.is_mutation,
            ) from None
        finally:
            if response is not None:
                if bucket is not None:
                    await bucket.record(response.status_code, response.headers)
                if response.status_code >= 400:
                    details = parse_error_details(_json_or_none(response))
                    if details:
                        code, description = details[0].code, details[0].description
            await self._record(
                WalmartAttempt(
                    started_at=started_at,
                    method=method,
                    endpoint=endpoint,
                    path=path,
                    correlation_id=correlation_id,
                    http_status=response.status_code if response is not None else None,
                    error_code=code,
                    error_description=description,
                    duration_ms=(time.perf_counter() - start) * 1000.0,
                    purchase_order_id=purchase_order_id,
                    account=self.account,
                )
            )
        return response

    def _retry_wait(self, retries: int, error: WalmartRetryableError) -> float:
        if error.http_status == 429:
            return 0.0  # the bucket holds the next request back until Walmart refills it
        wait = self.retry_backoff * (2 ** (retries - 1)) * (0.75 + random.random() / 2)
        if error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return float(min(wait, self.max_retry_wait))

    async def _fetch_token(self) -> tuple[str, float]:
        endpoint = "POST /v3/token"
        retries = 0
        while True:
            await self._take_budget(endpoint)
            headers = {
                "Authorization": self._basic,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            }
            try:
                response = await self._send_once(
                    "POST",
                    endpoint,
                    "/v3/token",
                    headers,
                    content="grant_type=client_credentials",
                    intent=Intent.TOKEN,
                    purchase_order_id=None,
                    subject=None,
                )
            except WalmartRetryableError as exc:
                if retries >= self.max_retries:
                    raise
                retries += 1
                await asyncio.sleep(self._retry_wait(retries, exc))
                continue
            if response.is_success:
                token = TokenResponse.model_validate(response.json())
                return token.access_token, float(token.expires_in)
            error = _error_of(response, _json_or_none(response), intent=Intent.TOKEN)
            if isinstance(error, WalmartRetryableError) and retries < self.max_retries:
                retries += 1
                await asyncio.sleep(self._retry_wait(retries, error))
                continue
            raise error

    async def _take_budget(self, endpoint: str) -> None:
        """Waits for the endpoint's rate-limit bucket (when Walmart limits it) to let one request through."""
        bucket = self.rate_limiter.bucket(self.account, endpoint)
        if bucket is not None:
            await bucket.acquire()

    def _headers(self, token: str, content: str | None) -> dict[str, str]:
        headers = {
            "WM_SEC.ACCESS_TOKEN": token,
            "Authorization": self._basic,
            "Accept": "application/json",
        }
        if content is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def _may_retry(self, error: WalmartError, retries: int) -> bool:
        """A retryable failure is tried again up to ``max_retries`` times; one that may have taken effect
        (ambiguous: a lost answer to a write) only with ``retry_ambiguous``."""
        return (
            isinstance(error, WalmartRetryableError)
            and (not error.ambiguous or self.retry_ambiguous)
            and retries < self.max_retries
        )

    async def _call(
        self,
        method: str,
        endpoint: str,
        path: str,
        *,
        body: Any = None,
        intent: Intent = Intent.READ,
        purchase_order_id: str | None = None,
        lines: Sequence[str] = (),
        subject: str | None = None,
        empty_on_not_found: bool = False,
    ) -> Any:
        """One logical call: token, rate limit, retries. Returns the JSON body (None for an empty list)."""
        content = None if body is None else json.dumps(body, separators=(",", ":"))
        retries = 0
        renewed = False
        while True:
            token = await self._tokens.get()
            await self._take_budget(endpoint)
            try:
                response = await self._send_once(
                    method, endpoint, path, self._headers(token, content), content=content, intent=intent,
                    purchase_order_id=purchase_order_id, subject=subject,
                )  # fmt: skip
            except WalmartRetryableError as exc:
                error: WalmartError = exc
            else:
                if response.status_code == 401 and not renewed:
                    renewed = True
                    self._tokens.invalidate(token)
                    continue
                if response.is_success:
                    return _json_or_none(response) if response.content else {}
                payload = _json_or_none(response)
                if response.status_code == 404 and empty_on_not_found and _content_not_found(payload):
                    return None
                error = _error_of(
                    response, payload, intent=intent, purchase_order_id=purchase_order_id, lines=lines, subject=subject
                )
            if not self._may_retry(error, retries):
                raise error
            assert isinstance(error, WalmartRetryableError)
            retries += 1
            await asyncio.sleep(self._retry_wait(retries, error))

    async def access_token(self) -> str:
        """A valid access token (fetched or cached). Do not log it."""
        return await self._tokens.get()

    # ------------------------------------------------------------ orders

    def _order_query(self, filters: Mapping[str, Any], *, released: bool) -> dict[str, Any]:
        params = _camel_filters(filters)
        if released:
            for name in ("status", "lastModifiedStartDate", "lastModifiedEndDate"):
                if name in params:
                    raise ValueError(f"/v3/orders/released does not take {name}")
        status = params.get("status")
        if status is not None and status not in ORDER_STATUSES:
            raise ValueError(f"status must be one of {', '.join(ORDER_STATUSES)}")
        limit = int(params.get("limit", 100))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        params["limit"] = limit
        oldest = datetime.now(UTC) - LOOKBACK
        for name in _WINDOW_STARTS:
            value = params.get(name)
            if isinstance(value, datetime | date):
                moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                if moment < oldest - timedelta(days=1 if not isinstance(value, datetime) else 0):
                    raise ValueError(f"{name} is older than Walmart's 180-day window")
        return params

    async def iter_order_pages(self, *, released: bool = False, **filters: Any) -> AsyncIterator[OrderPage]:
        """Pages of ``GET /v3/orders`` (or ``/released``), following ``nextCursor`` to the end.

        Filters are Walmart's query parameters in snake_case or camelCase (``created_start_date``,
        ``status``, ``sku``, ``limit`` <= 200 ...); datetimes are sent as ``yyyy-MM-ddTHH:mm:ssZ``.
        """
        base = "/v3/orders/released" if released else "/v3/orders"
        endpoint = "GET " + base
        path = base + _encode_query(self._order_query(filters, released=released))
        while True:
            body = await self._call("GET", endpoint, path, empty_on_not_found=True, subject="the order list")
            if body is None:
                return
            listing = body.get("list") or {}
            meta = listing.get("meta") or {}
            elements = listing.get("elements") or {}
            raw_orders = elements.get("order") or []
            cursor = meta.get("nextCursor") or None
            yield OrderPage(
                orders=[Order.model_validate(o) for o in raw_orders],
                total_count=meta.get("totalCount"),
                next_cursor=cursor,
            )
            if not cursor or not raw_orders:
                return
            path = base + (cursor if cursor.startswith("?") else "?" + cursor)

    async def iter_order_pages_in_windows(
        self,
        start: datetime,
        end: datetime,
        *,
        window: timedelta = ORDER_WINDOW,
        max_results: int = MAX_QUERY_RESULTS,
        **filters: Any,
    ) -> AsyncIterator[OrderPage]:
        """Pages of ``GET /v3/orders`` created since ``start``, one ``window`` (a day) per query, each followed
        by ``nextCursor``. The last window has no ``createdEndDate`` (Walmart's own now: dates go to Walmart
        in whole seconds, and its clock may be ahead of ours), so a PO created just now is not missed. A window
        whose first page says it matches more than ``max_results`` (Walmart errors past that many) is halved
        before its second page is asked for. Windows meet on a whole second, so a PO created on that second
        may come twice (taking it in again changes nothing)."""
        windows: list[tuple[datetime, datetime, bool]] = []  # (low, high, open-ended)
        cursor = start.replace(microsecond=0)
        while cursor < end:
            high = cursor + window
            windows.append((cursor, min(high, end), high >= end))
            cursor = high
        while windows:
            low, high, open_ended = windows.pop(0)
            pages = self.iter_order_pages(
                created_start_date=low, created_end_date=None if open_ended else high, **filters
            )
            try:
                try:
                    first = await anext(pages, None)
                except WalmartPermanentError as error:
                    if not (_is_past_the_cap(error) and high - low > MIN_ORDER_WINDOW):
                        raise
                    first = None
                    too_many = True
                else:
                    too_many = first is not None and (first.total_count or 0) > max_results
                if too_many and high - low > MIN_ORDER_WINDOW:
                    middle = (low + (high - low) / 2).replace(microsecond=0)
                    windows[:0] = [(low, middle, False), (middle, high, open_ended)]
                    continue
                if first is None:
                    continue
                yield first
                async for page in pages:
                    yield page
            finally:
                await pages.aclose()  # type: ignore[attr-defined]  # an async generator

    async def list_orders(self, **filters: Any) -> AsyncIterator[Order]:
        """Every PO matching the filters, page after page."""
        async for page in self.iter_order_pages(released=False, **filters):
            for order in page.orders:
                yield order

    async def list_released_orders(self, **filters: Any) -> AsyncIterator[Order]:
        """POs with lines in Created status (released to the seller)."""
        async for page in self.iter_order_pages(released=True, **filters):
            for order in page.orders:
                yield order

    async def get_order(self, purchase_order_id: str, *, product_info: bool = False) -> Order:
        query = _encode_query({"productInfo": True} if product_info else {})
        body = await self._call(
            "GET",
            "GET /v3/orders/{purchaseOrderId}",
            f"/v3/orders/{quote(purchase_order_id, safe='')}{query}",
            purchase_order_id=purchase_order_id,
        )
        return Order.from_response(body)

    async def acknowledge_order(self, purchase_order_id: str) -> Order:
        body = await self._call(
            "POST",
            "POST /v3/orders/{purchaseOrderId}/acknowledge",
            f"/v3/orders/{quote(purchase_order_id, safe='')}/acknowledge",
            intent=Intent.ACKNOWLEDGE,
            purchase_order_id=purchase_order_id,
        )
        return Order.from_response(body)

    async def ship_order_lines(
        self, purchase_order_id: str, lines: Sequence[ShipmentLine], process_mode: str | None = None
    ) -> Order:
        """Ship (part of) lines with tracking; ``process_mode="PARTIAL_UPDATE"`` corrects tracking."""
        if not lines:
            raise ValueError("nothing to ship")
        if process_mode not in (None, "PARTIAL_UPDATE"):
            raise ValueError("process_mode is None or 'PARTIAL_UPDATE'")
        body = await self._call(
            "POST",
            "POST /v3/orders/{purchaseOrderId}/shipping",
            f"/v3/orders/{quote(purchase_order_id, safe='')}/shipping",
            body=shipment_body(purchase_order_id, lines, process_mode),
            intent=Intent.CORRECT_SHIPMENT if process_mode else Intent.SHIP,
            purchase_order_id=purchase_order_id,
            lines=_line_numbers(lines),
        )
        return Order.from_response(body)

    async def cancel_order_lines(self, purchase_order_id: str, lines: Sequence[CancelLine]) -> Order:
        body = await self._call(
            "POST",
            "POST /v3/orders/{purchaseOrderId}/cancel",
            f"/v3/orders/{quote(purchase_order_id, safe='')}/cancel",
            body=cancellation_body(lines),
            intent=Intent.CANCEL,
            purchase_order_id=purchase_order_id,
            lines=_line_numbers(lines),
        )
        return Order.from_response(body)

    async def refund_order_lines(self, purchase_order_id: str, lines: Sequence[RefundLine]) -> Order:
        """Refund lines (full, or partial with amounts; amounts are sent negative)."""
        body = await self._call(
            "POST",
            "POST /v3/orders/{purchaseOrderId}/refund",
            f"/v3/orders/{quote(purchase_order_id, safe='')}/refund",
            body=refund_body(purchase_order_id, lines),
            intent=Intent.REFUND,
            purchase_order_id=purchase_order_id,
            lines=_line_numbers(lines),
        )
        return Order.from_response(body)

    # ------------------------------------------------------------ returns

    async def iter_return_pages(self, **filters: Any) -> AsyncIterator[tuple[list[ReturnOrder], str | None]]:
        params = _camel_filters(filters)
        limit = int(params.get("limit", 10))
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        for name, value in list(params.items()):
            if isinstance(value, datetime):
                params[name] = (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
        path = "/v3/returns" + _encode_query(params)
        while True:
            body = await self._call("GET", "GET /v3/returns", path, empty_on_not_found=True, subject="the return list")
            if body is None:
                return
            raw = body.get("returnOrders") or []
            cursor = (body.get("meta") or {}).get("nextCursor") or None
            yield [ReturnOrder.model_validate(r) for r in raw], cursor
            if not cursor or not raw:
                return
            path = "/v3/returns" + (cursor if cursor.startswith("?") else "?" + cursor)

    async def list_returns(self, **filters: Any) -> AsyncIterator[ReturnOrder]:
        """Returns matching Walmart's filters (``return_order_id``, ``customer_order_id``, ``status`` ...)."""
        async for returns, _cursor in self.iter_return_pages(**filters):
            for item in returns:
                yield item

    async def refund_return(
        self, return_order_id: str, customer_order_id: str, lines: Sequence[ReturnRefundLine]
    ) -> ReturnRefundResult:
        body = await self._call(
            "POST",
            "POST /v3/returns/{returnOrderId}/refund",
            f"/v3/returns/{quote(return_order_id, safe='')}/refund",
            body={"customerOrderId": customer_order_id, "refundLines": [line.entry() for line in lines]},
            intent=Intent.RETURN_REFUND,
            subject=f"return {return_order_id}",
            lines=[str(line.return_order_line_number) for line in lines],
        )
        return ReturnRefundResult.model_validate(body)

    # ------------------------------------------------------------ inventory

    async def get_inventory(self, sku: str, *, ship_node: str | None = None) -> Inventory:
        body = await self._call(
            "GET",
            "GET /v3/inventory",
            "/v3/inventory" + _encode_query({"sku": sku, "shipNode": ship_node}),
            subject=f"inventory of SKU {sku}",
        )
        return Inventory.model_validate(body)

    async def set_inventory(self, sku: str, quantity: int, *, ship_node: str | None = None) -> Inventory:
        body = await self._call(
            "PUT",
            "PUT /v3/inventory",
            "/v3/inventory" + _encode_query({"sku": sku, "shipNode": ship_node}),
            body={"sku": sku, "quantity": {"unit": "EACH", "amount": int(quantity)}},
            intent=Intent.UPDATE,
            subject=f"inventory of SKU {sku}",
        )
        return Inventory.model_validate(body)

    # ------------------------------------------------------------ notifications

    async def subscribe(
        self,
        event_type: str,
        event_url: str,
        *,
        auth_method: str | None = None,
        client_secret: str | None = None,
        username: str | None = None,
        password: str | None = None,
        auth_header_name: str | None = None,
        resource_name: str = "ORDER",
        event_version: str = "V1",
        status: str = "ACTIVE",
    ) -> list[Subscription]:
        """Subscribe ``event_url`` to ``event_type``; ``auth_method`` is ``HMAC`` or ``BASIC_AUTH``."""
        event = {**_event(event_type, event_url, resource_name, event_version), "status": status}
        if auth_method:
            auth = {
                "authMethod": auth_method,
                "authHeaderName": auth_header_name,
                "clientSecret": client_secret,
                "userName": username,
                "password": password,
            }
            event["authDetails"] = {k: v for k, v in auth.items() if v is not None}
        body = await self._call(
            "POST",
            "POST /v3/webhooks/subscriptions",
            "/v3/webhooks/subscriptions",
            body={"events": [event]},
            intent=Intent.UPDATE,
            subject=f"the {event_type} subscription",
        )
        return _subscriptions(body)

    async def test_notification(
        self,
        event_type: str,
        event_url: str,
        *,
        auth_method: str | None = None,
        client_secret: str | None = None,
        auth_header_name: str | None = None,
        resource_name: str = "ORDER",
        event_version: str = "V1",
    ) -> str:
        """``POST /v3/webhooks/test``: Walmart sends its sample ``event_type`` payload to ``event_url`` now, signed
        as a subscription with the same ``authDetails`` would be; returns Walmart's message. An URL that does not
        answer 2xx is refused."""
        event = _event(event_type, event_url, resource_name, event_version)
        if auth_method:
            auth = {"authMethod": auth_method, "clientSecret": client_secret, "authHeaderName": auth_header_name}
            event["authDetails"] = {k: v for k, v in auth.items() if v is not None}
        body = await self._call(
            "POST",
            "POST /v3/webhooks/test",
            "/v3/webhooks/test",
            body=event,
            intent=Intent.UPDATE,
            subject=f"the test {event_type} notification",
        )
        return str((body or {}).get("message") or "")

    async def list_subscriptions(self) -> list[Subscription]:
        body = await self._call(
            "GET",
            "GET /v3/webhooks/subscriptions",
            "/v3/webhooks/subscriptions",
            empty_on_not_found=True,
            subject="the subscriptions",
        )
        return _subscriptions(body or {})

    async def delete_subscription(self, subscription_id: str) -> None:
        await self._call(
            "DELETE",
            "DELETE /v3/webhooks/subscriptions/{subscriptionId}",
            f"/v3/webhooks/subscriptions/{quote(subscription_id, safe='')}",
            intent=Intent.UPDATE,
            subject=f"subscription {subscription_id}",
        )


def _event(event_type: str, event_url: str, resource_name: str, event_version: str) -> dict[str, Any]:
    """The event part of a subscription or test-notification body."""
    return {
        "eventType": event_type,
        "eventVersion": event_version,
        "resourceName": resource_name,
        "eventUrl": event_url,
        "headers": {"content-type": "application/json"},
    }


def _subscriptions(body: Mapping[str, Any]) -> list[Subscription]:
    items = body.get("events") or body.get("event") or []
    result: list[Subscription] = []
    for item in items:
        nested = item.get("event") if isinstance(item, Mapping) else None
        for entry in nested if isinstance(nested, list) else [item]:
            result.append(Subscription.model_validate(entry))
    return result


def _line_numbers(lines: Sequence[Any]) -> list[str]:
    seen: list[str] = []
    for line in lines:
        number = str(line.line_number)
        if number not in seen:
            seen.append(number)
    return seen


def _content_not_found(payload: Any) -> bool:
    """Walmart's 404 for a list with nothing in it (``CONTENT_NOT_FOUND...``), not for a wrong path."""
    details = parse_error_details(payload)
    return bool(details) and details[0].code.startswith("CONTENT_NOT_FOUND")


def _error_of(
    response: httpx.Response,
    payload: Any,
    *,
    intent: Intent,
    purchase_order_id: str | None = None,
    lines: Sequence[str] = (),
    subject: str | None = None,
) -> WalmartError:
    """The typed error of a non-2xx answer, with the request's correlation id and Walmart's Retry-After."""
    return error_from_response(
        http_status=response.status_code,
        body=payload,
        intent=intent,
        correlation_id=response.request.headers.get("WM_QOS.CORRELATION_ID"),
        purchase_order_id=purchase_order_id,
        lines=lines,
        subject=subject,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


__all__ = [
    "CancelLine",
    "RefundLine",
    "ReturnRefundLine",
    "ShipmentLine",
    "WalmartAuthError",
    "WalmartClient",
    "WalmartError",
]
