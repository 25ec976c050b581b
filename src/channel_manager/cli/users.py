"""``channel-manager users``: the people who sign in to the merchant console (``/console``)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer
from rich.table import Table

from ..domain.access import Role
from ..service import console_users
from .context import opened_app
from .render import console, when

app = typer.Typer(help="Create, list and remove console users, and set their passwords.", no_args_is_help=True)

ROLE_HELP = "viewer (reads), operator (also ships, cancels, refunds, retries), or admin (also stores and users)."
PASSWORD_HELP = "Read the password from standard input (one line) instead of asking for it twice, hidden."


def _role(text: str) -> Role:
    try:
        return Role.parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--role") from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("create")
def create(
    name: str = typer.Argument(..., help="The sign-in name, e.g. 'alice'."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=PASSWORD_HELP),
) -> None:
    """Create a console user (the password is asked for, hidden; only its argon2id hash is kept)."""
    chosen = _role(role)
    password = _password(password_stdin)
    with opened_app() as application:
        user = console_users.create_user(application.database, name, chosen, password)
    console.print(f"Console user {user.name!r} ({user.role.value}) created; sign in at /console.")


@app.command("list")
def list_() -> None:
    """List console users."""
    with opened_app() as application:
        users = console_users.list_users(application.database)
    if not users:
        console.print("No console users yet. Create one with `channel-manager users create NAME --role admin`.")
        return
    table = Table("Name", "Role", "Created", "By", "Last sign-in", "State")
    for user in users:
        state = f"locked until {when(user.locked_until)}" if user.locked(datetime.now(UTC)) else "active"
        last = when(user.last_sign_in_at) if user.last_sign_in_at else "never"
        table.add_row(user.name, user.role.value, when(user.created_at), user.created_by, last, state)
    console.print(table)


@app.command("remove")
def remove(name: str = typer.Argument(..., help="The user's name (see `users list`).")) -> None:
    """Remove a console user; their sessions end at once."""
    with opened_app() as application:
        user = console_users.remove_user(application.database, name)
    console.print(f"Console user {user.name!r} removed.")


@app.command("set-password")
def set_password(
    name: str = typer.Argument(..., help="The user's name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=PASSWORD_HELP),
) -> None:
    """Set a user's password; this lifts a lock-out and signs them out everywhere."""
    password = _password(password_stdin)
    with opened_app() as application:
        user = console_users.set_password(application.database, name, password)
    console.print(f"Password of console user {user.name!r} set; their sessions were ended.")
