"""A real HTTP receiver on a loopback port that records what the sandbox POSTs to it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from channel_manager_sandboxes.serving import BackgroundServer


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    url: str
    calls: list[Received] = field(default_factory=list)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.calls)


@contextmanager
def receiver() -> Iterator[Receiver]:
    app = FastAPI()
    server = BackgroundServer(app)
    got = Receiver(url="")

    @app.post("/hook")
    async def hook(request: Request) -> JSONResponse:
        got.calls.append(Received(await request.body(), {k.lower(): v for k, v in request.headers.items()}))
        return JSONResponse({"op": "success"})

    got.url = server.start() + "/hook"
    try:
        yield got
    finally:
        server.stop()
