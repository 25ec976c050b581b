"""Typed errors for Adobe Commerce REST answers.

Commerce error bodies carry a *template* in ``message`` and values in ``parameters``, either a
dict (``%name``) or a list (``%1``, ``%2`` ...). See NOTES.md section 12.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_NAMED = re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)")
_NUMBERED = re.compile(r"%(\d+)")


def fill_message(template: str, parameters: Mapping[str, Any] | Sequence[Any] | None) -> str:
    """Commerce's ``message`` with its ``%name`` / ``%1`` placeholders filled from ``parameters``."""
    if not parameters:
        return template
    if isinstance(parameters, Mapping):
        values = {str(k): v for k, v in parameters.items()}

        def named(match: re.Match[str]) -> str:
            key = match.group(1)
            return str(values[key]) if key in values else match.group(0)

        text = _NAMED.sub(named, template)
        # Some bodies use numbered keys in an object: {"1": "x"}.
        return _NUMBERED.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
    listed = list(parameters)

    def numbered(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return str(listed[index]) if 0 <= index < len(listed) else match.group(0)

    return _NUMBERED.sub(numbered, template)


def one_line(text: str) -> str:
    """Commerce joins validation messages with newlines; one log/status line wants spaces."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


class CommerceError(Exception):
    """Commerce refused or failed a request. ``str(error)`` is one line a merchant can read."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        template: str | None = None,
        parameters: Mapping[str, Any] | Sequence[Any] | None = None,
        commerce_message: str | None = None,
        endpoint: str | None = None,
        order_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.template = template
        self.parameters = parameters
        #: Commerce's own text with placeholders filled (without our prefix).
        self.commerce_message = commerce_message
        self.endpoint = endpoint
        self.order_id = order_id

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(http_status={self.http_status!r}, message={self.message!r})"


class CommerceNotFoundError(CommerceError):
    """404: the order, shipment, product or route does not exist."""


class CommerceValidationError(CommerceError):
    """400: Commerce refused the request (document validation, state rule, bad input)."""


class CommerceAuthError(CommerceError):
    """401: the token or OAuth signature was refused, or the integration lacks an ACL grant."""


class CommerceRetryableError(CommerceError):
    """5xx, 429, timeout or connection failure: try again later.

    ``ambiguous`` is true when the request may have been applied (a write answered 5xx, or a
    timeout after the request was sent): the caller must look before it writes again.
    """

    def __init__(self, message: str, *, ambiguous: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous


class CommerceProductUnavailableError(CommerceValidationError):
    """A SKU of the order is not in the Commerce catalog, or its product is disabled (``sku`` names it)."""

    def __init__(self, message: str, *, sku: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sku = sku


class CommerceCancelRefusedError(CommerceValidationError):
    """``POST /V1/orders/{id}/cancel`` answered ``false``: the order cannot be cancelled.

    Commerce cancels only orders with something left to invoice, and never held, complete or
    closed ones; a fully invoiced (paid) order must be refunded with a credit memo instead.
    """


class CommerceOrderMismatchError(CommerceError):
    """An existing Commerce order was found for a PO but does not match it (e.g. other items)."""
