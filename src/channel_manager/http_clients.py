"""The HTTP client of one remote account (a store's Walmart or its Commerce connection), as cheap as possible to
hold for a hundred stores in every process:

- every client of the process verifies TLS with one shared context (:func:`shared_tls_context`): httpx builds a
  context per client otherwise, loading the whole CA bundle each time (about 0.9 MB a client, two a store);
- the connection pool is opened on the first request, not when the store's clients are built, and closed once
  no request has used it for a while (:meth:`OnDemandClient.close_if_idle`); the next request opens it again.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's CA bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), built once."""
    return httpx.create_ssl_context()


class OnDemandClient:
    """An ``httpx.AsyncClient`` made on first use and dropped when idle (its settings kept for the next one)."""

    def __init__(
        self,
        *,
        timeout: float,
        max_connections: int,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._timeout = httpx.Timeout(timeout)
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._headers = dict(headers or {})
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._in_flight = 0
        self._last_used = clock()

    @property
    def is_open(self) -> bool:
        """Whether a connection pool exists now (between the first request and an idle close)."""
        return self._client is not None

    def _open(self) -> httpx.AsyncClient:
        self._client = httpx.AsyncClient(
            timeout=self._timeout, limits=self._limits, headers=self._headers, verify=shared_tls_context()
        )
        return self._client

    async def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        client = self._client or self._open()
        self._in_flight += 1
        try:
            return await client.request(method, url, **options)
        finally:
            self._in_flight -= 1
            self._last_used = self._clock()

    async def close_if_idle(self, idle_seconds: float) -> bool:
        """Closes the pool when no request is under way and none ended in the last ``idle_seconds``."""
        client = self._client
        if client is None or self._in_flight or self._clock() - self._last_used < idle_seconds:
            return False
        self._client = None  # a request from now on opens a new pool; this one has none under way
        await client.aclose()
        return True

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
