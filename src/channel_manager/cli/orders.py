"""``channel-manager orders``: the Orders page in the terminal."""

from __future__ import annotations

from typing import Any

import typer

from ..domain.orders import OrderLine
from ..domain.reasons import CancellationReason
from ..domain.statuses import OrderStatus
from ..service import commerce_actions
from ..service import orders as order_service
from ..service import stores as store_service
from ..service.orders import OrderDetail
from ..storage.attempt_repository import SyncAttempt
from ..storage.orders import OrderSummary
from ..storage.unit_of_work import Database
from ..sync.context import SyncContext
from .actions import StoreAction, line_quantities, run_and_send, run_for_order
from .context import opened_app
from .refunds import refund_command
from .render import console, json_option, money, print_json, print_table, table, to_json, when

app = typer.Typer(help="List and inspect Walmart orders and their sync state.", no_args_is_help=True)


def _status(text: str | None) -> OrderStatus | None:
    if text is None:
        return None
    folded = text.strip().casefold()
    for status in OrderStatus:
        if folded in {status.value.casefold(), status.name.casefold(), status.name.casefold().replace("_", "-")}:
            return status
    if folded == "errors":
        return OrderStatus.ERROR
    choices = ", ".join(s.value for s in OrderStatus)
    raise typer.BadParameter(f"unknown status {text!r}; use one of: {choices}", param_hint="--status")


@app.command("list")
def list_(
    store: str | None = typer.Option(None, "--store", help="Only this store (name or id)."),
    status: str | None = typer.Option(None, "--status", help="Open, Partially shipped, Shipped, Canceled or Error."),
    search: str | None = typer.Option(
        None, "--search", help="An order number, buyer e-mail or SKU starting with this, or a buyer name containing it."
    ),
    limit: int = typer.Option(50, min=1, max=1000, help="At most this many orders, newest first."),
    as_json: bool = json_option(),
) -> None:
    """List orders with the columns of the Orders page, and the count per status."""
    wanted = _status(status)
    with opened_app() as application:
        store_id = store_service.store_id_named(application.database, store)
        counts, rows = order_service.orders_page(
            application.database, store_id=store_id, status=wanted, search=search, limit=limit
        )
    if as_json:
        cards = {s.value: counts.get(s.value, 0) for s in OrderStatus}
        print_json({"counts": cards, "orders": [_summary_json(row) for row in rows]})
        return
    cards = "  ".join(f"{s.value}: {counts.get(s.value, 0)}" for s in OrderStatus)
    console.print(cards)
    if not rows:
        console.print("No orders match." if (status or search or store) else "No orders yet.")
        return
    grid = table(
        "Walmart Order #", "Commerce Order #", "Items", "Order Value", "Ordered", "Ship By", "Deliver By",
        "Ship Method", "Last Update", "Status", "Status Details",
        ids=("Walmart Order #", "Commerce Order #"),
    )  # fmt: skip
    for row in rows:
        grid.add_row(
            row.purchase_order_id,
            row.commerce_increment_id or "",
            str(row.items_count),
            money(row.order_value, row.currency),
            when(row.ordered_at),
            when(row.ship_by),
            when(row.deliver_by),
            row.ship_method,
            when(row.last_update_at),
            row.status.value,
            row.status_details,
        )
    print_table(grid)


def _summary_json(row: OrderSummary) -> dict[str, Any]:
    data = to_json(row)
    data.pop("id", None)  # internal: the PO number is the order's name
    return dict(data)


def is_polling_read(attempt: SyncAttempt) -> bool:
    """A read that succeeded (a poll, a re-read before a write): what happened is in the timeline already."""
    return attempt.method.upper() == "GET" and attempt.error_code is None and (attempt.http_status or 0) < 400


def _order_json(detail: OrderDetail, attempts: list[SyncAttempt], hidden: int) -> dict[str, Any]:
    order = detail.order
    data = {k: v for k, v in to_json(order).items() if k not in {"id", "version", "new_events"}}
    data.update(status=order.status, status_details=order.status_details, value=order.value)
    data["lines"] = [
        {**{k: v for k, v in to_json(line).items() if k != "quantities"}, "quantities": to_json(line.quantities)}
        for line in order.lines
    ]
    return {
        "order": data,
        "timeline": [to_json(event) for event in reversed(detail.timeline)],
        "attempts": [{k: v for k, v in to_json(a).items() if k not in {"id", "order_id"}} for a in attempts],
        "polling_reads_hidden": hidden,
    }


@app.command("show")
def show(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
    show_all: bool = typer.Option(False, "--all", help="Also list the successful reads (polling GETs)."),
    as_json: bool = json_option(),
) -> None:
    """Show one order: lines with quantities by state, shipments, timeline and sync attempts (newest first)."""
    with opened_app() as application:
        store_id = store_service.store_id_named(application.database, store)
        detail = order_service.order_detail(application.database, purchase_order_id, store_id=store_id)
    attempts = list(reversed(detail.attempts))
    shown = attempts if show_all else [a for a in attempts if not is_polling_read(a)]
    hidden = len(attempts) - len(shown)
    if as_json:
        print_json(_order_json(detail, shown, hidden))
        return
    order = detail.order
    console.print(f"[bold]Walmart PO {order.purchase_order_id}[/bold]  customer order {order.customer_order_id}")
    console.print(f"Commerce order: {order.commerce_increment_id or '(not created yet)'}")
    console.print(f"Status: [bold]{order.status.value}[/bold]  {order.status_details}")
    console.print(
        f"Ordered {when(order.ordered_at)}  ship by {when(order.ship_by)}  deliver by {when(order.deliver_by)}  "
        f"method {order.ship_method}  value {money(order.value, order.currency)}"
    )
    lines = table(
        "Line", "SKU", "Product", "Ordered", "Created", "Ack'd", "Shipped", "Cancelled", "Returned", "Refunded",
        "Buyer", ids=("Line", "SKU"),
    )  # fmt: skip
    for line in order.lines:
        q = line.quantities
        lines.add_row(
            line.line_number,
            line.sku,
            line.product_name,
            *(str(v) for v in (q.ordered, q.created, q.acknowledged, q.shipped, q.cancelled, q.returned, q.refunded)),
            _buyer_request(line),
        )
    print_table(lines)
    if order.shipments:
        shipments = table("Shipment", "Lines", "Carrier", "Tracking", "Shipped", "Walmart", ids=("Tracking",))
        for shipment in order.shipments:
            shipments.add_row(
                shipment.key,
                ", ".join(f"{sl.line_number} x{sl.quantity}" for sl in shipment.lines),
                shipment.carrier.name,
                shipment.tracking_number,
                when(shipment.shipped_at),
                shipment.sync_state.value,
            )
        print_table(shipments)
    if detail.timeline:
        timeline = table("When", "Event", "Details", title="Timeline (newest first)")
        for event in reversed(detail.timeline):
            timeline.add_row(when(event.at), event.kind, event.message)
        print_table(timeline)
    if shown:
        title = "Sync attempts (newest first)"
        attempts_table = table("When", "Side", "Endpoint", "Correlation id", "HTTP", "Error", "ms", title=title)
        for attempt in shown:
            attempts_table.add_row(
                when(attempt.started_at),
                attempt.side,
                attempt.endpoint,
                attempt.correlation_id or "",
                str(attempt.http_status or "-"),
                " ".join(filter(None, [attempt.error_code, attempt.error_message])),
                str(attempt.duration_ms),
            )
        print_table(attempts_table)
    if hidden:
        console.print(f"{hidden} successful read(s) (polling) not shown; --all shows them.")


def _buyer_request(line: OrderLine) -> str:
    """The buyer's intent to cancel, and the merchant's choice on it, in the lines table."""
    if not line.intent_to_cancel:
        return ""
    return "asked to cancel; shipping anyway" if line.intent_to_cancel_override else "asked to cancel"


def _lines(pairs: list[str]) -> dict[str, int] | None:
    """``--line`` given: units per PO line; none given: ``None`` (all that is open)."""
    return line_quantities(pairs) if pairs else None


def _act(purchase_order_id: str, store: str | None, action: StoreAction, *, send: bool = True) -> None:
    """Runs an order's use case (and, with ``send``, what it queued), then prints the order's status."""
    order = run_for_order(purchase_order_id, store, action, send=send)
    console.print(f"PO {purchase_order_id}: {order.status.value}. {order.status_details}")


@app.command("ship")
def ship(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    line: list[str] = typer.Option([], "--line", help="LINE:QUANTITY to ship (repeatable); default: all open."),
    carrier: str | None = typer.Option(
        None, help="Carrier: a Walmart carrier (UPS, USPS, FedEx...) or another name (required with --tracking)."
    ),
    tracking: str | None = typer.Option(None, "--tracking", help="Tracking number (Walmart requires one)."),
    tracking_url: str | None = typer.Option(None, help="Tracking URL; required for a carrier Walmart does not know."),
    override_intent_to_cancel: bool = typer.Option(
        False,
        "--override-intent-to-cancel",
        help="Ship lines the buyer asked to cancel, on purpose (Walmart's intentToCancelOverride). Without "
        "--carrier/--tracking: send the shipment Walmart refused for them again, with the override.",
    ),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
    send: bool = typer.Option(True, help="Send it to Walmart now (else the running service sends it)."),
) -> None:
    """Ship lines: creates the shipment in Commerce, as a merchant would, then syncs it to Walmart."""
    rerun = override_intent_to_cancel and carrier is None and tracking is None and not line
    if not rerun and (carrier is None or tracking is None):
        raise typer.BadParameter(
            "give --carrier and --tracking (or only --override-intent-to-cancel, to send the shipment Walmart "
            "refused because the buyer asked to cancel again, with the override)."
        )

    async def action(context: SyncContext, database: Database, store_id: int | None) -> object:
        if rerun:
            return await commerce_actions.ship_waiting_despite_intent(
                context, database, purchase_order_id, store_id=store_id
            )
        assert carrier is not None
        return await commerce_actions.ship_through_commerce(
            context, database, purchase_order_id, store_id=store_id, lines=_lines(line),
            carrier=carrier, tracking_number=tracking, tracking_url=tracking_url,
            override_intent_to_cancel=override_intent_to_cancel,
        )  # fmt: skip

    _act(purchase_order_id, store, action, send=send)


@app.command("cancel")
def cancel(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    reason: str = typer.Option(
        ..., help="out_of_stock, pricing_error, fraud_stop_shipment, address_not_serviceable or customer_requested."
    ),
    line: list[str] = typer.Option([], "--line", help="LINE:QUANTITY to cancel (repeatable); default: all open."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
    send: bool = typer.Option(True, help="Send it to Walmart now (else the running service sends it)."),
) -> None:
    """Cancel open quantity with a Walmart reason: cancels in Commerce first, then syncs it to Walmart."""
    try:
        chosen = CancellationReason.parse(reason)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--reason") from None

    async def action(context: SyncContext, database: Database, store_id: int | None) -> object:
        return await commerce_actions.cancel_through_commerce(
            context, database, purchase_order_id, store_id=store_id, reason=chosen, lines=_lines(line)
        )

    _act(purchase_order_id, store, action, send=send)


@app.command("retry")
def retry(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
    send: bool = typer.Option(True, help="Run the retried updates now (else the running service does)."),
) -> None:
    """Retry the order's failed updates now."""
    with opened_app() as application:
        store_id = store_service.store_id_named(application.database, store)
        count = order_service.retry_order(application.database, purchase_order_id, store_id=store_id)

        async def nothing(_: SyncContext) -> None:
            return None

        if count:
            run_and_send(application.database, nothing, send=send)
        order = order_service.find_order(application.database, purchase_order_id, store_id=store_id)
    console.print(
        f"{count} failed update(s) retried. PO {purchase_order_id}: {order.status.value}. {order.status_details}"
    )


@app.command("resync")
def resync(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
) -> None:
    """Read the order again from Walmart and Commerce, record what changed on either side (Walmart's own cancels
    included), send what Walmart is missing, retry what failed."""
    from ..service.resync import resync_order

    async def action(context: SyncContext, database: Database, store_id: int | None) -> object:
        return await resync_order(context, database, purchase_order_id, store_id=store_id)

    _act(purchase_order_id, store, action)


app.command("refund")(refund_command)
