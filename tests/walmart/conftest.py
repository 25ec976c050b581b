"""A Walmart sandbox on a loopback port for each test, and clients that record their attempts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from channel_manager.walmart.client import WalmartClient
from channel_manager.walmart.http_attempts import WalmartAttempt
from channel_manager_sandboxes.serving import BackgroundServer
from channel_manager_sandboxes.walmart import WalmartSandbox, WalmartSandboxSettings, create_app

CLIENT_ID = "test-client"
CLIENT_SECRET = "s3cr3t-Walmart-Secret-Value"


@dataclass
class SandboxUnderTest:
    url: str
    sandbox: WalmartSandbox
    attempts: list[WalmartAttempt] = field(default_factory=list)

    def client(self, **kw: Any) -> WalmartClient:
        kw.setdefault("on_attempt", self.attempts.append)
        kw.setdefault("retry_backoff", 0.01)
        kw.setdefault("timeout", 5.0)
        return WalmartClient(self.url, kw.pop("client_id", CLIENT_ID), kw.pop("client_secret", CLIENT_SECRET), **kw)

    def control(self, method: str, path: str, **kw: Any) -> Any:
        response = httpx.request(method, self.url + path, timeout=10, **kw)
        response.raise_for_status()
        return response.json()

    def order(self, **spec: Any) -> str:
        """Create one exact order for the default seller; returns its PO id."""
        spec.setdefault("lines", [{"sku": "SKU-1", "quantity": 1, "unit_price": 10.0}])
        return self.control("POST", "/_sandbox/sellers/seller-1/orders/exact", json=spec)["purchase_order_id"]

    def fault(self, **spec: Any) -> Any:
        return self.control("POST", "/_sandbox/faults", json=spec)

    @property
    def counters(self) -> dict[str, Any]:
        return self.control("GET", "/_sandbox/counters")


def make_settings(**kw: Any) -> WalmartSandboxSettings:
    kw.setdefault("client_id", CLIENT_ID)
    kw.setdefault("client_secret", CLIENT_SECRET)
    kw.setdefault("delivery_backoff", 0.05)
    return WalmartSandboxSettings(**kw)


@pytest.fixture
def sandbox_settings() -> WalmartSandboxSettings:
    return make_settings()


@pytest.fixture
def walmart(sandbox_settings: WalmartSandboxSettings) -> Iterator[SandboxUnderTest]:
    app = create_app(sandbox_settings)
    server = BackgroundServer(app)
    server.start()
    try:
        yield SandboxUnderTest(server.url, app.state.sandbox)
    finally:
        server.stop()
