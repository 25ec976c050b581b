"""The Orders page (status cards, filters, search, sorting, keyset paging, a self-refreshing table), the
order detail, and its actions: Ship, Cancel, Refund (through Commerce first, as the CLI and the API do),
Retry and Resync. Each action first shows what it will send, then sends it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...domain.carriers import WALMART_CARRIERS
from ...domain.reasons import CancellationReason, RefundReason
from ...domain.statuses import OrderStatus
from ...service import commerce_actions
from ...service import orders as order_service
from ...service.refunds import refund_through_commerce
from ...service.resync import resync_order
from ...storage.orders import SORT_KEYS
from ..schemas import CancelIn, RefundIn, ShipIn, detail_out
from ..state import ServiceState, service_state
from .errors import USER_ERRORS, describe
from .rendering import fragment, page, redirect
from .sessions import checked_form, first, require_session
from .store_names import store_names

router = APIRouter(prefix="/console")
PAGE_SIZE = 50
COLUMNS = [
    ("purchase_order_id", "Walmart Order #"), (None, "Commerce Order #"), (None, "Items"),
    ("order_value", "Order Value"), ("ordered_at", "Ordered"), ("ship_by", "Ship By"), (None, "Deliver By"),
    (None, "Ship Method"), ("last_update_at", "Last Update"), (None, "Status"), (None, "Status Details"),
]  # fmt: skip


def _day(text: str, *, end: bool = False) -> datetime | None:
    """A date from the filter (YYYY-MM-DD, UTC); the end of the range includes that whole day."""
    if not text:
        return None
    try:
        day = datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(), tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-12-01.") from None
    return day + timedelta(days=1) if end else day


def _filters(request: Request) -> dict[str, str]:
    query = request.query_params
    keys = ("store", "status", "q", "from", "to", "sort", "order")
    values = {key: query.get(key, "").strip()[:200] for key in keys}
    if values["sort"] not in SORT_KEYS:
        values["sort"] = "ordered_at"
    if values["order"] not in ("asc", "desc"):
        values["order"] = "desc"
    if values["status"] not in {s.value for s in OrderStatus}:
        values["status"] = ""
    return values


def _orders(state: ServiceState, filters: dict[str, str], cursor: str | None) -> dict[str, Any]:
    store_id = int(filters["store"]) if filters["store"].isdigit() else None
    descending = filters["order"] == "desc"
    counts, rows = order_service.orders_page(
        state.database, store_id=store_id, status=OrderStatus(filters["status"]) if filters["status"] else None,
        search=filters["q"] or None, limit=PAGE_SIZE, ordered_from=_day(filters["from"]),
        ordered_to=_day(filters["to"], end=True), sort=filters["sort"], descending=descending, cursor=cursor,
    )  # fmt: skip
    more = len(rows) == PAGE_SIZE
    next_cursor = order_service.encode_cursor(rows[-1], filters["sort"], descending) if rows and more else None
    return {"counts": counts, "rows": rows, "next_cursor": next_cursor, "stores": store_names(state.database)}


def _table_values(request: Request, filters: dict[str, str], found: dict[str, Any]) -> dict[str, Any]:
    def link(**changes: str) -> str:
        merged = {**filters, **changes}
        return "/console/orders?" + urlencode({k: v for k, v in merged.items() if v})

    cursor = request.query_params.get("cursor", "")
    return {
        **found, "filters": filters, "link": link, "columns": COLUMNS, "statuses": list(OrderStatus),
        "cursor": cursor, "refresh_url": "/console/orders/table?" + urlencode(
            {k: v for k, v in {**filters, "cursor": cursor}.items() if v}
        ),
    }  # fmt: skip


@router.get("")
async def home() -> Response:
    return redirect("/console/orders")


@router.get("/orders")
async def orders_page(request: Request) -> Response:
    session = await require_session(request)
    filters = _filters(request)
    state = service_state(request)
    try:
        found = await state.context.run_db(_orders, state, filters, request.query_params.get("cursor") or None)
    except USER_ERRORS as error:
        status, message = describe(error)
        found = {"counts": {}, "rows": [], "next_cursor": None, "stores": {}, "error": message}
        return page(request, "orders.html", session, status_code=status, **_table_values(request, filters, found))
    return page(request, "orders.html", session, **_table_values(request, filters, found))


@router.get("/orders/table")
async def orders_table(request: Request) -> Response:
    """The cards and the table alone: what the Orders page fetches every few seconds."""
    session = await require_session(request)
    filters = _filters(request)
    state = service_state(request)
    found = await state.context.run_db(_orders, state, filters, request.query_params.get("cursor") or None)
    return fragment("orders_table.html", session, **_table_values(request, filters, found))


def _store_of(request: Request) -> int | None:
    text = request.query_params.get("store", "")
    return int(text) if text.isdigit() and int(text) < 2**31 else None


def _detail(state: ServiceState, po: str, store_id: int | None) -> dict[str, Any]:
    detail = detail_out(order_service.order_detail(state.database, po, store_id=store_id))
    return {"detail": detail, "order": detail.order, "stores": store_names(state.database)}


def _order_url(po: str, store_id: int | None) -> str:
    return f"/console/orders/{quote(po, safe='')}" + (f"?store={store_id}" if store_id is not None else "")


def _action_values(order: Any) -> dict[str, Any]:
    intent = any(line.intent_to_cancel for line in order.lines)
    reasons = [
        r
        for r in CancellationReason
        if r.is_seller_reason and (intent or r is not CancellationReason.CUSTOMER_REQUESTED)
    ]
    return {
        "carriers": sorted(WALMART_CARRIERS), "cancel_reasons": reasons, "refund_reasons": list(RefundReason),
        "intent_to_cancel": intent,
    }  # fmt: skip


@router.get("/orders/{po}")
async def order_page(request: Request, po: str) -> Response:
    session = await require_session(request)
    state = service_state(request)
    store_id = _store_of(request)
    try:
        values = await state.context.run_db(_detail, state, po, store_id)
    except USER_ERRORS as error:
        status, message = describe(error)
        return page(request, "error.html", session, status_code=status, title="Order not shown", message=message)
    order = values["order"]
    return page(
        request, "order.html", session, **values, **_action_values(order), store_id=order.store_id,
        live_url=f"/console/orders/{quote(po, safe='')}/live?store={order.store_id}",
    )  # fmt: skip


@router.get("/orders/{po}/live")
async def order_live(request: Request, po: str) -> Response:
    """Status, sync attempts and timeline of the order: what its page refreshes while the sync runs."""
    session = await require_session(request)
    state = service_state(request)
    values = await state.context.run_db(_detail, state, po, _store_of(request))
    return fragment("order_live.html", session, **values)


# ---------------------------------------------------------------------- actions


def _quantities(fields: dict[str, list[str]], prefix: str) -> dict[str, int]:
    """``{line: qty}`` from fields ``<prefix><line>`` (blank or 0 left out)."""
    out: dict[str, int] = {}
    for name, values in fields.items():
        if name.startswith(prefix) and values and values[0].strip():
            line = name.removeprefix(prefix)
            try:
                quantity = int(values[0])
            except ValueError:
                raise ValueError(f"line {line}: {values[0]!r} is not a whole number of units") from None
            if quantity < 0:
                raise ValueError(f"line {line}: a quantity cannot be negative")
            if quantity:
                out[line] = quantity
    return out


def _lines_text(lines: dict[str, int] | None) -> str:
    if not lines:
        return "every open unit"
    return ", ".join(f"line {line} x {qty}" for line, qty in sorted(lines.items()))


def _ship(fields: dict[str, list[str]]) -> tuple[ShipIn, list[str]]:
    override = first(fields, "override_intent_to_cancel") == "on"
    if first(fields, "ship_anyway") == "on":
        summary = [
            "Send the shipment Walmart refused (the buyer asked to cancel) again, with the intent-to-cancel "
            "override: the lines ship although the buyer asked to cancel.",
        ]
        return ShipIn(override_intent_to_cancel=True), summary
    body = ShipIn(
        lines=_quantities(fields, "qty_") or None, carrier=first(fields, "carrier"),
        tracking_number=first(fields, "tracking_number"), tracking_url=first(fields, "tracking_url") or None,
        override_intent_to_cancel=override,
    )  # fmt: skip
    summary = [
        f"Ship {_lines_text(body.lines)} with {body.carrier}, tracking number {body.tracking_number}"
        + (f" ({body.tracking_url})" if body.tracking_url else "")
        + (", although the buyer asked to cancel (override)" if override else "")
        + ".",
        "First a shipment in Commerce; then the shipping update to Walmart (once, retried until it lands).",
    ]
    return body, summary


def _cancel(fields: dict[str, list[str]]) -> tuple[CancelIn, list[str]]:
    whole = first(fields, "scope", "remainder") == "remainder"
    body = CancelIn(reason=first(fields, "reason"), lines=None if whole else (_quantities(fields, "cancel_") or None))
    reason = CancellationReason.parse(body.reason)
    what = "the whole unshipped remainder" if body.lines is None else _lines_text(body.lines)
    summary = [
        f"Cancel {what}, reason {reason.value} ({reason.label}).",
        "First the cancellation in Commerce; then the cancel update to Walmart.",
    ]
    return body, summary


def _refund(fields: dict[str, list[str]]) -> tuple[RefundIn, list[str]]:
    amount_text = first(fields, "amount")
    try:
        amount = Decimal(amount_text) if amount_text else None
    except InvalidOperation:
        raise ValueError(f"amount: {amount_text!r} is not an amount like 12.50") from None
    body = RefundIn(
        lines=_quantities(fields, "refund_"), amount=amount, reason=first(fields, "reason") or None,
        return_to_stock=first(fields, "return_to_stock") == "on",
    )  # fmt: skip
    if not body.lines:
        raise ValueError("name at least one shipped unit to refund")
    summary = [
        f"Refund {_lines_text(body.lines)}"
        + (f", {body.amount} in total (tax included)" if body.amount else " at their paid amounts")
        + (f", reason {body.reason}" if body.reason else ", the store's default refund reason")
        + ".",
        "First a credit memo in Commerce; then the refund to Walmart.",
    ]
    return body, summary


SIMPLE = {
    "retry": ["Run every failed update of this order again now."],
    "resync": ["Read the order again from Walmart and Commerce, record what was missed, and retry what failed."],
}


async def _run(state: ServiceState, action: str, po: str, store_id: int, body: Any, actor: str) -> str:
    context, database = state.context, state.database
    if action == "ship" and body.resends_waiting_shipment:
        chosen = await commerce_actions.ship_waiting_despite_intent(
            context, database, po, store_id=store_id, actor=actor
        )
        done = f"Shipping anyway: {chosen.retried} waiting shipment update(s) sent again with the override."
    elif action == "ship":
        assert body.carrier is not None
        await commerce_actions.ship_through_commerce(
            context, database, po, store_id=store_id, lines=body.lines, carrier=body.carrier,
            tracking_number=body.tracking_number, tracking_url=body.tracking_url,
            override_intent_to_cancel=body.override_intent_to_cancel, actor=actor,
        )  # fmt: skip
        done = "Shipment created in Commerce; the update to Walmart is on its way."
    elif action == "cancel":
        await commerce_actions.cancel_through_commerce(
            context, database, po, store_id=store_id, reason=CancellationReason.parse(body.reason),
            lines=body.lines, actor=actor,
        )  # fmt: skip
        done = "Cancelled in Commerce; the cancellation to Walmart is on its way."
    elif action == "refund":
        await refund_through_commerce(
            context, database, po, store_id=store_id, lines=body.lines, amount=body.amount,
            reason=RefundReason.parse(body.reason) if body.reason else None,
            return_to_stock=body.return_to_stock, actor=actor,
        )  # fmt: skip
        done = "Credit memo created in Commerce; the refund to Walmart is on its way."
    elif action == "retry":
        count = await context.run_db(lambda: order_service.retry_order(database, po, store_id=store_id, actor=actor))
        done = f"Retry requested: {count} failed update(s) run again."
    else:
        await resync_order(context, database, po, store_id=store_id, actor=actor)
        done = "Read again from Walmart and Commerce; what was missed is recorded and failed updates run again."
    context.work_available.set()
    return done


@router.post("/orders/{po}/{action}")
async def order_action(request: Request, po: str, action: str) -> Response:
    session, fields = await checked_form(request, Role.OPERATOR)
    store_text = first(fields, "store")
    store_id = int(store_text) if store_text.isdigit() else None
    url = _order_url(po, store_id)
    if action not in ("ship", "cancel", "refund", "retry", "resync") or store_id is None:
        return redirect(url, f"channel-manager: unknown action {action!r}.", kind="error")
    state = service_state(request)
    try:
        body, summary = (
            _ship(fields) if action == "ship" else _cancel(fields) if action == "cancel"
            else _refund(fields) if action == "refund" else (None, SIMPLE[action])
        )  # fmt: skip
        if first(fields, "step") != "send":
            hidden = [(k, v) for k, values in fields.items() for v in values if k not in ("step", "csrf_token")]
            return page(
                request, "confirm.html", session, title=f"{action.capitalize()} order {po}", summary=summary,
                action_url=f"/console/orders/{quote(po, safe='')}/{action}", hidden=hidden, back_url=url,
            )  # fmt: skip
        done = await _run(state, action, po, store_id, body, f"console:{session.user.name}")
    except USER_ERRORS as error:
        _, message = describe(error)
        return redirect(url, f"{action.capitalize()} refused. {message}", kind="error")
    return redirect(url, done)
