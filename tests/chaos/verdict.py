"""The judge: reads both sandboxes' seller-side truth (Walmart's ``/_sandbox/orders/{po}`` and inventory,
Commerce's ``/_sandbox/orders`` and salable quantities) and compares it with what the merchant and the buyer
did. It never reads the connector's tables; "unconverged" asks the connector's public API which orders it
still shows in Error.

  lost         a PO without a Commerce order, or something the merchant did that Walmart does not show
  dup          more than one Commerce order for a PO, anything Walmart applied twice, or more than was done
  wrong        any other difference (tracking, reason, amounts, unacknowledged lines, stock, Commerce mirror)
  unconverged  the connector still shows the order in Error (or a job of it failed) after the bounded wait
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from .control import CommerceControl, WalmartControl
from .lifecycles import Lifecycle

CATEGORIES = ("lost", "dup", "wrong", "unconverged")


@dataclass
class Verdict:
    problems: dict[str, dict[str, list[str]]] = field(default_factory=lambda: {c: {} for c in CATEGORIES})
    counters: dict[str, Any] = field(default_factory=dict)

    def add(self, category: str, po: str, why: str) -> None:
        self.problems[category].setdefault(po or "(no PO)", []).append(why)

    def count(self, category: str) -> int:
        return len(self.problems[category])

    @property
    def clean(self) -> bool:
        return all(self.count(c) == 0 for c in CATEGORIES)

    @property
    def correct(self) -> bool:
        """Clean apart from the connector's own Error list."""
        return all(self.count(c) == 0 for c in ("lost", "dup", "wrong"))

    def line(self) -> str:
        return " ".join(f"{c}={self.count(c)}" for c in CATEGORIES)

    def details(self, limit: int = 40) -> str:
        out = [self.line()]
        for category in CATEGORIES:
            for po, reasons in list(self.problems[category].items())[:limit]:
                out.append(f"  {category} {po}: {'; '.join(reasons)}")
            hidden = self.count(category) - limit
            if hidden > 0:
                out.append(f"  ... {hidden} more {category}")
        return "\n".join(out)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _tracking(entry: dict[str, Any]) -> str:
    tracking = entry.get("tracking") or {}
    return str(tracking.get("trackingNumber") or "")


def judge_walmart(verdict: Verdict, lc: Lifecycle, truth: dict[str, Any]) -> None:
    po = lc.purchase_order_id
    for number, want in lc.lines.items():
        line = truth["lines"].get(number)
        if line is None:
            verdict.add("wrong", po, f"Walmart has no line {number}")
            continue
        by_status = {k: int(v) for k, v in line["by_status"].items()}
        if by_status.get("Created"):
            verdict.add("wrong", po, f"line {number}: {by_status['Created']} unit(s) never acknowledged")
        shipped = Counter[str]()
        for entry in line["shipments"]:
            shipped[_tracking(entry)] += int(entry["quantity"])
        want_units, got_units = sum(want.shipped.values()), sum(shipped.values())
        if got_units < want_units:
            verdict.add(
                "lost", po, f"line {number}: Walmart shows {got_units} shipped, the merchant shipped {want_units}"
            )
        elif got_units > want_units:
            verdict.add(
                "dup", po, f"line {number}: Walmart shows {got_units} shipped, the merchant shipped {want_units}"
            )
        elif shipped != want.shipped:
            verdict.add(
                "wrong", po, f"line {number}: tracking {dict(shipped)} at Walmart, {dict(want.shipped)} in Commerce"
            )
        cancelled = Counter[str]()
        for entry in line["cancelled"]:
            cancelled[str(entry.get("reason") or "")] += int(entry["quantity"])
        want_cancel, got_cancel = sum(want.cancelled.values()), sum(cancelled.values())
        if got_cancel < want_cancel:
            verdict.add(
                "lost", po, f"line {number}: Walmart shows {got_cancel} cancelled, the merchant cancelled {want_cancel}"
            )
        elif got_cancel > want_cancel:
            verdict.add("dup", po, f"line {number}: Walmart shows {got_cancel} cancelled, expected {want_cancel}")
        elif cancelled != want.cancelled:
            verdict.add(
                "wrong",
                po,
                f"line {number}: cancel reasons {dict(cancelled)} at Walmart, expected {dict(want.cancelled)}",
            )
        for label, got, expected in (
            ("product", _money(line["refunded_product"]), want.refunded_product.quantize(Decimal("0.01"))),
            ("tax", _money(line["refunded_tax"]), want.refunded_tax.quantize(Decimal("0.01"))),
        ):
            if got < expected:
                category = "lost" if got == 0 else "wrong"
                verdict.add(
                    category, po, f"line {number}: Walmart refunded {label} {got}, Commerce credited {expected}"
                )
            elif got > expected:
                verdict.add("dup", po, f"line {number}: Walmart refunded {label} {got}, Commerce credited {expected}")


def judge_commerce(verdict: Verdict, lc: Lifecycle, orders: list[dict[str, Any]]) -> None:
    po = lc.purchase_order_id
    if not orders:
        verdict.add("lost", po, "no Commerce order")
        return
    if len(orders) > 1:
        ids = sorted(int(o["entity_id"]) for o in orders)
        verdict.add("dup", po, f"{len(orders)} Commerce orders {ids}")
    order = min(orders, key=lambda o: int(o["entity_id"]))
    items = {str(i["sku"]): i for i in order.get("items") or []}
    for number, want in lc.lines.items():
        item = items.get(want.sku)
        if item is None or int(float(item["qty_ordered"])) != want.quantity:
            got = None if item is None else item["qty_ordered"]
            verdict.add(
                "wrong", po, f"Commerce item {want.sku} ordered {got}, Walmart line {number} has {want.quantity}"
            )
            continue
        if lc.mirror_cancel:
            to_ship = float(item["qty_ordered"]) - sum(
                float(item.get(k) or 0) for k in ("qty_shipped", "qty_refunded", "qty_canceled")
            )
            if to_ship > 0:
                verdict.add("wrong", po, f"Walmart cancelled line {number}; Commerce still expects to ship {to_ship:g}")


class WalmartReader:
    """The seller's own view of Walmart inventory: ``GET /v3/inventory`` with a token of its own."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, http: httpx.AsyncClient) -> None:
        self.base_url, self.client_id, self.client_secret, self.http = base_url, client_id, client_secret, http
        self._token: str | None = None

    def _headers(self) -> dict[str, str]:
        return {
            "WM_SVC.NAME": "Walmart Marketplace",
            "WM_QOS.CORRELATION_ID": str(uuid.uuid4()),
            "Accept": "application/json",
        }

    async def inventory(self, sku: str, patience: float = 300.0) -> int | None:
        """Walmart's quantity of ``sku`` (None when Walmart does not know it). Reads share the seller's 200 a
        minute with the connector, so a 429 waits its ``Retry-After`` and the reader keeps trying for
        ``patience`` seconds before it gives up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        last = "no answer"
        while loop.time() < deadline:
            if self._token is None:
                response = await self.http.post(
                    f"{self.base_url}/v3/token",
                    headers=self._headers(),
                    auth=(self.client_id, self.client_secret),
                    data={"grant_type": "client_credentials"},
                )
                if response.status_code == 200:
                    self._token = response.json()["access_token"]
                else:
                    last = f"token: HTTP {response.status_code}"
                    await asyncio.sleep(_wait_for(response))
                    continue
            headers = {**self._headers(), "WM_SEC.ACCESS_TOKEN": self._token or ""}
            response = await self.http.get(f"{self.base_url}/v3/inventory", params={"sku": sku}, headers=headers)
            if response.status_code == 200:
                return int(response.json()["quantity"]["amount"])
            if response.status_code == 404:
                return None
            if response.status_code == 401:
                self._token = None
            last = f"HTTP {response.status_code}"
            await asyncio.sleep(_wait_for(response))
        raise RuntimeError(f"Walmart inventory of {sku} could not be read in {patience:g} s (last: {last})")


def _wait_for(response: httpx.Response) -> float:
    """Seconds before the next try: Walmart's ``Retry-After`` on a 429 (capped), else 2."""
    try:
        return min(30.0, max(0.5, float(response.headers.get("Retry-After", "2"))))
    except ValueError:
        return 2.0


async def judge(
    lifecycles: list[Lifecycle],
    walmart: WalmartControl,
    commerce: CommerceControl,
    reader: WalmartReader,
    salable: Any,
    errors_in_connector: dict[str, str],
) -> Verdict:
    """``salable(sku)`` reads Commerce's salable quantity; ``errors_in_connector`` maps PO -> why it is in Error."""
    verdict = Verdict()
    commerce_orders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for order in await commerce.orders():
        commerce_orders[str(order.get("ext_order_id"))].append(order)
    walmart_counters = await walmart.counters()
    commerce_counters = await commerce.counters()
    verdict.counters = {"walmart": walmart_counters, "commerce": commerce_counters}
    by_target = {lc.purchase_order_id: lc for lc in lifecycles}
    for lc in lifecycles:
        for return_id in lc.return_ids:
            by_target[return_id] = lc
    for twice in walmart_counters.get("applied_twice_details") or []:
        owner = by_target.get(str(twice.get("target")))
        po = owner.purchase_order_id if owner else str(twice.get("target"))
        verdict.add("dup", po, f"Walmart applied a {twice.get('kind')} twice")
    if int(commerce_counters.get("duplicate_ext_order_ids") or 0):
        verdict.add("dup", "(Commerce)", f"duplicate_ext_order_ids={commerce_counters['duplicate_ext_order_ids']}")

    slots = asyncio.Semaphore(16)

    async def one(lc: Lifecycle) -> None:
        if not lc.purchase_order_id:
            verdict.add("lost", f"(lifecycle {lc.index})", "; ".join(lc.notes) or "no Walmart order")
            return
        async with slots:
            truth = await walmart.truth(lc.purchase_order_id)
        judge_walmart(verdict, lc, truth)
        judge_commerce(verdict, lc, commerce_orders.get(lc.purchase_order_id, []))
        if lc.stock_sku is not None and lc.done:
            async with slots:
                at_walmart = await reader.inventory(lc.stock_sku)
                in_commerce = int(await salable(lc.stock_sku))
            if at_walmart != in_commerce:
                verdict.add(
                    "wrong",
                    lc.purchase_order_id,
                    f"SKU {lc.stock_sku}: Walmart inventory {at_walmart}, Commerce salable {in_commerce}",
                )
        for note in lc.notes:
            if any(word in note for word in ("refused", "driver error", "invoiced", "items", "intent")):
                verdict.add("wrong", lc.purchase_order_id, f"merchant: {note}")
        if lc.purchase_order_id in errors_in_connector:
            verdict.add("unconverged", lc.purchase_order_id, errors_in_connector[lc.purchase_order_id])

    await asyncio.gather(*(one(lc) for lc in lifecycles))
    for po, why in errors_in_connector.items():
        if po not in by_target:  # not one of ours (or the API did not answer)
            verdict.add("unconverged", po, why)
    return verdict
