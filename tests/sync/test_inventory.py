"""Stock pushes to Walmart's inventory: Commerce's salable quantity, one call for a burst of changes."""

from __future__ import annotations

from typing import Any

import pytest

from channel_manager.commerce.webhooks import STOCK_CHANGED
from channel_manager.service.inventory import on_commerce_stock_event, stock_checks_per_pass
from channel_manager.service.outbox import JobKind
from channel_manager.sync import pollers

from .conftest import World

pytestmark = pytest.mark.anyio

INVENTORY_PUT = "PUT /v3/inventory"

PUSH_INVENTORY = JobKind.PUSH_INVENTORY


def capture_stock_webhooks(world: World) -> list[dict[str, Any]]:
    """The stock webhooks the Commerce sandbox sends, as their bodies (``{"eventName", "data"}``)."""
    captured: list[dict[str, Any]] = []

    def listener(event: str, data: dict[str, Any]) -> None:
        if event == STOCK_CHANGED:
            captured.append({"eventName": event, "data": dict(data)})

    world.servers.commerce.listeners.append(listener)
    return captured


async def walmart_inventory(world: World, sku: str) -> int:
    link = await world.context.store(world.store_id)
    return (await link.walmart.get_inventory(sku)).quantity.amount


# The cart path reserves the Walmart order's units in Commerce (a direct save reserves nothing, as in a real store).
@pytest.mark.parametrize("store_settings", [{"push_stock_changes": True, "order_creation_path": "cart"}])
async def test_a_burst_of_stock_changes_of_a_linked_sku_makes_one_inventory_call(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    assert world.order(po).commerce_order_id is not None
    webhooks = capture_stock_webhooks(world)
    for quantity in (40, 35, 30, 25, 21):
        await world.merchant.set_source_item("MUG-1", quantity)
    await world.merchant.set_source_item("CAP-3", 7)  # never sold on Walmart: not pushed
    assert [w["data"]["sku"] for w in webhooks] == ["MUG-1"] * 5 + ["CAP-3"]

    link = await world.context.store(world.store_id)
    for webhook in webhooks:
        await on_commerce_stock_event(world.context, link, webhook)
    assert [(job.kind, job.payload) for job in world.jobs(state="pending")] == [(PUSH_INVENTORY, {"sku": "MUG-1"})]

    before = world.walmart_counters()["calls"].get(INVENTORY_PUT, 0)
    await world.drain()
    assert world.walmart_counters()["calls"].get(INVENTORY_PUT, 0) - before == 1
    # 21 in stock, 2 reserved by the Walmart order: Walmart gets the salable 19.
    assert await world.merchant.get_salable_quantity("MUG-1") == 19
    assert await walmart_inventory(world, "MUG-1") == 19

    # A later change is a new push.
    await world.merchant.set_source_item("MUG-1", 12)
    assert webhooks[-1]["data"]["sku"] == "MUG-1"
    await on_commerce_stock_event(world.context, link, webhooks[-1])
    await world.drain()
    assert world.walmart_counters()["calls"].get(INVENTORY_PUT, 0) - before == 2
    assert await walmart_inventory(world, "MUG-1") == 10
    world.assert_nothing_duplicated()


async def test_stock_changes_are_not_pushed_when_the_store_setting_is_off(world: World) -> None:
    world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    webhooks = capture_stock_webhooks(world)
    await world.merchant.set_source_item("MUG-1", 3)
    link = await world.context.store(world.store_id)
    for webhook in webhooks:
        await on_commerce_stock_event(world.context, link, webhook)
    assert world.jobs(state="pending") == []


# The cart path reserves the Walmart order's units in Commerce (a direct save reserves nothing, as in a real store).
@pytest.mark.parametrize(
    "store_settings", [{"invoice_on_import": False, "order_creation_path": "cart", "push_stock_changes": True}]
)
async def test_a_cancel_in_commerce_pushes_the_freed_stock(world: World) -> None:
    po = world.walmart_order([{"sku": "TEE-2", "quantity": 4}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_order_id is not None
    assert await world.merchant.get_salable_quantity("TEE-2") == 96
    await world.merchant.set_source_item("TEE-2", 50)  # Walmart still shows its own 100 until a push
    await world.merchant.cancel_order(order.commerce_order_id)
    await world.sync_commerce()
    assert world.walmart_truth(po)["lines"]["1"]["by_status"] == {"Cancelled": 4}
    assert await walmart_inventory(world, "TEE-2") == 50
    assert [job.kind for job in world.jobs() if job.kind == PUSH_INVENTORY] == [PUSH_INVENTORY]
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False, "push_stock_changes": True}])
async def test_a_sku_with_a_slash_gets_its_stock_pushed_too(world: World) -> None:
    # Commerce cannot route a '/' in the salable-quantity URL; its source items stand in.
    world.servers.commerce.upsert_product("KETTLE/1.7L", name="Kettle", price=29.9, quantity=9)
    po = world.walmart_order([{"sku": "KETTLE/1.7L", "quantity": 2, "unit_price": "29.90"}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_order_id is not None
    await world.merchant.cancel_order(order.commerce_order_id)
    await world.sync_commerce()
    assert [job.state.value for job in world.jobs() if job.kind == PUSH_INVENTORY] == ["done"]
    assert await walmart_inventory(world, "KETTLE/1.7L") == 9
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "cart"}])  # push_stock_changes off
async def test_no_inventory_call_after_a_cancel_or_a_refund_when_the_store_does_not_push_stock(world: World) -> None:
    cancelled = world.walmart_order([{"sku": "TEE-2", "quantity": 2}])
    refunded = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    await world.ship_in_commerce(refunded, {"1": 1})
    await world.sync_commerce()
    before = world.walmart_counters()["calls"].get(INVENTORY_PUT, 0)

    unshipped = world.order(cancelled)  # invoiced, so Commerce cancels it by a credit memo of unshipped units
    assert unshipped.commerce_order_id is not None and unshipped.lines[0].commerce_item_id is not None
    await world.merchant.refund_order(unshipped.commerce_order_id, [(unshipped.lines[0].commerce_item_id, 2.0)])
    order = world.order(refunded)
    assert order.commerce_order_id is not None and order.lines[0].commerce_item_id is not None
    item = order.lines[0].commerce_item_id
    await world.merchant.refund_order(order.commerce_order_id, [(item, 1.0)], return_to_stock_items=[item])
    await world.sync_commerce()

    assert world.walmart_truth(cancelled)["lines"]["1"]["by_status"] == {"Cancelled": 2}
    assert [r.sync_state.value for r in world.order(refunded).refunds] == ["synced"]
    assert [job for job in world.jobs() if job.kind == PUSH_INVENTORY] == []
    assert world.walmart_counters()["calls"].get(INVENTORY_PUT, 0) == before
    world.assert_nothing_duplicated()


# The direct path reserves nothing in Commerce: the units still to ship of the store's Walmart orders are
# held back from Commerce's salable quantity (docs/returns-and-refunds.md, "Stock pushes").
@pytest.mark.parametrize("store_settings", [{"order_creation_path": "direct", "push_stock_changes": True}])
async def test_on_the_direct_path_walmart_gets_the_salable_quantity_less_the_open_walmart_units(world: World) -> None:
    first = world.walmart_order([{"sku": "MUG-1", "quantity": 3}])
    world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.merchant.set_source_item("MUG-1", 20)
    assert await world.merchant.get_salable_quantity("MUG-1") == 20  # nothing reserved by a direct save
    link = await world.context.store(world.store_id)
    await on_commerce_stock_event(world.context, link, {"data": {"sku": "MUG-1"}})
    await world.drain()
    assert await walmart_inventory(world, "MUG-1") == 15  # 20 salable - (3 + 2) units still to ship

    # Shipping 2 of the first order takes them out of the source: 18 salable, 3 units still to ship.
    await world.ship_in_commerce(first, {"1": 2})
    await world.sync_commerce()
    assert await world.merchant.get_salable_quantity("MUG-1") == 18
    await on_commerce_stock_event(world.context, link, {"data": {"sku": "MUG-1"}})
    await world.drain()
    assert await walmart_inventory(world, "MUG-1") == 15
    world.assert_nothing_duplicated()


@pytest.mark.parametrize("store_settings", [{"push_stock_changes": True, "order_creation_path": "cart"}])
async def test_a_stock_change_whose_webhook_was_missed_reaches_walmart_at_the_next_stock_check(world: World) -> None:
    world.walmart_order([{"sku": "MUG-1", "quantity": 1}, {"sku": "TEE-2", "quantity": 1}])
    await world.take_in()
    link = await world.context.store(world.store_id)
    await world.merchant.set_source_item("MUG-1", 9)
    await world.merchant.set_source_item("TEE-2", 4)
    for webhook in capture_stock_webhooks(world):  # registered late: nothing captured, as with a restart
        await on_commerce_stock_event(world.context, link, webhook)
    await world.drain()
    puts = world.walmart_counters()["calls"].get(INVENTORY_PUT, 0)

    assert await pollers.check_walmart_stock(world.context, link) == pollers.PollResult(seen=2)
    await world.drain()
    assert await walmart_inventory(world, "MUG-1") == 8  # 9 in stock, 1 reserved by the Walmart order
    assert await walmart_inventory(world, "TEE-2") == 3
    assert world.walmart_counters()["calls"].get(INVENTORY_PUT, 0) - puts == 2

    # Both sides agree now: the next pass (round to the first SKU again) reads Walmart and sets nothing.
    reads = world.walmart_counters()["calls"].get("GET /v3/inventory", 0)
    assert await pollers.check_walmart_stock(world.context, link) == pollers.PollResult(seen=2)
    await world.drain()
    assert world.walmart_counters()["calls"].get(INVENTORY_PUT, 0) - puts == 2
    assert world.walmart_counters()["calls"].get("GET /v3/inventory", 0) - reads == 2
    world.assert_nothing_duplicated()


async def test_the_stock_check_queues_nothing_when_the_store_does_not_push_stock(world: World) -> None:
    world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    link = await world.context.store(world.store_id)
    assert await pollers.check_walmart_stock(world.context, link) == pollers.PollResult(seen=0)
    assert world.jobs(state="pending") == []


def test_a_stock_check_pass_takes_a_quarter_of_walmart_s_inventory_reads_over_its_interval() -> None:
    # Walmart allows 200 inventory reads a minute per seller: 50 a minute for the check.
    assert stock_checks_per_pass(900.0) == 500  # 750 by the share, capped
    assert stock_checks_per_pass(60.0) == 50
    assert stock_checks_per_pass(15.0) == 12
    assert stock_checks_per_pass(1.0) == 1
