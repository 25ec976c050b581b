"""Reading Walmart request bodies: lists that may be a single object, quantities, amounts."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from channel_manager_sandboxes.walmart.errors import order_error


def as_list(container: Any, *keys: str) -> list[Any]:
    """``container[k1][k2]...`` as a list (a single object becomes a one-item list; anything else is empty)."""
    value = container
    for key in keys:
        if not isinstance(value, Mapping):
            return []
        value = value.get(key)
    if isinstance(value, Mapping):
        return [value]
    return value if isinstance(value, list) else []


def envelope(body: Any, name: str) -> Mapping[str, Any]:
    """The one top-level object ``name`` of an order request (``orderShipment``, ``orderCancellation``,
    ``orderRefund``); a body without it is Walmart's MALFORMED_REQUEST_CONTENT."""
    inner = body.get(name) if isinstance(body, Mapping) else None
    if not isinstance(inner, Mapping):
        raise order_error(f"{name} is required", field=name, code="MALFORMED_REQUEST_CONTENT")
    return inner


def order_lines(inner: Mapping[str, Any]) -> list[Any]:
    """``orderLines.orderLine`` of an order request (one object or a list); none at all is an error."""
    lines = as_list(inner, "orderLines", "orderLine")
    if not lines:
        raise order_error("orderLines is required", field="orderLines")
    return lines


def quantity(raw: Any, field_name: str = "statusQuantity") -> int:
    try:
        amount = raw["amount"] if isinstance(raw, Mapping) else raw
        number = Decimal(str(amount))
    except (KeyError, TypeError, InvalidOperation):
        raise order_error(f"Invalid {field_name}", field=field_name) from None
    if number != number.to_integral_value() or number < 1:
        raise order_error(f"Invalid {field_name} amount {amount}", field=field_name)
    return int(number)


def decimal(raw: Any, field_name: str) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, TypeError):
        raise order_error(f"Invalid amount {raw!r}", field=field_name) from None
