"""The merchant in Commerce's admin: what a person does there is the same REST call, so the chaos run ships,
corrects tracking, comments, makes credit memos and changes stock through Commerce's REST API.

The harness never injects "apply, then lose the answer" on the routes used here, so a call that failed did
nothing and the merchant simply tries again (as a person would, after the admin showed an error)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpx

TRANSIENT = {429, 500, 502, 503, 504}


class MerchantRefused(RuntimeError):
    """Commerce refused what the merchant tried (a 4xx): nothing was done."""


class Merchant:
    def __init__(self, base_url: str, token: str, *, give_up_after: float = 120.0) -> None:
        self.rest = f"{base_url}/rest/V1"
        self.http = httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        self.give_up_after = give_up_after
        self.failed_calls = 0  # transient failures the merchant saw (Commerce outage)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.give_up_after
        delay = 0.5
        while True:
            try:
                response = await self.http.request(method, f"{self.rest}{path}", **kwargs)
            except httpx.TransportError as error:
                problem = f"{type(error).__name__}"
            else:
                if response.status_code < 400:
                    return response.json()
                if response.status_code not in TRANSIENT:
                    raise MerchantRefused(f"{method} {path}: {response.status_code} {response.text[:300]}")
                problem = f"{response.status_code}"
            self.failed_calls += 1
            if loop.time() > deadline:
                raise MerchantRefused(f"{method} {path}: Commerce unavailable ({problem}) for {self.give_up_after} s")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 3.0)

    async def orders_for(self, purchase_order_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Commerce orders by ``ext_order_id`` (the PO number), as the admin's order grid finds them."""
        wanted = sorted(set(purchase_order_ids))
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(wanted), 100):
            chunk = wanted[start : start + 100]
            params = {
                "searchCriteria[filterGroups][0][filters][0][field]": "ext_order_id",
                "searchCriteria[filterGroups][0][filters][0][value]": ",".join(chunk),
                "searchCriteria[filterGroups][0][filters][0][conditionType]": "in",
                "searchCriteria[pageSize]": "500",
            }
            page = await self._call("GET", "/orders", params=params)
            for order in page.get("items") or []:
                found.setdefault(str(order.get("ext_order_id")), []).append(order)
        return found

    async def order(self, order_id: int) -> dict[str, Any]:
        return await self._call("GET", f"/orders/{order_id}")

    async def ship(self, order_id: int, items: list[tuple[int, int]], tracking: str) -> int:
        body = {
            "items": [{"order_item_id": item, "qty": qty} for item, qty in items],
            "notify": False,
            "tracks": [{"carrier_code": "ups", "title": "UPS", "track_number": tracking}],
            "arguments": {"extension_attributes": {"source_code": "default"}},
        }
        return int(await self._call("POST", f"/order/{order_id}/ship", json=body))

    async def correct_tracking(self, order_id: int, shipment_id: int, tracking: str) -> None:
        entity = {
            "order_id": order_id,
            "parent_id": shipment_id,
            "carrier_code": "ups",
            "title": "UPS",
            "track_number": tracking,
            "description": "",
            "qty": 0,
            "weight": 0,
        }
        await self._call("POST", "/shipment/track", json={"entity": entity})

    async def comment(self, order_id: int, text: str) -> None:
        status = (await self.order(order_id)).get("status")
        history = {
            "comment": text,
            "status": status,
            "parent_id": order_id,
            "is_customer_notified": 0,
            "is_visible_on_front": 0,
        }
        await self._call("POST", f"/orders/{order_id}/comments", json={"statusHistory": history})

    async def credit_memo(
        self, order_id: int, items: list[tuple[int, int]], *, back_to_stock: bool = False, comment: str | None = None
    ) -> int:
        """An offline credit memo (no shipping refunded); ``back_to_stock`` returns the items to stock."""
        arguments: dict[str, Any] = {
            "shipping_amount": 0,
            "adjustment_positive": 0,
            "adjustment_negative": 0,
            "extension_attributes": {"return_to_stock_items": [item for item, _ in items] if back_to_stock else []},
        }
        body: dict[str, Any] = {
            "items": [{"order_item_id": item, "qty": qty} for item, qty in items],
            "notify": False,
            "arguments": arguments,
        }
        if comment:
            body["comment"] = {"comment": comment, "is_visible_on_front": 0}
            body["appendComment"] = True
        return int(await self._call("POST", f"/order/{order_id}/refund", json=body))

    async def set_stock(self, sku: str, quantity: int) -> None:
        item = {"sku": sku, "source_code": "default", "quantity": quantity, "status": int(quantity > 0)}
        await self._call("POST", "/inventory/source-items", json={"sourceItems": [item]})

    async def salable(self, sku: str) -> float:
        return float(await self._call("GET", f"/inventory/get-product-salable-quantity/{sku}/1"))

    async def credit_memos(self, order_id: int) -> list[dict[str, Any]]:
        params = {
            "searchCriteria[filterGroups][0][filters][0][field]": "order_id",
            "searchCriteria[filterGroups][0][filters][0][value]": str(order_id),
        }
        return list((await self._call("GET", "/creditmemos", params=params)).get("items") or [])
