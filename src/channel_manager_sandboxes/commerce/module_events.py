"""The companion module's signed events, as its observers send them (module contract, "Events").

``POST <channel_manager/events/url>`` with ``{"event_id", "event", "occurred_at", "store_id", "data"}`` and
the headers ``X-Channel-Manager-Event``, ``X-Channel-Manager-Timestamp`` (unix seconds) and
``X-Channel-Manager-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">``. Only orders the
module placed (a row in ``channel_manager_order_link``) raise order events; stock events carry the SKU.
Best effort after commit: one attempt, a failure is only counted (the connector's polling is the net).

The timestamp is the real clock's (a receiver's replay window is about transport, not the sandbox's
business clock); ``occurred_at`` is the sandbox clock's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce.events import (
    CREDIT_MEMO_SAVED,
    ORDER_CANCELED,
    SHIPMENT_SAVED,
    STOCK_CHANGED,
    TRACK_SAVED,
)
from channel_manager_sandboxes.commerce.outbox import Outbox, Outgoing

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.module import ChannelModule

EVENT_HEADER = "X-Channel-Manager-Event"
TIMESTAMP_HEADER = "X-Channel-Manager-Timestamp"
SIGNATURE_HEADER = "X-Channel-Manager-Signature"
_ORDER_EVENTS = {
    SHIPMENT_SAVED: "shipment_saved",
    TRACK_SAVED: "track_saved",
    CREDIT_MEMO_SAVED: "creditmemo_saved",
    ORDER_CANCELED: "order_cancelled",
}


def module_signature(timestamp: str, body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class ModuleEvents:
    """Listener for :class:`CommerceSandbox` events: the module's observers."""

    def __init__(self, module: ChannelModule) -> None:
        self.module = module
        self.outbox = Outbox("commerce-module-events")
        self._announced_shipments: set[int] = set()

    def __call__(self, event_name: str, data: dict[str, Any]) -> None:
        config = self.module.config
        if not (config.installed and config.events_enabled and config.events_url):
            return
        if event_name == STOCK_CHANGED:
            self._send("stock_changed", 1, {"sku": data.get("sku")})
            return
        name = _ORDER_EVENTS.get(event_name)
        if name is None:
            return
        order_id = data.get("entity_id") if event_name == ORDER_CANCELED else data.get("order_id")
        link = self.module.link_of(int(order_id)) if order_id is not None else None
        if link is None:
            return
        if event_name == SHIPMENT_SAVED:
            if data["entity_id"] in self._announced_shipments:
                return  # a track added later saves the track, not the shipment
            self._announced_shipments.add(data["entity_id"])
        order = self.module.sandbox.order_store.order(link.order_id)
        payload = {"order_id": link.order_id, "increment_id": link.increment_id, "ext_order_id": link.external_order_id}
        payload.update(_entity_ids(event_name, data))
        self._send(name, int(order["store_id"]), payload)

    def _send(self, event: str, store_id: int, data: dict[str, Any]) -> None:
        config = self.module.config
        assert config.events_url is not None
        body = json.dumps(
            {
                "event_id": str(uuid.uuid4()),
                "event": event,
                "occurred_at": self.module.sandbox.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "store_id": store_id,
                "data": data,
            },
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: event,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: module_signature(timestamp, body, config.events_secret),
        }
        self.outbox.send(Outgoing(config.events_url, body, headers, event, retries=0, timeout_s=config.events_timeout))

    def close(self) -> None:
        self.outbox.close()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        return self.outbox.wait_idle(timeout)


def _entity_ids(event_name: str, data: dict[str, Any]) -> dict[str, Any]:
    if event_name == SHIPMENT_SAVED:
        return {"shipment_id": data["entity_id"]}
    if event_name == TRACK_SAVED:
        return {"shipment_id": data["parent_id"], "track_id": data["entity_id"]}
    if event_name == CREDIT_MEMO_SAVED:
        return {"creditmemo_id": data["entity_id"]}
    return {}
