"""The HTTP listeners of ``channel-manager run``: the API (default 127.0.0.1:8080) and the webhook
receivers (default 127.0.0.1:8090), each a uvicorn server inside the runner's event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from ..storage.unit_of_work import Database
from ..sync.context import SyncContext
from .app import create_api_app, create_webhook_app
from .auth import FailureLimiter
from .state import ServiceState


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class HttpOptions:
    """``channel-manager run``'s listeners: the API and the webhook receivers, each on/off."""

    host: str = "127.0.0.1"
    port: int = 8080
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8090
    api: bool = True
    webhooks: bool = True
    #: Failed authentications allowed per client address and minute before it gets 429.
    auth_failures_per_minute: int = 10

    @property
    def api_listen(self) -> Listen | None:
        return Listen(self.host, self.port) if self.api else None

    @property
    def webhook_listen(self) -> Listen | None:
        return Listen(self.webhook_host, self.webhook_port) if self.webhooks else None


START_SECONDS = 10.0


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our own event loop: the runner, not uvicorn, owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _server(app: FastAPI, listen: Listen) -> EmbeddedServer:
    config = uvicorn.Config(
        app, host=listen.host, port=listen.port, log_level="warning", access_log=False, lifespan="off"
    )
    return EmbeddedServer(config)


class Listeners:
    """Starts the API and/or webhook listeners; ``stop()`` asks them to finish."""

    def __init__(
        self,
        database: Database,
        context: SyncContext,
        *,
        api: Listen | None,
        webhooks: Listen | None,
        auth_failures_per_minute: int = 10,
    ) -> None:
        state = ServiceState(database, context)
        self.api, self.webhooks = api, webhooks
        self.servers: list[EmbeddedServer] = []
        if api is not None:
            limiter = FailureLimiter(max_failures=auth_failures_per_minute, window_seconds=60.0)
            self.servers.append(_server(create_api_app(state, limiter=limiter), api))
        if webhooks is not None:
            self.servers.append(_server(create_webhook_app(state), webhooks))
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> list[asyncio.Task[None]]:
        self.tasks = [asyncio.create_task(s.serve(), name=f"http-{i}") for i, s in enumerate(self.servers)]
        return self.tasks

    async def wait_started(self) -> None:
        """Until every listener is bound (or one of them failed to start), at most ``START_SECONDS``."""
        deadline = asyncio.get_running_loop().time() + START_SECONDS
        while not all(s.started for s in self.servers):
            failed = [t for t in self.tasks if t.done()]
            if failed:
                failed[0].result()
                raise RuntimeError("an HTTP listener stopped while starting (is its port taken?)")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("the HTTP listeners did not start")
            await asyncio.sleep(0.01)

    def stop(self) -> None:
        for server in self.servers:
            server.should_exit = True

    def describe(self) -> dict[str, str]:
        return {
            "api": self.api.url if self.api else "off",
            "webhooks": self.webhooks.url if self.webhooks else "off",
        }


def listeners(database: Database, options: HttpOptions) -> Callable[[SyncContext], Listeners]:
    """What ``run_service(served=...)`` takes: the listeners of ``options`` over the runner's context."""

    def build(context: SyncContext) -> Listeners:
        return Listeners(
            database, context, api=options.api_listen, webhooks=options.webhook_listen,
            auth_failures_per_minute=options.auth_failures_per_minute,
        )  # fmt: skip

    return build
