"""``POST /V1/order/{id}/ship`` and ``POST /V1/shipment/track`` (NOTES.md section 8): shipments take
stock from a source and release the order's reservation; tracks can be added afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce import order_rules as rules
from channel_manager_sandboxes.commerce.documents import comments
from channel_manager_sandboxes.commerce.entities import clean, num, validation_error
from channel_manager_sandboxes.commerce.errors import NOT_FOUND_ENTITY, bad_request, not_found, required
from channel_manager_sandboxes.commerce.events import SHIPMENT_SAVED, TRACK_SAVED
from channel_manager_sandboxes.commerce.order_actions import requested_items
from channel_manager_sandboxes.commerce.order_rules import EPSILON, money

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

Lines = list[tuple[dict[str, Any] | None, float, Any]]


def _track_number(track: dict[str, Any]) -> str:
    return str(track.get("track_number") or track.get("trackNumber") or "").strip()


def _messages(order: dict[str, Any], lines: Lines, tracks: list[dict[str, Any]]) -> list[str]:
    messages: list[str] = []
    if order["state"] in ("holded", "payment_review", "canceled"):
        messages.append(f"A shipment cannot be created when an order has a status of {order['status']}")
    elif not rules.can_ship(order):
        messages.append("The order does not allow a shipment to be created.")
    for item, wanted, raw_id in lines:
        if item is None:
            messages.append(f'The shipment contains product SKU "{raw_id}" that is not part of the original order.')
        elif wanted > rules.to_ship(item) + EPSILON:
            messages.append(
                f'The quantity to ship must not be greater than the unshipped quantity for product SKU "{item["sku"]}".'
            )
    if not messages and sum(q for _, q, _ in lines) <= 0:
        messages.append("You can't create a shipment without products.")
    messages.extend("Please enter a tracking number." for t in tracks if not _track_number(t))
    return messages


class Shipments:
    def __init__(self, sandbox: CommerceSandbox) -> None:
        self.sandbox = sandbox
        self.shipments: dict[int, dict[str, Any]] = {}

    def ship(self, order_id: int, body: dict[str, Any]) -> int | str:
        sandbox = self.sandbox
        with sandbox.lock:
            order = sandbox.order_store.order(order_id)
            lines = requested_items(order, body.get("items"), rules.to_ship)
            tracks = body.get("tracks") or []
            messages = _messages(order, lines, tracks)
            if messages:
                raise validation_error("Shipment", messages)
            source_code = self._source(body, lines)
            shipment_id = sandbox.next_id("shipment")
            items = self._items(shipment_id, lines, source_code)
            shipment = self._document(order, shipment_id, items, body, source_code)
            shipment["tracks"] = [self._track(t, order["entity_id"], shipment_id) for t in tracks]
            self.shipments[shipment_id] = shipment
            rules.resolve_state(order, in_progress=True)
            sandbox.touch(order)
            sandbox.emit(SHIPMENT_SAVED, clean(shipment))
            for track in shipment["tracks"]:
                sandbox.emit(TRACK_SAVED, clean(track))
            return str(shipment_id) if sandbox.ship_id_as_string else shipment_id

    def _source(self, body: dict[str, Any], lines: Lines) -> str:
        arguments = body.get("arguments") or {}
        extension = arguments.get("extension_attributes") or arguments.get("extensionAttributes") or {}
        source_code = str(extension.get("source_code") or "default")
        catalog = self.sandbox.catalog
        if source_code not in catalog.sources or any(
            item is not None and wanted > catalog.source_quantity(item["sku"], source_code) + EPSILON
            for item, wanted, _ in lines
        ):
            raise bad_request("Could not save a shipment, see error log for details")
        return source_code

    def _items(self, shipment_id: int, lines: Lines, source_code: str) -> list[dict[str, Any]]:
        catalog = self.sandbox.catalog
        shipment_items = []
        for item, wanted, _ in lines:
            assert item is not None
            if wanted <= 0:
                continue
            item["qty_shipped"] = money(num(item["qty_shipped"]) + wanted)
            catalog.adjust_source(item["sku"], source_code, -wanted)
            release = min(wanted, item["_reserved"])
            item["_reserved"] -= release
            catalog.release(item["sku"], release)
            shipment_items.append(
                {
                    "entity_id": self.sandbox.next_id("shipment_item"),
                    "parent_id": shipment_id,
                    "order_item_id": item["item_id"],
                    "sku": item["sku"],
                    "name": item.get("name"),
                    "qty": money(wanted),
                    "price": item["price"],
                    "weight": item.get("weight"),
                    "product_id": item.get("product_id"),
                    "row_total": money(num(item["price"]) * wanted),
                }
            )
        return shipment_items

    def _document(
        self, order: dict[str, Any], shipment_id: int, items: list[dict[str, Any]], body: dict[str, Any], source: str
    ) -> dict[str, Any]:
        now = self.sandbox.clock.stamp()
        return {
            "entity_id": shipment_id,
            "increment_id": self.sandbox.next_increment("shipment", order["store_id"]),
            "order_id": order["entity_id"],
            "store_id": order["store_id"],
            "created_at": now,
            "updated_at": now,
            "total_qty": money(sum(i["qty"] for i in items)),
            "email_sent": int(bool(body.get("notify"))),
            "billing_address_id": order.get("billing_address_id"),
            "packages": [],
            "items": items,
            "tracks": [],
            "comments": comments(self.sandbox, "shipment", shipment_id, body, now),
            "extension_attributes": {"source_code": source},
        }

    def _track(self, data: dict[str, Any], order_id: int, shipment_id: int) -> dict[str, Any]:
        now = self.sandbox.clock.stamp()
        return {
            "entity_id": self.sandbox.next_id("track"),
            "order_id": order_id,
            "parent_id": shipment_id,
            "track_number": _track_number(data) or str(data.get("track_number") or data.get("trackNumber")),
            "title": str(data.get("title") or ""),
            "carrier_code": str(data.get("carrier_code") or data.get("carrierCode") or "custom"),
            "description": str(data.get("description") or ""),
            "qty": num(data.get("qty")),
            "weight": num(data.get("weight")),
            "created_at": now,
            "updated_at": now,
        }

    def add_track(self, entity: dict[str, Any]) -> dict[str, Any]:
        """``POST /V1/shipment/track``: a track added to a shipment after the fact (a corrected or extra
        tracking number). Bumps the shipment's and the order's ``updated_at``; answers the track."""
        sandbox = self.sandbox
        with sandbox.lock:
            parent = entity.get("parent_id", entity.get("parentId"))
            if parent is None:
                raise required("parent_id")
            shipment = self.shipments.get(int(parent))
            if shipment is None:
                raise not_found(NOT_FOUND_ENTITY)
            order_id = entity.get("order_id", entity.get("orderId"))
            if order_id is not None and int(order_id) != shipment["order_id"]:
                raise bad_request("The shipment does not belong to order %1.", [order_id])
            if not _track_number(entity):
                raise bad_request("Please enter a tracking number.")
            order = sandbox.order_store.order(shipment["order_id"])
            track = self._track(entity, shipment["order_id"], shipment["entity_id"])
            shipment["tracks"].append(track)
            shipment["updated_at"] = track["created_at"]
            sandbox.touch(order)
            sandbox.emit(SHIPMENT_SAVED, clean(shipment))
            sandbox.emit(TRACK_SAVED, clean(track))
            return clean(track)
