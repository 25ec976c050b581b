"""What the API's routes share: the service state, store lookup, time and parameter helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator

from ...service import stores as store_service
from ..state import ServiceState, service_state

StoreRef = Annotated[
    str | None, Query(max_length=200, description="Only this store (its name or id); needed when a PO is in several.")
]
PurchaseOrderId = Annotated[str, Path(min_length=1, max_length=64, description="The Walmart purchase order number.")]
ReturnOrderId = Annotated[str, Path(min_length=1, max_length=64, description="The return's RMA number.")]


def _iso_date_time(value: object) -> object:
    """A query's date-time is ISO 8601 text, as the document says: a bare number (which pydantic would read as
    seconds since 1970) is refused."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("expected an ISO 8601 date-time such as 2026-12-01T00:00:00")
    return value


#: A date-time query parameter (ISO 8601 text only).
QueryDateTime = Annotated[datetime, BeforeValidator(_iso_date_time)]

READ = (400, 401, 403, 404, 409, 422, 429)
WRITE = (400, 401, 403, 404, 409, 422, 429, 502, 503)


#: The dependency by which a route gets the service's state.
service = service_state


def store_id_of(state: ServiceState, store: str | None) -> int | None:
    """Blocking: the id of the store named (or numbered) ``store``; ``StoreNotFound`` otherwise."""
    return store_service.store_id_named(state.database, store)


def utc(value: datetime | None) -> datetime | None:
    """A time from a query string; one without an offset is taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
