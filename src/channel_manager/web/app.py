"""The connector's HTTP service: JSON API, webhook receivers, health and metrics."""

from __future__ import annotations

from fastapi import FastAPI

from .. import __version__
from . import api, metrics, webhooks
from .state import ServiceState


def create_app(state: ServiceState) -> FastAPI:
    app = FastAPI(
        title="channel-manager",
        version=__version__,
        description="Walmart Marketplace <-> Adobe Commerce order sync: JSON API, webhooks, health, metrics.",
    )
    app.state.service = state
    app.include_router(api.router)
    app.include_router(webhooks.router)
    app.include_router(metrics.router)
    return app
