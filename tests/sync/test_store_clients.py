"""A store's Walmart and Commerce clients in a process: cheap to hold for a hundred stores (one TLS context for
all, no connection pool before the first call), and their pools closed when idle and opened again on demand."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from channel_manager.sync.runner import RunOptions, run_service
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import CLIENT_ID, CLIENT_SECRET, Servers, World

pytestmark = pytest.mark.anyio


async def test_a_stores_clients_open_on_first_use_close_when_idle_and_open_again(world: World) -> None:
    link = await world.context.store(world.store_id)
    assert not link.walmart.is_open and not link.commerce.is_open  # built, nothing opened yet

    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    assert link.walmart.is_open and link.commerce.is_open
    assert await world.context.close_idle_clients(idle_seconds=300) == 0  # just used

    # A call under way keeps its pool open, however long it takes.
    world.commerce_fault(route="GET /V1/orders/{id}", mode="delay", latency_ms=600, count=1)
    commerce_order_id = world.order(po).commerce_order_id
    assert commerce_order_id is not None
    slow = asyncio.ensure_future(link.commerce.get_order(commerce_order_id))
    await asyncio.sleep(0.2)
    assert await world.context.close_idle_clients(idle_seconds=0) == 1  # Walmart's closed, Commerce's in use
    assert not link.walmart.is_open and link.commerce.is_open
    assert (await slow).entity_id == commerce_order_id

    assert await world.context.close_idle_clients(idle_seconds=0) == 1
    assert not link.walmart.is_open and not link.commerce.is_open
    # The next calls open them again, with the same link (what pollers and jobs hold).
    second = world.walmart_order([{"sku": "TEE-2", "quantity": 1}])
    await world.take_in()
    assert world.order(second).commerce_order_id is not None and world.order(second).acknowledged_at is not None
    assert link.walmart.is_open and link.commerce.is_open and await world.context.store(world.store_id) is link
    world.assert_nothing_duplicated()


async def test_the_runner_closes_pools_left_idle(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    link = await world.context.store(world.store_id)
    assert link.walmart.is_open and link.commerce.is_open
    stop, started = asyncio.Event(), asyncio.Event()
    options = RunOptions(workers=1, pollers=False, shutdown_grace_seconds=2, client_idle_seconds=0.5)
    running = run_service(world.database, options, context=world.context, stop=stop, started=started)
    service = asyncio.create_task(running)
    try:
        await asyncio.wait_for(started.wait(), 10)
        for _ in range(100):
            if not link.walmart.is_open and not link.commerce.is_open:
                break
            await asyncio.sleep(0.05)
        assert not link.walmart.is_open and not link.commerce.is_open
    finally:
        stop.set()
        await asyncio.wait_for(service, 20)
    assert world.order(po).acknowledged_at is not None


#: Run in a fresh interpreter, so that memory freed by earlier tests does not hide what the clients take.
_HUNDRED_STORES = """
import asyncio, gc, sys
from channel_manager.commerce.errors import CommerceError
from channel_manager.connections import commerce_client_for, walmart_client_for
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, WalmartAccount
from channel_manager.walmart.errors import WalmartError

def resident_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

async def main(walmart_url, commerce_url, client_id, client_secret, token):
    clients = []
    gc.collect()
    before = resident_kb()
    for n in range(100):
        store = ChannelStore(
            id=1000 + n, name=f"Store {n}",
            walmart=WalmartAccount(walmart_url, client_id, Secret(client_secret)),
            commerce=CommerceConnection(commerce_url, access_token=Secret(token)),
        )
        walmart = walmart_client_for(store, rate_limiting=False, timeout=3.0)
        commerce = commerce_client_for(store, timeout=3.0)
        clients += [walmart, commerce]
        try:
            await walmart.get_order("NO-SUCH-PO")  # a token, then the order: both over the pool
        except WalmartError:
            pass
        try:
            await commerce.get_order(999999)
        except CommerceError:
            pass
    gc.collect()
    print(resident_kb() - before)
    for client in clients:
        await client.aclose()

asyncio.run(main(*sys.argv[1:]))
"""


def test_a_hundred_stores_clients_each_used_take_little_memory(servers: Servers) -> None:
    measured = subprocess.run(
        [sys.executable, "-c", _HUNDRED_STORES, servers.walmart_url, servers.commerce_url, CLIENT_ID, CLIENT_SECRET,
         DEFAULT_TOKEN],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    grown_mb = int(measured.stdout.split()[-1]) / 1024
    # Each httpx client built its own TLS context before (about 0.8 MB: the CA bundle), 2 per store: ~160 MB.
    assert grown_mb < 40, f"100 stores' clients took {grown_mb:.0f} MB"
