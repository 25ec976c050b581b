"""Jinja2 over the console's templates (package data), the filters they use, and the one-shot flash
message a page shows after a redirect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from ...domain.console_users import ConsoleSession
from .sessions import context_of

FLASH_COOKIE = "cm_flash"
#: An open order this close to its Ship By date stands out on the Orders page.
SHIP_BY_SOON = timedelta(hours=24)


def _when(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _money(value: Decimal | str | float | None, currency: str = "USD") -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f} {currency}"


def _ship_by_soon(row: Any) -> bool:
    ship_by = getattr(row, "ship_by", None)
    status = str(getattr(row, "status", ""))
    return (
        ship_by is not None and status in ("Open", "Partially shipped") and ship_by - datetime.now(UTC) < SHIP_BY_SOON
    )


environment = Environment(
    loader=PackageLoader("channel_manager.web.console", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["when"] = _when
environment.filters["money"] = _money
environment.filters["urlquote"] = lambda value: quote(str(value), safe="")
environment.tests["ship_by_soon"] = _ship_by_soon
environment.globals["urlencode"] = urlencode


def page(
    request: Request, template: str, found: ConsoleSession | None, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    flash = request.cookies.get(FLASH_COOKIE)
    message = None
    if flash:
        kind, _, text = unquote(flash).partition("|")
        message = {"kind": kind if kind in ("ok", "error") else "ok", "text": text[:2000]}
    html = environment.get_template(template).render(
        request=request, flash=message, path=request.url.path, **context_of(found), **values
    )
    response = HTMLResponse(html, status_code=status_code, headers=_SECURITY_HEADERS)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/console", secure=True, httponly=True, samesite="strict")
    return response


def fragment(template: str, found: ConsoleSession | None, **values: Any) -> HTMLResponse:
    html = environment.get_template(template).render(**context_of(found), **values)
    return HTMLResponse(html, headers=_SECURITY_HEADERS)


def redirect(url: str, message: str | None = None, *, kind: str = "ok") -> RedirectResponse:
    """303 to ``url``, the next page showing ``message`` once."""
    response = RedirectResponse(url, status_code=303)
    if message:
        value = quote(f"{kind}|{message[:1500]}", safe="")
        response.set_cookie(FLASH_COOKIE, value, path="/console", secure=True, httponly=True, samesite="strict")
    return response


_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
