"""The JSON API under ``/api``: every CLI action, calling the same service functions the CLI calls."""

from __future__ import annotations

from fastapi import APIRouter

from . import audit, jobs, orders, returns, stores, tokens

router = APIRouter(prefix="/api")
for module in (stores, orders, returns, jobs, tokens, audit):
    router.include_router(module.router)
