"""A store's name, URLs and credentials from its page (admins), as ``channel-manager stores set`` changes them:
a secret left blank stays as it is, a new Walmart client id needs its secret, and changed connection details
are checked live with the side they belong to before anything is saved (the refusal names that side)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...commerce.webhooks import load_public_key
from ...domain.access import Role
from ...domain.secret import Secret
from ...domain.stores import ChannelStore
from ...service import stores as store_service
from ..state import service_state
from .errors import USER_ERRORS, describe
from .rendering import redirect
from .sessions import checked_form, first

router = APIRouter(prefix="/console/stores")


def _secret(fields: dict[str, list[str]], name: str) -> Secret | None:
    value = (fields.get(name) or [""])[0]  # a secret keeps its spaces; blank means "keep the one saved"
    return Secret(value) if value else None


def changed_store(found: ChannelStore, fields: dict[str, list[str]]) -> tuple[ChannelStore, bool, bool]:
    """The store as the form would have it, and whether Walmart / Commerce details were given anew."""
    client_id = first(fields, "walmart_client_id") or found.walmart.client_id
    client_secret = _secret(fields, "walmart_client_secret")
    if client_id != found.walmart.client_id and client_secret is None:
        raise ValueError("a new Walmart client id needs its client secret (the saved one is the old id's)")
    walmart = replace(
        found.walmart,
        base_url=(first(fields, "walmart_base_url") or found.walmart.base_url).rstrip("/"),
        client_id=client_id,
        client_secret=client_secret or found.walmart.client_secret,
        webhook_secret=_secret(fields, "walmart_webhook_secret") or found.walmart.webhook_secret,
    )
    code = first(fields, "commerce_store_code")
    public_key = first(fields, "commerce_webhook_public_key")
    if public_key:
        load_public_key(public_key)  # a ValueError that names what is wrong with it
    old = found.commerce
    commerce = replace(
        old,
        base_url=(first(fields, "commerce_base_url") or old.base_url).rstrip("/"),
        store_code=None if code in ("", "default") else code,
        access_token=_secret(fields, "commerce_access_token") or old.access_token,
        consumer_key=first(fields, "commerce_consumer_key") or old.consumer_key,
        consumer_secret=_secret(fields, "commerce_consumer_secret") or old.consumer_secret,
        access_token_secret=_secret(fields, "commerce_access_token_secret") or old.access_token_secret,
        webhook_secret=_secret(fields, "commerce_webhook_secret") or old.webhook_secret,
        webhook_public_key=public_key or old.webhook_public_key,
        module_events_secret=_secret(fields, "commerce_module_events_secret") or old.module_events_secret,
    )
    after = replace(found, name=first(fields, "name") or found.name, walmart=walmart, commerce=commerce)
    credentials = ("commerce_access_token", "commerce_consumer_secret", "commerce_access_token_secret")
    commerce_given = any(_secret(fields, name) is not None for name in credentials) or (
        commerce.consumer_key != old.consumer_key
    )
    return after, client_secret is not None, commerce_given


@router.post("/{store_id}/connection")
async def save_connection(request: Request, store_id: int) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    url = f"/console/stores/{store_id}"

    def save() -> ChannelStore:
        found = store_service.find_store(state.database, str(store_id))
        after, walmart_given, commerce_given = changed_store(found, fields)
        return store_service.update_store(
            state.database, found, after, check_walmart=walmart_given, check_commerce=commerce_given,
            allow_shared_walmart_account=first(fields, "allow_shared_walmart_account") == "on",
            actor=f"console:{session.user.name}",
        )  # fmt: skip

    try:
        saved = await state.context.run_db(save)
    except USER_ERRORS as error:
        return redirect(url, f"Connection not changed. {describe(error)[1]}", kind="error")
    if saved.id is not None:
        await state.context.forget_store(saved.id)
    return redirect(url, f"Store {saved.name!r} saved; changed connection details were checked live first.")
