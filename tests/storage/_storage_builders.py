"""Builders for storage tests: valid stores, orders and returns with overridable parts."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from builders import T0 as T0
from builders import at as at
from builders import make_commerce, make_walmart
from builders import make_line as shared_make_line
from channel_manager.domain.orders import Address, OrderLine, PurchaseOrder
from channel_manager.domain.returns import Return, ReturnLine
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore
from channel_manager.storage import Database

WALMART_SECRET = "walmart-client-secret-PLAINTEXT-1234"
COMMERCE_TOKEN = "commerce-access-token-PLAINTEXT-5678"


def make_store(name: str = "Main store", **walmart: str) -> ChannelStore:
    return ChannelStore(
        name=name,
        walmart=make_walmart(
            **{
                "client_id": "client-id-1",
                "client_secret": Secret(WALMART_SECRET),
                "webhook_secret": Secret("walmart-webhook-secret"),
                **walmart,
            }
        ),
        commerce=make_commerce(access_token=Secret(COMMERCE_TOKEN), webhook_secret=Secret("commerce-webhook-secret")),
    )


#: Storage's lines carry a shipping charge, so it is stored and read back too.
make_line = partial(shared_make_line, shipping="1.50")


def make_order(
    store_id: int,
    purchase_order_id: str = "1796277083022",
    *lines: OrderLine,
    ordered_at: datetime = T0,
    email: str = "buyer@relay.walmart.com",
) -> PurchaseOrder:
    return PurchaseOrder(
        store_id=store_id,
        purchase_order_id=purchase_order_id,
        customer_order_id=f"C{purchase_order_id}",
        customer_email=email,
        ship_method="Value",
        ordered_at=ordered_at,
        ship_by=ordered_at + timedelta(days=2),
        deliver_by=ordered_at + timedelta(days=5),
        shipping_address=Address("Jane Doe", "1 Main St", "Bentonville", "AR", "72716", phone="5550100"),
        lines=list(lines) or [make_line("1", 2), make_line("2", 3, price="5.25", tax="0.42")],
    )


def make_return(store_id: int, return_order_id: str = "RMA-1", *, order_id: int | None = None) -> Return:
    return Return(
        store_id=store_id,
        return_order_id=return_order_id,
        customer_order_id="C1796277083022",
        purchase_order_id="1796277083022",
        order_id=order_id,
        requested_at=at(60),
        return_by=at(60 * 24 * 30),
        lines=[
            ReturnLine(1, "1", "SKU-1", 1, "DAMAGED", Decimal("10.00"), Decimal("0.80")),
            ReturnLine(2, "2", "SKU-2", 2, "WRONG_ITEM", Decimal("5.25"), Decimal("0.42"), refunded_quantity=1),
        ],
        extra={"carrier": "FedEx"},
    )


def add_store(database: Database, name: str = "Main store") -> int:
    with database.unit_of_work() as uow:
        store = uow.stores.add(make_store(name))
        uow.commit()
    assert store.id is not None
    return store.id


def add_order(database: Database, store_id: int, purchase_order_id: str = "1796277083022", **kwargs: object) -> int:
    with database.unit_of_work() as uow:
        order = make_order(store_id, purchase_order_id, **kwargs)  # type: ignore[arg-type]
        assert uow.orders.add(order)
        uow.commit()
    assert order.id is not None
    return order.id
