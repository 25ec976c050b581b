"""Purchase orders: insert-or-conflict, the whole aggregate round trip, optimistic saves, the Orders page."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from _storage_builders import T0, add_order, add_store, at, make_line, make_order

from channel_manager.domain.cancellations import ReasonSource
from channel_manager.domain.orders import PurchaseOrder
from channel_manager.domain.reasons import CancellationReason, RefundReason
from channel_manager.domain.shipments import Carrier
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import OrderEvent, Side, SyncProblem, SyncState
from channel_manager.storage import ConcurrentUpdate, Database, OrderNotFound
from channel_manager.storage.orders import sort_value
from channel_manager.storage.tables import order_events, order_lines, purchase_orders


def _count(database: Database, table: sa.Table) -> int:
    with database.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _comparable(order: PurchaseOrder) -> PurchaseOrder:
    """The order with child ids blanked (in memory they are set only once loaded)."""
    return replace(
        order,
        shipments=[replace(s, id=None) for s in order.shipments],
        cancellations=[replace(c, id=None) for c in order.cancellations],
        refunds=[replace(r, id=None) for r in order.refunds],
        new_events=[],
    )


def test_adding_the_same_po_twice_keeps_one(database: Database) -> None:
    store_id = add_store(database)
    with database.unit_of_work() as uow:
        first = make_order(store_id)
        assert uow.orders.add(first) is True
        assert first.id is not None and first.version == 1
        again = make_order(store_id)
        assert uow.orders.add(again) is False
        assert again.id is None
        uow.commit()
    assert _count(database, purchase_orders) == 1
    assert _count(database, order_lines) == 2
    # The same PO number in another store is another order.
    other_store = add_store(database, "Other")
    with database.unit_of_work() as uow:
        assert uow.orders.add(make_order(other_store)) is True
        uow.commit()
    assert _count(database, purchase_orders) == 2


def _work_the_order(order: PurchaseOrder) -> None:
    order.link_commerce_order(1001, "000000101", {"1": 11, "2": 12}, at(1))
    order.acknowledge(at(2))
    order.ship(
        key="S1",
        lines={"1": 2, "2": 1},
        carrier=Carrier("UPS", True),
        tracking_number="1Z999AA10123456784",
        tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
        shipped_at=at(3),
        commerce_shipment_id=501,
        at=at(3),
    )
    order.mark_shipment("S1", SyncState.SYNCED, at(4))
    order.cancel(
        key="C1",
        lines={"2": 1},
        reason=CancellationReason.OUT_OF_STOCK,
        reason_source=ReasonSource.ORDER_COMMENT,
        started_by=Side.COMMERCE,
        at=at(5),
    )
    order.refund(
        key="R1",
        lines={"1": (1, Decimal("10.00"), Decimal("0.80"))},
        reason=RefundReason.DAMAGED_ITEM,
        at=at(6),
        return_order_id="RMA-1",
        commerce_credit_memo_id=77,
    )
    order.line("2").intent_to_cancel = True
    order.return_requested = True
    order.report_problem(
        SyncProblem(
            side=Side.WALMART,
            action="send cancellation C1 to Walmart",
            message="Invalid request",
            next_step="Retrying automatically at 12:10 UTC (attempt 2 of 10).",
            occurred_at=at(7),
            code="INVALID_REQUEST_CONTENT.GMP_ORDER_API",
        )
    )


def test_whole_order_round_trip(database: Database) -> None:
    store_id = add_store(database)
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        order = uow.orders.get_by_id(order_id, for_update=True)
        assert order is not None and order.version == 1
        _work_the_order(order)
        uow.orders.save(order)
        assert order.version == 2 and order.new_events == []
        uow.commit()
    with database.unit_of_work() as uow:
        loaded = uow.orders.get(store_id, "1796277083022")
        timeline = uow.orders.timeline(order_id)
        by_commerce = uow.orders.get_by_commerce_order(store_id, 1001)
    assert loaded is not None and by_commerce is not None
    assert _comparable(loaded) == _comparable(order) == _comparable(by_commerce)
    assert loaded.line("1").quantities.shipped == 2 and loaded.line("1").quantities.refunded == 1
    assert loaded.line("2").quantities.cancelled == 1 and loaded.line("2").quantities.acknowledged == 1
    assert loaded.line("1").refunded_amount == Decimal("10.80")
    assert loaded.refunds[0].lines[0].tax == Decimal("0.80")
    assert loaded.shipments[0].first_synced_at == at(4)
    assert loaded.shipments[0].id is not None
    assert loaded.cancellations[0].reason_source is ReasonSource.ORDER_COMMENT
    assert loaded.problem is not None and loaded.problem.occurred_at == at(7)
    assert loaded.ordered_at.tzinfo is not None
    assert loaded.status is OrderStatus.ERROR
    assert [e.kind for e in timeline] == [
        "commerce_order_created",
        "acknowledged",
        "shipped",
        "shipment_synced",
        "cancelled",
        "refunded",
        "error",
    ]
    assert timeline[0] == OrderEvent(at(1), "commerce_order_created", "Commerce order 000000101 created.")
    # The denormalised columns follow the domain.
    with database.engine.connect() as connection:
        row = connection.execute(sa.select(purchase_orders)).mappings().one()
    assert row["status"] == "Error"
    assert row["status_details"] == loaded.status_details
    assert row["order_value"] == loaded.value == Decimal("2") * Decimal("10.80") + Decimal("3") * Decimal("5.67") + 3
    assert row["items_count"] == 5


def test_the_po_of_a_commerce_order_is_found_by_one_select_of_its_id(database: Database) -> None:
    store_id, other_store = add_store(database), add_store(database, "Other store")
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        order = uow.orders.get_by_id(order_id, for_update=True)
        assert order is not None
        order.link_commerce_order(1001, "000000101", {"1": 11, "2": 12}, at(1))
        uow.orders.save(order)
        uow.commit()
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.unit_of_work(read_only=True) as uow:
            found = uow.orders.id_of_commerce_order(store_id, 1001)
            unknown = uow.orders.id_of_commerce_order(store_id, 1002)
            elsewhere = uow.orders.id_of_commerce_order(other_store, 1001)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", seen)
    assert (found, unknown, elsewhere) == (order_id, None, None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3 and all("order_lines" not in s and "shipments" not in s for s in selects)
    assert all(s.split("FROM")[0].split() == ["SELECT", "purchase_orders.id"] for s in selects)


def test_the_po_of_a_commerce_event_is_the_linked_one_or_the_one_being_created(database: Database) -> None:
    store_id = add_store(database)
    linked, creating = add_order(database, store_id, "PO-LINKED"), add_order(database, store_id, "PO-CREATING")
    with database.unit_of_work() as uow:
        order = uow.orders.get_by_id(linked, for_update=True)
        assert order is not None
        order.link_commerce_order(1001, "000000101", {"1": 11, "2": 12}, at(1))
        uow.orders.save(order)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        assert uow.orders.id_for_commerce_event(store_id, 1001, None) == linked
        assert uow.orders.id_for_commerce_event(store_id, 1001, "PO-LINKED") == linked
        assert uow.orders.id_for_commerce_event(store_id, 2002, "PO-CREATING") == creating  # no link yet
        assert uow.orders.id_for_commerce_event(store_id, 2002, "PO-LINKED") is None  # linked to another order
        assert uow.orders.id_for_commerce_event(store_id, 2002, "NOT-OURS") is None
        assert uow.orders.id_for_commerce_event(store_id + 1, 1001, "PO-LINKED") is None


def test_saving_a_stale_copy_raises_concurrent_update(database: Database) -> None:
    store_id = add_store(database)
    order_id = add_order(database, store_id)
    with database.unit_of_work() as uow:
        first = uow.orders.get_by_id(order_id)
        second = uow.orders.get_by_id(order_id)
        assert first is not None and second is not None
        first.acknowledge(at(1))
        uow.orders.save(first)
        second.acknowledge(at(2))
        with pytest.raises(ConcurrentUpdate) as caught:
            uow.orders.save(second)
        assert "PO 1796277083022 was changed by another process" in str(caught.value)
        uow.commit()
    assert _count(database, order_events) == 1
    with database.unit_of_work() as uow:
        stored = uow.orders.get_by_id(order_id)
        assert stored is not None and stored.acknowledged_at == at(1) and stored.version == 2
        stored.id = 9999
        with pytest.raises(OrderNotFound):
            uow.orders.save(stored)


def test_events_of_a_new_order_are_written_with_it(database: Database) -> None:
    store_id = add_store(database)
    order = make_order(store_id)
    order.record(at(0), "imported", "Imported from Walmart.")
    with database.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
        assert uow.orders.timeline(order.id or 0) == [OrderEvent(at(0), "imported", "Imported from Walmart.")]


def _seed_orders_page(database: Database) -> tuple[int, int]:
    main = add_store(database, "Main")
    outlet = add_store(database, "Outlet")
    with database.unit_of_work() as uow:
        for index in range(5):
            order = make_order(main, f"PO-{index}", ordered_at=T0 + timedelta(hours=index), email=f"b{index}@x.com")
            uow.orders.add(order)
            if index >= 1:
                order.ship(
                    key="S1",
                    lines={"1": 2 if index >= 3 else 1},
                    carrier=Carrier("UPS", True),
                    tracking_number="1Z1",
                    shipped_at=at(10),
                    at=at(10),
                )
            if index == 4:
                order.ship(
                    key="S2",
                    lines={"2": 3},
                    carrier=Carrier("FedEx", True),
                    tracking_number="FX1",
                    shipped_at=at(11),
                    at=at(11),
                )
            uow.orders.save(order)
        special = make_order(outlet, "OUT_100%", make_line("1", 1), ordered_at=T0 - timedelta(days=1))
        uow.orders.add(special)
        uow.commit()
    return main, outlet


def test_orders_page_lists_filters_and_counts(database: Database) -> None:
    main, outlet = _seed_orders_page(database)
    with database.unit_of_work(read_only=True) as uow:
        everything = uow.orders.list()
        assert [o.purchase_order_id for o in everything] == ["PO-4", "PO-3", "PO-2", "PO-1", "PO-0", "OUT_100%"]
        newest = everything[0]
        assert newest.status is OrderStatus.SHIPPED
        assert newest.items_count == 5 and newest.order_value == Decimal("41.61")
        assert newest.ship_method == "Value" and newest.ship_by == newest.ordered_at + timedelta(days=2)
        assert newest.last_update_at == at(11)
        assert "Waiting for the Commerce order" in newest.status_details

        assert [o.purchase_order_id for o in uow.orders.list(store_id=outlet)] == ["OUT_100%"]
        partial = uow.orders.list(store_id=main, status=OrderStatus.PARTIALLY_SHIPPED)
        assert [o.purchase_order_id for o in partial] == ["PO-3", "PO-2", "PO-1"]
        assert [o.purchase_order_id for o in uow.orders.list(status="Open")] == ["PO-0", "OUT_100%"]
        assert [o.purchase_order_id for o in uow.orders.list(limit=2, offset=1)] == ["PO-3", "PO-2"]

        assert [o.purchase_order_id for o in uow.orders.list(search="po-2")] == ["PO-2"]
        assert [o.purchase_order_id for o in uow.orders.list(search="B3@X")] == ["PO-3"]
        # Numbers, e-mail and SKU match from their start; LIKE wildcards are taken literally.
        assert [o.purchase_order_id for o in uow.orders.list(search="out_100%")] == ["OUT_100%"]
        assert uow.orders.list(search="100%") == []
        assert uow.orders.list(search="O_T") == []
        assert len(uow.orders.list(search="sku-2")) == 5
        assert uow.orders.count(store_id=main, search="PO-") == 5
        # The buyer's name matches anywhere in it; every way of matching pages and filters alike.
        assert len(uow.orders.list(search="ane d")) == 6
        assert [o.purchase_order_id for o in uow.orders.list(search="doe", limit=2, offset=1)] == ["PO-3", "PO-2"]
        assert [o.purchase_order_id for o in uow.orders.list(search="doe", store_id=outlet)] == ["OUT_100%"]
        assert uow.orders.count(search="jane") == 6
        first = uow.orders.list(search="doe", limit=2)
        after = (sort_value(first[-1], "ordered_at"), first[-1].id)
        assert [o.purchase_order_id for o in uow.orders.list(search="doe", limit=2, after=after)] == ["PO-2", "PO-1"]
        by_ship_by = uow.orders.list(search="po-", sort="ship_by", descending=False, limit=2)
        assert [o.purchase_order_id for o in by_ship_by] == ["PO-0", "PO-1"]

        assert uow.orders.count_by_status() == {
            "Open": 2,
            "Partially shipped": 3,
            "Shipped": 1,
            "Canceled": 0,
            "Error": 0,
        }
        assert uow.orders.count_by_status(store_id=outlet)["Open"] == 1
        assert uow.orders.count_by_status(store_id=outlet)["Partially shipped"] == 0
