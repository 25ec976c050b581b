"""Commerce's webhook events: what a delivery costs the connector (statements, jobs, remote reads)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from channel_manager.commerce.webhooks import (
    CREDIT_MEMO_SAVED,
    ORDER_CANCELED,
    ORDER_SAVED,
    SHIPMENT_SAVED,
    order_shows_nothing_to_send,
)
from channel_manager.service.commerce_changes import sync_commerce_order
from channel_manager.service.inbound import COMMERCE, commerce_event_id, record_delivery
from channel_manager.storage.tables import inbound_events
from channel_manager.storage.unit_of_work import Database
from channel_manager_sandboxes.commerce.webhooks import WEBHOOK_EVENTS

from .conftest import World

pytestmark = pytest.mark.anyio


@contextmanager
def statements_of(database: Database) -> Iterator[list[str]]:
    """Every SQL statement the database's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", record)


async def test_a_commerce_event_finds_its_po_by_id_and_loads_the_order_once(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZONCE0001")
    commerce_order_id = world.order(po).commerce_order_id
    assert commerce_order_id is not None
    link = await world.context.store(world.store_id)

    with statements_of(world.database) as statements:
        summary = await sync_commerce_order(world.context, link, commerce_order_id)

    assert summary is not None and summary.shipments == 1
    lookups = [s for s in statements if s.startswith("SELECT purchase_orders.id FROM purchase_orders")]
    assert len(lookups) == 1  # the PO of the Commerce order: its id only
    line_reads = [s for s in statements if s.startswith("SELECT") and "FROM order_lines" in s]
    assert len(line_reads) == 1, line_reads  # the aggregate is loaded once, locked, to record the shipment
    await world.drain()
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Shipped": 2}
    world.assert_nothing_duplicated()


# ---------------------------------------------------------------- "order saved" events of the connector's own calls


@dataclass
class Delivery:
    event: str
    data: dict[str, Any]
    inbound_event: int | None = None


@dataclass
class Deliveries:
    """Commerce's webhook deliveries, each recorded as the receiver records it at the moment Commerce sends it
    (while the connector's call that caused it may still be under way)."""

    world: World
    sent: list[Delivery] = field(default_factory=list)

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event not in WEBHOOK_EVENTS:
            return
        body = json.dumps({"eventName": event, "data": data}).encode()
        assert record_delivery(
            self.world.context, self.world.store_id, COMMERCE, commerce_event_id(body), event, json.loads(body)
        )
        with self.world.database.engine.connect() as connection:
            last = connection.execute(sa.select(sa.func.max(inbound_events.c.id))).scalar_one()
        self.sent.append(Delivery(event, json.loads(body)["data"], last))

    def order_saved_now(self, purchase_order_id: str) -> None:
        """The "order saved" Commerce sends when it saves the order with a change (the sandbox sends only the
        change's own event): the order as it is now."""
        commerce_order_id = self.world.order(purchase_order_id).commerce_order_id
        assert commerce_order_id is not None
        orders = self.world.servers.commerce.order_store
        self(ORDER_SAVED, orders.render(orders.order(commerce_order_id)))

    def since(self, start: int) -> list[tuple[str, bool]]:
        """(event, whether it got a job) of each delivery from ``start`` on; one without a job is processed."""
        jobs = {int(j.payload["inbound_event"]) for j in self.world.jobs() if j.kind == "process_webhook"}
        with self.world.database.engine.connect() as connection:
            processed = {
                row.id: row.processed_at is not None
                for row in connection.execute(sa.select(inbound_events.c.id, inbound_events.c.processed_at))
            }
        result = []
        for delivery in self.sent[start:]:
            assert delivery.inbound_event is not None
            has_job = delivery.inbound_event in jobs
            assert has_job or processed[delivery.inbound_event], "an event with no job must be recorded as processed"
            result.append((delivery.event, has_job))
        return result


@pytest.fixture
def deliveries(world: World) -> Iterator[Deliveries]:
    recorder = Deliveries(world)
    world.servers.commerce.listeners.append(recorder)
    yield recorder
    world.servers.commerce.listeners.remove(recorder)


async def test_order_saved_events_of_the_connectors_create_and_invoice_get_no_job(
    world: World, deliveries: Deliveries
) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}, {"sku": "TEE-2", "quantity": 1}])
    await world.take_in()
    # The order created, then invoiced, by the connector: two "order saved" events, nothing for Walmart in them.
    assert deliveries.since(0) == [(ORDER_SAVED, False), (ORDER_SAVED, False)]
    assert not [j for j in world.jobs() if j.kind == "process_webhook"]

    # The merchant ships: every event of it is processed, and the shipment reaches Walmart once.
    shipment_id = await world.ship_in_commerce(po, {"1": 2, "2": 1}, tracking="1ZOWN00001")
    deliveries.order_saved_now(po)  # shows the shipped units
    assert deliveries.since(2) == [(SHIPMENT_SAVED, True), (ORDER_SAVED, True)]
    await world.drain()
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Shipped": 2}

    # The merchant corrects the tracking number: processed, and Walmart gets the new number.
    mark = len(deliveries.sent)
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.add_shipment_track(order.commerce_order_id, shipment_id, "ups", "UPS", "1ZOWN00002")
    assert deliveries.since(mark) and all(has_job for _, has_job in deliveries.since(mark))
    await world.drain()
    assert [s.tracking_number for s in world.order(po).shipments] == ["1ZOWN00002"]
    world.assert_nothing_duplicated()


async def test_a_merchants_credit_memo_is_never_skipped(world: World, deliveries: Deliveries) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_order_id is not None and order.lines[0].commerce_item_id is not None
    mark = len(deliveries.sent)
    await world.merchant.refund_order(order.commerce_order_id, [(order.lines[0].commerce_item_id, 1.0)])
    deliveries.order_saved_now(po)  # shows the refunded unit
    refunded = deliveries.since(mark)
    assert (CREDIT_MEMO_SAVED, True) in refunded and (ORDER_SAVED, True) in refunded
    assert all(has_job for _, has_job in refunded)
    await world.drain()
    assert world.order(po).lines[0].quantities.cancelled == 1  # the unshipped unit refunded: cancelled at Walmart
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_a_merchants_cancel_is_never_skipped(world: World, deliveries: Deliveries) -> None:
    po = world.walmart_order([{"sku": "CAP-3", "quantity": 1}])
    await world.take_in()
    assert deliveries.since(0) == [(ORDER_SAVED, False)]  # created, not invoiced
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.cancel_order(order.commerce_order_id)
    deliveries.order_saved_now(po)  # shows the cancelled unit
    cancelled = deliveries.since(1)
    assert (ORDER_CANCELED, True) in cancelled and (ORDER_SAVED, True) in cancelled
    assert all(has_job for _, has_job in cancelled)
    await world.drain()
    assert world.order(po).lines[0].quantities.cancelled == 1
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Cancelled": 1}
    world.assert_nothing_duplicated()


async def test_an_order_saved_event_of_an_order_not_the_stores_is_processed(world: World) -> None:
    body = {"eventName": ORDER_SAVED, "data": {**_QUIET_ORDER, "entity_id": 999, "ext_order_id": "NOT-OURS"}}
    raw = json.dumps(body).encode()
    assert record_delivery(world.context, world.store_id, COMMERCE, commerce_event_id(raw), ORDER_SAVED, body)
    assert [j.kind for j in world.jobs()] == ["process_webhook"]
    huge = {"eventName": ORDER_SAVED, "data": {**_QUIET_ORDER, "entity_id": 2**70}}
    raw = json.dumps(huge).encode()
    assert record_delivery(world.context, world.store_id, COMMERCE, commerce_event_id(raw), ORDER_SAVED, huge)
    assert [j.kind for j in world.jobs()] == ["process_webhook", "process_webhook"]


_QUIET_ORDER: dict[str, Any] = {
    "entity_id": 7,
    "state": "processing",
    "total_refunded": 0,
    "items": [{"item_id": 1, "qty_shipped": 0, "qty_canceled": "0.0000", "qty_refunded": 0}],
}


@pytest.mark.parametrize(
    ("change", "nothing_to_send"),
    [
        ({}, True),
        ({"total_refunded": None}, True),  # Commerce leaves the column null until a refund
        ({"state": "new"}, True),
        ({"state": "complete"}, False),
        ({"state": "canceled"}, False),
        ({"state": "holded"}, False),
        ({"state": None}, False),
        ({"total_refunded": "5.0000"}, False),  # a money-only credit memo
        ({"total_refunded": "not a number"}, False),
        ({"items": []}, False),
        ({"items": None}, False),
        ({"items": [{"item_id": 1, "qty_shipped": 1, "qty_canceled": 0, "qty_refunded": 0}]}, False),
        ({"items": [{"item_id": 1, "qty_shipped": 0, "qty_canceled": 1, "qty_refunded": 0}]}, False),
        ({"items": [{"item_id": 1, "qty_shipped": 0, "qty_canceled": 0, "qty_refunded": "1.0000"}]}, False),
        ({"items": [{"item_id": 1, "qty_canceled": 0, "qty_refunded": 0}]}, False),  # qty_shipped not sent
        ({"items": [{"item_id": 1, "qty_shipped": None, "qty_canceled": 0, "qty_refunded": 0}]}, False),
        ({"items": [{"item_id": 1, "qty_shipped": False, "qty_canceled": 0, "qty_refunded": 0}]}, False),
        ({"items": ["not an item"]}, False),
    ],
)
def test_only_an_order_with_nothing_shipped_cancelled_or_refunded_shows_nothing_to_send(
    change: dict[str, Any], nothing_to_send: bool
) -> None:
    assert order_shows_nothing_to_send({**_QUIET_ORDER, **change}) is nothing_to_send
    if "total_refunded" not in change:
        without = {k: v for k, v in _QUIET_ORDER.items() if k != "total_refunded"}
        assert order_shows_nothing_to_send({**without, **change}) is False  # not sent: unsure, processed
