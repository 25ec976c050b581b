"""How the sandbox keeps Commerce entities: dicts in Commerce's own shape, with internal bookkeeping
under keys starting with ``_``, rendered without nulls (Commerce omits null fields)."""

from __future__ import annotations

from typing import Any

from channel_manager_sandboxes.commerce.errors import SandboxApiError, bad_request


def clean(value: Any) -> Any:
    """Deep copy without nulls and without ``_`` bookkeeping keys (Commerce omits null fields)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None and not str(k).startswith("_")}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def validation_error(kind: str, messages: list[str]) -> SandboxApiError:
    """Commerce's answer to a document (invoice, shipment, credit memo) that fails its validators."""
    return bad_request(f"{kind} Document Validation Error(s):\n" + "\n".join(messages))
