"""``channel-manager returns``: the Returns page in the terminal."""

from __future__ import annotations

from typing import Any

import typer

from ..domain.reasons import RefundReason
from ..domain.returns import Return, ReturnStatus
from ..service import returns as return_service
from ..service import stores as store_service
from ..service.refunds import refund_return_through_commerce
from ..storage.unit_of_work import Database
from ..sync.context import SyncContext
from .actions import run_for_store
from .context import opened_app
from .render import console, json_option, money, print_json, print_table, table, to_json, when

app = typer.Typer(help="List and inspect Walmart returns (RMAs) and their refunds.", no_args_is_help=True)


def _status(text: str | None) -> ReturnStatus | None:
    if text is None:
        return None
    for status in ReturnStatus:
        if text.strip().casefold() in {status.value.casefold(), status.name.casefold()}:
            return status
    choices = ", ".join(s.value for s in ReturnStatus)
    raise typer.BadParameter(f"unknown status {text!r}; use one of: {choices}", param_hint="--status")


def _return_json(item: Return) -> dict[str, Any]:
    data = {k: v for k, v in to_json(item).items() if k not in {"id", "order_id", "version"}}
    data.update(status=item.status, status_details=item.status_details, refund_amount=item.refund_amount)
    return data


def _items(item: Return) -> str:
    return ", ".join(f"{line.sku} x{line.quantity}" for line in item.lines)


@app.command("list")
def list_(
    store: str | None = typer.Option(None, "--store", help="Only this store (name or id)."),
    status: str | None = typer.Option(None, "--status", help="Received, Refunded or Error."),
    limit: int = typer.Option(100, min=1, max=1000, help="At most this many returns, newest first."),
    as_json: bool = json_option(),
) -> None:
    """List returns with the columns of the Returns page."""
    wanted = _status(status)
    with opened_app() as application:
        store_id = store_service.store_id_named(application.database, store)
        rows = return_service.returns_page(application.database, store_id=store_id, status=wanted, limit=limit)
    if as_json:
        print_json([_return_json(item) for item in rows])
        return
    if not rows:
        console.print("No returns match." if (status or store) else "No returns yet.")
        return
    grid = table(
        "RMA #", "Walmart Order #", "Requested", "Return By", "Items", "Refund amount", "Status", "Status Details",
        ids=("RMA #", "Walmart Order #"),
    )  # fmt: skip
    for item in rows:
        grid.add_row(
            item.return_order_id,
            item.purchase_order_id,
            when(item.requested_at),
            when(item.return_by),
            _items(item),
            money(item.refund_amount),
            item.status.value,
            item.status_details,
        )
    print_table(grid)


@app.command("show")
def show(
    return_order_id: str = typer.Argument(..., help="The RMA number."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this RMA."),
    as_json: bool = json_option(),
) -> None:
    """Show one return: its lines, quantities, reasons and refund state."""
    with opened_app() as application:
        store_id = store_service.store_id_named(application.database, store)
        item = return_service.find_return(application.database, return_order_id, store_id=store_id)
    if as_json:
        print_json(_return_json(item))
        return
    console.print(f"[bold]Return {item.return_order_id}[/bold]  Walmart PO {item.purchase_order_id}")
    console.print(f"Status: [bold]{item.status.value}[/bold]  {item.status_details}")
    console.print(
        f"Requested {when(item.requested_at)}  return by {when(item.return_by)}  "
        f"refund amount {money(item.refund_amount)}" + ("  (refunded by Walmart)" if item.refunded_by_walmart else "")
    )
    lines = table(
        "Return line", "PO line", "SKU", "Quantity", "Reason", "Unit price", "Refunded", ids=("Return line", "SKU")
    )
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
    print_table(lines)


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

    async def action(context: SyncContext, database: Database, store_id: int | None) -> object:
        return await refund_return_through_commerce(
            context, database, return_order_id, store_id=store_id, reason=chosen, return_to_stock=return_to_stock
        )

    def read(database: Database, store_id: int | None) -> Return:
        return return_service.find_return(database, return_order_id, store_id=store_id)

    item = run_for_store(store, action, read, send=send)
    console.print(f"Return {item.return_order_id}: {item.status.value}. {item.status_details}".rstrip())
