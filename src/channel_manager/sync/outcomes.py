"""What a failed job means: try again later, or stop and show the merchant why."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ..commerce.errors import CommerceError, CommerceNotFoundError, CommerceRetryableError, CommerceValidationError
from ..domain.errors import DomainError
from ..domain.sync import Side
from ..service.outbox import JobKind
from ..storage.database import database_trouble
from ..storage.errors import ConcurrentUpdate, DatabaseUnavailable
from ..walmart.errors import WalmartError, WalmartIntentToCancelError, WalmartRetryableError


@dataclass(frozen=True)
class Failure:
    side: Side
    message: str
    retryable: bool
    code: str | None = None
    retry_after: float | None = None
    #: No answer came to a request that was sent (a timeout): it may still be running at the remote.
    in_flight: bool = False
    #: Minimum delay before the next try (e.g. waiting for a merchant's fix in Commerce).
    slow_retry_seconds: float | None = None
    #: What the merchant does now, when a stop needs more than "fix the cause, then use Retry".
    next_step: str | None = None
    #: The side did not answer at all, or answered 5xx: it may be down (not this request refused).
    unavailable: bool = False


def classify(error: BaseException, *, job_kind: str) -> Failure:
    if isinstance(error, WalmartRetryableError):
        return Failure(
            Side.WALMART, str(error), True, error.code, error.retry_after, in_flight=_in_flight(error),
            unavailable=_unavailable(error),
        )  # fmt: skip
    if isinstance(error, WalmartIntentToCancelError):
        po = error.purchase_order_id or "<PO>"
        return Failure(
            Side.WALMART, str(error), False, error.code,
            next_step=(
                "The buyer asked to cancel: cancel those units in Commerce (reason: customer requested) or with "
                f"`channel-manager orders cancel {po} --reason customer_requested`; or ship anyway with "
                f"`channel-manager orders ship {po} --override-intent-to-cancel` (API: POST /api/orders/{po}/ship "
                '{"override_intent_to_cancel": true}), which sends the waiting shipment again, once.'
            ),
        )  # fmt: skip
    if isinstance(error, WalmartError):
        return Failure(Side.WALMART, str(error), False, error.code)
    if isinstance(error, CommerceRetryableError):
        return Failure(
            Side.COMMERCE, str(error), True, _status_code(error.http_status), in_flight=_in_flight(error),
            unavailable=_unavailable(error),
        )  # fmt: skip
    if isinstance(error, CommerceValidationError | CommerceNotFoundError) and job_kind == JobKind.CREATE_COMMERCE_ORDER:
        # An unknown SKU or a disabled product: the merchant fixes the catalog, so keep trying, slowly.
        return Failure(Side.COMMERCE, str(error), True, _status_code(error.http_status), slow_retry_seconds=300.0)
    if isinstance(error, CommerceError):
        return Failure(Side.COMMERCE, str(error), False, _status_code(error.http_status))
    if isinstance(error, ConcurrentUpdate | DatabaseUnavailable):
        return Failure(Side.CONNECTOR, str(error), True)
    if (trouble := database_trouble(error)) is not None:  # a restart or lost connection under a statement
        return Failure(Side.CONNECTOR, trouble, True)
    if isinstance(error, httpx.HTTPError):
        return Failure(Side.CONNECTOR, f"network error: {error}", True)
    if isinstance(error, DomainError):
        return Failure(Side.CONNECTOR, str(error), False)
    return Failure(Side.CONNECTOR, f"unexpected {type(error).__name__}: {error}", False)


def _status_code(status: int | None) -> str | None:
    return f"HTTP {status}" if status else None


def _in_flight(error: WalmartRetryableError | CommerceRetryableError) -> bool:
    return error.ambiguous and error.http_status is None


def _unavailable(error: WalmartRetryableError | CommerceRetryableError) -> bool:
    """No answer, or a 5xx: the side may be down. A 429 is an answer (its Retry-After says when to come back)."""
    return error.http_status is None or error.http_status >= 500
