"""``channel-manager run``'s listeners over a test world: the API and the webhook receivers on ephemeral
ports, one token per role."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from channel_manager.domain.access import Role
from channel_manager.service.tokens import create_token
from channel_manager.sync.runner import RunOptions, run_service
from channel_manager.web.server import HttpOptions, listeners
from channel_manager_sandboxes.serving import free_port

from .conftest import World


@dataclass
class Api:
    url: str
    webhook_url: str
    tokens: dict[Role, str]
    http: httpx.AsyncClient

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@asynccontextmanager
async def serving(world: World, *, workers: int = 1) -> AsyncIterator[Api]:
    tokens = {role: create_token(world.database, f"test-{role.value}", role)[1] for role in Role}
    port, webhook_port = free_port(), free_port()
    stop, started = asyncio.Event(), asyncio.Event()
    served = listeners(world.database, HttpOptions(port=port, webhook_port=webhook_port))
    options = RunOptions(workers=workers, pollers=False, shutdown_grace_seconds=5)
    service = asyncio.create_task(
        run_service(world.database, options, context=world.context, stop=stop, started=started, served=served)
    )
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait({service, waiting}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if service.done():
        service.result()
    assert started.is_set(), "the listeners did not start"
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            yield Api(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{webhook_port}", tokens, http)
    finally:
        stop.set()
        await asyncio.wait_for(service, 30)
