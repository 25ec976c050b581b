"""``Idempotency-Key`` of POST requests: the first answer is kept (24 h) and given again for a repeat.

A key belongs to one principal (an API token): the same key from another token is another key. The same
key with a different request (method, path or body) is refused, and a repeat while the first request is
still being answered is told to wait.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ..storage.unit_of_work import Database

KEEP_FOR = timedelta(hours=24)


class Claim(StrEnum):
    NEW = "new"  # first time: act, then ``finish``
    REPLAY = "replay"  # answered before: give ``status_code`` and ``response`` again
    MISMATCH = "mismatch"  # the key was used for a different request
    IN_PROGRESS = "in_progress"  # the first request is still being answered


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    status_code: int | None = None
    response: Any = None


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.upper().encode(), path.encode(), body])).hexdigest()


def begin(database: Database, principal: str, key: str, request_fingerprint: str) -> Outcome:
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        uow.idempotency.purge(now - KEEP_FOR)
        claimed = uow.idempotency.claim(principal, key, request_fingerprint, now)
        stored = None if claimed else uow.idempotency.get(principal, key, since=now - KEEP_FOR)
        uow.commit()
    if claimed:
        return Outcome(Claim.NEW)
    if stored is None:  # purged between the two statements: treat as taken, the client retries
        return Outcome(Claim.IN_PROGRESS)
    if stored.fingerprint != request_fingerprint:
        return Outcome(Claim.MISMATCH)
    if stored.status_code is None:
        return Outcome(Claim.IN_PROGRESS)
    return Outcome(Claim.REPLAY, stored.status_code, stored.response)


def finish(database: Database, principal: str, key: str, status_code: int, response: Any) -> None:
    with database.unit_of_work() as uow:
        uow.idempotency.complete(principal, key, status_code, response)
        uow.commit()


def abandon(database: Database, principal: str, key: str) -> None:
    """Frees the key (the request failed in a way a retry may fix: it was not answered)."""
    with database.unit_of_work() as uow:
        uow.idempotency.release(principal, key)
        uow.commit()
