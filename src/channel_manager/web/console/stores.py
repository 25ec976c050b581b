"""The Stores page: every store with its connection state, last successful polls and order counts;
Connect a store (its credentials checked live, naming the side that refused), settings, disconnect."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from ...domain.access import Role
from ...domain.reasons import CancellationReason, RefundReason
from ...domain.stores import StoreSettings
from ...service import console_overview, health
from ...service import stores as store_service
from ..api.stores import _store as store_from_request
from ..schemas import StoreIn, StoreSettingsPatch, store_out
from ..state import ServiceState, service_state
from .errors import USER_ERRORS, describe
from .rendering import page, redirect
from .sessions import checked_form, first, require_session
from .settings_help import SETTINGS_HELP

router = APIRouter(prefix="/console/stores")


def _overview(state: ServiceState) -> dict[str, Any]:
    stores = [store_out(s) for s in store_service.list_stores(state.database)]
    report = health.health_report(state.context, require_workers=False)
    return {
        "stores": stores,
        "counts": console_overview.order_counts_by_store(state.database),
        "polls": {s.store_id: s for s in report.stores},
    }


@router.get("")
async def stores_page(request: Request) -> Response:
    session = await require_session(request)
    state = service_state(request)
    values = await state.context.run_db(_overview, state)
    return page(request, "stores.html", session, **values)


def _setting_fields(settings: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in settings.items():
        kind = "bool" if isinstance(value, bool) else "number" if isinstance(value, int | float) else "text"
        choices: list[str] = []
        if name == "default_cancellation_reason":
            choices = [r.value for r in CancellationReason if r.is_seller_reason]
        elif name == "default_refund_reason":
            choices = [r.value for r in RefundReason]
        elif name in ("order_creation_path", "customer_mode", "order_number_source"):
            choices = {"order_creation_path": ["direct", "cart"], "customer_mode": ["guest", "account"],
                       "order_number_source": ["commerce", "walmart"]}[name]  # fmt: skip
        if name == "carrier_map":
            kind, value = "carriers", "\n".join(f"{k} = {v}" for k, v in value.items())
        out.append({"name": name, "value": value, "kind": kind, "choices": choices, "help": SETTINGS_HELP[name]})
    return out


def _settings_changes(fields: dict[str, list[str]], *, partial: bool) -> dict[str, Any]:
    """The settings of a form, typed as the API takes them (and validated by the same model)."""
    defaults = StoreSettings().as_dict()
    raw: dict[str, Any] = {}
    for name, default in defaults.items():
        if isinstance(default, bool):
            raw[name] = first(fields, name) == "on"
        elif name not in fields:
            continue
        elif name == "carrier_map":
            mapping: dict[str, str] = {}
            for line in first(fields, name).splitlines():
                if line.strip():
                    key, sep, value = line.partition("=")
                    if not sep or not key.strip() or not value.strip():
                        raise ValueError(f"carrier map: {line.strip()!r} is not 'Commerce carrier = Walmart carrier'")
                    mapping[key.strip()] = value.strip()
            raw[name] = mapping
        elif isinstance(default, int | float):
            text = first(fields, name)
            raw[name] = (int(text) if isinstance(default, int) else float(text)) if text else default
        else:
            raw[name] = first(fields, name)
    patch = StoreSettingsPatch.model_validate(json.loads(json.dumps(raw)))
    return patch.changes()


@router.get("/new")
async def connect_form(request: Request) -> Response:
    session = await require_session(request, Role.ADMIN)
    return page(
        request,
        "store_connect.html",
        session,
        values={},
        error=None,
        settings=_setting_fields(StoreSettings().as_dict()),
    )


@router.post("/new")
async def connect(request: Request) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    values = {
        k: first(fields, k)
        for k in ("name", "walmart_base_url", "walmart_client_id", "commerce_base_url", "commerce_store_code")
    }
    try:
        body = StoreIn.model_validate({
            "name": first(fields, "name"),
            "walmart": {
                "base_url": first(fields, "walmart_base_url") or "https://marketplace.walmartapis.com",
                "client_id": first(fields, "walmart_client_id"),
                "client_secret": first(fields, "walmart_client_secret"),
                "webhook_secret": first(fields, "walmart_webhook_secret") or None,
            },
            "commerce": {
                "base_url": first(fields, "commerce_base_url"),
                "store_code": first(fields, "commerce_store_code") or None,
                "access_token": first(fields, "commerce_access_token") or None,
                "webhook_secret": first(fields, "commerce_webhook_secret") or None,
            },
            "settings": _settings_changes(fields, partial=False),
            "allow_shared_walmart_account": first(fields, "allow_shared_walmart_account") == "on",
        })  # fmt: skip
        store = store_from_request(body)
        await store_service.check_credentials(store)
        saved = await state.context.run_db(
            lambda: store_service.add_store(
                state.database, store, allow_shared_walmart_account=body.allow_shared_walmart_account,
                actor=f"console:{session.user.name}",
            )
        )  # fmt: skip
    except (*USER_ERRORS, ValidationError) as error:
        status, message = describe(error)
        return page(
            request, "store_connect.html", session, status_code=status, values=values,
            error=f"The store was not connected. {message}", settings=_setting_fields(StoreSettings().as_dict()),
        )  # fmt: skip
    return redirect("/console/stores", f"Store {saved.name!r} connected: Walmart and Commerce both answered.")


@router.get("/{store_id}")
async def settings_page(request: Request, store_id: int) -> Response:
    session = await require_session(request)
    state = service_state(request)
    try:
        store = await state.context.run_db(store_service.find_store, state.database, str(store_id))
    except USER_ERRORS as error:
        status, message = describe(error)
        return page(request, "error.html", session, status_code=status, title="Store not shown", message=message)
    out = store_out(store)
    return page(request, "store_settings.html", session, store=out, settings=_setting_fields(out.settings.model_dump()))


@router.post("/{store_id}/settings")
async def save_settings(request: Request, store_id: int) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    url = f"/console/stores/{store_id}"
    try:
        changes = _settings_changes(fields, partial=True)
        updated = await state.context.run_db(
            lambda: store_service.update_store_settings(
                state.database, str(store_id), changes, actor=f"console:{session.user.name}"
            )
        )
    except (*USER_ERRORS, ValidationError) as error:
        return redirect(url, f"Settings not saved. {describe(error)[1]}", kind="error")
    if updated.id is not None:
        await state.context.forget_store(updated.id)
    return redirect(url, "Settings saved; the running service uses them from its next poll.")


@router.post("/{store_id}/disconnect")
async def disconnect(request: Request, store_id: int) -> Response:
    session, fields = await checked_form(request, Role.ADMIN)
    state = service_state(request)
    force = first(fields, "force") == "on"
    try:
        removed = await state.context.run_db(
            lambda: store_service.remove_store(
                state.database, str(store_id), force=force, actor=f"console:{session.user.name}"
            )
        )
    except USER_ERRORS as error:
        return redirect(f"/console/stores/{store_id}", f"Not disconnected. {describe(error)[1]}", kind="error")
    return redirect("/console/stores", f"Store {removed.name!r} disconnected.")
