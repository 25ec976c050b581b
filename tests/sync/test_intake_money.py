"""Money at intake: Walmart's shipping tax becomes Commerce's shipping tax (not part of the shipping amount), so
the Commerce order's tax total and grand total are Walmart's, in Decimal, in the order's currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import World

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("store_settings", [{"order_creation_path": "module"}, {"order_creation_path": "direct"}])
async def test_walmart_shipping_tax_is_commerce_shipping_tax(world: World) -> None:
    po = world.walmart_order(
        [
            {
                "sku": "MUG-1",
                "quantity": 2,
                "unit_price": "7.99",
                "unit_tax": 0.64,
                "shipping": 5.0,
                "shipping_tax": 0.4,
            },
            {"sku": "CAP-3", "quantity": 1, "unit_price": "12.50", "unit_tax": 1.0, "shipping": 0, "shipping_tax": 0},
        ]
    )
    await world.take_in()

    order = world.order(po)
    first, second = order.lines
    assert (first.shipping_charge, first.shipping_tax) == (Decimal("5.00"), Decimal("0.40"))
    assert (second.shipping_charge, second.shipping_tax) == (Decimal("0.00"), Decimal("0.00"))
    walmart_tax = Decimal("0.64") * 2 + Decimal("1.00") + Decimal("0.40")
    walmart_total = Decimal("7.99") * 2 + Decimal("12.50") + Decimal("5.00") + walmart_tax
    assert order.currency == "USD"

    assert order.commerce_order_id is not None
    commerce = (await world.merchant.get_order(order.commerce_order_id)).raw
    assert Decimal(str(commerce["shipping_amount"])) == Decimal("5.00")  # the tax is not folded into it
    assert Decimal(str(commerce["shipping_tax_amount"])) == Decimal("0.40")
    assert Decimal(str(commerce["tax_amount"])) == walmart_tax
    assert Decimal(str(commerce["grand_total"])) == walmart_total
    assert commerce["order_currency_code"] == "USD"
