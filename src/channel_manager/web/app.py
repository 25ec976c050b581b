"""The connector's two HTTP apps: the authenticated JSON API (with /health, /metrics, /docs and
/openapi.json) and, on its own listener, the webhook receivers and nothing else."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from .. import __version__
from . import api, console, health, metrics, problems, webhooks
from .auth import (
    AccessControl,
    Authenticator,
    BearerTokenAuthenticator,
    FailureLimiter,
    Principal,
    metrics_reader,
    viewer,
)
from .state import ServiceState
from .webhooks import WebhookLimits

DESCRIPTION = """Walmart Marketplace <-> Adobe Commerce order sync.

Every route but `/health` needs an API token: `Authorization: Bearer <token>`, from
`channel-manager tokens create --name NAME --role viewer|operator|admin`. A `viewer` reads; an `operator`
also ships, cancels, refunds, retries and resyncs; an `admin` also manages stores and tokens; a `metrics`
token reads only `/metrics`. Errors are `application/problem+json` (RFC 9457) with `side` (walmart,
commerce or connector) and, for invalid input, `field`. Every POST takes an `Idempotency-Key`.

The webhook receivers (`/webhooks/...`) are served by the webhook listener (`channel-manager run
--webhook-port`, default 8090), not by this one.
"""


def create_api_app(
    state: ServiceState,
    *,
    authenticators: list[Authenticator] | None = None,
    limiter: FailureLimiter | None = None,
) -> FastAPI:
    app = FastAPI(
        title="channel-manager",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.service = state
    default = [BearerTokenAuthenticator(state.database, state.context.run_db), console.SessionCookieAuthenticator()]
    app.state.access = AccessControl(authenticators or default, limiter or FailureLimiter())
    problems.install(app)
    console.install(app)  # the merchant console under /console (and / redirecting there)
    app.include_router(api.router)
    app.include_router(health.router)
    app.include_router(
        metrics.router, dependencies=[Depends(metrics_reader)], responses=problems.responses(401, 403, 429)
    )

    @app.get("/openapi.json", tags=["operations"], summary="This document", responses=problems.responses(401, 403, 429))
    async def openapi(_: Principal = Depends(viewer)) -> dict[str, Any]:
        return JSONResponse(app.openapi())  # type: ignore[return-value]

    @app.get(
        "/docs",
        tags=["operations"],
        summary="The API's documentation (Swagger UI)",
        response_class=HTMLResponse,
        responses=problems.responses(401, 403, 429),
    )
    async def docs(request: Request, _: Principal = Depends(viewer)) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="channel-manager API")

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            problems.add_schemas(schema)
            _add_receivers(schema)
            # /health answers anyone (ok / not ok); a token only adds the details.
            schema["paths"]["/health"]["get"]["security"] = [{}, {"ApiToken": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
    return app


def create_webhook_app(state: ServiceState, *, limits: WebhookLimits | None = None) -> FastAPI:
    """Only the receivers: no API, no docs, no health details."""
    app = FastAPI(title="channel-manager webhooks", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = state
    app.state.webhook_limits = limits or WebhookLimits()
    problems.install(app)
    app.include_router(webhooks.router)
    return app


def _add_receivers(schema: dict[str, Any]) -> None:
    """Documents the receivers (served by the webhook listener) in the API's document, each with the
    webhook listener as its server."""
    receivers = FastAPI(title="receivers", version=__version__)
    receivers.include_router(webhooks.router)
    problems.install(receivers)
    other = receivers.openapi()
    server = {
        "url": "{scheme}://{host}:{port}",
        "description": "The webhook listener (channel-manager run --webhook-host/--webhook-port)",
        "variables": {
            "scheme": {"default": "http", "enum": ["http", "https"]},
            "host": {"default": "127.0.0.1"},
            "port": {"default": "8090"},
        },
    }
    for path, item in other.get("paths", {}).items():
        schema.setdefault("paths", {})[path] = {**item, "servers": [server]}
    schema.setdefault("components", {}).setdefault("schemas", {}).update(other.get("components", {}).get("schemas", {}))
