"""The console's sign-in session: a ``__Host-``-style cookie (Secure, HttpOnly, SameSite=Strict) holding a
random token whose SHA-256 names a server-side session row; the CSRF token every form carries; and the
authenticator that lets a signed-in browser read the API (``/docs``, ``/openapi.json``) with the same roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response

from ...domain.access import Role
from ...domain.console_users import ConsoleSession
from ...service import console_users
from ..auth import Principal, Rejected
from ..state import ServiceState

COOKIE = "cm_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: A sign-in form is a few fields; anything larger is refused before it is parsed.
MAX_FORM_BYTES = 64 * 1024


class NotSignedIn(Exception):
    """The request has no live session: the console sends the browser to the sign-in page."""


class Forbidden(Exception):
    def __init__(self, needed: Role, held: Role) -> None:
        super().__init__(f"The {held.value} role may not do this; it needs {needed.value}.")


class CsrfMismatch(Exception):
    pass


def set_session_cookie(response: Response, token: str, expires_at: datetime) -> None:
    response.set_cookie(COOKIE, token, expires=expires_at, path="/", secure=True, httponly=True, samesite="strict")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


def principal_of(found: ConsoleSession) -> Principal:
    return Principal("console", found.user.id, found.user.name, found.user.role)


async def current_session(request: Request) -> ConsoleSession | None:
    cached = getattr(request.state, "console_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    state: ServiceState = request.app.state.service
    found = await state.context.run_db(console_users.session, state.database, token)
    request.state.console_session = found
    return found


async def require_session(request: Request, role: Role = Role.VIEWER) -> ConsoleSession:
    found = await current_session(request)
    if found is None:
        raise NotSignedIn()
    if not found.user.role.allows(role):
        raise Forbidden(role, found.user.role)
    return found


async def form(request: Request) -> dict[str, list[str]]:
    """The urlencoded form of a POST (every value of each field)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ValueError("The form is too large.")
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=500)


def first(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name)
    return values[0].strip() if values else default


async def checked_form(request: Request, role: Role) -> tuple[ConsoleSession, dict[str, list[str]]]:
    """The session (holding ``role``) and the form, whose CSRF token must be the session's."""
    found = await require_session(request, role)
    fields = await form(request)
    if not console_users.csrf_matches(found, first(fields, CSRF_FIELD) or None):
        raise CsrfMismatch()
    return found, fields


class SessionCookieAuthenticator:
    """For the API's list of authenticators: a signed-in browser reads the API (e.g. ``/docs``) with its
    user's role. A change (any method but GET/HEAD) also needs the session's CSRF token in ``X-CSRF-Token``."""

    async def __call__(self, request: Request) -> Principal | None:
        if COOKIE not in request.cookies:
            return None
        found = await current_session(request)
        if found is None:
            raise Rejected("the console session is unknown or has ended; sign in again")
        if request.method not in ("GET", "HEAD") and not console_users.csrf_matches(
            found, request.headers.get(CSRF_HEADER)
        ):
            raise Rejected("a change through a console session needs its X-CSRF-Token")
        return principal_of(found)


def context_of(found: ConsoleSession | None) -> dict[str, Any]:
    """What every page's template needs to know of who is signed in."""
    if found is None:
        return {"user": None, "csrf_token": ""}
    role = found.user.role
    return {
        "user": found.user,
        "csrf_token": found.csrf_token,
        "can_operate": role.allows(Role.OPERATOR),
        "can_admin": role.allows(Role.ADMIN),
    }
