"""Delivers the sandbox's notifications in the background, with a few retries.

The request that caused an event never waits for its delivery: the state queues a
:class:`Delivery`, and a task in the server's event loop POSTs it.
"""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from channel_manager_sandboxes.walmart.notifications import Delivery
from channel_manager_sandboxes.walmart.state import WalmartSandbox


class NotificationDispatcher:
    def __init__(self, sandbox: WalmartSandbox, *, concurrency: int = 8) -> None:
        self.sandbox = sandbox
        self.concurrency = concurrency
        self._queue: asyncio.Queue[Delivery] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._http = httpx.AsyncClient(timeout=self.sandbox.settings.delivery_timeout)
        self._workers = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        with self.sandbox.lock:
            notifications = self.sandbox.notifications
            pending, notifications.pending = notifications.pending, []
            self.sandbox.dispatch = self.submit
        for delivery in pending:
            self._queue.put_nowait(delivery)

    def submit(self, delivery: Delivery) -> None:
        """Thread-safe: queue one delivery."""
        loop, queue = self._loop, self._queue
        if loop is None or queue is None or loop.is_closed():
            self.sandbox.pending_deliveries.append(delivery)
            return
        loop.call_soon_threadsafe(queue.put_nowait, delivery)

    async def stop(self) -> None:
        self.sandbox.dispatch = None
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._http is not None:
            await self._http.aclose()

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            delivery = await self._queue.get()
            try:
                await self._deliver(delivery)
            finally:
                self._queue.task_done()

    async def _deliver(self, delivery: Delivery) -> None:
        assert self._http is not None
        settings = self.sandbox.settings
        for attempt in range(1, settings.delivery_retries + 2):
            delivery.attempts = attempt
            try:
                response = await self._http.post(delivery.url, content=delivery.body, headers=delivery.headers)
                delivery.status = response.status_code
                if response.is_success:
                    delivery.delivered = True
                    delivery.error = None
                    with self.sandbox.lock:
                        self.sandbox.counters.notifications_sent += 1
                    return
                delivery.error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                delivery.error = type(exc).__name__
            if attempt <= settings.delivery_retries:
                await asyncio.sleep(settings.delivery_backoff * 2 ** (attempt - 1))
        with self.sandbox.lock:
            self.sandbox.counters.notifications_failed += 1
