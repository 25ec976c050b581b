"""Typed errors of the Walmart Marketplace API, and the rule that sorts Walmart's answers into them.

Every error keeps what Walmart said (HTTP status, ``code``, ``field``, ``description``) and the
``WM_QOS.CORRELATION_ID`` of the attempt, so a merchant or Walmart support can find the call. The
sorting reads Walmart's code and description text; it does not guess from our own request.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WalmartErrorDetail:
    """One entry of Walmart's ``error`` list (service shape or gateway shape)."""

    code: str
    field: str | None = None
    description: str | None = None
    info: str | None = None
    severity: str | None = None
    category: str | None = None


class WalmartError(Exception):
    """Base of every error the Walmart client raises."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        field: str | None = None,
        description: str | None = None,
        correlation_id: str | None = None,
        purchase_order_id: str | None = None,
        details: Sequence[WalmartErrorDetail] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.code = code
        self.field = field
        self.description = description
        self.correlation_id = correlation_id
        self.purchase_order_id = purchase_order_id
        self.details = tuple(details)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(http_status={self.http_status!r}, code={self.code!r}, "
            f"field={self.field!r}, correlation_id={self.correlation_id!r}, message={self.message!r})"
        )


class WalmartRetryableError(WalmartError):
    """Try again later: 429, 5xx, timeouts, connection errors.

    ``ambiguous`` is True when the request may have been applied (a timeout after the request was
    sent, a 5xx answer to a change): re-read the purchase order before sending the change again.
    It is False when the request was certainly not applied (429, connection refused).
    """

    def __init__(self, message: str, *, retry_after: float | None = None, ambiguous: bool = False, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after
        self.ambiguous = ambiguous


class WalmartPermanentError(WalmartError):
    """Walmart refused the request for a reason that a retry will not change (400 data, 403 scope, 404)."""


class WalmartNotFoundError(WalmartPermanentError):
    """The purchase order, return or SKU does not exist for this seller (404)."""


class WalmartAlreadyAppliedError(WalmartError):
    """The change is already in effect at Walmart (line already shipped, cancelled, acknowledged).

    Raised for a repeated request; the caller usually treats it as success after checking the order.
    """


class WalmartIntentToCancelError(WalmartPermanentError):
    """Walmart refused a shipment of lines the buyer asked to cancel, sent without ``intentToCancelOverride``."""


class WalmartAuthError(WalmartError):
    """Walmart does not accept the client id / client secret (or keeps rejecting fresh tokens)."""


class Intent(enum.StrEnum):
    """What a call means to do; decides whether a refusal means "already done"."""

    READ = "read"
    TOKEN = "token"
    ACKNOWLEDGE = "acknowledge"
    SHIP = "ship"
    CORRECT_SHIPMENT = "correct_shipment"
    CANCEL = "cancel"
    REFUND = "refund"
    RETURN_REFUND = "return_refund"
    UPDATE = "update"

    @property
    def is_mutation(self) -> bool:
        return self not in (Intent.READ, Intent.TOKEN)


#: Words for the message: "Walmart refused <the shipment of> PO 123".
_ACTION_WORDS: dict[Intent, str] = {
    Intent.READ: "the request for",
    Intent.TOKEN: "the token request",
    Intent.ACKNOWLEDGE: "the acknowledgement of",
    Intent.SHIP: "the shipment of",
    Intent.CORRECT_SHIPMENT: "the tracking correction of",
    Intent.CANCEL: "the cancellation of",
    Intent.REFUND: "the refund of",
    Intent.RETURN_REFUND: "the refund of return",
    Intent.UPDATE: "the update of",
}

_SHIPPED_OR_HIGHER = ("is in shipped status", "is in delivered status")


def parse_error_details(body: Any) -> list[WalmartErrorDetail]:
    """The error entries of a Walmart error body, whichever of its shapes it has."""
    entries: Any = None
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            entries = errors.get("error")
        elif isinstance(errors, list):
            entries = errors
        elif "error" in body:
            entries = body.get("error")
    if isinstance(entries, Mapping):
        entries = [entries]
    details: list[WalmartErrorDetail] = []
    for entry in entries or []:
        if not isinstance(entry, Mapping) or not entry.get("code"):
            continue
        details.append(
            WalmartErrorDetail(
                code=str(entry.get("code")),
                field=_str_or_none(entry.get("field")),
                description=_str_or_none(entry.get("description") or entry.get("message")),
                info=_str_or_none(entry.get("info")),
                severity=_str_or_none(entry.get("severity")),
                category=_str_or_none(entry.get("category")),
            )
        )
    return details


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _subject(intent: Intent, purchase_order_id: str | None, lines: Sequence[str], subject: str | None) -> str:
    if subject:
        return subject
    if purchase_order_id is None:
        return ""
    text = f"PO {purchase_order_id}"
    if lines:
        text += (" line " if len(lines) == 1 else " lines ") + ", ".join(lines)
    return text


def error_from_response(
    *,
    http_status: int,
    body: Any,
    intent: Intent,
    correlation_id: str | None,
    purchase_order_id: str | None = None,
    lines: Sequence[str] = (),
    subject: str | None = None,
    retry_after: float | None = None,
) -> WalmartError:
    """The typed error for one non-2xx Walmart answer."""
    details = parse_error_details(body)
    first = details[0] if details else None
    code = first.code if first else None
    field = first.field if first else None
    description = first.description if first else None
    what = _subject(intent, purchase_order_id, lines, subject)
    action = _ACTION_WORDS[intent]
    head = f"Walmart refused {action} {what}".rstrip()
    cause = code or f"HTTP {http_status}"
    if field:
        cause += f" ({field})"
    if description:
        cause += f": {description}"
    folded = (description or "").casefold()
    kw: dict[str, Any] = {
        "http_status": http_status,
        "code": code,
        "field": field,
        "description": description,
        "correlation_id": correlation_id,
        "purchase_order_id": purchase_order_id,
        "details": details,
    }
    if http_status == 401 and intent is Intent.TOKEN:
        return WalmartAuthError(f"Walmart rejected the client id / client secret: {cause}", **kw)
    if http_status == 401:
        return WalmartAuthError(f"Walmart rejected the access token for {action} {what}: {cause}".rstrip(), **kw)
    if http_status == 429:
        return WalmartRetryableError(
            f"Walmart rate limit reached for {action} {what}: {cause}", retry_after=retry_after, **kw
        )
    if http_status >= 500 or http_status == 423:
        return WalmartRetryableError(
            f"Walmart failed on {action} {what}: {cause}",
            retry_after=retry_after,
            ambiguous=intent.is_mutation,
            **kw,
        )
    if http_status == 400 and (code or "").startswith("INVALID_REQUEST.") and folded == "invalid request":
        # Seen during Walmart outages on requests that were valid (NOTES section 6).
        return WalmartRetryableError(f"Walmart failed on {action} {what}: {cause}", ambiguous=intent.is_mutation, **kw)
    if http_status in (400, 409) and _already_applied(intent, folded):
        return WalmartAlreadyAppliedError(f"Walmart already has {action} {what}: {cause}", **kw)
    if http_status == 400 and intent is Intent.SHIP and _refers_to_intent_to_cancel(field, folded):
        return WalmartIntentToCancelError(f"{head}: {cause}", **kw)
    if http_status == 404:
        return WalmartNotFoundError(f"{head}: {cause}", **kw)
    return WalmartPermanentError(f"{head}: {cause}", **kw)


def _refers_to_intent_to_cancel(field: str | None, description: str) -> bool:
    """Walmart's refusal names the buyer's intent to cancel (its field, or its text, NOTES section 3.2)."""
    if (field or "").casefold() in ("intenttocanceloverride", "intenttocancel"):
        return True
    return any(marker in description for marker in ("intenttocancel", "intent to cancel", "request to cancel"))


def _already_applied(intent: Intent, description: str) -> bool:
    if intent is Intent.SHIP:
        return any(marker in description for marker in _SHIPPED_OR_HIGHER)
    if intent is Intent.CANCEL:
        return "is in cancelled status" in description
    if intent is Intent.ACKNOWLEDGE:
        return "higher status" in description
    if intent is Intent.RETURN_REFUND:
        return "already refunded" in description
    return False
