"""The job vocabulary in one place: every kind of outbound job, its payload, what it does in the merchant's
words, the problem it may raise, and the one function per kind that writes it to the outbox (in the caller's
transaction, so a change and its outbound update commit together).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Required, TypedDict

from ..domain.orders import PurchaseOrder
from ..domain.sync import ProblemKey
from ..storage.coalesced_jobs import enqueue_coalesced
from ..storage.unit_of_work import UnitOfWork


class JobKind(StrEnum):
    ACKNOWLEDGE_ORDER = "acknowledge_order"
    CREATE_COMMERCE_ORDER = "create_commerce_order"
    SHIP_LINES = "ship_lines"
    CANCEL_LINES = "cancel_lines"
    REFUND_RETURN = "refund_return"
    REFUND_ORDER = "refund_order"
    MIRROR_WALMART_CANCEL = "mirror_walmart_cancel"
    PUSH_INVENTORY = "push_inventory"
    PROCESS_WEBHOOK = "process_webhook"
    NOTE_INTENT_TO_CANCEL = "note_intent_to_cancel"


class ShipmentPayload(TypedDict):
    shipment: str  # the shipment's key in the order


class CancellationPayload(TypedDict):
    cancellation: str  # the cancellation's key in the order


#: ``refund``: the refund's key in the order; ``return``: the Walmart return (RMA) it refunds; ``lines``:
#: [return line number, units, units of the line earlier refunds covered].
ReturnRefundPayload = TypedDict("ReturnRefundPayload", {"refund": str, "return": str, "lines": list[list[int]]})


class OrderRefundPayload(TypedDict):
    refund: str
    marker: str  # the text in Walmart's refundComments that names the credit memo


class StockPayload(TypedDict, total=False):
    sku: Required[str]
    check: bool  # a periodic check: Walmart's quantity is read first and set only when it differs


class IntentNotePayload(TypedDict):
    lines: str  # the line numbers the buyer asked to cancel, comma-separated


class WebhookPayload(TypedDict):
    inbound_event: int


#: How long a stock push waits for more changes of the same SKU before it reads and sends the quantity.
STOCK_PUSH_DELAY = timedelta(seconds=0.5)


def refund_marker(credit_memo_id: int, label: str) -> str:
    """The text in ``refundComments`` by which a refund is recognised at Walmart: it names the credit memo."""
    return f"Commerce credit memo {label} [cm:{credit_memo_id}]"


# ---------------------------------------------------------------- what a job is about

#: The payload field naming what a job changes.
_KEY_FIELDS: dict[str, str] = {
    JobKind.SHIP_LINES: "shipment",
    JobKind.CANCEL_LINES: "cancellation",
    JobKind.REFUND_RETURN: "return",
    JobKind.REFUND_ORDER: "refund",
    JobKind.MIRROR_WALMART_CANCEL: "cancellation",
    JobKind.PUSH_INVENTORY: "sku",
    JobKind.PROCESS_WEBHOOK: "inbound_event",
    JobKind.NOTE_INTENT_TO_CANCEL: "lines",
}


def business_key(kind: str, payload: Mapping[str, Any]) -> str:
    """The thing a job of ``kind`` changes: a shipment, a cancellation, a refund, a return, a SKU; "" for the
    order itself."""
    field = _KEY_FIELDS.get(kind)
    return str(payload.get(field, "")) if field else ""


def problem_key(kind: str, payload: Mapping[str, Any]) -> ProblemKey:
    """The key of the problem a job raises, and of the one its success clears."""
    return ProblemKey(str(kind), business_key(kind, payload))


def credit_memo_problem_key(credit_memo_id: int) -> ProblemKey:
    """A credit memo that cannot become a Walmart refund (recorded before any job exists)."""
    return ProblemKey(JobKind.REFUND_ORDER, f"credit-memo:{credit_memo_id}")


#: What a job does, in the words of Status details; ``{}`` stands for the thing it changes (its key field).
_DESCRIPTIONS: dict[str, str] = {
    JobKind.ACKNOWLEDGE_ORDER: "acknowledge the order at Walmart",
    JobKind.CREATE_COMMERCE_ORDER: "create the order in Commerce",
    JobKind.SHIP_LINES: "send shipment {} to Walmart",
    JobKind.CANCEL_LINES: "send the cancellation to Walmart",
    JobKind.REFUND_RETURN: "send the refund of return {} to Walmart",
    JobKind.REFUND_ORDER: "send refund {} to Walmart",
    JobKind.MIRROR_WALMART_CANCEL: "bring Walmart's cancellation into the Commerce order",
    JobKind.NOTE_INTENT_TO_CANCEL: "tell the Commerce order that the buyer asked to cancel",
    JobKind.PUSH_INVENTORY: "send the stock of SKU {} to Walmart",
}


def describe(kind: str, payload: Mapping[str, Any]) -> str:
    """What the job does, in the words of Status details."""
    template = _DESCRIPTIONS.get(kind)
    if template is None:
        return str(kind).replace("_", " ")
    field = _KEY_FIELDS.get(kind)
    return template.format(payload.get(field) if field else None)


# ---------------------------------------------------------------- writing jobs


def _order_job(
    uow: UnitOfWork,
    kind: JobKind,
    order: PurchaseOrder,
    dedupe: str,
    now: datetime,
    payload: Mapping[str, Any] | None = None,
    *,
    max_attempts: int = 10,
    may_be_in_effect: bool = False,
) -> None:
    """Writes one job of an order, de-duplicated on ``dedupe`` with ``{order}`` standing for the order id.
    ``may_be_in_effect``: an earlier job sent this change already, so this one reads Walmart before it sends."""
    assert order.id is not None, "an order is saved before its jobs are written"
    uow.jobs.enqueue(
        kind.value,
        store_id=order.store_id,
        order_id=order.id,
        payload=dict(payload) if payload is not None else None,
        dedupe_key=dedupe.replace("{order}", str(order.id)),
        max_attempts=max_attempts,
        now=now,
        may_be_in_effect=may_be_in_effect,
    )


def enqueue_intake(uow: UnitOfWork, order: PurchaseOrder, now: datetime) -> None:
    """The acknowledgement and the Commerce order of a PO just taken in."""
    if order.acknowledged_at is None:
        _order_job(uow, JobKind.ACKNOWLEDGE_ORDER, order, "ack:{order}", now)
    if order.commerce_order_id is None:
        # an unknown SKU waits for the merchant's catalog fix: the most patient job
        _order_job(uow, JobKind.CREATE_COMMERCE_ORDER, order, "create:{order}", now, max_attempts=50)


def enqueue_shipment(
    uow: UnitOfWork, order: PurchaseOrder, key: str, revision: int, now: datetime, *, resend: str = ""
) -> None:
    """A shipment (``revision`` 0) or its tracking correction number ``revision``. A ``resend`` (a suffix that
    makes its key new) may find the earlier send in effect after all: it reads Walmart first."""
    payload: ShipmentPayload = {"shipment": key}
    dedupe = f"ship:{{order}}:{key}:{revision}{resend}"
    _order_job(uow, JobKind.SHIP_LINES, order, dedupe, now, payload, may_be_in_effect=bool(resend))


def enqueue_cancellation(uow: UnitOfWork, order: PurchaseOrder, key: str, now: datetime, *, resend: str = "") -> None:
    payload: CancellationPayload = {"cancellation": key}
    dedupe = f"cancel:{{order}}:{key}{resend}"
    _order_job(uow, JobKind.CANCEL_LINES, order, dedupe, now, payload, may_be_in_effect=bool(resend))


def enqueue_mirror_cancel(uow: UnitOfWork, order: PurchaseOrder, key: str, now: datetime) -> None:
    """A cancel Walmart made, to be brought into the Commerce order."""
    payload: CancellationPayload = {"cancellation": key}
    _order_job(uow, JobKind.MIRROR_WALMART_CANCEL, order, f"mirror:{{order}}:{key}", now, payload)


def enqueue_intent_note(uow: UnitOfWork, order: PurchaseOrder, line_numbers: list[str], now: datetime) -> None:
    """A comment on the Commerce order: the buyer asked Walmart to cancel these lines (once per set of lines)."""
    payload: IntentNotePayload = {"lines": ",".join(line_numbers)}
    _order_job(uow, JobKind.NOTE_INTENT_TO_CANCEL, order, f"intent:{{order}}:{payload['lines']}", now, payload)


def enqueue_return_refund(
    uow: UnitOfWork, order: PurchaseOrder, key: str, return_order_id: str, lines: list[list[int]], now: datetime
) -> None:
    payload: ReturnRefundPayload = {"refund": key, "return": return_order_id, "lines": lines}
    _order_job(uow, JobKind.REFUND_RETURN, order, f"refund:{{order}}:{key}", now, payload)


def enqueue_order_refund(uow: UnitOfWork, order: PurchaseOrder, key: str, marker: str, now: datetime) -> None:
    payload: OrderRefundPayload = {"refund": key, "marker": marker}
    _order_job(uow, JobKind.REFUND_ORDER, order, f"refund:{{order}}:{key}", now, payload)


def enqueue_stock_push(uow: UnitOfWork, store_id: int, sku: str, now: datetime, *, check: bool = False) -> bool:
    """A push of ``sku``'s salable quantity, coalesced per (store, SKU); False when one is already waiting
    (a waiting push sets the quantity anyway, so a check coalesced into it loses nothing)."""
    payload: StockPayload = {"sku": sku, "check": True} if check else {"sku": sku}
    job_id = enqueue_coalesced(
        uow.connection,
        JobKind.PUSH_INVENTORY.value,
        store_id=store_id,
        key=f"stock:{store_id}:{sku}",
        payload=dict(payload),
        now=now,
        run_after=now + STOCK_PUSH_DELAY,
    )
    return job_id is not None


def enqueue_webhook_processing(uow: UnitOfWork, store_id: int, inbound_event_id: int, now: datetime) -> None:
    payload: WebhookPayload = {"inbound_event": inbound_event_id}
    uow.jobs.enqueue(
        JobKind.PROCESS_WEBHOOK.value,
        store_id=store_id,
        payload=dict(payload),
        dedupe_key=f"webhook:{inbound_event_id}",
        now=now,
    )
