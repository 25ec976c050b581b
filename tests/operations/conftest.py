"""An operator's changes seen by a running ``channel-manager run``: the recovery tests' fixtures (both
sandboxes, a store in a real database with a key a process of its own can open, ``run`` processes)."""

from __future__ import annotations

from recovery.conftest import quiet_logs, run_processes, secret_box, servers, store_settings, world

__all__ = ["quiet_logs", "run_processes", "secret_box", "servers", "store_settings", "world"]
