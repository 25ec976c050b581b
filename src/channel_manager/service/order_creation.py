"""The ``create_commerce_order`` job: a PO taken in becomes its Commerce order (invoiced when the store says
so), and the PO's lines are linked to the Commerce items. Safe to repeat: a linked PO is not created again.
An order adopted (found in Commerce, not made by this call) is read in full once linked: its shipments and
credit memos, and the changes recorded while it was not linked."""

from __future__ import annotations

from ..commerce.mapping import channel_order_for
from ..domain.orders import PurchaseOrder
from ..logs import get_logger
from ..storage.unit_of_work import UnitOfWork
from .commerce_changes import record_unlinked_change, sync_recorded_changes
from .job_run import JobRun

log = get_logger("channel_manager.order_creation")


async def create_commerce_order(run: JobRun) -> None:
    order = await run.order()
    if order.commerce_order_id is not None:
        await run.finish()
        return
    settings = run.link.store.settings
    commerce = run.link.commerce
    await run.sending()
    created = await commerce.create_order(
        channel_order_for(order, settings),
        path=settings.order_creation_path.value,
        store_id=settings.commerce_store_id,
        payment_method=settings.cart_payment_method,
        carrier_code=settings.cart_carrier_code,
        method_code=settings.cart_method_code,
    )
    if settings.invoice_on_import and created.total_invoiced == 0:
        await commerce.invoice_order(created.entity_id, increment_id=created.increment_id)
    items: dict[str, int] = {}
    for item in created.items:
        if item.parent_item_id is not None:
            continue
        for line_number in item.line_numbers:
            items[line_number] = item.item_id
    missing = [line.line_number for line in order.lines if line.line_number not in items]
    for line in order.lines:  # an order without line tags (made elsewhere): match by SKU
        if line.line_number in missing:
            match = next((i for i in created.items if i.sku == line.sku and i.item_id not in items.values()), None)
            if match is not None:
                items[line.line_number] = match.item_id
    now = run.context.now()

    def apply(uow: UnitOfWork, current: PurchaseOrder) -> None:
        if current.commerce_order_id is None:
            current.link_commerce_order(created.entity_id, created.increment_id, items, now)
            if created.already_existed:  # adopted: the merchant may have shipped or refunded it already
                record_unlinked_change(uow, current.store_id, created, now)

    await run.finish(apply)
    try:  # what Commerce changed before the link is read now (or, if this fails, by the next Commerce poll)
        await sync_recorded_changes(run.context, run.link, created.entity_id)
    except Exception as error:  # the job is done; the recorded change stays for the poll
        log.warning("read_after_link_failed", purchase_order_id=order.purchase_order_id, error=str(error))
