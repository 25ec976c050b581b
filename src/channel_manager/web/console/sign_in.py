"""Sign-in (with its own CSRF cookie, since there is no session yet), sign-out."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...logs import get_logger
from ...service import console_users
from ..auth import AccessControl
from ..state import ServiceState
from .rendering import page, redirect
from .sessions import (
    CSRF_FIELD,
    checked_form,
    clear_session_cookie,
    current_session,
    first,
    form,
    set_session_cookie,
)

router = APIRouter(prefix="/console")
log = get_logger("channel_manager.web.console")
SIGN_IN_CSRF = "cm_sign_in"


def _next(target: str) -> str:
    """Only a path of this console (never another site) to go to after signing in."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or target.startswith("//"):
        return "/console"
    return target


def _form(request: Request, *, status_code: int = 200, error: str | None = None, name: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = page(
        request, "sign_in.html", None, status_code=status_code, error=error, name=name,
        sign_in_token=token, next=_next(request.query_params.get("next", "/console")),
    )  # fmt: skip
    response.set_cookie(SIGN_IN_CSRF, token, path="/console", secure=True, httponly=True, samesite="strict")
    return response


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    if await current_session(request) is not None:
        return redirect(_next(request.query_params.get("next", "/console")))
    return _form(request)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    state: ServiceState = request.app.state.service
    access: AccessControl = request.app.state.access
    address = request.client.host if request.client else "unknown"
    fields = await form(request)
    name, password = first(fields, "name"), (fields.get("password") or [""])[0]
    expected = request.cookies.get(SIGN_IN_CSRF)
    if not expected or not secrets.compare_digest(expected, first(fields, CSRF_FIELD)):
        return _form(request, status_code=403, error="The sign-in form had expired; please try again.", name=name)
    wait = access.limiter.retry_after(address)
    if wait is not None:
        message = f"Too many failed sign-ins from {address}; try again in {wait} s."
        return _form(request, status_code=429, error=message, name=name)
    try:
        signed = await state.context.run_db(console_users.sign_in, state.database, name, password)
    except console_users.SignInRefused as refused:
        access.limiter.failed(address)
        log.warning("console sign-in refused", client=address, user=name[:100])
        return _form(request, status_code=401, error=str(refused), name=name)
    response = redirect(_next(first(fields, "next", "/console")))
    set_session_cookie(response, signed.token, signed.expires_at)
    response.delete_cookie(SIGN_IN_CSRF, path="/console", secure=True, httponly=True, samesite="strict")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    state: ServiceState = request.app.state.service
    await checked_form(request, Role.VIEWER)
    token = request.cookies.get("cm_console", "")
    await state.context.run_db(console_users.sign_out, state.database, token)
    response = redirect("/console/sign-in", "Signed out.")
    clear_session_cookie(response)
    return response
