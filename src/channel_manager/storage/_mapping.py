"""Conversions between domain values and what JSON columns hold."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any


def time_to_json(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat()


def time_from_json(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def decimal_to_json(value: Decimal) -> str:
    return str(value)


def decimal_from_json(value: Any) -> Decimal:
    return Decimal(str(value))
