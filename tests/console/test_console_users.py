"""Console users: the real `channel-manager users` commands, argon2id hashes, sign-in, sessions that end,
and the lock-out after repeated failures (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from channel_manager.domain.access import Role
from channel_manager.domain.console_users import LOCK_OUT, MAX_FAILED_SIGN_INS, SESSION_IDLE, SESSION_LIFETIME
from channel_manager.service import console_users
from channel_manager.service.console_users import SignInRefused
from channel_manager.storage import Database
from channel_manager.storage.tables import console_sessions
from channel_manager.storage.tables import console_users as users_table
from cli._cli import make_cli

PASSWORD = "correct horse battery"


def test_users_commands_create_list_set_password_remove(tmp_path: Path) -> None:
    cli = make_cli(tmp_path / "data")
    assert cli("init").returncode == 0
    created = cli("users", "create", "alice", "--role", "operator", "--password-stdin", input=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert "'alice' (operator) created" in created.stdout

    listed = cli("users", "list")
    assert listed.returncode == 0 and "alice" in listed.stdout and "operator" in listed.stdout
    assert PASSWORD not in listed.stdout

    again = cli("users", "create", "alice", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    assert again.returncode == 1 and again.stderr.strip() == (
        "error: A console user named 'alice' already exists; choose another name."
    )
    short = cli("users", "create", "bob", "--role", "viewer", "--password-stdin", input="short\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    metrics = cli("users", "create", "bob", "--role", "metrics", "--password-stdin", input=PASSWORD + "\n")
    assert metrics.returncode == 1 and "viewer, an operator or an admin" in metrics.stderr
    unknown = cli("users", "create", "bob", "--role", "boss", "--password-stdin", input=PASSWORD + "\n")
    assert unknown.returncode == 2 and "unknown role" in unknown.stderr

    changed = cli("users", "set-password", "alice", "--password-stdin", input="another long password\n")
    assert changed.returncode == 0, changed.stderr
    removed = cli("users", "remove", "alice")
    assert removed.returncode == 0 and "removed" in removed.stdout
    missing = cli("users", "remove", "alice")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: There is no console user named 'alice'."


def test_password_is_stored_as_argon2id_only(database: Database) -> None:
    console_users.create_user(database, "alice", Role.ADMIN, PASSWORD, actor="test")
    with database.engine.connect() as connection:
        stored = connection.execute(sa.select(users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_sign_in_session_and_sign_out(database: Database) -> None:
    console_users.create_user(database, "alice", Role.VIEWER, PASSWORD, actor="test")
    signed = console_users.sign_in(database, "alice", PASSWORD)
    found = console_users.session(database, signed.token)
    assert found is not None and found.user.name == "alice" and found.user.role is Role.VIEWER
    assert console_users.csrf_matches(found, signed.csrf_token)
    assert not console_users.csrf_matches(found, "forged") and not console_users.csrf_matches(found, None)
    with database.engine.connect() as connection:
        hashes = connection.execute(sa.select(console_sessions.c.token_hash)).scalars().all()
    assert signed.token not in hashes  # only the SHA-256 is kept

    console_users.sign_out(database, signed.token)
    assert console_users.session(database, signed.token) is None
    assert console_users.session(database, "not-a-session") is None


def test_sessions_expire_after_their_lifetime_or_when_idle(database: Database) -> None:
    console_users.create_user(database, "alice", Role.VIEWER, PASSWORD, actor="test")
    start = datetime.now(UTC)
    signed = console_users.sign_in(database, "alice", PASSWORD, now=start)
    assert console_users.session(database, signed.token, now=start + SESSION_IDLE - timedelta(minutes=1))
    assert console_users.session(database, signed.token, now=start + SESSION_IDLE * 3) is None  # idle
    kept = console_users.sign_in(database, "alice", PASSWORD, now=start)
    moment = start
    while moment < start + SESSION_LIFETIME - SESSION_IDLE:  # used all along, still ends at its lifetime
        moment += SESSION_IDLE / 2
        assert console_users.session(database, kept.token, now=moment) is not None
    assert console_users.session(database, kept.token, now=start + SESSION_LIFETIME) is None


def test_lock_out_after_repeated_failures(database: Database) -> None:
    console_users.create_user(database, "alice", Role.OPERATOR, PASSWORD, actor="test")
    now = datetime.now(UTC)
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused, match="user name or password is wrong"):
            console_users.sign_in(database, "alice", "wrong password!", now=now)
    with pytest.raises(SignInRefused, match="locked out"):
        console_users.sign_in(database, "alice", PASSWORD, now=now)  # even the right password, while locked
    with pytest.raises(SignInRefused, match="user name or password is wrong"):
        console_users.sign_in(database, "nobody", PASSWORD, now=now)
    assert console_users.sign_in(database, "alice", PASSWORD, now=now + LOCK_OUT + timedelta(seconds=1))

    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused):
            console_users.sign_in(database, "alice", "wrong password!", now=now + LOCK_OUT * 2)
    console_users.set_password(database, "alice", "a brand new password", actor="test")  # lifts the lock
    assert console_users.sign_in(database, "alice", "a brand new password", now=now + LOCK_OUT * 2)


def test_set_password_and_remove_end_sessions(database: Database) -> None:
    console_users.create_user(database, "alice", Role.ADMIN, PASSWORD, actor="test")
    first = console_users.sign_in(database, "alice", PASSWORD)
    console_users.set_password(database, "alice", "a brand new password", actor="test")
    assert console_users.session(database, first.token) is None
    second = console_users.sign_in(database, "alice", "a brand new password")
    console_users.remove_user(database, "alice", actor="test")
    assert console_users.session(database, second.token) is None


def test_no_password_is_hashed_when_a_process_starts() -> None:
    """Importing the CLI (every command, ``channel-manager run``) hashes nothing: one argon2 hash takes 64 MiB and
    a fifth of a second. The unknown-name dummy hash is written in the code, with the hasher's own parameters, so
    an unknown name still takes as long as a wrong password."""
    probe = (
        "import argon2\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('a password was hashed at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import channel_manager.cli.app\n"
    )
    started = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert started.returncode == 0, started.stderr
    assert not console_users._hasher.check_needs_rehash(console_users._DUMMY_HASH)
    assert not console_users._verify(console_users._DUMMY_HASH, PASSWORD)
