"""Fixtures: a fresh Commerce sandbox on a loopback port per test, and a client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from channel_manager.commerce import (
    BearerToken,
    ChannelAddress,
    ChannelOrder,
    ChannelOrderLine,
    CommerceAttempt,
    CommerceClient,
)
from channel_manager_sandboxes.commerce import CommerceSandbox, SandboxSettings, create_app
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import BackgroundServer


@dataclass
class RunningSandbox:
    url: str
    app: Any
    server: BackgroundServer
    control: httpx.Client = field(repr=False)

    @property
    def state(self) -> CommerceSandbox:
        return self.app.state.sandbox

    def product(
        self, sku: str, price: float = 10.0, quantity: float = 100, name: str | None = None, status: str = "enabled"
    ) -> dict[str, Any]:
        response = self.control.put(
            f"/_sandbox/products/{sku}",
            json={"name": name or f"Product {sku}", "price": price, "quantity": quantity, "status": status},
        )
        response.raise_for_status()
        return response.json()

    def fault(self, **rule: Any) -> None:
        self.control.post("/_sandbox/faults", json=rule).raise_for_status()

    def counters(self) -> dict[str, Any]:
        return self.control.get("/_sandbox/counters").json()


def start_sandbox(settings: SandboxSettings | None = None) -> RunningSandbox:
    app = create_app(settings or SandboxSettings())
    server = BackgroundServer(app)
    url = server.start()
    return RunningSandbox(url, app, server, httpx.Client(base_url=url, timeout=10))


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox()
    try:
        yield running
    finally:
        running.control.close()
        running.server.stop()


@pytest.fixture
def attempts() -> list[CommerceAttempt]:
    return []


@pytest.fixture
async def client(sandbox: RunningSandbox, attempts: list[CommerceAttempt]) -> AsyncIterator[CommerceClient]:
    async with CommerceClient(
        sandbox.url, BearerToken(DEFAULT_TOKEN), timeout=5, on_attempt=attempts.append
    ) as commerce:
        yield commerce


def channel_order(
    po: str = "1796277083022",
    *,
    lines: list[tuple[str, int, str]] | None = None,
    method: str = "Value",
    email: str | None = None,
) -> ChannelOrder:
    """A Walmart-like PO; ``lines`` = (sku, qty, unit price)."""
    lines = lines or [("SKU-A", 2, "19.99"), ("SKU-B", 1, "5.00")]
    return ChannelOrder(
        purchase_order_id=po,
        customer_order_id=f"C{po}",
        customer_email=email or f"{po}@relay.walmart.com",
        customer_name="Zoë Ångström-Núñez",
        shipping_address=ChannelAddress(
            name="Zoë Ångström-Núñez",
            address1="860 W. California Ave",
            address2="Apt 2",
            city="Sunnyvale",
            state="CA",
            postal_code="94086",
            country="USA",
            phone="2342423234",
        ),
        phone="2342423234",
        ship_method_code=method,
        order_date=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        lines=tuple(
            ChannelOrderLine(
                line_number=str(n),
                sku=sku,
                product_name=f"Product {sku}",
                quantity=qty,
                unit_price=Decimal(price),
                tax_per_unit=Decimal("1.00"),
                shipping_charge=Decimal("2.50"),
            )
            for n, (sku, qty, price) in enumerate(lines, start=1)
        ),
    )
