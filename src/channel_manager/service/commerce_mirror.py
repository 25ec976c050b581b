"""The ``mirror_walmart_cancel`` job: a cancel Walmart made is brought into the Commerce order.

Commerce cancels whole orders only. So: when nothing of the order is shipped or invoiced in Commerce and
Walmart cancelled everything still open, the whole order is cancelled; otherwise the cancelled, unshipped
units are taken out by an offline credit memo (invoicing those units first when they are not invoiced), which
is how Commerce stops expecting them to ship. Either way the order gets a comment saying what Walmart did.

Safe to run twice: the Commerce order is read first, and only units Commerce still expects to ship are taken
out, so a second run (after a lost answer or a killed worker) finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..commerce.errors import CommerceCancelRefusedError
from ..commerce.models import CommerceOrder, CommerceOrderItem
from ..domain.orders import OrderLine, PurchaseOrder
from ..storage.unit_of_work import UnitOfWork
from .inventory import queue_stock_pushes
from .job_run import JobRun

EPSILON = 1e-6


def linked_items(order: PurchaseOrder, commerce_order: CommerceOrder) -> Iterator[tuple[OrderLine, CommerceOrderItem]]:
    """The PO's lines linked to a Commerce item, each with that item as ``commerce_order`` has it (a line whose
    item is not in it is left out)."""
    for line in order.lines:
        item = None if line.commerce_item_id is None else commerce_order.item(line.commerce_item_id)
        if item is not None:
            yield line, item


def units_to_take_out(order: PurchaseOrder, commerce_order: CommerceOrder) -> dict[int, int]:
    """Commerce item id -> units Commerce still expects to ship although the PO has them cancelled."""
    wanted: dict[int, int] = {}
    for line, item in linked_items(order, commerce_order):
        if line.quantities.cancelled == 0:
            continue
        # Units Commerce no longer ships: refunded or cancelled there (and not shipped).
        not_shippable = item.qty_ordered - item.qty_shipped - item.qty_to_ship
        missing = min(int(line.quantities.cancelled - not_shippable + EPSILON), int(item.qty_to_ship + EPSILON))
        if missing > 0:
            wanted[item.item_id] = wanted.get(item.item_id, 0) + missing
    return wanted


def _comment(order: PurchaseOrder, key: str) -> str:
    cancellation = next(c for c in order.cancellations if c.key == key)
    summary = ", ".join(f"line {cl.line_number} x{cl.quantity}" for cl in cancellation.lines)
    return (
        f"Walmart cancelled {summary} of PO {order.purchase_order_id}: {cancellation.reason.label}. "
        "Mirrored by channel-manager."
    )


async def mirror_walmart_cancel(run: JobRun) -> None:
    key = str(run.job.payload["cancellation"])
    order = await run.order()
    commerce = run.link.commerce
    done = "nothing left to change in Commerce"
    if order.commerce_order_id is not None:
        commerce_order = await commerce.get_order(order.commerce_order_id)
        wanted = units_to_take_out(order, commerce_order)
        if wanted:
            await run.sending()
            done = await _take_out(run, order, commerce_order, wanted, _comment(order, key))
    else:
        done = "no Commerce order to change"
    skus = {order.line(cl.line_number).sku for c in order.cancellations if c.key == key for cl in c.lines}
    now = run.context.now()

    def apply(uow: UnitOfWork, current: PurchaseOrder) -> None:
        current.record(now, "commerce_mirrored", f"Walmart's cancellation {key} in Commerce: {done}.")
        queue_stock_pushes(uow, current.store_id, skus, now)

    await run.finish(apply)


async def _take_out(
    run: JobRun, order: PurchaseOrder, commerce_order: CommerceOrder, wanted: dict[int, int], comment: str
) -> str:
    commerce = run.link.commerce
    order_id = commerce_order.entity_id
    label = order.commerce_increment_id
    nothing_done = commerce_order.total_invoiced <= EPSILON and all(
        item.qty_shipped <= EPSILON for item in commerce_order.items
    )
    everything_open = all(
        wanted.get(item.item_id, 0) >= int(item.qty_to_ship + EPSILON)
        for item in commerce_order.items
        if item.parent_item_id is None
    )
    await commerce.add_order_comment(order_id, comment, status=commerce_order.status)
    if nothing_done and everything_open:
        try:
            await commerce.cancel_order(order_id, increment_id=label)
            return "order cancelled"
        except CommerceCancelRefusedError:
            commerce_order = await commerce.get_order(order_id)
            wanted = units_to_take_out(order, commerce_order)
            if not wanted:
                return "order already cancelled"
    by_id = {item.item_id: item for item in commerce_order.items}
    to_invoice = [
        (item_id, float(quantity - int(by_id[item_id].qty_to_refund + EPSILON)))
        for item_id, quantity in wanted.items()
        if quantity > by_id[item_id].qty_to_refund + EPSILON
    ]
    if to_invoice:
        await commerce.invoice_order(order_id, to_invoice, increment_id=label)
    memo_id = await commerce.refund_order(
        order_id,
        [(item_id, float(quantity)) for item_id, quantity in wanted.items()],
        shipping_amount=0.0,
        comment=comment,
        increment_id=label,
    )
    units = ", ".join(f"item {item_id} x{quantity}" for item_id, quantity in wanted.items())
    return f"credit memo #{memo_id} (offline) for the unshipped units ({units})"
