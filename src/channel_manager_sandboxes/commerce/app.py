"""``create_app(settings)``: the sandbox Commerce server as an ASGI app.

In-process use: ``app = create_app(); app.state.sandbox`` is the :class:`CommerceSandbox`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from channel_manager_sandboxes.commerce import control, rest
from channel_manager_sandboxes.commerce.errors import SandboxApiError
from channel_manager_sandboxes.commerce.faults import FaultInjector
from channel_manager_sandboxes.commerce.gateway import CommerceGateway, Counters, internal_error_body
from channel_manager_sandboxes.commerce.module import ModuleConfig
from channel_manager_sandboxes.commerce.module_events import ModuleEvents
from channel_manager_sandboxes.commerce.settings import SandboxSettings
from channel_manager_sandboxes.commerce.state import CommerceSandbox
from channel_manager_sandboxes.commerce.webhooks import (
    SignatureScheme,
    WebhookDispatcher,
    WebhookTarget,
    load_private_key,
)


def webhook_target(settings: SandboxSettings) -> WebhookTarget | None:
    if not settings.webhook_url:
        return None
    key = load_private_key(settings.webhook_private_key_pem) if settings.webhook_private_key_pem else None
    scheme: SignatureScheme = "rsa" if settings.webhook_signature == "rsa" else "hmac"
    return WebhookTarget(settings.webhook_url, settings.webhook_secret or "", scheme, key)


def module_config(settings: SandboxSettings) -> ModuleConfig:
    return ModuleConfig(
        installed=settings.module_installed,
        events_url=settings.module_events_url,
        events_secret=settings.module_events_secret,
        events_enabled=settings.module_events_enabled,
    )


def create_app(settings: SandboxSettings | None = None, sandbox: CommerceSandbox | None = None) -> FastAPI:
    settings = settings or SandboxSettings()
    sandbox = sandbox or CommerceSandbox(ship_id_as_string=settings.ship_id_as_string, module=module_config(settings))
    webhooks = WebhookDispatcher(webhook_target(settings))
    module_events = ModuleEvents(sandbox.module)
    sandbox.listeners.extend([webhooks, module_events])

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        webhooks.close()
        module_events.close()

    app = FastAPI(
        title="channel-manager Commerce sandbox",
        description="A local Adobe Commerce 2.4 admin REST API (subset) with a control API under /_sandbox/.",
        version="2.4.8-sandbox",
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.sandbox = sandbox
    app.state.settings = settings
    app.state.faults = FaultInjector(settings.fault_seed)
    app.state.counters = Counters()
    app.state.webhooks = webhooks
    app.state.module_events = module_events
    app.include_router(rest.router)
    app.include_router(control.router)

    _install_error_handlers(app)
    app.add_middleware(
        CommerceGateway,
        routes=list(rest.router.routes),
        sandbox=sandbox,
        settings=settings,
        faults=app.state.faults,
        counters=app.state.counters,
    )
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SandboxApiError)
    async def commerce_error(_: Request, exc: SandboxApiError) -> JSONResponse:
        return rest.error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith("/_sandbox"):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return JSONResponse(
            {
                "message": 'The "%1" value\'s type is invalid. Verify and try again.',
                "parameters": [str(e.get("loc", ["?"])[-1]) for e in exc.errors()][:1],
            },
            status_code=400,
        )

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(internal_error_body(), status_code=500)
