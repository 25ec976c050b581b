"""A local Adobe Commerce 2.4 REST server: same paths, auth, search semantics, order state machine,
quantity arithmetic and error bodies as the real one (``contracts/magento/NOTES.md``), plus a
control API under ``/_sandbox/`` and outgoing webhooks. See ``docs/commerce-sandbox.md``."""

from channel_manager.sandbox.commerce.app import create_app
from channel_manager.sandbox.commerce.settings import SandboxSettings
from channel_manager.sandbox.commerce.state import CommerceSandbox

__all__ = ["CommerceSandbox", "SandboxSettings", "create_app"]
