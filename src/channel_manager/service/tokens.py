"""API tokens: created (shown once), listed, revoked; a presented token is checked by its hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..domain.access import ApiToken, Role, new_token, token_hash, token_hint
from ..domain.errors import DomainError
from ..storage.unit_of_work import Database
from . import audit

#: ``last_used_at`` is written at most this often per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidTokenName(DomainError):
    pass


def _checked_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100 or not cleaned.isprintable():
        raise InvalidTokenName("A token name is 1 to 100 printable characters, e.g. 'prometheus' or 'ops-alice'.")
    return cleaned


def create_token(database: Database, name: str, role: Role, *, actor: str | None = None) -> tuple[ApiToken, str]:
    """A new token and its plaintext, which is not kept anywhere: show it once."""
    plaintext = new_token()
    cleaned = _checked_name(name)
    with database.unit_of_work() as uow:
        token = uow.tokens.add(
            cleaned, role, token_hash(plaintext), token_hint(plaintext), audit.actor_or_default(actor)
        )
        audit.record(uow, actor, "token.create", cleaned, f"API token {cleaned!r} ({role.value}) created")
        uow.commit()
    return token, plaintext


def list_tokens(database: Database) -> list[ApiToken]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.tokens.list()


def revoke_token(database: Database, name: str, *, actor: str | None = None) -> ApiToken:
    with database.unit_of_work() as uow:
        token = uow.tokens.revoke(name.strip(), audit.actor_or_default(actor))
        audit.record(uow, actor, "token.revoke", token.name, f"API token {token.name!r} revoked")
        uow.commit()
    return token


def authenticate(database: Database, presented: str) -> ApiToken | None:
    """The active token ``presented`` is, else None. Looked up by its SHA-256, so timing says nothing of it."""
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        token = uow.tokens.active_by_hash(token_hash(presented))
        if token is not None:
            uow.tokens.touch(token.id, now, every=LAST_USED_RESOLUTION)
            uow.commit()
    return token
