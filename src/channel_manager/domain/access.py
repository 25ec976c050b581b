"""Who may use the HTTP service: roles and API tokens (only their hash is ever kept)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: What every token starts with, so a leaked one is recognisable (e.g. by secret scanners).
TOKEN_PREFIX = "cm_"


class Role(StrEnum):
    """``metrics`` < ``viewer`` < ``operator`` < ``admin``; each may do what the ones before it may.

    * ``metrics``: only ``/metrics`` and the details of ``/health`` (a scraper's token);
    * ``viewer``: reads everything (orders, returns, jobs, stores without their secrets);
    * ``operator``: also ships, cancels, refunds, retries and resyncs;
    * ``admin``: also connects, changes and removes stores and manages API tokens.
    """

    METRICS = "metrics"
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown role {text!r}; use one of: {', '.join(r.value for r in cls)}") from None


def new_token() -> str:
    """A fresh API token: 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored and looked up: SHA-256 of the token, hex (see docs/decisions.md)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_hint(token: str) -> str:
    """The first characters, shown in `tokens list` to tell tokens apart (never enough to use one)."""
    return token[: len(TOKEN_PREFIX) + 4] + "..."


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    role: Role
    hint: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
