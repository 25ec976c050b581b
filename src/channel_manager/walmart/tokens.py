"""The access-token cache of one seller account.

Tokens come from ``POST /v3/token`` (client-credentials grant) and live ``expires_in`` seconds
(900 at Walmart). The cache renews them ``renew_before`` seconds ahead of expiry and drops one
that Walmart answered 401 to; one fetch runs at a time however many requests wait for it.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


def basic_credentials(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` header value for the token call."""
    raw = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


@dataclass
class AccessToken:
    value: str = field(repr=False)
    expires_at: float
    """``time.monotonic()`` time of expiry."""

    def fresh(self, renew_before: float, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return now < self.expires_at - renew_before

    def __repr__(self) -> str:
        return f"AccessToken(value=<hidden>, expires_at={self.expires_at:.0f})"


Fetcher = Callable[[], Awaitable[tuple[str, float]]]
"""Returns (access token, expires_in seconds)."""


class TokenCache:
    def __init__(self, fetch: Fetcher, *, renew_before: float = 60.0) -> None:
        self._fetch = fetch
        self.renew_before = renew_before
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def get(self) -> str:
        token = self._token
        if token is not None and token.fresh(self._renew_margin(token)):
            return token.value
        async with self._lock:
            token = self._token
            if token is not None and token.fresh(self._renew_margin(token)):
                return token.value
            value, expires_in = await self._fetch()
            self.fetches += 1
            self._token = AccessToken(value, time.monotonic() + expires_in)
            self._lifetime = expires_in
            return value

    def _renew_margin(self, token: AccessToken) -> float:
        # A short-lived token (tests) renews at half-life rather than never being fresh.
        lifetime = getattr(self, "_lifetime", None)
        if lifetime is not None and lifetime <= 2 * self.renew_before:
            return float(lifetime) / 2
        return self.renew_before

    def invalidate(self, value: str | None = None) -> None:
        """Forget the token (only if it is still ``value`` when given)."""
        if self._token is not None and (value is None or self._token.value == value):
            self._token = None

    def __repr__(self) -> str:
        return f"TokenCache(token={self._token!r})"
