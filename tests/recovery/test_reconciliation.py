"""Issue 14's two-sided reconciliation and issue 15 item 3 (resync and Walmart-side cancels that come in at once).

Both sandboxes over real HTTP, the store in a real database, the real worker; ``orders resync`` is the real
command in its own process over the same database.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from channel_manager.domain.reasons import CancellationReason
from channel_manager.domain.statuses import OrderStatus
from channel_manager.domain.sync import Side, SyncState
from channel_manager.service.cursors import move_cursor
from channel_manager.service.reconciliation import reconcile_orders
from channel_manager.storage.tables import jobs
from channel_manager.sync import pollers
from channel_manager.walmart.requests import ShipmentLine
from sync.test_walmart_cancels import pass_ship_date, reconcile

from .conftest import SHIP, World, applied_twice, calls, run_environment, shipped, walmart_units

pytestmark = pytest.mark.anyio


async def channel_manager(database_url: str, data_dir: Path, *args: str) -> tuple[int, str, str]:
    """The real ``channel-manager`` command over the test's database, in its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from channel_manager.cli.app import main; main()",
        *args,
        env=run_environment(database_url, data_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_resync_shows_a_walmart_auto_cancel_at_once(world: World, database_url: str, tmp_path: Path) -> None:
    """Issue 15 item 3: after Walmart auto-cancelled, ``orders resync`` re-reads the PO and says Canceled."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    pass_ship_date(world)

    code, out, err = await channel_manager(database_url, tmp_path / "cli", "orders", "resync", po)

    assert code == 0, err
    assert f"PO {po}: Canceled." in out, out
    order = world.order(po)
    assert order.status is OrderStatus.CANCELED
    [cancellation] = order.cancellations
    assert (cancellation.started_by, cancellation.reason) == (Side.WALMART, CancellationReason.CANCELLED_BY_WALMART)
    assert order.commerce_order_id is not None
    assert (await world.merchant.get_order(order.commerce_order_id)).state == "canceled"  # mirrored by resync's run


@pytest.mark.parametrize("store_settings", [{"invoice_on_import": False}])
async def test_a_walmart_cancel_comes_in_by_the_frequent_poll_of_changed_pos(world: World) -> None:
    """Issue 15 item 3: no notification, no reconciliation: the poll of recently modified POs finds it."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 1}, {"sku": "CAP-3", "quantity": 1}])
    await world.take_in()
    link = await world.context.store(world.store_id)
    await pollers.poll_walmart_changes(world.context, link)  # nothing changed yet
    assert world.order(po).status is OrderStatus.OPEN
    pass_ship_date(world)

    result = await pollers.poll_walmart_changes(world.context, link)
    await world.drain()

    assert result.new == 1
    order = world.order(po)
    assert order.status is OrderStatus.CANCELED, order.status_details
    assert order.commerce_order_id is not None
    assert (await world.merchant.get_order(order.commerce_order_id)).state == "canceled"
    assert await pollers.poll_walmart_changes(world.context, link) == pollers.PollResult(seen=1, new=0)


async def test_reconciliation_sends_a_commerce_shipment_the_commerce_poll_missed(world: World) -> None:
    """A shipment made in Commerce that the Commerce poll never saw (a webhook lost, the watermark already past
    it) is found by the reconciliation, which reads Commerce too, and reaches Walmart."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZMISSED0001")
    link = await world.context.store(world.store_id)
    later = world.clock() + timedelta(hours=1)
    await move_cursor(world.context, link.id, pollers.COMMERCE_ORDERS_CURSOR, later)
    await world.sync_commerce()
    assert walmart_units(world, po) == {"1": {"Acknowledged": 2}}  # missed

    await reconcile(world)

    assert shipped(world, po, "1") == [(2, "1ZMISSED0001")]
    assert world.order(po).status is OrderStatus.SHIPPED
    await reconcile(world)  # both sides agree now: nothing sent again
    assert calls(world, SHIP) == 1
    world.assert_nothing_duplicated()


async def test_reconciliation_reports_what_differs_when_walmart_has_a_shipment_commerce_lacks(world: World) -> None:
    """A line shipped at Walmart (in Seller Center) that Commerce never shipped cannot be repaired by sending:
    the order goes to Error saying what differs on which side; nothing is sent."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    link = await world.context.store(world.store_id)
    await link.walmart.ship_order_lines(po, [ShipmentLine("1", 1, "1ZSELLERCTR1", carrier="UPS")])

    await reconcile(world)

    order = world.order(po)
    assert order.status is OrderStatus.ERROR
    assert order.problem is not None and order.problem.side is Side.COMMERCE
    assert "Walmart shows line 1 shipped x1; Commerce shipped x0" in order.status_details
    assert calls(world, SHIP) == 1  # the one made in Seller Center
    await reconcile(world)  # reported once
    assert [kind for kind, _ in world.timeline(po)].count("error") == 1


async def test_reconciliation_sends_again_a_shipment_recorded_as_sent_that_walmart_lacks(world: World) -> None:
    """A shipment recorded as sent that Walmart does not show (a check that wrongly concluded "already there",
    simulated by finishing its job unsent) is sent again through a normal ship job, once."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 3}])
    await world.take_in()
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZLOSTSHIP01")
    await pollers.poll_commerce_orders(world.context, await world.context.store(world.store_id))
    [job] = [j for j in world.jobs() if j.kind == "ship_lines"]
    with world.database.unit_of_work() as uow:
        order = uow.orders.require(world.store_id, po, for_update=True)
        order.mark_shipment(order.shipments[0].key, SyncState.SYNCED, world.clock())
        uow.orders.save(order)
        uow.connection.execute(sa.update(jobs).where(jobs.c.id == job.id).values(state="done"))
        uow.commit()
    assert walmart_units(world, po) == {"1": {"Acknowledged": 3}}

    await reconcile(world)

    assert shipped(world, po, "1") == [(2, "1ZLOSTSHIP01")]
    order = world.order(po)
    assert order.status is OrderStatus.PARTIALLY_SHIPPED, order.status_details
    assert "reconciled" in [kind for kind, _ in world.timeline(po)]
    await reconcile(world)
    assert calls(world, SHIP) == 1
    world.assert_nothing_duplicated()


async def test_reconciliation_sends_again_a_tracking_correction_that_never_reached_walmart(world: World) -> None:
    """A tracking correction made in Commerce, recorded, whose job was lost (simulated by finishing it unsent and
    recording the shipment as sent): Walmart still shows the units under the old number. Reconciliation sends the
    correction again as a ``PARTIAL_UPDATE``, once; before, the order went to Error asking for a fix by hand."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    shipment_id = await world.ship_in_commerce(po, {"1": 2}, tracking="1ZOLDNUMBER1")
    await world.sync_commerce()
    await world.drain()
    assert shipped(world, po, "1") == [(2, "1ZOLDNUMBER1")]
    commerce_order_id = world.order(po).commerce_order_id
    assert commerce_order_id is not None
    await world.merchant.add_shipment_track(commerce_order_id, shipment_id, "ups", "UPS", "1ZNEWNUMBER2")
    world.clock.advance(600)
    await pollers.poll_commerce_orders(world.context, await world.context.store(world.store_id))
    [job] = [j for j in world.jobs() if j.kind == "ship_lines" and j.state.value == "pending"]
    with world.database.unit_of_work() as uow:
        order = uow.orders.require(world.store_id, po, for_update=True)
        assert order.shipments[0].tracking_number == "1ZNEWNUMBER2"
        order.mark_shipment(order.shipments[0].key, SyncState.SYNCED, world.clock())
        uow.orders.save(order)
        uow.connection.execute(sa.update(jobs).where(jobs.c.id == job.id).values(state="done"))
        uow.commit()
    assert shipped(world, po, "1") == [(2, "1ZOLDNUMBER1")]

    await reconcile(world)

    assert shipped(world, po, "1") == [(2, "1ZNEWNUMBER2")]
    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED, order.status_details
    assert "reconciled" in [kind for kind, _ in world.timeline(po)]
    await reconcile(world)  # both sides agree now: nothing sent again
    assert calls(world, SHIP) == 2  # the shipment and its one correction
    world.assert_nothing_duplicated()


async def test_a_shipment_that_lands_while_the_pass_reads_walmart_is_not_shipped_again(world: World) -> None:
    """Found by the chaos suite (kills only): the pass read a page of POs, the order's shipment reached Walmart
    a moment later, and the comparison with that older view sent the shipment again (applied twice). The pass
    now looks at the PO again before acting on a difference."""
    po = world.walmart_order([{"sku": "MUG-1", "quantity": 2}])
    await world.take_in()
    link = await world.context.store(world.store_id)
    page_before_the_ship = [await link.walmart.get_order(po)]
    await world.ship_in_commerce(po, {"1": 2}, tracking="1ZLANDED0001")
    await world.sync_commerce()
    await world.drain()
    assert shipped(world, po, "1") == [(2, "1ZLANDED0001")]

    assert await reconcile_orders(world.context, link, page_before_the_ship) == 0
    await world.drain()

    assert calls(world, SHIP) == 1
    assert applied_twice(world) == 0
    order = world.order(po)
    assert order.status is OrderStatus.SHIPPED, order.status_details
    world.assert_nothing_duplicated()
