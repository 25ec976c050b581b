"""Walmart's date formats: epoch ms in bodies, ISO 8601 in queries and cursors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from channel_manager_sandboxes.walmart.errors import SandboxHTTPError

DAY_MS = 86_400_000
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})?)?$")
_CURSOR_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def iso(ms: int) -> str:
    """Epoch ms -> ``yyyy-MM-ddTHH:mm:ss.SSSZ`` (dates inside a nextCursor keep milliseconds, as Walmart's do)."""
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def parse_query_date(name: str, value: str, *, cursor: bool = False) -> int:
    """``yyyy-MM-dd`` or ``yyyy-MM-ddTHH:mm:ssZ`` -> epoch ms; fractional seconds only inside a cursor."""
    text = value.strip()
    if not (_DATE_RE.match(text) or (cursor and _CURSOR_DATE_RE.match(text))):
        raise SandboxHTTPError(400, "INVALID_REQUEST.GMP_ORDER_API", "Invalid Date format value", field=name)
    if "T" not in text:
        text += "T00:00:00Z"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_returns_date(name: str, text: str | None) -> int:
    """The returns API's ISO 8601 dates (a ``+`` in the offset arrives as a space) -> epoch ms."""
    try:
        moment = datetime.fromisoformat((text or "").replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise SandboxHTTPError(
            400, "INVALID_REQUEST_PARAM.GMP_RETURNS_API", "Invalid Date format value", field=name
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def to_ms(value: Any, default: int) -> int:
    """A control-API time (None, epoch s or ms, datetime, ISO text) -> epoch ms."""
    if value is None:
        return default
    if isinstance(value, int | float):
        return int(value if value > 1e11 else value * 1000)
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)
    text = str(value)
    if text.lstrip("-").isdigit():
        return to_ms(int(text), default)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return to_ms(moment, default)
