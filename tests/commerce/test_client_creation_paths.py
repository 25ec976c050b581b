"""The three order creation paths against the Commerce sandbox: the companion module's route (Walmart prices,
reservations, idempotent, customer account and increment id), the cart path with the store's own offline
methods, and the direct save with product ids resolved through the catalog."""

from __future__ import annotations

import pytest

from channel_manager.commerce import (
    BearerToken,
    CommerceClient,
    CommerceProductUnavailableError,
    CommerceValidationError,
)
from channel_manager.commerce.order_payloads import module_order_body
from channel_manager_sandboxes.commerce import SandboxSettings
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

from .conftest import RunningSandbox, channel_order, start_sandbox

pytestmark = pytest.mark.anyio


def stock(sandbox: RunningSandbox) -> None:
    sandbox.product("SKU-A", price=21.00, quantity=10)
    sandbox.product("SKU-B", price=6.00, quantity=10)


async def test_module_route_keeps_walmart_prices_reserves_and_is_idempotent(
    sandbox: RunningSandbox, client: CommerceClient
) -> None:
    stock(sandbox)
    assert (await client.module_info() or {})["module"] == "ChannelManager_Connector"
    po = channel_order()
    order = await client.create_order(po, path="module")
    assert order.creation_path == "module" and order.ext_order_id == po.purchase_order_id
    assert [(i.sku, i.price, i.ext_order_item_id) for i in order.items] == [("SKU-A", 19.99, "1"), ("SKU-B", 5.0, "2")]
    assert all(item.get("product_id") for item in order.raw["items"])
    assert order.shipping_description == "Channel Shipping - Value"
    assert await client.get_salable_quantity("SKU-A") == 8  # reserved
    # a retry that skips our own lookup still gets the first order from the module's link table
    replay = await client._call("POST", "/V1/channel-manager/orders", body=module_order_body(po))
    assert replay == {"entity_id": order.entity_id, "increment_id": order.increment_id, "created": False}
    assert len(sandbox.state.orders) == 1


async def test_module_route_account_customer_and_walmart_order_number(
    sandbox: RunningSandbox, client: CommerceClient
) -> None:
    stock(sandbox)
    po = channel_order().model_copy(update={"customer_mode": "account", "increment_id": "1796277083022"})
    order = await client.create_order(po, path="module")
    assert order.increment_id == "1796277083022"
    assert order.raw["customer_is_guest"] == 0 and order.raw["customer_id"]
    second = channel_order("PO-2").model_copy(update={"customer_mode": "account", "increment_id": "1796277083022"})
    with pytest.raises(CommerceValidationError, match='Order number "1796277083022" is already used'):
        await client.create_order(second, path="module")
    with pytest.raises(ValueError, match="only the module route"):
        await client.create_order(channel_order("PO-3").model_copy(update={"increment_id": "X"}), path="cart")


async def test_module_route_names_a_missing_or_disabled_sku(sandbox: RunningSandbox, client: CommerceClient) -> None:
    sandbox.product("SKU-A")
    with pytest.raises(CommerceValidationError, match='SKU "SKU-B" does not exist'):
        await client.create_order(channel_order(), path="module")
    sandbox.product("SKU-B", status="disabled")
    with pytest.raises(CommerceValidationError, match='"SKU-B" is disabled'):
        await client.create_order(channel_order(), path="module")


async def test_module_info_is_none_without_the_module() -> None:
    running = start_sandbox(SandboxSettings(module_installed=False))
    try:
        async with CommerceClient(running.url, BearerToken(DEFAULT_TOKEN)) as client:
            assert await client.module_info() is None
    finally:
        running.control.close()
        running.server.stop()


async def test_cart_path_uses_the_stores_own_offline_methods(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(
        channel_order(), path="cart", payment_method="checkmo", carrier_code="flatrate", method_code="flatrate"
    )
    assert order.payment_method == "checkmo" and order.shipping_description == "Flat Rate - Fixed"
    assert await client.get_salable_quantity("SKU-A") == 8


async def test_direct_save_resolves_product_ids_in_batches_and_names_a_disabled_sku(
    sandbox: RunningSandbox, client: CommerceClient, attempts: list[object]
) -> None:
    stock(sandbox)
    ids = await client.product_ids(["SKU-A", "SKU-B"], batch_size=1)
    assert set(ids) == {"SKU-A", "SKU-B"} and ids["SKU-A"] != ids["SKU-B"]
    searches = len(attempts)
    assert searches == 2  # one GET per batch
    order = await client.create_order(channel_order(), path="direct")
    assert [item.get("product_id") for item in order.raw["items"]] == [ids["SKU-A"], ids["SKU-B"]]
    assert "GET /V1/products" not in [a.endpoint for a in attempts[searches:]]  # cached
    sandbox.product("SKU-C", status="disabled")
    with pytest.raises(CommerceProductUnavailableError, match='"SKU-C" is disabled') as refused:
        await client.create_order(channel_order("PO-9", lines=[("SKU-C", 1, "3.00")]), path="direct")
    assert refused.value.sku == "SKU-C"
