"""Console users and their sessions (revision 0010_console_users)."""

from __future__ import annotations

import builtins
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping, delete, select, update
from sqlalchemy.exc import IntegrityError

from channel_manager.domain.access import Role
from channel_manager.domain.console_users import ConsoleSession, ConsoleUser

from ._sql import is_unique_violation
from .errors import StorageError
from .tables import console_sessions, console_users


class DuplicateConsoleUser(StorageError):
    def __init__(self, name: str) -> None:
        super().__init__(f"A console user named {name!r} already exists; choose another name.")


class ConsoleUserNotFound(StorageError):
    def __init__(self, name: str) -> None:
        super().__init__(f"There is no console user named {name!r}.")


def _user(row: RowMapping) -> ConsoleUser:
    return ConsoleUser(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        failed_attempts=row["failed_attempts"],
        locked_until=row["locked_until"],
        last_sign_in_at=row["last_sign_in_at"],
    )


class ConsoleUserRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, name: str, role: Role, password_hash: str, created_by: str, now: datetime) -> ConsoleUser:
        statement = (
            console_users.insert()
            .values(
                name=name,
                role=role.value,
                password_hash=password_hash,
                created_at=now,
                created_by=created_by,
                failed_attempts=0,
            )
            .returning(*console_users.c)
        )
        try:
            with self._connection.begin_nested():
                row = self._connection.execute(statement).mappings().one()
        except IntegrityError as error:
            if is_unique_violation(error, console_users, "name"):
                raise DuplicateConsoleUser(name) from None
            raise
        return _user(row)

    def list(self) -> builtins.list[ConsoleUser]:
        rows = self._connection.execute(select(console_users).order_by(console_users.c.name)).mappings()
        return [_user(row) for row in rows]

    def with_hash(self, name: str) -> tuple[ConsoleUser, str] | None:
        """The user named ``name`` and their password hash (locked for update), or None."""
        query = select(console_users).where(console_users.c.name == name).with_for_update()
        row = self._connection.execute(query).mappings().one_or_none()
        return None if row is None else (_user(row), row["password_hash"])

    def require(self, name: str) -> ConsoleUser:
        found = self.with_hash(name)
        if found is None:
            raise ConsoleUserNotFound(name)
        return found[0]

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._connection.execute(
            update(console_users)
            .where(console_users.c.id == user_id)
            .values(password_hash=password_hash, failed_attempts=0, locked_until=None)
        )

    def set_role(self, user_id: int, role: Role) -> None:
        self._connection.execute(update(console_users).where(console_users.c.id == user_id).values(role=role.value))

    def failed(self, user_id: int, *, lock_after: int, lock_until: datetime) -> int:
        """Counts a failed sign-in; locks the user when it is the ``lock_after``-th in a row."""
        attempts = self._connection.execute(
            update(console_users)
            .where(console_users.c.id == user_id)
            .values(failed_attempts=console_users.c.failed_attempts + 1)
            .returning(console_users.c.failed_attempts)
        ).scalar_one()
        if attempts >= lock_after:
            self._connection.execute(
                update(console_users)
                .where(console_users.c.id == user_id)
                .values(locked_until=lock_until, failed_attempts=0)
            )
        return int(attempts)

    def signed_in(self, user_id: int, now: datetime) -> None:
        self._connection.execute(
            update(console_users)
            .where(console_users.c.id == user_id)
            .values(failed_attempts=0, locked_until=None, last_sign_in_at=now)
        )

    def remove(self, name: str) -> ConsoleUser:
        user = self.require(name)
        self._connection.execute(delete(console_sessions).where(console_sessions.c.user_id == user.id))
        self._connection.execute(delete(console_users).where(console_users.c.id == user.id))
        return user

    # ------------------------------------------------------------------ sessions

    def add_session(self, user_id: int, token_hash: str, csrf_token: str, now: datetime, expires_at: datetime) -> None:
        self._connection.execute(
            console_sessions.insert().values(
                token_hash=token_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=expires_at,
                last_seen_at=now,
            )
        )

    def session(self, token_hash: str) -> ConsoleSession | None:
        query = select(console_sessions).where(console_sessions.c.token_hash == token_hash)
        row = self._connection.execute(query).mappings().one_or_none()
        if row is None:
            return None
        user_row = (
            self._connection.execute(select(console_users).where(console_users.c.id == row["user_id"])).mappings().one()
        )
        return ConsoleSession(
            id=row["id"],
            user=_user(user_row),
            csrf_token=row["csrf_token"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            last_seen_at=row["last_seen_at"],
        )

    def touch_session(self, session_id: int, now: datetime, *, every: timedelta) -> None:
        self._connection.execute(
            update(console_sessions)
            .where(console_sessions.c.id == session_id, console_sessions.c.last_seen_at < now - every)
            .values(last_seen_at=now)
        )

    def end_session(self, token_hash: str) -> None:
        self._connection.execute(delete(console_sessions).where(console_sessions.c.token_hash == token_hash))

    def end_sessions_of(self, user_id: int) -> int:
        return self._connection.execute(delete(console_sessions).where(console_sessions.c.user_id == user_id)).rowcount

    def purge_sessions(self, before: datetime) -> int:
        return self._connection.execute(delete(console_sessions).where(console_sessions.c.expires_at < before)).rowcount
