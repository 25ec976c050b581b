"""``/api/stores``: connect (credentials checked live), list, show, change settings, remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import SecretStr

from ...commerce.errors import CommerceError
from ...commerce.webhooks import load_public_key
from ...domain.errors import InvalidStore
from ...domain.secret import Secret
from ...domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from ...service import stores as store_service
from ...walmart.errors import WalmartError
from .. import idempotency, problems
from ..auth import Principal, admin, viewer
from ..problems import ProblemError
from ..schemas import StoreIn, StoreOut, StoreSettingsPatch, store_out
from .common import READ, WRITE, service

router = APIRouter(prefix="/stores", tags=["stores"])
StoreName = Annotated[str, Path(min_length=1, max_length=200, description="The store's name or id.")]


def _secret(value: SecretStr | None) -> Secret | None:
    return None if value is None else Secret(value.get_secret_value())


def _public_key(pem: str | None) -> str | None:
    if pem is None:
        return None
    try:
        load_public_key(pem)
    except ValueError as error:
        raise InvalidStore(f"commerce.webhook_public_key: {error}.") from None
    return pem


def _store(body: StoreIn) -> ChannelStore:
    settings = StoreSettings().updated(**body.settings.changes()) if body.settings else StoreSettings()
    return ChannelStore(
        name=body.name.strip(),
        walmart=WalmartAccount(
            base_url=body.walmart.base_url.rstrip("/"),
            client_id=body.walmart.client_id.strip(),
            client_secret=Secret(body.walmart.client_secret.get_secret_value()),
            webhook_secret=_secret(body.walmart.webhook_secret),
        ),
        commerce=CommerceConnection(
            base_url=body.commerce.base_url.rstrip("/"),
            store_code=body.commerce.store_code,
            access_token=_secret(body.commerce.access_token),
            consumer_key=body.commerce.consumer_key,
            consumer_secret=_secret(body.commerce.consumer_secret),
            access_token_secret=_secret(body.commerce.access_token_secret),
            webhook_secret=_secret(body.commerce.webhook_secret),
            webhook_public_key=_public_key(body.commerce.webhook_public_key),
            module_events_secret=_secret(body.commerce.module_events_secret),
        ),
        settings=settings,
    )


@router.get("", summary="Connected stores (secrets are never returned)", responses=problems.responses(*READ))
async def list_stores(request: Request, _: Principal = Depends(viewer)) -> list[StoreOut]:
    state = service(request)
    return [store_out(s) for s in await state.context.run_db(store_service.list_stores, state.database)]


@router.post(
    "",
    status_code=201,
    summary="Connect a store: the credentials are checked live with Walmart and Commerce first",
    responses=problems.responses(*WRITE),
)
async def add_store(
    request: Request,
    body: StoreIn,
    principal: Principal = Depends(admin),
    key: idempotency.IdempotencyKey = None,
) -> StoreOut:
    state = service(request)

    async def act() -> StoreOut:
        store = _store(body)
        module_installed = False
        if body.verify:
            try:
                module_installed = await store_service.check_credentials(store)
            except WalmartError as error:
                raise ProblemError(
                    422, "Walmart refused the credentials", f"Checking the Walmart credentials failed: {error}",
                    side="walmart", slug="credentials", field="body.walmart",
                ) from None  # fmt: skip
            except CommerceError as error:
                raise ProblemError(
                    422, "Commerce refused the credentials", f"Checking the Commerce credentials failed: {error}",
                    side="commerce", slug="credentials", field="body.commerce",
                ) from None  # fmt: skip
        chosen = body.settings is not None and body.settings.order_creation_path is not None
        store = store_service.with_detected_creation_path(store, module_installed, chosen=chosen)
        shared = body.allow_shared_walmart_account
        saved = await state.context.run_db(
            lambda: store_service.add_store(
                state.database, store, allow_shared_walmart_account=shared, actor=principal.actor
            )
        )
        return store_out(saved)

    return await idempotency.answer(request, principal, key, act, status_code=201)  # type: ignore[return-value]


@router.get("/{store}", summary="One store: its connection and every setting", responses=problems.responses(*READ))
async def show_store(request: Request, store: StoreName, _: Principal = Depends(viewer)) -> StoreOut:
    state = service(request)
    return store_out(await state.context.run_db(store_service.find_store, state.database, store))


@router.patch("/{store}", summary="Change a store's settings", responses=problems.responses(*READ))
async def change_settings(
    request: Request, store: StoreName, body: StoreSettingsPatch, principal: Principal = Depends(admin)
) -> StoreOut:
    state = service(request)
    updated = await state.context.run_db(
        lambda: store_service.update_store_settings(state.database, store, body.changes(), actor=principal.actor)
    )
    if updated.id is not None:
        await state.context.forget_store(updated.id)
    return store_out(updated)


@router.delete("/{store}", summary="Disconnect a store", responses=problems.responses(*READ))
async def remove_store(
    request: Request,
    store: StoreName,
    force: bool = Query(False, description="Also delete its orders, returns and history."),
    principal: Principal = Depends(admin),
) -> StoreOut:
    state = service(request)
    removed = await state.context.run_db(
        lambda: store_service.remove_store(state.database, store, force=force, actor=principal.actor)
    )
    return store_out(removed)
