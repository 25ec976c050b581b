"""ASGI middleware in front of the REST routes: store-code prefix, routing errors, authentication,
call counters and fault injection. The control API (``/_sandbox/...``) passes straight through."""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import threading
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channel_manager_sandboxes.commerce.errors import NO_ROUTE, NOT_AUTHORIZED, SandboxApiError
from channel_manager_sandboxes.commerce.faults import FaultInjector
from channel_manager_sandboxes.commerce.oauth import OAuthVerifier
from channel_manager_sandboxes.commerce.settings import SandboxSettings
from channel_manager_sandboxes.commerce.state import CommerceSandbox

STORE_CODE_KEY = "commerce.store_code"
ENDPOINT_KEY = "commerce.endpoint"

#: The ACL resource a route needs: by its path's start first, then by its end, else Sales view / edit.
ACL_BY_PREFIX = (
    ("/V1/carts", "Magento_Cart::manage"),
    ("/V1/inventory", "Magento_InventoryApi::source"),
    ("/V1/store", "Magento_Backend::store"),
    ("/V1/products", "Magento_Catalog::products"),
    ("/V1/stockItems", "Magento_CatalogInventory::cataloginventory"),
    ("/V1/channel-manager", "ChannelManager_Connector::orders"),
)
ACL_BY_SUFFIX = (
    ("/cancel", "Magento_Sales::cancel"),
    ("/hold", "Magento_Sales::hold"),
    ("/unhold", "Magento_Sales::unhold"),
    ("/comments", "Magento_Sales::comment"),
    ("/invoice", "Magento_Sales::invoice"),
    ("/ship", "Magento_Sales::ship"),
    ("/refund", "Magento_Sales::creditmemo"),
)


def acl_resource(endpoint: str) -> str:
    method, template = endpoint.split(" ", 1)
    for prefix, resource in ACL_BY_PREFIX:
        if template.startswith(prefix):
            return resource
    for suffix, resource in ACL_BY_SUFFIX:
        if template.endswith(suffix):
            return resource
    return "Magento_Sales::actions_view" if method == "GET" else "Magento_Sales::actions_edit"


class Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.errors_sent = 0
        self.faults_injected = 0

    def call(self, endpoint: str) -> None:
        with self._lock:
            self.calls[endpoint] += 1

    def error(self) -> None:
        with self._lock:
            self.errors_sent += 1

    def fault(self) -> None:
        with self._lock:
            self.faults_injected += 1

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.errors_sent = 0
            self.faults_injected = 0

    def view(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "total_calls": sum(self.calls.values()),
                "errors_sent": self.errors_sent,
                "faults_injected": self.faults_injected,
            }


async def send_json(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def internal_error_body() -> dict[str, str]:
    return {
        "message": "Internal Error. Details are available in Magento log file. "
        f"Report ID: webapi-{secrets.token_hex(6)}"
    }


class CommerceGateway:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: list[Any],
        sandbox: CommerceSandbox,
        settings: SandboxSettings,
        faults: FaultInjector,
        counters: Counters,
    ) -> None:
        self.app = app
        self.routes = routes
        self.sandbox = sandbox
        self.settings = settings
        self.faults = faults
        self.counters = counters
        self.tokens = tuple(settings.tokens)
        self.verifier = OAuthVerifier(settings.oauth, settings.oauth_timestamp_tolerance_s) if settings.oauth else None

    def _endpoint(self, scope: Scope) -> str | None:
        partial = None
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return f"{scope['method']} {route.path[len('/rest') :]}"
            if match == Match.PARTIAL and partial is None:
                partial = route
        return None

    def _authenticate(self, scope: Scope, endpoint: str, inner_query: list[tuple[str, str]]) -> None:
        header = ""
        host = ""
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
            elif name == b"host":
                host = value.decode("latin-1")
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
            if any(hmac.compare_digest(token, known) for known in self.tokens):
                return
        elif header[:6].lower() == "oauth " and self.verifier is not None:
            raw_path = scope.get("raw_path") or scope["path"].encode()
            self.verifier.verify(
                scope["method"], scope.get("scheme", "http"), host, raw_path.decode("latin-1"), inner_query, header
            )
            return
        raise SandboxApiError(401, NOT_AUTHORIZED, {"resources": acl_resource(endpoint)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/rest/"):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        rest = path[len("/rest/") :]
        head, _, tail = rest.partition("/")
        if head == "V1":
            store_code, inner = "default", "/" + rest
        else:
            store_code, inner = head, "/" + tail
        inner_scope = dict(scope)
        inner_scope["path"] = "/rest" + inner
        inner_scope[STORE_CODE_KEY] = store_code
        endpoint = self._endpoint(inner_scope)
        if endpoint is None:
            self.counters.error()
            await send_json(send, 404, {"message": NO_ROUTE})
            return
        inner_scope[ENDPOINT_KEY] = endpoint
        self.counters.call(endpoint)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        try:
            self._authenticate(scope, endpoint, query)
            self.sandbox.store_id_for(store_code)
        except SandboxApiError as exc:
            self.counters.error()
            await send_json(send, exc.status, exc.body())
            return
        rule = self.faults.pick(endpoint)
        if rule is not None:
            self.counters.fault()
            if rule.mode == "delay":
                await asyncio.sleep(rule.latency_ms / 1000)
            elif rule.mode == "error":
                await asyncio.sleep(rule.latency_ms / 1000)
                self.counters.error()
                await send_json(send, rule.status, internal_error_body())
                return
            else:  # lose_response: apply, then lose the answer

                async def discard(message: Message) -> None:
                    return None

                await self.app(inner_scope, receive, discard)
                await asyncio.sleep(rule.latency_ms / 1000)
                self.counters.error()
                await send_json(send, rule.status, internal_error_body())
                return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
                self.counters.error()
            await send(message)

        await self.app(inner_scope, receive, counting_send)
