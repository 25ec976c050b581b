"""People who sign in to the merchant console: a name, a role (the API tokens' roles, without
``metrics``), the lock-out rule and the session lifetimes. Passwords are hashed in the service layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .access import Role
from .errors import DomainError

#: Failed sign-ins in a row before the user is locked out, and for how long.
MAX_FAILED_SIGN_INS = 5
LOCK_OUT = timedelta(minutes=15)
#: A session ends this long after sign-in, or after this long without a request.
SESSION_LIFETIME = timedelta(hours=12)
SESSION_IDLE = timedelta(hours=2)
MIN_PASSWORD_LENGTH = 10
CONSOLE_ROLES = (Role.VIEWER, Role.OPERATOR, Role.ADMIN)


class InvalidConsoleUser(DomainError):
    pass


def checked_user_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100 or not cleaned.isprintable() or " " in cleaned:
        raise InvalidConsoleUser("A console user name is 1 to 100 printable characters without spaces, e.g. 'alice'.")
    return cleaned


def checked_role(role: Role) -> Role:
    if role not in CONSOLE_ROLES:
        raise InvalidConsoleUser(f"A console user is a viewer, an operator or an admin, not {role.value!r}.")
    return role


def checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidConsoleUser(f"A console password has at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        raise InvalidConsoleUser("A console password has at most 1024 characters.")
    return password


@dataclass(frozen=True)
class ConsoleUser:
    id: int
    name: str
    role: Role
    created_at: datetime
    created_by: str
    failed_attempts: int = 0
    locked_until: datetime | None = None
    last_sign_in_at: datetime | None = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in browser: who, the CSRF token its forms carry, and when it ends."""

    id: int
    user: ConsoleUser
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime

    def ends_at(self) -> datetime:
        return min(self.expires_at, self.last_seen_at + SESSION_IDLE)
