"""``channel-manager returns``: the Returns page in the terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from ..domain.reasons import RefundReason
from ..domain.returns import Return, ReturnStatus
from ..service import returns as return_service
from ..service import stores as store_service
from ..service.refunds import refund_return_through_commerce
from ..sync.context import SyncContext
from .actions import run_and_send
from .context import opened_app
from .render import console, money, when

app = typer.Typer(help="List and inspect Walmart returns (RMAs) and their refunds.", no_args_is_help=True)


def _status(text: str | None) -> ReturnStatus | None:
    if text is None:
        return None
    for status in ReturnStatus:
        if text.strip().casefold() in {status.value.casefold(), status.name.casefold()}:
            return status
    choices = ", ".join(s.value for s in ReturnStatus)
    raise typer.BadParameter(f"unknown status {text!r}; use one of: {choices}", param_hint="--status")


def _items(item: Return) -> str:
    return ", ".join(f"{line.sku} x{line.quantity}" for line in item.lines)


@app.command("list")
def list_(
    store: str | None = typer.Option(None, "--store", help="Only this store (name or id)."),
    status: str | None = typer.Option(None, "--status", help="Received, Refunded or Error."),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many returns, newest first."),
) -> None:
    """List returns with the columns of the Returns page."""
    wanted = _status(status)
    with opened_app() as application:
        store_id = store_service.find_store(application.database, store).id if store else None
        rows = return_service.returns_page(application.database, store_id=store_id, status=wanted, limit=limit)
    if not rows:
        console.print("No returns match." if (status or store) else "No returns yet.")
        return
    table = Table(
        "RMA #", "Walmart Order #", "Requested", "Return By", "Items", "Refund amount", "Status", "Status Details"
    )
    for item in rows:
        table.add_row(
            item.return_order_id,
            item.purchase_order_id,
            when(item.requested_at),
            when(item.return_by),
            _items(item),
            money(item.refund_amount),
            item.status.value,
            item.status_details,
        )
    console.print(table)


@app.command("show")
def show(
    return_order_id: str = typer.Argument(..., help="The RMA number."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this RMA."),
) -> None:
    """Show one return: its lines, quantities, reasons and refund state."""
    with opened_app() as application:
        store_id = store_service.find_store(application.database, store).id if store else None
        item = return_service.find_return(application.database, return_order_id, store_id=store_id)
    console.print(f"[bold]Return {item.return_order_id}[/bold]  Walmart PO {item.purchase_order_id}")
    console.print(f"Status: [bold]{item.status.value}[/bold]  {item.status_details}")
    console.print(
        f"Requested {when(item.requested_at)}  return by {when(item.return_by)}  "
        f"refund amount {money(item.refund_amount)}" + ("  (refunded by Walmart)" if item.refunded_by_walmart else "")
    )
    lines = Table("Return line", "PO line", "SKU", "Quantity", "Reason", "Unit price", "Refunded")
    for line in item.lines:
        lines.add_row(
            str(line.return_line_number),
            line.line_number,
            line.sku,
            str(line.quantity),
            line.reason,
            money(line.unit_amount),
            str(line.refunded_quantity),
        )
    console.print(lines)


@app.command("refund")
def refund(
    return_order_id: str = typer.Argument(..., help="The RMA number."),
    reason: str | None = typer.Option(
        None, "--reason", help="Walmart refund reason, e.g. DamagedItem (default: the store's default reason)."
    ),
    return_to_stock: bool = typer.Option(False, "--return-to-stock", help="Put the units back in stock."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this RMA."),
    send: bool = typer.Option(True, help="Send it to Walmart now (else the running service sends it)."),
) -> None:
    """Refund what the return has not refunded yet: a credit memo in Commerce, then Walmart's refund."""
    try:
        chosen = RefundReason.parse(reason) if reason else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--reason") from None
    with opened_app() as application:
        store_id = store_service.find_store(application.database, store).id if store else None

        async def action(context: SyncContext) -> object:
            return await refund_return_through_commerce(
                context, application.database, return_order_id, store_id=store_id, reason=chosen,
                return_to_stock=return_to_stock,
            )  # fmt: skip

        run_and_send(application.database, action, send=send)
        item = return_service.find_return(application.database, return_order_id, store_id=store_id)
    console.print(f"Return {item.return_order_id}: {item.status.value}. {item.status_details}".rstrip())
