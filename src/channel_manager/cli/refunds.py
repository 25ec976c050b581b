"""``channel-manager orders refund``: a refund made as a merchant would, by a credit memo in Commerce."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import typer

from ..domain.errors import DomainError
from ..domain.reasons import RefundReason
from ..service.refunds import refund_through_commerce
from ..storage.unit_of_work import Database
from ..sync.context import SyncContext
from .actions import line_quantities, run_for_order
from .render import console


def _lines(pairs: list[str]) -> dict[str, int]:
    lines = line_quantities(pairs)
    if not lines:
        raise DomainError("Name what to refund with --line LINE:QUANTITY (repeatable).")
    return lines


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not an amount, e.g. 12.50", param_hint="--amount") from None


def refund_command(
    purchase_order_id: str = typer.Argument(..., help="The Walmart purchase order number."),
    line: list[str] = typer.Option([], "--line", help="LINE:QUANTITY of shipped units to refund (repeatable)."),
    amount: str | None = typer.Option(
        None, "--amount", help="Total to refund for those units, tax included (default: what they cost)."
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="Walmart refund reason, e.g. BillingError (default: the store's default reason)."
    ),
    return_to_stock: bool = typer.Option(False, "--return-to-stock", help="Put the units back in stock."),
    store: str | None = typer.Option(None, "--store", help="The store (name or id), when several have this PO."),
    send: bool = typer.Option(True, help="Send it to Walmart now (else the running service sends it)."),
) -> None:
    """Refund shipped units: creates an offline credit memo in Commerce, then refunds at Walmart (the matching
    return when the order has one, else an order refund with the reason)."""
    try:
        chosen = RefundReason.parse(reason) if reason else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--reason") from None
    wanted, total = _lines(line), _amount(amount)

    async def action(context: SyncContext, database: Database, store_id: int | None) -> object:
        return await refund_through_commerce(
            context, database, purchase_order_id, store_id=store_id, lines=wanted, amount=total, reason=chosen,
            return_to_stock=return_to_stock,
        )  # fmt: skip

    order = run_for_order(purchase_order_id, store, action, send=send)
    refund = order.refunds[-1] if order.refunds else None
    done = f" Refund {refund.key}: {refund.total:.2f} {order.currency}, {refund.sync_state.value}." if refund else ""
    console.print(f"PO {purchase_order_id}: {order.status.value}.{done} {order.status_details}".rstrip())
