"""Where an update stands on its way to the other side, and what went wrong when it failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Side(StrEnum):
    WALMART = "Walmart"
    COMMERCE = "Commerce"
    CONNECTOR = "channel-manager"


class SyncState(StrEnum):
    PENDING = "pending"  # recorded, waiting to be applied on the other side
    SYNCED = "synced"  # applied on the other side
    FAILED = "failed"  # refused or out of retries; needs a fix and a retry
    NOT_SENT = "not_sent"  # refused by a rule before anything was sent


@dataclass(frozen=True)
class ProblemKey:
    """What a problem is about: the job kind (or recording step) that hit it and its business key (a shipment,
    a cancellation, a refund, a return, a SKU). A later success of the same kind and key clears it."""

    kind: str
    key: str = ""


@dataclass(frozen=True)
class SyncProblem:
    """The latest unresolved failure of an order: the text behind its Error status."""

    side: Side
    action: str  # what we were doing, e.g. "send shipment 000000012 to Walmart"
    message: str  # the remote side's own text, or our rule's message
    next_step: str  # what happens now, e.g. "Retrying automatically at 12:05 UTC (attempt 3 of 10)."
    occurred_at: datetime
    code: str | None = None  # the remote error code, e.g. INVALID_REQUEST_CONTENT.GMP_ORDER_API
    key: ProblemKey | None = None  # what it is about; how a success recognises the problem it clears

    def describe(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        message = self.message.rstrip(". ")
        return f"{self.side.value} side: could not {self.action}: {message}{code}. {self.next_step}"


@dataclass(frozen=True)
class OrderEvent:
    """One line of an order's timeline."""

    at: datetime
    kind: str
    message: str
