"""Every call the chaos harness makes to the sandboxes' control APIs (``/_sandbox/...``), in one place.

Everything here exists today. Endpoints the harness would use if they existed are listed in
``MISSING_CONTROL_ENDPOINTS`` (and worked around, as said there).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

SELLER = "seller-1"

#: Control endpoints the harness would use if the sandboxes had them, with today's workaround.
MISSING_CONTROL_ENDPOINTS = {
    "DELETE /_sandbox/faults/{id} (Walmart and Commerce)": "the fault set is cleared and re-added whole",
    "GET /_sandbox/sellers/{seller_id}/inventory/{sku} (Walmart)": "the judge reads GET /v3/inventory with a token",
    "shipment receipt time in GET /_sandbox/orders/{po} (Walmart)": "the line's statusDate right after the ship",
}


class _Control:
    """A sandbox's ``/_sandbox`` API."""

    def __init__(self, base_url: str, client: httpx.AsyncClient) -> None:
        self.base_url = base_url
        self.http = client

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """A read is tried again after a dropped connection (a loaded machine); a write only when it never
        reached the sandbox."""
        retried = httpx.TransportError if method == "GET" else httpx.ConnectError
        for attempt in range(5):
            try:
                response = await self.http.request(method, f"{self.base_url}/_sandbox{path}", **kwargs)
            except retried:
                if attempt == 4:
                    raise
                await asyncio.sleep(1 + attempt)
                continue
            response.raise_for_status()
            return response.json() if response.content else None
        raise AssertionError("unreachable")

    async def set_faults(self, faults: list[dict[str, Any]]) -> None:
        """Replaces the whole fault set (there is no way to remove one fault)."""
        await self._call("DELETE", "/faults")
        for fault in faults:
            await self._call("POST", "/faults", json=fault)

    async def counters(self) -> dict[str, Any]:
        return await self._call("GET", "/counters")


class WalmartControl(_Control):
    async def create_order(self, spec: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", f"/sellers/{SELLER}/orders/exact", json=spec)

    async def truth(self, po: str) -> dict[str, Any]:
        return await self._call("GET", f"/orders/{po}")

    async def intent_to_cancel(self, po: str, line: str) -> None:
        await self._call("POST", f"/orders/{po}/lines/{line}/intent-to-cancel")

    async def open_return(self, po: str, line: str, quantity: int) -> dict[str, Any]:
        body = {"lines": [{"line_number": line, "quantity": quantity, "reason": "NO_LONGER_WANTED"}]}
        return await self._call("POST", f"/orders/{po}/returns", json=body)

    async def revoke_tokens(self) -> None:
        await self._call("POST", f"/sellers/{SELLER}/revoke-tokens")

    async def settings(self, **changes: Any) -> dict[str, Any]:
        return await self._call("PUT", "/settings", json=changes)


class CommerceControl(_Control):
    async def put_product(self, sku: str, name: str, price: float, quantity: int) -> None:
        await self._call("PUT", f"/products/{sku}", json={"name": name, "price": price, "quantity": quantity})

    async def product(self, sku: str) -> dict[str, Any]:
        return await self._call("GET", f"/products/{sku}")

    async def orders(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/orders")

    async def set_webhook(self, url: str, secret: str) -> None:
        await self._call("PUT", "/webhooks", json={"url": url, "secret": secret})
