"""Who is calling: ``Authorization: Bearer <API token>``, a role per route, failed attempts rate-limited.

A request's ``Principal`` comes from the first authenticator of ``AccessControl.authenticators`` that
recognises it. Today that is the API token; the console adds a session-cookie authenticator to the same
list (same roles, same routes, same service functions). A wrong token counts against the caller's address
(``FailureLimiter``); a missing one is simply answered 401. The token itself is never logged.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..domain.access import Role
from ..logs import get_logger
from ..service import tokens as token_service
from ..storage.unit_of_work import Database
from .problems import ProblemError

log = get_logger("channel_manager.web.auth")

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="An API token from `channel-manager tokens create --name NAME --role viewer|operator|admin`.",
)


@dataclass(frozen=True)
class Principal:
    """Who is calling, whatever the way in (API token now, console session later)."""

    kind: str  # "token" (later also "session")
    id: int
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How the audit trail names them: ``token:<name>``."""
        return f"{self.kind}:{self.name}"

    @property
    def key(self) -> str:
        """A stable identity for idempotency keys (a renamed or re-created name is another principal)."""
        return f"{self.kind}:{self.id}"


class Rejected(Exception):
    """Credentials were presented and are wrong (counts as a failed attempt)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Authenticator(Protocol):
    async def __call__(self, request: Request) -> Principal | None:
        """The principal, None when the request carries none of this authenticator's credentials, or
        ``Rejected`` when it carries wrong ones."""


class BearerTokenAuthenticator:
    def __init__(self, database: Database, run_db: Callable[..., Awaitable[Any]]) -> None:
        self._database = database
        self._run_db = run_db

    async def __call__(self, request: Request) -> Principal | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise Rejected("the Authorization header is not `Bearer <token>`")
        if len(presented) > 200:
            raise Rejected("the token is not one this service issued")
        token = await self._run_db(token_service.authenticate, self._database, presented.strip())
        if token is None:
            raise Rejected("the token is unknown or revoked")
        return Principal("token", token.id, token.name, token.role)


@dataclass
class FailureLimiter:
    """At most ``max_failures`` failed attempts per client address in a sliding ``window_seconds``; then
    that address is refused (429) until its oldest failure leaves the window."""

    max_failures: int = 10
    window_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, address: str) -> deque[float]:
        now = self.clock()
        failures = self._failures.get(address)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        if not failures:
            del self._failures[address]
        return failures

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        failures = self._recent(address)
        if len(failures) < self.max_failures:
            return None
        return max(1, int(failures[0] + self.window_seconds - self.clock()) + 1)

    def failed(self, address: str) -> None:
        if len(self._failures) > 100_000:  # bounded memory under a spray of addresses
            self._failures.clear()
        self._failures.setdefault(address, deque()).append(self.clock())


@dataclass
class AccessControl:
    authenticators: list[Authenticator]
    limiter: FailureLimiter = field(default_factory=FailureLimiter)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def identify(request: Request) -> Principal | None:
    """The caller, or None without credentials; 401 for wrong ones, 429 while the address is limited."""
    access: AccessControl = request.app.state.access
    address = _address(request)
    wait = access.limiter.retry_after(address) if _presents_credentials(request) else None
    if wait is not None:
        raise ProblemError(
            429, "Too many failed attempts",
            f"Too many failed authentication attempts from {address}; try again in {wait} s.",
            slug="rate-limited", headers={"Retry-After": str(wait)},
        )  # fmt: skip
    for authenticate in access.authenticators:
        try:
            principal = await authenticate(request)
        except Rejected as rejected:
            access.limiter.failed(address)
            log.warning("authentication failed", client=address, path=request.url.path, reason=rejected.reason)
            raise _unauthorized(f"Authentication failed: {rejected.reason}.") from None
        if principal is not None:
            request.state.principal = principal
            return principal
    return None


def _presents_credentials(request: Request) -> bool:
    """Only a request that presents credentials is limited: one without any is simply 401."""
    return "authorization" in request.headers or bool(request.cookies)


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, "Unauthorized", detail, slug="unauthorized", headers={"WWW-Authenticate": 'Bearer realm="channel-manager"'}
    )


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, who must hold ``role`` (or a higher one)."""

    async def dependency(request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
        principal = await identify(request)
        if principal is None:
            raise _unauthorized("This needs an API token: send `Authorization: Bearer <token>`.")
        if not principal.role.allows(role):
            raise ProblemError(
                403, "Forbidden", f"The {principal.role.value} role may not do this; it needs {role.value}.",
                slug="forbidden",
            )  # fmt: skip
        return principal

    dependency.__name__ = f"require_{role.value}"
    return dependency


metrics_reader = require(Role.METRICS)
viewer = require(Role.VIEWER)
operator = require(Role.OPERATOR)
admin = require(Role.ADMIN)
