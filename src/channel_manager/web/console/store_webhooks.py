"""A store's Walmart webhook subscriptions from its page (admins), as ``channel-manager stores subscribe`` and
``stores unsubscribe`` do: Walmart's test notification first, then the subscriptions; or their removal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...domain.access import Role
from ...service import stores as store_service
from ..state import service_state
from .errors import USER_ERRORS, describe
from .rendering import redirect
from .sessions import checked_form, first

router = APIRouter(prefix="/console/stores")


@router.post("/{store_id}/subscribe")
async def subscribe(request: Request, store_id: int) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    url = f"/console/stores/{store_id}"
    public_url = first(fields, "public_url")

    def run() -> store_service.SubscribeResult:
        found = store_service.find_store(state.database, str(store_id))
        return store_service.subscribe_walmart_events(
            state.database, found, public_url, store_service.WALMART_ORDER_EVENTS, actor=f"console:{session.user.name}"
        )

    try:
        result = await state.context.run_db(run)
    except USER_ERRORS as error:
        return redirect(url, f"Not subscribed. {describe(error)[1]}", kind="error")
    replaced = f" Replaced {len(result.replaced)} older subscription(s)." if result.replaced else ""
    if result.secret_generated:
        replaced += " The store had no Walmart webhook secret: one was generated and stored encrypted."
    return redirect(
        url, f"Walmart's test notification reached {result.url}; subscribed to {', '.join(result.events)}.{replaced}"
    )


@router.post("/{store_id}/unsubscribe")
async def unsubscribe(request: Request, store_id: int) -> Response:
    await checked_form(request, Role.ADMIN)
    state = service_state(request)
    url = f"/console/stores/{store_id}"

    def run() -> list[str]:
        found = store_service.find_store(state.database, str(store_id))
        return [s.event_type for s in store_service.unsubscribe_walmart_events(found)]

    try:
        removed = await state.context.run_db(run)
    except USER_ERRORS as error:
        return redirect(url, f"Not unsubscribed. {describe(error)[1]}", kind="error")
    if not removed:
        return redirect(url, "This store has no Walmart subscriptions to its webhook.")
    return redirect(url, f"Deleted the Walmart subscriptions of {', '.join(removed)} (polling goes on).")
