"""The merchant console under ``/console``: server-rendered pages (Jinja2) over the same service
functions and roles as the JSON API, signed in with a console user (``channel-manager users``)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from . import jobs, operations, orders, sign_in, store_connection, store_webhooks, stores, tokens, users
from .rendering import page
from .sessions import CsrfMismatch, Forbidden, NotSignedIn, SessionCookieAuthenticator, current_session

__all__ = ["SessionCookieAuthenticator", "install"]


def install(app: FastAPI) -> None:
    """Adds the console's pages, its static files and its error pages to the API app."""
    for module in (sign_in, orders, stores, store_connection, store_webhooks, operations, jobs, users, tokens):
        app.include_router(module.router, include_in_schema=False)
    static = StaticFiles(directory=str(files("channel_manager.web.console") / "static"))
    app.mount("/console/static", static, name="console-static")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/console", status_code=307)

    async def not_signed_in(request: Request, _: Exception) -> Response:
        if request.headers.get("x-console-fragment"):
            return HTMLResponse("", status_code=401)  # the page's script reloads into the sign-in page
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/console/sign-in?next={_quote(target)}", status_code=303)

    async def forbidden(request: Request, error: Exception) -> Response:
        found = await current_session(request)
        return page(request, "error.html", found, status_code=403, title="Not allowed", message=str(error))

    async def csrf(request: Request, _: Exception) -> Response:
        found = await current_session(request)
        message = "The form had expired or did not come from this console; open the page again and resend."
        return page(request, "error.html", found, status_code=403, title="Form expired", message=message)

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(CsrfMismatch, csrf)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")
