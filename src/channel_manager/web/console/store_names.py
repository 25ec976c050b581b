"""Store id -> name, for the console's store filters and columns."""

from __future__ import annotations

from ...service import stores as store_service
from ...storage.unit_of_work import Database


def store_names(database: Database) -> dict[int, str]:
    return {s.id: s.name for s in store_service.list_stores(database) if s.id is not None}
