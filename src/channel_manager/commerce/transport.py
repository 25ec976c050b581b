"""One HTTP exchange with Commerce: URL building, signing, attempt records, typed errors.

No retries here: whether to retry (and whether a write may already have been applied) is the sync
engine's decision, informed by :class:`CommerceRetryableError.ambiguous`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from channel_manager.commerce.auth import CommerceAuth
from channel_manager.commerce.errors import (
    CommerceAuthError,
    CommerceError,
    CommerceNotFoundError,
    CommerceRetryableError,
    CommerceValidationError,
    fill_message,
    one_line,
)
from channel_manager.commerce.http_attempts import AttemptCallback, CommerceAttempt
from channel_manager.http_clients import OnDemandClient

_SAFE_METHODS = frozenset({"GET", "HEAD"})


def _format_path(template: str, path_params: Mapping[str, object]) -> str:
    path = template
    for name, value in path_params.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    return path


class CommerceTransport:
    def __init__(
        self,
        base_url: str,
        auth: CommerceAuth,
        *,
        store_code: str | None = None,
        timeout: float = 30.0,
        on_attempt: AttemptCallback | None = None,
        max_connections: int = 20,
    ) -> None:
        root = base_url.rstrip("/")
        if root.endswith("/rest"):
            root = root[: -len("/rest")]
        self._root = root
        self._prefix = f"/rest/{quote(store_code, safe='')}" if store_code else "/rest"
        self._auth = auth
        self._on_attempt = on_attempt
        self._http = OnDemandClient(
            timeout=timeout,
            max_connections=max_connections,
            headers={"Accept": "application/json", "User-Agent": "channel-manager"},
        )

    @property
    def store_url(self) -> str:
        return f"{self._root}{self._prefix}"

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def is_open(self) -> bool:
        return self._http.is_open

    async def close_if_idle(self, idle_seconds: float) -> bool:
        return await self._http.close_if_idle(idle_seconds)

    def _record(self, attempt: CommerceAttempt) -> None:
        if self._on_attempt is not None:
            self._on_attempt(attempt)

    async def request(
        self,
        method: str,
        template: str,
        *,
        path_params: Mapping[str, object] | None = None,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        order_id: int | None = None,
        action: str | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON answer (objects, arrays or bare scalars).

        ``template`` is the route as Commerce documents it, e.g. ``/V1/order/{orderId}/ship``.
        ``action`` prefixes error messages: ``"Commerce refused <action>: <Commerce's text>"``.
        """
        method = method.upper()
        endpoint = f"{method} {template}"
        path = self._prefix + _format_path(template, path_params or {})
        url = self._root + path
        headers = {"Authorization": self._auth.authorization(method, url, list(query))}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        started = datetime.now(UTC)
        clock = time.perf_counter()
        status: int | None = None
        try:
            response = await self._http.request(
                method, url, params=list(query) or None, content=content, headers=headers
            )
            status = response.status_code
        except httpx.TransportError as exc:
            sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "connection failed"
            message = f"Commerce {kind} on {endpoint}: {type(exc).__name__}"
            self._record(
                CommerceAttempt(
                    started, method, endpoint, path, None, message, (time.perf_counter() - clock) * 1000, order_id
                )
            )
            raise CommerceRetryableError(
                message, ambiguous=sent and method not in _SAFE_METHODS, endpoint=endpoint, order_id=order_id
            ) from exc
        duration_ms = (time.perf_counter() - clock) * 1000
        if status < 400:
            try:
                data = response.json() if response.content else None
            except ValueError:
                bad_body = CommerceRetryableError(
                    f"Commerce answered {endpoint} with a body that is not JSON (HTTP {status})",
                    http_status=status,
                    endpoint=endpoint,
                    order_id=order_id,
                    ambiguous=method not in _SAFE_METHODS,
                )
                self._record(
                    CommerceAttempt(started, method, endpoint, path, status, bad_body.message, duration_ms, order_id)
                )
                raise bad_body from None
            self._record(CommerceAttempt(started, method, endpoint, path, status, None, duration_ms, order_id))
            return data
        error = self._error(response, method, endpoint, action, order_id)
        self._record(CommerceAttempt(started, method, endpoint, path, status, error.message, duration_ms, order_id))
        raise error

    def _error(
        self, response: httpx.Response, method: str, endpoint: str, action: str | None, order_id: int | None
    ) -> CommerceError:
        status = response.status_code
        template: str | None = None
        parameters: Any = None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            if isinstance(body.get("message"), str):
                template = body["message"]
                parameters = body.get("parameters")
            elif isinstance(body.get("messages"), dict):  # fatal PHP error shape
                errors = body["messages"].get("error") or [{}]
                template = str(errors[0].get("message", ""))
            details = body.get("errors")
            if isinstance(details, list) and details:
                extra = [
                    fill_message(str(d.get("message", "")), d.get("parameters")) for d in details if isinstance(d, dict)
                ]
                template = (template or "") + " " + " ".join(extra)
        commerce_text = one_line(fill_message(template, parameters)) if template else f"HTTP {status}"
        common: dict[str, Any] = {
            "http_status": status,
            "template": template,
            "parameters": parameters,
            "commerce_message": commerce_text,
            "endpoint": endpoint,
            "order_id": order_id,
        }
        if status == 404:
            return CommerceNotFoundError(f"Commerce could not find {action or endpoint}: {commerce_text}", **common)
        if status == 401 or status == 403:
            return CommerceAuthError(f"Commerce refused the credentials on {endpoint}: {commerce_text}", **common)
        if status == 429 or status >= 500:
            return CommerceRetryableError(
                f"Commerce failed {action or endpoint} (HTTP {status}): {commerce_text}",
                ambiguous=method not in _SAFE_METHODS and status != 429,
                **common,
            )
        return CommerceValidationError(f"Commerce refused {action or endpoint}: {commerce_text}", **common)
