"""Store views: ``GET /V1/store/storeViews`` and the ``/rest/<store code>/`` prefix."""

from __future__ import annotations

import threading
from typing import Any

from channel_manager_sandboxes.commerce.errors import not_found

ADMIN_VIEW = {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0, "is_active": 1}


class Stores:
    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        self.stores: dict[str, dict[str, Any]] = {}

    def add_store(self, code: str, name: str | None = None) -> dict[str, Any]:
        with self.lock:
            if code in self.stores:
                return dict(self.stores[code])
            store = {
                "id": len(self.stores) + 1,
                "code": code,
                "name": name or code,
                "website_id": 1,
                "store_group_id": 1,
                "is_active": 1,
            }
            self.stores[code] = store
            return dict(store)

    def store_id_for(self, code: str | None) -> int:
        with self.lock:
            if code in (None, "", "all", "default"):
                return 1
            store = self.stores.get(code)
            if store is None:
                raise not_found("The store that was requested wasn't found. Verify the store and try again.")
            return int(store["id"])

    def store_name(self, store_id: int) -> str | None:
        return next((s["name"] for s in self.stores.values() if s["id"] == store_id), None)

    def store_views(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(ADMIN_VIEW), *(dict(s) for s in self.stores.values())]
