"""Outgoing notifications in the style of Adobe Commerce webhooks.

Each event is POSTed as ``{"eventName": "observer.<event>", "data": {...entity...}}`` with the
header ``x-adobe-commerce-webhook-signature: base64(HMAC-SHA256(secret, raw body))``, from a
background thread (never blocking the REST call), retried a few times until the receiver answers
2xx. A real store signs with an RSA key instead (see docs/commerce-sandbox.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

SIGNATURE_HEADER = "x-adobe-commerce-webhook-signature"


@dataclass
class WebhookTarget:
    url: str
    secret: str = field(repr=False, default="")


@dataclass
class WebhookStats:
    queued: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    dropped: int = 0
    last_error: str | None = None


class WebhookDispatcher:
    def __init__(self, target: WebhookTarget | None = None, *, retries: int = 3, timeout_s: float = 5.0) -> None:
        self.target = target
        self.retries = retries
        self.timeout_s = timeout_s
        self.stats = WebhookStats()
        self._queue: queue.Queue[tuple[WebhookTarget, bytes] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def configure(self, target: WebhookTarget | None) -> None:
        self.target = target

    def __call__(self, event_name: str, data: dict[str, Any]) -> None:
        """Listener for :class:`CommerceSandbox` events: queue one delivery."""
        target = self.target
        if target is None:
            return
        body = json.dumps({"eventName": event_name, "data": data}, ensure_ascii=False, separators=(",", ":")).encode()
        with self._lock:
            self.stats.queued += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="commerce-webhooks", daemon=True)
                self._thread.start()
        self._queue.put((target, body))

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once every queued delivery has been attempted (for tests and the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while True:
                job = self._queue.get()
                try:
                    if job is None:
                        return
                    self._deliver(client, *job)
                finally:
                    self._queue.task_done()

    def _deliver(self, client: httpx.Client, target: WebhookTarget, body: bytes) -> None:
        signature = base64.b64encode(hmac.new(target.secret.encode(), body, hashlib.sha256).digest()).decode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
        for attempt in range(self.retries + 1):
            try:
                response = client.post(target.url, content=body, headers=headers)
                if response.status_code < 300:
                    self.stats.delivered += 1
                    return
                self.stats.last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                self.stats.last_error = type(exc).__name__
            self.stats.failed_attempts += 1
            time.sleep(min(2.0, 0.05 * (2**attempt)))
        self.stats.dropped += 1
