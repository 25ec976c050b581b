"""Webhook deliveries from Walmart and Commerce: stored first (de-duplicated on their event id), answered,
then processed here. Webhooks are only the fast path; polling and reconciliation still catch what they miss."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ..commerce.webhooks import STOCK_CHANGED, parse_webhook
from ..logs import get_logger
from ..service.inventory import on_commerce_stock_event
from ..storage.inbound_events import InboundEvent
from ..walmart.notifications import OrderNotification, parse_notification
from .context import StoreLink, SyncContext
from .pollers import sync_commerce_order, take_in_purchase_order
from .walmart_changes import on_walmart_cancel_notification

log = get_logger("channel_manager.inbound")

WALMART = "walmart"
COMMERCE = "commerce"

WalmartEventHandler = Callable[[SyncContext, StoreLink, OrderNotification], Awaitable[None]]
CommerceEventHandler = Callable[[SyncContext, StoreLink, dict[str, Any]], Awaitable[None]]

#: Walmart event types with a handler of their own; any other event re-reads its PO (taking it in if new).
WALMART_EVENT_HANDLERS: dict[str, WalmartEventHandler] = {
    "PO_LINE_AUTOCANCELLED": on_walmart_cancel_notification,
    "FRAUD_CANCEL": on_walmart_cancel_notification,
}
#: Commerce event names with a handler of their own; any other event re-syncs the order it names.
COMMERCE_EVENT_HANDLERS: dict[str, CommerceEventHandler] = {STOCK_CHANGED: on_commerce_stock_event}


def commerce_event_id(body: bytes) -> str:
    """Commerce webhooks carry no id: the body's digest stands in (a redelivery has the same body)."""
    return hashlib.sha256(body).hexdigest()


def record_delivery(
    context: SyncContext, store_id: int, source: str, event_id: str, event_type: str, payload: Any
) -> bool:
    """Stores a delivery; False when it was seen before. The caller answers 2xx only after this returns."""
    with context.unit_of_work() as uow:
        new = uow.inbound_events.record(store_id, source, event_id, event_type, payload, received_at=context.now())
        uow.commit()
    return new is not None


class InboundProcessor:
    """Processes stored deliveries, woken by each new one; a failed delivery is tried again later."""

    def __init__(self, context: SyncContext, *, idle_seconds: float = 2.0) -> None:
        self.context = context
        self.idle_seconds = idle_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            processed, failed = await self.process_pending()
            if processed and not failed:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            try:
                await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()

    async def process_pending(self, limit: int = 50) -> tuple[int, int]:
        events = await self.context.run_db(self._unprocessed, limit)
        done = failed = 0
        for event in events:
            try:
                await self.process(event)
            except Exception as error:  # left unprocessed: tried again at the next turn
                failed += 1
                log.warning("inbound_event_failed", event_id=event.event_id, source=event.source, error=str(error))
                continue
            await self.context.run_db(self._mark_processed, event.id)
            done += 1
        return done, failed

    def _unprocessed(self, limit: int) -> list[InboundEvent]:
        with self.context.unit_of_work() as uow:
            return uow.inbound_events.unprocessed(limit)

    def _mark_processed(self, event_id: int) -> None:
        with self.context.unit_of_work() as uow:
            uow.inbound_events.mark_processed(event_id, at=self.context.now())
            uow.commit()

    async def process(self, event: InboundEvent) -> None:
        link = await self.context.store(event.store_id)
        payload = event.payload if isinstance(event.payload, dict) else json.loads(event.payload)
        if event.source == WALMART:
            notification = parse_notification(payload)
            handler = WALMART_EVENT_HANDLERS.get(notification.event_type)
            if handler is not None:
                await handler(self.context, link, notification)
            elif notification.purchase_order_id:
                await take_in_purchase_order(self.context, link, notification.purchase_order_id)
        elif event.source == COMMERCE:
            webhook = parse_webhook(json.dumps(payload))
            commerce_handler = COMMERCE_EVENT_HANDLERS.get(webhook.event_name)
            if commerce_handler is not None:
                await commerce_handler(self.context, link, payload)
            elif webhook.order_id is not None:
                await sync_commerce_order(self.context, link, webhook.order_id)
