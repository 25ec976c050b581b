"""``channel-manager orders``: the Orders page in the terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from ..domain.statuses import OrderStatus
from ..service import orders as order_service
from ..service import stores as store_service
from .context import opened_app
from .render import console, money, when

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
    search: str | None = typer.Option(None, "--search", help="Walmart or Commerce order number contains this."),
    limit: int = typer.Option(50, min=1, max=1000, help="At most this many orders, newest first."),
) -> None:
    """List orders with the columns of the Orders page, and the count per status."""
    wanted = _status(status)
    with opened_app() as application:
        store_id = store_service.find_store(application.database, store).id if store else None
        counts, rows = order_service.orders_page(
            application.database, store_id=store_id, status=wanted, search=search, limit=limit
        )
    cards = "  ".join(f"{s.value}: {counts.get(s.value, 0)}" for s in OrderStatus)
    console.print(cards)
    if not rows:
        console.print("No orders match." if (status or search or store) else "No orders yet.")
        return
    table = Table(
        "Walmart Order #",
        "Commerce Order #",
        "Items",
        "Order Value",
        "Ordered",
        "Ship By",
        "Deliver By",
        "Ship Method",
        "Last Update",
        "Status",
        "Status Details",
    )
    for row in rows:
        table.add_row(
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
    console.print(table)


@app.command("show")
def show(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
) -> None:
    """Show one order: lines with quantities by state, shipments, timeline and sync attempts."""
    with opened_app() as application:
        store_id = store_service.find_store(application.database, store).id if store else None
        detail = order_service.order_detail(application.database, purchase_order_id, store_id=store_id)
    order = detail.order
    console.print(f"[bold]Walmart PO {order.purchase_order_id}[/bold]  customer order {order.customer_order_id}")
    console.print(f"Commerce order: {order.commerce_increment_id or '(not created yet)'}")
    console.print(f"Status: [bold]{order.status.value}[/bold]  {order.status_details}")
    console.print(
        f"Ordered {when(order.ordered_at)}  ship by {when(order.ship_by)}  deliver by {when(order.deliver_by)}  "
        f"method {order.ship_method}  value {money(order.value, order.currency)}"
    )
    lines = Table(
        "Line", "SKU", "Product", "Ordered", "Created", "Ack'd", "Shipped", "Cancelled", "Returned", "Refunded"
    )
    for line in order.lines:
        q = line.quantities
        lines.add_row(
            line.line_number,
            line.sku,
            line.product_name,
            *(str(v) for v in (q.ordered, q.created, q.acknowledged, q.shipped, q.cancelled, q.returned, q.refunded)),
        )
    console.print(lines)
    if order.shipments:
        shipments = Table("Shipment", "Lines", "Carrier", "Tracking", "Shipped", "Walmart")
        for shipment in order.shipments:
            shipments.add_row(
                shipment.key,
                ", ".join(f"{sl.line_number} x{sl.quantity}" for sl in shipment.lines),
                shipment.carrier.name,
                shipment.tracking_number,
                when(shipment.shipped_at),
                shipment.sync_state.value,
            )
        console.print(shipments)
    if detail.timeline:
        timeline = Table("When", "Event", "Details", title="Timeline")
        for event in detail.timeline:
            timeline.add_row(when(event.at), event.kind, event.message)
        console.print(timeline)
    if detail.attempts:
        attempts = Table("When", "Side", "Endpoint", "Correlation id", "HTTP", "Error", "ms", title="Sync attempts")
        for attempt in detail.attempts:
            attempts.add_row(
                when(attempt.started_at),
                attempt.side,
                attempt.endpoint,
                attempt.correlation_id or "",
                str(attempt.http_status or "-"),
                " ".join(filter(None, [attempt.error_code, attempt.error_message])),
                str(attempt.duration_ms),
            )
        console.print(attempts)
