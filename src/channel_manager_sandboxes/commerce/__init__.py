"""A local Adobe Commerce 2.4 REST server: same paths, auth, search semantics, order state machine,
quantity arithmetic and error bodies as the real one (``contracts/magento/NOTES.md``), plus a
control API under ``/_sandbox/`` and outgoing webhooks. See ``docs/commerce-sandbox.md``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.app import create_app
    from channel_manager_sandboxes.commerce.settings import SandboxSettings
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

#: Loaded on first use, so the CLI does not import the web app for commands that never serve it.
_LAZY = {"create_app": "app", "SandboxSettings": "settings", "CommerceSandbox": "state"}

__all__ = ["CommerceSandbox", "SandboxSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"channel_manager_sandboxes.commerce.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
