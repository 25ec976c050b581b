"""Structured logging: one event per line, console or JSON, with secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

#: Keys whose values are never logged, wherever they appear in an event.
SECRET_KEYS = frozenset(
    {
        "authorization",
        "client_secret",
        "consumer_secret",
        "access_token",
        "access_token_secret",
        "token",
        "password",
        "secret",
        "secret_key",
        "webhook_secret",
        "wm_sec.access_token",
        "signature",
    }
)
_MASK = "**********"
_BEARER = re.compile(r"(?i)\b(bearer|basic|oauth)\s+[A-Za-z0-9._~+/=\-,\"]+")


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (_MASK if str(k).lower() in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact(v) for v in value)
    if isinstance(value, str):
        return _BEARER.sub(lambda m: f"{m.group(1)} {_MASK}", value)
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: masks secret-named keys and credentials embedded in strings."""
    for key in list(event_dict):
        if key.lower() in SECRET_KEYS:
            event_dict[key] = _MASK
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


def configure_logging(log_format: str = "console", level: str = "INFO", stream: Any = None) -> None:
    """Configures structlog (and the stdlib root logger, so library logs come out the same way)."""
    stream = stream or sys.stderr
    numeric_level = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric_level, int):
        numeric_level = logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    renderer: Any
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[*shared[1:], structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer]
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(numeric_level, logging.WARNING))


def get_logger(name: str | None = None, **context: Any) -> Any:
    return structlog.get_logger(name).bind(**context) if context else structlog.get_logger(name)
