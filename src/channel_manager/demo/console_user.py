"""The demo's console sign-in: an admin user ``demo`` in the demo's own database, with a new random
password each run (printed with the console's address)."""

from __future__ import annotations

import secrets

from ..domain.access import Role
from ..service import console_users
from ..storage.console_users import ConsoleUserNotFound
from ..storage.unit_of_work import Database

DEMO_USER = "demo"


def demo_sign_in(database: Database) -> tuple[str, str]:
    """(user name, password) of the demo's console user, created or given a new password."""
    password = secrets.token_urlsafe(12)
    try:
        console_users.set_password(database, DEMO_USER, password, actor="demo")
    except ConsoleUserNotFound:
        console_users.create_user(database, DEMO_USER, Role.ADMIN, password, actor="demo")
    return DEMO_USER, password
