"""A local Adobe Commerce 2.4 REST server: same paths, auth, search semantics, order state machine,
quantity arithmetic and error bodies as the real one (``contracts/magento/NOTES.md``), plus a
control API under ``/_sandbox/`` and outgoing webhooks. See ``docs/commerce-sandbox.md``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channel_manager_sandboxes.lazy import lazy_exports

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.app import create_app
    from channel_manager_sandboxes.commerce.settings import SandboxSettings
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

__all__ = ["CommerceSandbox", "SandboxSettings", "create_app"]

#: Loaded on first use (see ``lazy.py``).
__getattr__ = lazy_exports(__name__, {"create_app": "app", "SandboxSettings": "settings", "CommerceSandbox": "state"})
