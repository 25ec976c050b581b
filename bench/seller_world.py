"""The multi-seller world: N Walmart sellers in one Walmart sandbox, N store views in one Commerce sandbox, and one
channel-manager store linking each pair (its own Walmart account, as the product requires)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from channel_manager.service import stores as store_service
from channel_manager.storage.unit_of_work import Database
from channel_manager.walmart.client import WalmartClient
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import free_port
from channel_manager_sandboxes.walmart.generator import DEFAULT_CATALOG
from harness import BENCH_DIR, COMMERCE_HOOK_SECRET, EXECUTABLE, WALMART_HOOK_SECRET, Sandboxes, start


@dataclass(frozen=True)
class Seller:
    number: int
    seller_id: str  # the Walmart sandbox's name for it
    client_id: str
    client_secret: str
    view_id: int  # its Commerce store view
    store_id: int  # its channel-manager store


def start_world_sandboxes(env: dict[str, str], logs: Path, writes_per_minute: int) -> Sandboxes:
    wport, cport = free_port(), free_port()
    walmart = start(
        "walmart-sandbox",
        ["--port", str(wport), "--client-id", "bench-default", "--client-secret", "bench-default-secret-1",
         "--writes-per-minute", str(writes_per_minute)],
        env, logs, f"http://127.0.0.1:{wport}/_sandbox/health",
        program=[sys.executable, str(BENCH_DIR / "walmart_sandbox.py")],
    )  # fmt: skip
    commerce = start(
        "commerce-sandbox",
        ["sandbox", "commerce", "--port", str(cport), "--seed-demo-catalog", "--log-level", "warning"],
        env, logs, f"http://127.0.0.1:{cport}/_sandbox/counters", program=[EXECUTABLE],
    )  # fmt: skip
    commerce_url = f"http://127.0.0.1:{cport}"
    for item in DEFAULT_CATALOG:  # plenty of stock: the benchmark measures the sync, not stock-outs
        httpx.put(
            f"{commerce_url}/_sandbox/products/{item.sku}/stock", json={"quantity": 10_000_000}, timeout=10
        ).raise_for_status()
    return Sandboxes(walmart, commerce, f"http://127.0.0.1:{wport}", commerce_url)


def create_sellers(database: Database, sandboxes: Sandboxes, count: int, poll_seconds: float) -> list[Seller]:
    """Each seller: a Walmart seller, a Commerce store view, a channel-manager store polling every
    ``poll_seconds`` (push mode passes a poll interval that never comes round)."""
    sellers: list[Seller] = []
    with httpx.Client(timeout=30) as http:
        for number in range(1, count + 1):
            seller_id, client_id = f"bench-seller-{number}", f"bench-client-{number}"
            secret = f"bench-secret-{number}-7431"
            http.post(
                f"{sandboxes.walmart_url}/_sandbox/sellers",
                json={"seller_id": seller_id, "client_id": client_id, "client_secret": secret},
            ).raise_for_status()
            view = http.post(f"{sandboxes.commerce_url}/_sandbox/stores", json={"code": f"view_{number}"})
            view.raise_for_status()
            store = ChannelStore(
                name=f"Bench seller {number}",
                walmart=WalmartAccount(sandboxes.walmart_url, client_id, Secret(secret), Secret(WALMART_HOOK_SECRET)),
                commerce=CommerceConnection(
                    sandboxes.commerce_url,
                    store_code=f"view_{number}",
                    access_token=Secret(DEFAULT_TOKEN),
                    webhook_secret=Secret(COMMERCE_HOOK_SECRET),
                ),
                settings=StoreSettings().updated(
                    order_poll_seconds=poll_seconds, commerce_poll_seconds=poll_seconds,
                    reconcile_seconds=3600.0, returns_poll_seconds=3600.0, commerce_store_id=int(view.json()["id"]),
                ),
            )  # fmt: skip
            saved = store_service.add_store(database, store)
            assert saved.id is not None
            sellers.append(Seller(number, seller_id, client_id, secret, int(view.json()["id"]), saved.id))
    return sellers


async def subscribe_walmart(sandboxes: Sandboxes, webhook_url: str, sellers: list[Seller]) -> None:
    """Each seller's ``PO_CREATED`` notifications go to its own store's webhook URL."""
    for seller in sellers:
        async with WalmartClient(
            sandboxes.walmart_url, seller.client_id, seller.client_secret, rate_limiting=False
        ) as walmart:
            await walmart.subscribe(
                "PO_CREATED", f"{webhook_url}/webhooks/walmart/{seller.store_id}", auth_method="HMAC",
                client_secret=WALMART_HOOK_SECRET,
            )  # fmt: skip


def point_commerce_webhooks(sandboxes: Sandboxes, url: str) -> None:
    httpx.put(
        f"{sandboxes.commerce_url}/_sandbox/webhooks", json={"url": url, "secret": COMMERCE_HOOK_SECRET}, timeout=10
    ).raise_for_status()
