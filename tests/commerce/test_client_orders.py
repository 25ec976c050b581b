"""The Commerce client against the sandbox over loopback HTTP: creating, reading, shipping,
cancelling, holding and refunding orders."""

from __future__ import annotations

import pytest

from channel_manager.commerce import (
    CommerceCancelRefusedError,
    CommerceClient,
    CommerceNotFoundError,
    CommerceRetryableError,
    CommerceValidationError,
)

from .conftest import RunningSandbox, channel_order

pytestmark = pytest.mark.anyio


def stock(sandbox: RunningSandbox) -> None:
    sandbox.product("SKU-A", price=21.00, quantity=10)
    sandbox.product("SKU-B", price=6.00, quantity=10)


async def test_direct_save_keeps_walmart_prices_and_tags_everything(
    sandbox: RunningSandbox, client: CommerceClient
) -> None:
    stock(sandbox)
    po = channel_order()
    order = await client.create_order(po, path="direct")
    assert not order.already_existed and order.creation_path == "direct"
    assert order.increment_id == "000000001"
    assert order.ext_order_id == po.purchase_order_id
    assert (order.state, order.status) == ("new", "pending")
    assert order.grand_total == pytest.approx(52.98)
    assert order.shipping_description == "Channel Shipping - Value"
    assert order.payment_method == "channelpayment"
    assert [(i.sku, i.qty_ordered, i.price, i.ext_order_item_id) for i in order.items] == [
        ("SKU-A", 2, 19.99, "1"),
        ("SKU-B", 1, 5.0, "2"),
    ]
    assert order.item_for_line("2").sku == "SKU-B"
    raw = await client.get_order(order.entity_id)
    shipping = raw.raw["extension_attributes"]["shipping_assignments"][0]["shipping"]
    assert shipping["method"] == "channelshipping_value"
    assert shipping["address"]["firstname"] == "Zoë" and shipping["address"]["country_id"] == "US"
    assert any(po.purchase_order_id in h["comment"] for h in raw.raw["status_histories"])


async def test_create_order_twice_returns_the_existing_order(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    first = await client.create_order(channel_order(), path="direct")
    again = await client.create_order(channel_order(), path="cart")
    assert again.already_existed and again.entity_id == first.entity_id
    assert sandbox.counters()["duplicate_ext_order_ids"] == 0
    assert len(sandbox.state.orders) == 1


async def test_cart_flow_uses_catalog_prices_then_tags_the_order(
    sandbox: RunningSandbox, client: CommerceClient
) -> None:
    stock(sandbox)
    po = channel_order(lines=[("SKU-A", 2, "19.99"), ("SKU-B", 1, "5.00"), ("SKU-A", 1, "19.99")])
    order = await client.create_order(po, path="cart", invoice=True)
    assert order.creation_path == "cart" and order.ext_order_id == po.purchase_order_id
    assert order.raw["quote_id"] > 0
    # The cart merges lines of one SKU; the item remembers both Walmart line numbers.
    by_sku = {i.sku: i for i in order.items}
    assert by_sku["SKU-A"].qty_ordered == 3 and by_sku["SKU-A"].line_numbers == ("1", "3")
    assert by_sku["SKU-A"].price == 21.0  # catalog price: the cart flow cannot keep Walmart's
    assert order.item_for_line("2").sku == "SKU-B"
    assert order.shipping_description == "Channel Shipping - Value"
    assert (order.state, order.total_paid) == ("processing", order.grand_total)
    assert any(po.purchase_order_id in h["comment"] for h in order.raw["status_histories"])
    assert await client.get_salable_quantity("SKU-A") == 7


async def test_cart_flow_refuses_unknown_and_disabled_products(sandbox: RunningSandbox, client: CommerceClient) -> None:
    sandbox.product("SKU-A")
    with pytest.raises(CommerceNotFoundError) as missing:
        await client.create_order(channel_order(), path="cart")
    assert "The product that was requested doesn't exist" in str(missing.value)
    assert str(missing.value).startswith("Commerce")
    sandbox.product("SKU-B", status="disabled")
    with pytest.raises(CommerceValidationError, match="not available"):
        await client.create_order(channel_order(), path="cart")


async def test_direct_save_refuses_an_unknown_sku(sandbox: RunningSandbox, client: CommerceClient) -> None:
    sandbox.product("SKU-A")
    with pytest.raises(CommerceValidationError, match='SKU "SKU-B" does not exist'):
        await client.create_order(channel_order(), path="direct")


async def test_lost_response_on_direct_save_does_not_duplicate(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    sandbox.fault(route="POST /V1/orders", mode="lose_response", status=502, count=1)
    with pytest.raises(CommerceRetryableError) as lost:
        await client.create_order(channel_order(), path="direct")
    assert lost.value.ambiguous and lost.value.http_status == 502
    again = await client.create_order(channel_order(), path="direct")
    assert again.already_existed
    assert sandbox.counters()["duplicate_ext_order_ids"] == 0 and len(sandbox.state.orders) == 1


async def test_cart_order_placed_but_not_tagged_is_adopted(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    sandbox.fault(route="PUT /V1/carts/{cartId}/order", mode="lose_response", count=1)
    with pytest.raises(CommerceRetryableError):
        await client.create_order(channel_order(), path="cart")
    order = await client.create_order(channel_order(), path="cart")
    assert not order.already_existed and order.ext_order_id == channel_order().purchase_order_id
    assert len(sandbox.state.orders) == 1


async def test_partial_shipments_then_complete(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct", invoice=True)
    a, b = order.item_for_line("1"), order.item_for_line("2")
    first = await client.ship_order(
        order.entity_id, items=[(a.item_id, 1)], tracks=[("ups", "United Parcel Service", "1Z999")]
    )
    after_first = await client.get_order(order.entity_id)
    assert after_first.state == "processing" and after_first.item_for_line("1").qty_to_ship == 1
    assert after_first.updated_at_text is not None
    with pytest.raises(CommerceValidationError) as too_many:
        await client.ship_order(
            order.entity_id, items=[(a.item_id, 2)], tracks=[("ups", "UPS", "1Z1")], increment_id=order.increment_id
        )
    assert str(too_many.value) == (
        "Commerce refused the shipment for order 000000001: Shipment Document Validation Error(s): "
        'The quantity to ship must not be greater than the unshipped quantity for product SKU "SKU-A".'
    )
    second = await client.ship_order(
        order.entity_id, items=[(a.item_id, 1), (b.item_id, 1)], tracks=[("usps", "USPS", "9400")], comment="rest of it"
    )
    final = await client.get_order(order.entity_id)
    assert (final.state, final.status) == ("complete", "complete")
    shipments = await client.list_shipments(order_id=order.entity_id)
    assert [s.entity_id for s in shipments] == [first, second]
    assert shipments[0].tracks[0].track_number == "1Z999" and shipments[0].source_code == "default"
    assert [(i.order_item_id, i.qty) for i in shipments[1].items] == [(a.item_id, 1), (b.item_id, 1)]
    assert (await client.get_shipment(second)).comments == ["rest of it"]
    assert [s.quantity for s in await client.get_source_items("SKU-A")] == [8]
    with pytest.raises(CommerceValidationError, match="does not allow a shipment"):
        await client.ship_order(order.entity_id, tracks=[("ups", "UPS", "1Z2")])


async def test_ship_answer_as_numeric_string_is_accepted() -> None:
    from channel_manager.commerce import BearerToken
    from channel_manager_sandboxes.commerce import SandboxSettings
    from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN

    from .conftest import start_sandbox

    running = start_sandbox(SandboxSettings(ship_id_as_string=True))
    try:
        stock(running)
        async with CommerceClient(running.url, BearerToken(DEFAULT_TOKEN)) as commerce:
            order = await commerce.create_order(channel_order(), path="direct")
            assert await commerce.ship_order(order.entity_id, tracks=[("ups", "UPS", "1Z")]) == 1
    finally:
        running.control.close()
        running.server.stop()


async def test_cancel_refused_for_a_fully_invoiced_order(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct", invoice=True)
    with pytest.raises(CommerceCancelRefusedError) as refused:
        await client.cancel_order(order.entity_id, increment_id=order.increment_id)
    assert "Commerce refused to cancel order 000000001" in str(refused.value)
    assert (await client.get_order(order.entity_id)).state == "processing"


async def test_cancel_unpaid_order_releases_reservations(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    # The module route places through a quote, so it reserves stock as a real store does (the direct save does not).
    order = await client.create_order(channel_order(), path="module")
    assert await client.get_salable_quantity("SKU-A") == 8
    await client.cancel_order(order.entity_id)
    canceled = await client.get_order(order.entity_id)
    assert (canceled.state, canceled.status) == ("canceled", "canceled")
    assert [i.qty_canceled for i in canceled.items] == [2, 1]
    assert await client.get_salable_quantity("SKU-A") == 10
    with pytest.raises(CommerceCancelRefusedError):
        await client.cancel_order(order.entity_id)


async def test_hold_and_unhold(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct")
    await client.hold_order(order.entity_id)
    held = await client.get_order(order.entity_id)
    assert held.is_on_hold and held.hold_before_state == "new"
    with pytest.raises(CommerceValidationError, match=r"A hold action is not available\."):
        await client.hold_order(order.entity_id)
    with pytest.raises(CommerceValidationError, match="has a status of holded"):
        await client.ship_order(order.entity_id, tracks=[("ups", "UPS", "1Z")])
    await client.unhold_order(order.entity_id)
    assert (await client.get_order(order.entity_id)).status == "pending"
    with pytest.raises(CommerceValidationError, match=r"You cannot remove the hold\."):
        await client.unhold_order(order.entity_id)


async def test_comment_keeps_the_status_and_moves_updated_at(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct")
    sandbox.control.post("/_sandbox/clock/advance", json={"seconds": 5})
    assert await client.add_order_comment(order.entity_id, "Walmart says hi")
    again = await client.get_order(order.entity_id)
    assert again.status == "pending" and again.updated_at > order.updated_at
    assert again.raw["status_histories"][0]["comment"] == "Walmart says hi"


async def test_refund_above_the_refundable_amount_is_refused(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct", invoice=True)
    a = order.item_for_line("1")
    with pytest.raises(CommerceValidationError) as refused:
        await client.refund_order(
            order.entity_id, items=[(a.item_id, 1)], adjustment_positive=100, increment_id=order.increment_id
        )
    assert str(refused.value) == (
        "Commerce refused the credit memo for order 000000001: Creditmemo Document Validation Error(s): "
        "The most money available to refund is $52.98."
    )
    assert refused.value.http_status == 400
    assert refused.value.template.startswith("Creditmemo Document Validation Error(s):\n")


async def test_refund_with_return_to_stock_then_close(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct", invoice=True)
    a, b = order.item_for_line("1"), order.item_for_line("2")
    await client.ship_order(order.entity_id, items=[(a.item_id, 2)], tracks=[("ups", "UPS", "1Z")])
    memo_id = await client.refund_order(
        order.entity_id, items=[(a.item_id, 1)], return_to_stock_items=[a.item_id], comment="Walmart return R-1"
    )
    memo = await client.get_credit_memo(memo_id)
    assert memo.grand_total == pytest.approx(20.99) and memo.comments == ["Walmart return R-1"]
    assert [s.quantity for s in await client.get_source_items("SKU-A")] == [9]
    # Refunding the unshipped line cancels it in effect: nothing left to ship.
    await client.refund_order(order.entity_id, items=[(b.item_id, 1)])
    after = await client.get_order(order.entity_id)
    assert after.state == "complete" and after.items[1].qty_to_ship == 0
    await client.refund_order(order.entity_id, shipping_amount=None)  # everything left, shipping included
    closed = await client.get_order(order.entity_id)
    assert (closed.state, closed.total_refunded) == ("closed", pytest.approx(52.98))
    memos = await client.list_credit_memos(order_id=order.entity_id)
    assert len(memos) == 3 and memos[0].entity_id == memo_id
    with pytest.raises(CommerceValidationError, match="has a status of closed"):
        await client.refund_order(order.entity_id, items=[(a.item_id, 1)])


async def test_refund_needs_an_invoice(sandbox: RunningSandbox, client: CommerceClient) -> None:
    stock(sandbox)
    order = await client.create_order(channel_order(), path="direct")
    with pytest.raises(CommerceValidationError, match="does not allow a creditmemo to be created"):
        await client.refund_order(order.entity_id)


async def test_unknown_order_is_not_found(client: CommerceClient) -> None:
    with pytest.raises(CommerceNotFoundError, match="The entity that was requested doesn't exist"):
        await client.get_order(999)
