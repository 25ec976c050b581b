"""Webhook deliveries from Walmart and Commerce: stored first (de-duplicated on their event id) together with a
``process_webhook`` job, answered, then processed by whichever worker claims the job (once, with the usual
retries). Webhooks are only the fast path; polling and reconciliation still catch what they miss."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ..commerce.webhooks import ORDER_SAVED, STOCK_CHANGED, WebhookEvent, order_shows_nothing_to_send, parse_webhook
from ..logs import get_logger
from ..storage.inbound_events import InboundEvent, Source
from ..storage.unit_of_work import UnitOfWork
from ..walmart.notifications import OrderNotification, parse_notification
from .commerce_changes import sync_commerce_order
from .context import ServiceContext, StoreLink
from .intake import take_in_purchase_order
from .inventory import on_commerce_stock_event
from .job_run import JobRun
from .outbox import enqueue_webhook_processing
from .walmart_changes import on_walmart_change_notification

log = get_logger("channel_manager.inbound")

WALMART: Source = "walmart"
COMMERCE: Source = "commerce"

WalmartEventHandler = Callable[[ServiceContext, StoreLink, OrderNotification], Awaitable[None]]
CommerceEventHandler = Callable[[ServiceContext, StoreLink, dict[str, Any]], Awaitable[None]]

#: Walmart event types with a handler of their own; any other event re-reads its PO (taking it in if new).
WALMART_EVENT_HANDLERS: dict[str, WalmartEventHandler] = {
    "PO_LINE_AUTOCANCELLED": on_walmart_change_notification,
    "FRAUD_CANCEL": on_walmart_change_notification,
    "INTENT_TO_CANCEL": on_walmart_change_notification,
}
#: Commerce event names with a handler of their own; any other event re-syncs the order it names.
COMMERCE_EVENT_HANDLERS: dict[str, CommerceEventHandler] = {STOCK_CHANGED: on_commerce_stock_event}


def commerce_event_id(body: bytes) -> str:
    """Commerce webhooks carry no id: the body's digest stands in (a redelivery has the same body)."""
    return hashlib.sha256(body).hexdigest()


def record_delivery(
    context: ServiceContext, store_id: int, source: Source, event_id: str, event_type: str, payload: Any
) -> bool:
    """Stores a delivery with the job that processes it; False when it was seen before. The receiver answers
    2xx only after this returns, so an accepted delivery cannot be lost. A Commerce "order saved" event that
    shows nothing for Walmart (:func:`nothing_to_process`) is stored as processed, with no job."""
    now = context.now()
    with context.unit_of_work() as uow:
        skip = nothing_to_process(uow, store_id, source, event_type, payload)
        stored = uow.inbound_events.record(
            store_id, source, event_id, event_type, payload, received_at=now, processed_at=now if skip else None
        )
        if stored is not None and not skip:
            enqueue_webhook_processing(uow, store_id, stored, now)
        uow.commit()
    if stored is not None and skip:
        log.debug("commerce_event_needs_nothing", store_id=store_id, event_type=event_type, inbound_event=stored)
    return stored is not None


def nothing_to_process(uow: UnitOfWork, store_id: int, source: Source, event_type: str, payload: Any) -> bool:
    """True for a Commerce "order saved" event of one of the store's POs whose order shows no unit shipped,
    cancelled or refunded and no money refunded (``commerce.webhooks.order_shows_nothing_to_send``): what the
    connector's own create and invoice calls cause. Processing it would read the order and its shipments and
    record nothing. Any other event, or one that is unsure, is processed. A merchant's later change has its own
    events (shipment, track, credit memo, cancel, and an "order saved" showing it), which are never skipped."""
    if source != COMMERCE or event_type != ORDER_SAVED or not isinstance(payload, dict):
        return False
    data = payload.get("data")
    if not isinstance(data, dict) or not order_shows_nothing_to_send(data):
        return False
    commerce_order_id = WebhookEvent(event_type, data).order_id
    if commerce_order_id is None or not 0 < commerce_order_id < 2**63:  # not an id the database can hold
        return False
    ext_order_id = data.get("ext_order_id")
    purchase_order_id = ext_order_id if isinstance(ext_order_id, str) else None
    return uow.orders.id_for_commerce_event(store_id, commerce_order_id, purchase_order_id) is not None


async def process_webhook(run: JobRun) -> None:
    """The ``process_webhook`` job: one stored delivery, handled once by the worker that claimed it."""
    context = run.context
    event = await context.run_db(_event, context, int(run.job.payload["inbound_event"]))
    if event is not None and event.processed_at is None:
        await process_event(context, run.link, event)
        await context.run_db(_mark_processed, context, event.id)
    await run.finish()


async def process_event(context: ServiceContext, link: StoreLink, event: InboundEvent) -> None:
    payload = event.payload if isinstance(event.payload, dict) else json.loads(event.payload)
    if event.source == WALMART:
        notification = parse_notification(payload)
        handler = WALMART_EVENT_HANDLERS.get(notification.event_type)
        if handler is not None:
            await handler(context, link, notification)
        elif notification.purchase_order_id:
            await take_in_purchase_order(context, link, notification.purchase_order_id)
    elif event.source == COMMERCE:
        webhook = parse_webhook(json.dumps(payload))
        commerce_handler = COMMERCE_EVENT_HANDLERS.get(webhook.event_name)
        if commerce_handler is not None:
            await commerce_handler(context, link, payload)
        elif webhook.order_id is not None:
            await sync_commerce_order(context, link, webhook.order_id)


def _event(context: ServiceContext, inbound_event_id: int) -> InboundEvent | None:
    with context.unit_of_work() as uow:
        return uow.inbound_events.get(inbound_event_id)


def _mark_processed(context: ServiceContext, inbound_event_id: int) -> None:
    with context.unit_of_work() as uow:
        uow.inbound_events.mark_processed(inbound_event_id, at=context.now())
        uow.commit()
