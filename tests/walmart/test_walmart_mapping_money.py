"""A Walmart PO's money as the connector records it: Decimal amounts, the shipping tax apart from the shipping
charge (it becomes Commerce's shipping tax), the PO's own currency."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from channel_manager.walmart.mapping import purchase_order_from_walmart

from .conftest import SandboxUnderTest

pytestmark = pytest.mark.anyio


async def test_shipping_tax_is_kept_apart_and_the_currency_is_the_pos(walmart: SandboxUnderTest) -> None:
    po = walmart.order(
        lines=[
            {"sku": "MUG-1", "quantity": 2, "unit_price": 7.99, "unit_tax": 0.64, "shipping": 5.0, "shipping_tax": 0.4}
        ]
    )
    async with walmart.client() as client:
        order = await client.get_order(po)
    recorded = purchase_order_from_walmart(1, order, received_at=datetime.now(UTC))
    [line] = recorded.lines
    assert (line.unit_price, line.unit_tax) == (Decimal("7.99"), Decimal("0.64"))
    assert (line.shipping_charge, line.shipping_tax) == (Decimal("5.00"), Decimal("0.40"))
    assert line.value == Decimal("7.99") * 2 + Decimal("0.64") * 2 + Decimal("5.40")
    assert recorded.currency == "USD"

    for walmart_line in order.lines:  # a marketplace that charges in another currency
        for charge in walmart_line.charges.charge:
            assert charge.charge_amount is not None
            charge.charge_amount.currency = "CAD"
    assert purchase_order_from_walmart(1, order, received_at=datetime.now(UTC)).currency == "CAD"
