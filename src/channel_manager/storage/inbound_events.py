"""Webhook deliveries as received, de-duplicated on the sender's event id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, select, update

from . import _sql
from ._sql import utcnow
from .tables import inbound_events

Source = Literal["walmart", "commerce"]


@dataclass(frozen=True)
class InboundEvent:
    id: int
    store_id: int
    source: str
    event_id: str
    event_type: str
    payload: Any
    received_at: datetime
    processed_at: datetime | None


class InboundEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def record(
        self,
        store_id: int,
        source: Source,
        event_id: str,
        event_type: str,
        payload: Any,
        *,
        received_at: datetime | None = None,
        processed_at: datetime | None = None,
    ) -> int | None:
        """Stores a delivery (already processed when ``processed_at`` is given: nothing to do for it); ``None``
        when this event was already received (a redelivery).

        The returned id is truthy, so ``if repo.record(...):`` reads as "is this new?".
        """
        statement = (
            _sql.insert(self._connection, inbound_events)
            .values(
                store_id=store_id,
                source=source,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                received_at=received_at or utcnow(),
                processed_at=processed_at,
            )
            .on_conflict_do_nothing(
                index_elements=[inbound_events.c.source, inbound_events.c.store_id, inbound_events.c.event_id]
            )
            .returning(inbound_events.c.id)
        )
        return self._connection.execute(statement).scalar_one_or_none()

    def mark_processed(self, event_id: int, *, at: datetime | None = None) -> bool:
        statement = (
            update(inbound_events)
            .where(inbound_events.c.id == event_id, inbound_events.c.processed_at.is_(None))
            .values(processed_at=at or utcnow())
        )
        return bool(self._connection.execute(statement).rowcount)

    def get(self, event_id: int) -> InboundEvent | None:
        row = self._connection.execute(select(inbound_events).where(inbound_events.c.id == event_id)).first()
        return None if row is None else InboundEvent(**row._mapping)

    def unprocessed(self, limit: int = 100, *, store_id: int | None = None) -> list[InboundEvent]:
        """Deliveries not processed yet, oldest first."""
        query = select(inbound_events).where(inbound_events.c.processed_at.is_(None))
        if store_id is not None:
            query = query.where(inbound_events.c.store_id == store_id)
        rows = self._connection.execute(query.order_by(inbound_events.c.id).limit(limit))
        return [InboundEvent(**row._mapping) for row in rows]
