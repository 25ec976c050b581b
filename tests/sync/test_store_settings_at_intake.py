"""Issue 15 item 4: the two settings that did nothing now act at intake (through the module route)."""

from __future__ import annotations

import pytest

from .conftest import World

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "module", "customer_mode": "account"}])
async def test_customer_mode_account_places_the_order_for_the_relay_e_mails_customer(world: World) -> None:
    first = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    order = world.order(first)
    assert order.commerce_order_id is not None
    commerce = (await world.merchant.get_order(order.commerce_order_id)).raw
    assert commerce["customer_is_guest"] == 0 and commerce["customer_id"]
    assert commerce["customer_email"] == order.customer_email


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "module", "order_number_source": "walmart"}])
async def test_order_number_source_walmart_gives_the_commerce_order_the_po_number(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_increment_id == po
    assert order.commerce_order_id is not None
    assert (await world.merchant.get_order(order.commerce_order_id)).increment_id == po


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "module"}])
async def test_the_defaults_stay_guest_orders_with_commerces_numbers(world: World) -> None:
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}])
    await world.take_in()
    order = world.order(po)
    assert order.commerce_increment_id != po
    assert order.commerce_order_id is not None
    assert (await world.merchant.get_order(order.commerce_order_id)).raw["customer_is_guest"] == 1
