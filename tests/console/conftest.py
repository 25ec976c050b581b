"""The console's tests use the sync tests' world (both sandboxes over real HTTP, a store in a real database)."""

from __future__ import annotations

from sync.conftest import quiet_logs, servers, store_settings, world

__all__ = ["quiet_logs", "servers", "store_settings", "world"]
