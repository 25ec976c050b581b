"""What the merchant does from channel-manager goes through Commerce first, the way it would from Commerce's
admin, and is then synced to Walmart like any other change."""

from __future__ import annotations

from collections.abc import Mapping

from ..domain.errors import DomainError
from ..domain.orders import PurchaseOrder
from ..domain.reasons import CancellationReason
from ..domain.shipments import Carrier
from ..storage.unit_of_work import Database
from . import audit
from . import orders as order_service
from .commerce_changes import ChangeSummary, sync_commerce_order
from .context import ServiceContext, StoreLink
from .intent_to_cancel import ShipDespiteIntent, ship_despite_intent


def _linked(order: PurchaseOrder) -> int:
    if order.commerce_order_id is None:
        raise DomainError(
            f"PO {order.purchase_order_id} has no Commerce order yet; it is created by `channel-manager run`."
        )
    return order.commerce_order_id


def _commerce_carrier_code(link: StoreLink, carrier: Carrier) -> str:
    """The Commerce carrier code a Walmart carrier maps from in this store, else ``custom``."""
    for code, walmart_name in link.store.settings.carrier_map.items():
        if carrier.is_walmart_carrier and walmart_name.casefold() == carrier.name.casefold():
            return code
    return "custom"


async def ship_through_commerce(
    context: ServiceContext,
    database: Database,
    purchase_order_id: str,
    *,
    store_id: int | None,
    lines: Mapping[str, int] | None,
    carrier: str,
    tracking_number: str | None,
    tracking_url: str | None = None,
    override_intent_to_cancel: bool = False,
    actor: str | None = None,
) -> ChangeSummary | None:
    """Creates the shipment in Commerce (all open quantity when ``lines`` is None), then records it. Lines the
    buyer asked to cancel ship only with ``override_intent_to_cancel``, the merchant's choice, recorded first."""
    order = await context.run_db(lambda: order_service.find_order(database, purchase_order_id, store_id=store_id))
    link = await context.store(order.store_id)
    number = order.require_tracking_number(tracking_number)
    resolved = Carrier.resolve(
        carrier, tracking_url=tracking_url, walmart_name=link.store.settings.walmart_carrier_for(carrier)
    )
    wanted = dict(lines) if lines else order.open_lines()
    order.check_open("ship", wanted)
    commerce_order_id = _linked(order)
    asked = [n for n in wanted if order.line(n).intent_to_cancel]
    if override_intent_to_cancel and asked:
        await context.run_db(
            lambda: ship_despite_intent(
                database, purchase_order_id, store_id=order.store_id, lines=asked, actor=actor, now=context.now()
            )
        )
    elif not override_intent_to_cancel:
        order.check_ship_chosen(wanted)
    items = []
    for line_number, quantity in wanted.items():
        item_id = order.line(line_number).commerce_item_id
        if item_id is None:
            raise DomainError(f"Line {line_number} of PO {purchase_order_id} has no Commerce item.")
        items.append((item_id, float(quantity)))
    track: tuple[str, str, str] | tuple[str, str, str, str] = (
        _commerce_carrier_code(link, resolved),
        resolved.name,
        number,
    )
    if tracking_url:
        track = (*track, tracking_url)
    await link.commerce.ship_order(
        commerce_order_id,
        items,
        [track],
        source_code=link.store.settings.commerce_source_code,
        increment_id=order.commerce_increment_id,
    )
    shipped = ", ".join(f"line {n} x{q}" for n, q in wanted.items())
    await context.run_db(
        audit.record_for_order, database, order, actor, "order.ship",
        f"Shipment requested: {shipped}, {resolved.name} {number}",
        {"lines": wanted, "carrier": resolved.name, "tracking_number": number},
    )  # fmt: skip
    return await sync_commerce_order(context, link, commerce_order_id)


async def cancel_through_commerce(
    context: ServiceContext,
    database: Database,
    purchase_order_id: str,
    *,
    store_id: int | None,
    reason: CancellationReason,
    lines: Mapping[str, int] | None = None,
    actor: str | None = None,
) -> ChangeSummary | None:
    """Cancels in Commerce with the reason in an order comment: the whole order while nothing of it is
    invoiced, else the unshipped quantities by an offline credit memo (Commerce's only partial cancel)."""
    order = await context.run_db(lambda: order_service.find_order(database, purchase_order_id, store_id=store_id))
    link = await context.store(order.store_id)
    wanted = dict(lines) if lines else order.open_lines()
    order.check_open("cancel", wanted)
    order.check_reason_allowed(wanted, reason)
    commerce_order_id = _linked(order)
    commerce = link.commerce
    commerce_order = await commerce.get_order(commerce_order_id)
    await commerce.add_order_comment(
        commerce_order_id, f"Cancellation reason: {reason.label}", status=commerce_order.status
    )
    whole = wanted == order.open_lines() and order.shipped_quantity == 0
    if whole and commerce_order.total_invoiced == 0:
        await commerce.cancel_order(commerce_order_id, increment_id=order.commerce_increment_id)
    elif commerce_order.total_invoiced > 0:
        items = [(order.line(n).commerce_item_id, float(q)) for n, q in wanted.items()]
        await commerce.refund_order(
            commerce_order_id,
            [(item_id, qty) for item_id, qty in items if item_id is not None],
            shipping_amount=0.0,
            comment=f"Cancelled, not shipped: {reason.label}",
            increment_id=order.commerce_increment_id,
        )
    else:
        raise DomainError(
            f"Commerce cancels whole orders only, and Commerce order {order.commerce_increment_id} is not invoiced: "
            "cancel all of its open quantity, or invoice it first."
        )
    cancelled = ", ".join(f"line {n} x{q}" for n, q in wanted.items())
    await context.run_db(
        audit.record_for_order, database, order, actor, "order.cancel",
        f"Cancel requested: {cancelled}, reason {reason.value}", {"lines": wanted, "reason": reason.value},
    )  # fmt: skip
    return await sync_commerce_order(context, link, commerce_order_id)


async def ship_waiting_despite_intent(
    context: ServiceContext,
    database: Database,
    purchase_order_id: str,
    *,
    store_id: int | None,
    actor: str | None = None,
) -> ShipDespiteIntent:
    """Ship anyway, with nothing new to ship: the shipment Walmart refused because the buyer asked to cancel is
    sent again with ``intentToCancelOverride`` (its job retried once, never a second shipment)."""
    return await context.run_db(
        lambda: ship_despite_intent(database, purchase_order_id, store_id=store_id, actor=actor, now=context.now())
    )
