"""A local Walmart Marketplace API (US, v3) for tests, demos and benchmarks.

``create_app(WalmartSandboxSettings(...))`` returns the FastAPI app; its state is
``app.state.sandbox`` (a :class:`WalmartSandbox`). See ``docs/walmart-sandbox.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from channel_manager_sandboxes.lazy import lazy_exports

if TYPE_CHECKING:
    from channel_manager_sandboxes.walmart.app import create_app
    from channel_manager_sandboxes.walmart.settings import WalmartSandboxSettings
    from channel_manager_sandboxes.walmart.state import WalmartSandbox

__all__ = ["WalmartSandbox", "WalmartSandboxSettings", "create_app"]

#: Loaded on first use (see ``lazy.py``).
__getattr__ = lazy_exports(
    __name__, {"create_app": "app", "WalmartSandboxSettings": "settings", "WalmartSandbox": "state"}
)
