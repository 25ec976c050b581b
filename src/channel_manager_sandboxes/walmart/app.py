"""The Walmart sandbox as an ASGI app: ``create_app(settings)`` builds one app (one
:class:`WalmartSandbox`, at ``app.state.sandbox``) with Walmart's ``/v3`` paths (``routes.py``) and
the control API under ``/_sandbox`` (``control.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from channel_manager_sandboxes.walmart.control import router as control_router
from channel_manager_sandboxes.walmart.delivery import NotificationDispatcher
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
from channel_manager_sandboxes.walmart.gateway import BareStatus
from channel_manager_sandboxes.walmart.routes import router as v3_router
from channel_manager_sandboxes.walmart.settings import WalmartSandboxSettings
from channel_manager_sandboxes.walmart.state import WalmartSandbox


def create_app(settings: WalmartSandboxSettings | None = None, sandbox: WalmartSandbox | None = None) -> FastAPI:
    sandbox = sandbox or WalmartSandbox(settings)
    dispatcher = NotificationDispatcher(sandbox)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()

    app = FastAPI(
        title="Walmart Marketplace sandbox",
        version="1.0",
        description="A local stand-in for Walmart's Marketplace API (US, v3): the same `/v3` paths, headers, "
        "JSON shapes, errors and line rules, plus a control API under `/_sandbox` to create sellers, generate "
        "orders, move the clock, inject faults and read counters. See docs/walmart-sandbox.md.",
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    app.state.dispatcher = dispatcher

    @app.exception_handler(SandboxHTTPError)
    async def walmart_error(request: Request, exc: SandboxHTTPError) -> Response:
        endpoint = getattr(request.state, "endpoint", request.url.path)
        sandbox.record_rejection(endpoint, exc, getattr(request.state, "seller_id", None))
        headers = dict(exc.headers)
        correlation = request.headers.get("WM_QOS.CORRELATION_ID")
        if correlation:
            headers["WM_QOS.CORRELATION_ID"] = correlation
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(BareStatus)
    async def bare_status(request: Request, exc: BareStatus) -> Response:
        endpoint = getattr(request.state, "endpoint", request.url.path)
        sandbox.record_rejection(endpoint, SandboxHTTPError(exc.status, "BARE_STATUS", "no body"))
        return Response(status_code=exc.status, content=b"", media_type="text/plain")

    app.include_router(v3_router)
    app.include_router(control_router)
    return app
