"""A background HTTP sender: the sandbox's outgoing calls (Adobe Commerce webhooks, the companion
module's events) are queued and POSTed by one daemon thread, so the REST call that caused them never
waits; each is retried ``retries`` times on a failure."""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]
    label: str = ""
    """What it is (an event name), for the log."""
    retries: int = 3
    timeout_s: float = 5.0


@dataclass
class OutboxStats:
    queued: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    dropped: int = 0
    last_error: str | None = None
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=200))

    def view(self) -> dict[str, Any]:
        return {
            "queued": self.queued,
            "delivered": self.delivered,
            "failed_attempts": self.failed_attempts,
            "dropped": self.dropped,
            "last_error": self.last_error,
        }


class Outbox:
    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = OutboxStats()
        self._queue: queue.Queue[Outgoing | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, item: Outgoing) -> None:
        with self._lock:
            self.stats.queued += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        self._queue.put(item)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once every queued call has been attempted (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        with httpx.Client() as client:
            while True:
                item = self._queue.get()
                try:
                    if item is None:
                        return
                    self._deliver(client, item)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, item: Outgoing) -> None:
        for attempt in range(item.retries + 1):
            try:
                response = client.post(item.url, content=item.body, headers=item.headers, timeout=item.timeout_s)
                if response.status_code < 300:
                    self.stats.delivered += 1
                    self.stats.recent.append({"label": item.label, "status": response.status_code})
                    return
                self.stats.last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                self.stats.last_error = type(exc).__name__
            self.stats.failed_attempts += 1
            if attempt < item.retries:
                time.sleep(min(2.0, 0.05 * (2**attempt)))
        self.stats.dropped += 1
        self.stats.recent.append({"label": item.label, "error": self.stats.last_error})
