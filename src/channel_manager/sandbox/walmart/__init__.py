"""A local Walmart Marketplace API (US, v3) for tests, demos and benchmarks.

``create_app(WalmartSandboxSettings(...))`` returns the FastAPI app; its state is
``app.state.sandbox`` (a :class:`WalmartSandbox`). See ``docs/walmart-sandbox.md``.
"""

from channel_manager.sandbox.walmart.app import create_app
from channel_manager.sandbox.walmart.settings import WalmartSandboxSettings
from channel_manager.sandbox.walmart.state import WalmartSandbox

__all__ = ["WalmartSandbox", "WalmartSandboxSettings", "create_app"]
