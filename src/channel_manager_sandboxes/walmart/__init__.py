"""A local Walmart Marketplace API (US, v3) for tests, demos and benchmarks.

``create_app(WalmartSandboxSettings(...))`` returns the FastAPI app; its state is
``app.state.sandbox`` (a :class:`WalmartSandbox`). See ``docs/walmart-sandbox.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.app import create_app
    from channel_manager_sandboxes.walmart.settings import WalmartSandboxSettings
    from channel_manager_sandboxes.walmart.state import WalmartSandbox

#: Loaded on first use, so the CLI does not import the web app for commands that never serve it.
_LAZY = {"create_app": "app", "WalmartSandboxSettings": "settings", "WalmartSandbox": "state"}

__all__ = ["WalmartSandbox", "WalmartSandboxSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"channel_manager_sandboxes.walmart.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
