"""Commerce's webhook events: what a delivery costs the connector (statements, jobs, remote reads)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from channel_manager.service.commerce_changes import sync_commerce_order
from channel_manager.storage.unit_of_work import Database

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
