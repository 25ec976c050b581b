"""API tokens, idempotency keys and the audit trail (revision 0003_api_access)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from channel_manager.domain.access import ApiToken, Role

from ._sql import is_unique_violation, utcnow
from .errors import StorageError
from .tables import api_tokens, audit_events, idempotency_keys


class DuplicateToken(StorageError):
    def __init__(self, name: str) -> None:
        super().__init__(f"An API token named {name!r} already exists; choose another name.")
        self.name = name


class TokenNotFound(StorageError):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no API token named {name!r}.")
        self.name = name


def _token(row: RowMapping) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        hint=row["hint"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
        revoked_by=row["revoked_by"],
    )


class TokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, name: str, role: Role, hashed: str, hint: str, created_by: str) -> ApiToken:
        statement = (
            api_tokens.insert()
            .values(
                name=name, role=role.value, token_hash=hashed, hint=hint, created_at=utcnow(), created_by=created_by
            )
            .returning(*api_tokens.c)
        )
        try:
            with self._connection.begin_nested():
                row = self._connection.execute(statement).mappings().one()
        except IntegrityError as error:
            if is_unique_violation(error, api_tokens, "name"):
                raise DuplicateToken(name) from None
            raise
        return _token(row)

    def list(self) -> builtins.list[ApiToken]:
        rows = self._connection.execute(select(api_tokens).order_by(api_tokens.c.name)).mappings()
        return [_token(row) for row in rows]

    def get_by_name(self, name: str) -> ApiToken | None:
        row = self._connection.execute(select(api_tokens).where(api_tokens.c.name == name)).mappings().one_or_none()
        return None if row is None else _token(row)

    def active_by_hash(self, hashed: str) -> ApiToken | None:
        query = select(api_tokens).where(api_tokens.c.token_hash == hashed, api_tokens.c.revoked_at.is_(None))
        row = self._connection.execute(query).mappings().one_or_none()
        return None if row is None else _token(row)

    def revoke(self, name: str, revoked_by: str) -> ApiToken:
        statement = (
            update(api_tokens)
            .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_by=revoked_by)
        )
        self._connection.execute(statement)
        token = self.get_by_name(name)
        if token is None:
            raise TokenNotFound(name)
        return token

    def touch(self, token_id: int, now: datetime, *, every: timedelta) -> None:
        """Records a use, at most once per ``every`` (not a write per request)."""
        self._connection.execute(
            update(api_tokens)
            .where(
                api_tokens.c.id == token_id,
                or_(api_tokens.c.last_used_at.is_(None), api_tokens.c.last_used_at < now - every),
            )
            .values(last_used_at=now)
        )


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status_code: int | None  # None: the first request is still being answered
    response: Any
    created_at: datetime


class IdempotencyRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, principal: str, key: str, *, since: datetime) -> StoredAnswer | None:
        query = select(idempotency_keys).where(
            idempotency_keys.c.principal == principal,
            idempotency_keys.c.key == key,
            idempotency_keys.c.created_at >= since,
        )
        row = self._connection.execute(query).mappings().one_or_none()
        if row is None:
            return None
        return StoredAnswer(row["fingerprint"], row["status_code"], row["response"], row["created_at"])

    def claim(self, principal: str, key: str, fingerprint: str, now: datetime) -> bool:
        """Takes the key for a first request; False when it is already taken (a live row)."""
        statement = idempotency_keys.insert().values(
            principal=principal, key=key, fingerprint=fingerprint, created_at=now
        )
        try:
            with self._connection.begin_nested():
                self._connection.execute(statement)
        except IntegrityError as error:
            if is_unique_violation(error, idempotency_keys, "principal", "key"):
                return False
            raise
        return True

    def complete(self, principal: str, key: str, status_code: int, response: Any) -> None:
        self._connection.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.principal == principal, idempotency_keys.c.key == key)
            .values(status_code=status_code, response=response)
        )

    def release(self, principal: str, key: str) -> None:
        self._connection.execute(
            delete(idempotency_keys).where(idempotency_keys.c.principal == principal, idempotency_keys.c.key == key)
        )

    def purge(self, before: datetime) -> int:
        return self._connection.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < before)).rowcount


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    store_id: int | None = None
    order_id: int | None = None


def _audit(row: RowMapping) -> AuditEvent:
    return AuditEvent(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        target=row["target"],
        details=dict(row["details"] or {}),
        store_id=row["store_id"],
        order_id=row["order_id"],
    )


class AuditRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, event: AuditEvent) -> None:
        self._connection.execute(
            audit_events.insert().values(
                at=event.at,
                actor=event.actor[:200],
                action=event.action,
                store_id=event.store_id,
                order_id=event.order_id,
                target=event.target[:200],
                details=event.details,
            )
        )

    def list_for_order(self, order_id: int) -> builtins.list[AuditEvent]:
        query = select(audit_events).where(audit_events.c.order_id == order_id).order_by(audit_events.c.id)
        return [_audit(row) for row in self._connection.execute(query).mappings()]

    def list(self, *, limit: int = 100) -> builtins.list[AuditEvent]:
        query = select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
        return [_audit(row) for row in self._connection.execute(query).mappings()]
