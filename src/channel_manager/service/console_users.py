"""Console users (created, listed, removed, their password set) and their sign-in: argon2id password
hashes, a lock-out after repeated failures, server-side sessions whose cookie token is kept only as a
SHA-256, and a CSRF token per session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain.access import Role
from ..domain.console_users import (
    LOCK_OUT,
    MAX_FAILED_SIGN_INS,
    SESSION_LIFETIME,
    ConsoleSession,
    ConsoleUser,
    checked_password,
    checked_role,
    checked_user_name,
)
from ..domain.errors import DomainError
from ..storage.console_users import ConsoleUserRepository
from ..storage.unit_of_work import Database, UnitOfWork
from . import audit

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 "low memory") parameters
#: Verified when the user does not exist, so an unknown name takes as long as a wrong password. A hash of a
#: random password made once with ``_hasher``'s parameters, written here: hashing it at import cost every
#: process (every CLI command, ``channel-manager run``) argon2's 64 MiB and a fifth of a second at start.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$aQGJ8Anxcl4mXLgKGT3JTw$PCnIvqMXy5TPCAuhBEhIdXVO7Gm85eYe4/E+wc+oUUc"
#: ``last_seen_at`` is written at most this often per session.
TOUCH_RESOLUTION = timedelta(minutes=1)


class SignInRefused(DomainError):
    """The name or password is wrong, or the user is locked out (the message says which, never which part)."""


def _repository(uow: UnitOfWork) -> ConsoleUserRepository:
    return ConsoleUserRepository(uow.connection)


def _session_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(database: Database, name: str, role: Role, password: str, *, actor: str | None = None) -> ConsoleUser:
    cleaned, chosen = checked_user_name(name), checked_role(role)
    hashed = _hasher.hash(checked_password(password))
    with database.unit_of_work() as uow:
        user = _repository(uow).add(cleaned, chosen, hashed, audit.actor_or_default(actor), datetime.now(UTC))
        audit.record(uow, actor, "console_user.create", cleaned, f"Console user {cleaned!r} ({chosen.value}) created")
        uow.commit()
    return user


def list_users(database: Database) -> list[ConsoleUser]:
    with database.unit_of_work(read_only=True) as uow:
        return _repository(uow).list()


def remove_user(database: Database, name: str, *, actor: str | None = None) -> ConsoleUser:
    with database.unit_of_work() as uow:
        user = _repository(uow).remove(name.strip())
        audit.record(uow, actor, "console_user.remove", user.name, f"Console user {user.name!r} removed")
        uow.commit()
    return user


def set_password(database: Database, name: str, password: str, *, actor: str | None = None) -> ConsoleUser:
    """A new password; it also lifts a lock-out and signs the user out everywhere."""
    hashed = _hasher.hash(checked_password(password))
    with database.unit_of_work() as uow:
        users = _repository(uow)
        user = users.require(name.strip())
        users.set_password_hash(user.id, hashed)
        users.end_sessions_of(user.id)
        audit.record(uow, actor, "console_user.password", user.name, f"Password of console user {user.name!r} set")
        uow.commit()
    return user


def set_role(database: Database, name: str, role: Role, *, actor: str | None = None) -> ConsoleUser:
    """A new role; the user's sessions go on with it from their next request."""
    chosen = checked_role(role)
    with database.unit_of_work() as uow:
        users = _repository(uow)
        user = users.require(name.strip())
        users.set_role(user.id, chosen)
        audit.record(
            uow, actor, "console_user.role", user.name,
            f"Role of console user {user.name!r} set to {chosen.value} (was {user.role.value})",
        )  # fmt: skip
        uow.commit()
    return replace(user, role=chosen)


@dataclass(frozen=True)
class SignedIn:
    user: ConsoleUser
    token: str  # goes into the cookie; only its hash is stored
    csrf_token: str
    expires_at: datetime


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(database: Database, name: str, password: str, *, now: datetime | None = None) -> SignedIn:
    """A new session for ``name``, or ``SignInRefused``. The ``MAX_FAILED_SIGN_INS``-th failure in a row
    locks the user out for ``LOCK_OUT``; while locked, even the right password is refused."""
    now = now or datetime.now(UTC)
    with database.unit_of_work() as uow:
        users = _repository(uow)
        found = users.with_hash(name.strip())
        if found is None:
            _verify(_DUMMY_HASH, password)
            raise SignInRefused("The user name or password is wrong.")
        user, password_hash = found
        if user.locked(now):
            raise SignInRefused(
                f"This user is locked out after {MAX_FAILED_SIGN_INS} failed sign-ins until "
                f"{user.locked_until:%H:%M} UTC; an admin can lift it with `channel-manager users set-password`."
            )
        if not _verify(password_hash, password):
            users.failed(user.id, lock_after=MAX_FAILED_SIGN_INS, lock_until=now + LOCK_OUT)
            uow.commit()
            raise SignInRefused("The user name or password is wrong.")
        if _hasher.check_needs_rehash(password_hash):
            users.set_password_hash(user.id, _hasher.hash(password))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + SESSION_LIFETIME
        users.signed_in(user.id, now)
        users.add_session(user.id, _session_hash(token), csrf, now, expires)
        users.purge_sessions(now)
        audit.record(uow, f"console:{user.name}", "console_user.sign_in", user.name, "Signed in to the console")
        uow.commit()
    return SignedIn(user, token, csrf, expires)


def session(database: Database, token: str, *, now: datetime | None = None) -> ConsoleSession | None:
    """The live session the cookie's ``token`` stands for, or None (unknown, expired or idle too long)."""
    if not token or len(token) > 200:
        return None
    now = now or datetime.now(UTC)
    with database.unit_of_work() as uow:
        users = _repository(uow)
        found = users.session(_session_hash(token))
        if found is None:
            return None
        if found.ends_at() <= now:
            users.end_session(_session_hash(token))
            uow.commit()
            return None
        users.touch_session(found.id, now, every=TOUCH_RESOLUTION)
        uow.commit()
    return found


def csrf_matches(found: ConsoleSession, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(found.csrf_token.encode(), presented.encode())


def sign_out(database: Database, token: str) -> None:
    with database.unit_of_work() as uow:
        _repository(uow).end_session(_session_hash(token))
        uow.commit()
