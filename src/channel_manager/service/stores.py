"""Use cases of channel stores: connect, list, show, change connection and settings, remove, (un)subscribe."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from ..commerce.errors import CommerceError
from ..connections import commerce_client_for, walmart_client_for
from ..domain.errors import InvalidStore
from ..domain.secret import Secret
from ..domain.stores import ChannelStore, OrderCreationPath
from ..storage.errors import DuplicateStore, StoreNotFound, WalmartAccountInUse
from ..storage.unit_of_work import Database, UnitOfWork
from ..walmart.errors import WalmartError
from ..walmart.models import Subscription
from ..walmart.notifications import subscription_auth
from . import audit


def find_store(database: Database, name_or_id: str) -> ChannelStore:
    with database.unit_of_work() as uow:
        store = uow.stores.get_by_name(name_or_id)
        if store is None and name_or_id.isdigit() and int(name_or_id) < 2**31:
            store = uow.stores.get(int(name_or_id))
    if store is None:
        raise StoreNotFound(name_or_id)
    return store


def store_id_named(database: Database, name_or_id: str | None) -> int | None:
    """The id of the store a ``--store``/``store=`` filter names; ``None`` when none is named."""
    return find_store(database, name_or_id).id if name_or_id else None


def _refuse_shared_walmart_account(uow: UnitOfWork, store: ChannelStore) -> None:
    account = store.walmart
    others = [s for s in uow.stores.using_walmart_account(account.base_url, account.client_id) if s.id != store.id]
    if others:
        raise WalmartAccountInUse(store.walmart.client_id, store.walmart.base_url, others[0].name)


def add_store(
    database: Database, store: ChannelStore, *, allow_shared_walmart_account: bool = False, actor: str | None = None
) -> ChannelStore:
    """Saves a new store. One Walmart seller account feeds one store view unless sharing is asked for."""
    store.settings.check_supported()
    with database.unit_of_work() as uow:
        if uow.stores.get_by_name(store.name) is not None:
            raise DuplicateStore(store.name.strip())
        if not allow_shared_walmart_account:
            _refuse_shared_walmart_account(uow, store)
        saved = uow.stores.add(store)
        audit.record(uow, actor, "store.add", saved.name, f"Store {saved.name!r} connected", store_id=saved.id)
        uow.commit()
    return saved


def replace_store(database: Database, store: ChannelStore) -> tuple[ChannelStore, bool]:
    """Saves ``store`` in place of the store of the same name (removed with its orders), in one transaction;
    the saved store, and whether one was replaced."""
    with database.unit_of_work() as uow:
        previous = uow.stores.get_by_name(store.name)
        if previous is not None and previous.id is not None:
            uow.stores.remove(previous.id, force=True)
        saved = uow.stores.add(store)
        uow.commit()
    return saved, previous is not None


def list_stores(database: Database) -> list[ChannelStore]:
    with database.unit_of_work() as uow:
        return uow.stores.list()


def update_store_settings(
    database: Database, name_or_id: str, changes: dict[str, Any], *, actor: str | None = None
) -> ChannelStore:
    store = find_store(database, name_or_id)
    updated = store.with_settings(store.settings.updated(**changes))
    updated.settings.check_supported()
    with database.unit_of_work() as uow:
        uow.stores.update(updated)
        changed = {k: v for k, v in updated.settings.as_dict().items() if store.settings.as_dict().get(k) != v}
        audit.record(
            uow, actor, "store.settings", store.name, f"Settings of store {store.name!r} changed: "
            + (", ".join(sorted(changed)) or "nothing"), store_id=store.id, details={"changed": sorted(changed)},
        )  # fmt: skip
        uow.commit()
    return updated


def remove_store(database: Database, name_or_id: str, *, force: bool = False, actor: str | None = None) -> ChannelStore:
    store = find_store(database, name_or_id)
    assert store.id is not None
    with database.unit_of_work() as uow:
        uow.stores.remove(store.id, force=force)
        audit.record(uow, actor, "store.remove", store.name, f"Store {store.name!r} removed", store_id=store.id)
        uow.commit()
    return store


def webhook_secret(database: Database, store_id: int, source: str) -> tuple[str, Secret | None]:
    """The store's name and its Walmart or Commerce webhook secret, and nothing else of its secrets."""
    with database.unit_of_work(read_only=True) as uow:
        found = uow.stores.webhook_secret(store_id, source)
    if found is None:
        raise StoreNotFound(store_id)
    return found


def _sentence(error: Exception) -> str:
    return str(error).strip().rstrip(".") + "."


async def check_credentials(store: ChannelStore, *, walmart: bool = True, commerce: bool = True) -> bool:
    """One Walmart token call and two Commerce reads (the store views, then ``GET /V1/channel-manager/info``);
    a refusal raises the side's typed error (``WalmartError`` or ``CommerceError``). Whether the companion
    module answered (False when Commerce was not checked)."""
    if walmart:
        async with walmart_client_for(store, max_retries=1, timeout=15.0) as client:
            await client.access_token()
    if not commerce:
        return False
    async with commerce_client_for(store, timeout=15.0) as client:
        await client.check_credentials()
        return await client.module_info() is not None


async def _check_or_refuse(store: ChannelStore, *, walmart: bool = True, commerce: bool = True) -> bool:
    """``check_credentials``, a refusal raised as ``InvalidStore`` naming the side."""
    try:
        return await check_credentials(store, walmart=walmart, commerce=commerce)
    except WalmartError as error:
        message = f"Walmart did not accept the connection details: {_sentence(error)} Nothing was saved."
        raise InvalidStore(message) from None
    except CommerceError as error:
        message = f"Commerce did not accept the connection details: {_sentence(error)} Nothing was saved."
        raise InvalidStore(message) from None


def verify_credentials(store: ChannelStore) -> bool:
    """Checks both sides live (a refusal raises ``InvalidStore`` naming the side); whether the Commerce store
    has the companion module."""
    return asyncio.run(_check_or_refuse(store))


def with_detected_creation_path(store: ChannelStore, module_installed: bool, *, chosen: bool) -> ChannelStore:
    """A new store's order creation path: the operator's choice when given, else ``module`` when the companion
    module answered at ``stores add``, else ``cart`` (``direct`` is never chosen for the operator)."""
    if chosen:
        return store
    path = OrderCreationPath.MODULE if module_installed else OrderCreationPath.CART
    return store.with_settings(store.settings.updated(order_creation_path=path))


def update_store(
    database: Database,
    before: ChannelStore,
    after: ChannelStore,
    *,
    verify: bool = True,
    check_walmart: bool = False,
    check_commerce: bool = False,
    allow_shared_walmart_account: bool = False,
    actor: str | None = None,
) -> ChannelStore:
    """Saves a store's new name, URLs, credentials or settings. Changed connection details (and a side the
    operator gave details of, ``check_*``) are checked live first, each side on its own; a refusal saves
    nothing."""
    after.settings.check_supported()
    walmart_changed = check_walmart or after.walmart != before.walmart
    commerce_changed = check_commerce or after.commerce != before.commerce
    to_module = (
        after.settings.order_creation_path is OrderCreationPath.MODULE
        and before.settings.order_creation_path is not OrderCreationPath.MODULE
    )
    if verify and (walmart_changed or commerce_changed or to_module):
        has_module = asyncio.run(
            _check_or_refuse(after, walmart=walmart_changed, commerce=commerce_changed or to_module)
        )
        if to_module and not has_module:
            raise InvalidStore(
                "Commerce: the Channel Manager module is not installed in this store (GET /V1/channel-manager/info "
                "does not answer), so order_creation_path=module cannot work; install it (docs/commerce-module.md) "
                "or keep the cart path. Nothing was saved."
            )
    with database.unit_of_work() as uow:
        if walmart_changed and not allow_shared_walmart_account:
            _refuse_shared_walmart_account(uow, after)
        uow.stores.update(after)
        changed = [
            label
            for label, differs in (
                ("name", after.name != before.name),
                ("walmart", walmart_changed),
                ("commerce", commerce_changed),
                ("settings", after.settings != before.settings),
            )
            if differs
        ]
        summary = f"Store {before.name!r} changed: " + (", ".join(changed) or "nothing")
        audit.record(uow, actor, "store.update", after.name, summary, store_id=after.id, details={"changed": changed})
        uow.commit()
    return after


# ---------------------------------------------------------------- Walmart notifications

WEBHOOK_PATH = "/webhooks/walmart/{store_id}"
#: Hosts that stand for "your host here" (RFC 2606 and 6761 names): a subscription there can never arrive.
_PLACEHOLDER_HOSTS = ("example.com", "example.net", "example.org", "example", "invalid", "test")


def webhook_url(public_url: str, store: ChannelStore) -> str:
    """``<public_url>/webhooks/walmart/<store id>``; refuses what cannot be a real address Walmart reaches."""
    text = public_url.strip()
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host or any(c in text for c in "<>{} "):
        raise InvalidStore(
            f"--public-url {public_url!r} is not an absolute http(s) address, e.g. https://cm.yourshop.com."
        )
    if any(host == name or host.endswith(f".{name}") for name in _PLACEHOLDER_HOSTS):
        raise InvalidStore(f"--public-url {public_url!r} is a placeholder host; give the address Walmart can reach.")
    if parts.query or parts.fragment:
        raise InvalidStore(f"--public-url {public_url!r} has a query or fragment; give the service's base address.")
    return text.rstrip("/") + WEBHOOK_PATH.format(store_id=store.id)


def _is_ours(subscription: Subscription, store: ChannelStore) -> bool:
    return (subscription.event_url or "").rstrip("/").endswith(WEBHOOK_PATH.format(store_id=store.id))


#: The order events a store subscribes to: new POs, Walmart's auto-cancels, the buyer's requests to cancel.
WALMART_ORDER_EVENTS = ("PO_CREATED", "PO_LINE_AUTOCANCELLED", "INTENT_TO_CANCEL")


@dataclass(frozen=True)
class SubscribeResult:
    url: str
    events: list[str]
    test_message: str
    replaced: list[Subscription]
    secret_generated: bool = False  # the store had no Walmart webhook secret: one was made and stored encrypted


def ensure_walmart_webhook_secret(database: Database, store: ChannelStore, *, actor: str | None = None) -> ChannelStore:
    """The store with a Walmart webhook secret: its own, or a new random one (256 bits), stored encrypted with
    its other secrets and shown nowhere. Walmart signs its deliveries with it (``authDetails.clientSecret``)."""
    if store.walmart.webhook_secret is not None:
        return store
    generated = replace(store, walmart=replace(store.walmart, webhook_secret=Secret(secrets.token_urlsafe(32))))
    with database.unit_of_work() as uow:
        saved = uow.stores.update(generated)
        audit.record(
            uow, actor, "store.webhook_secret", store.name, f"Store {store.name!r}: Walmart webhook secret generated",
            store_id=store.id,
        )  # fmt: skip
        uow.commit()
    return saved


def subscribe_walmart_events(
    database: Database, store: ChannelStore, public_url: str, events: tuple[str, ...], *, actor: str | None = None
) -> SubscribeResult:
    """Points ``events`` at ``<public_url>/webhooks/walmart/<store id>``, with the ``authDetails`` the receiver
    checks (``walmart/notifications.py`` ``subscription_auth``: HMAC-SHA256 with the store's webhook secret in
    ``WM_SEC.SIGNATURE``); a store without a webhook secret gets a generated one first.

    Walmart first sends its test notification there (``POST /v3/webhooks/test``), signed the same way: an
    address that does not answer 2xx (or a receiver that refuses the signature) changes no subscription. The
    store's previous subscriptions to these events are deleted only after every new one exists; if one cannot
    be made, the new ones go again and the old ones stay.
    """
    url = webhook_url(public_url, store)
    generated = store.walmart.webhook_secret is None
    store = ensure_walmart_webhook_secret(database, store, actor=actor)
    secret = store.walmart.webhook_secret
    assert secret is not None

    async def subscribe_all() -> SubscribeResult:
        async with walmart_client_for(store, timeout=15.0) as walmart:
            old = [s for s in await walmart.list_subscriptions() if s.event_type in events and _is_ours(s, store)]
            try:
                auth = subscription_auth(secret.reveal())
                message = await walmart.test_notification(
                    events[0], url, auth_method=auth["authMethod"], client_secret=auth["clientSecret"],
                    auth_header_name=auth["authHeaderName"],
                )  # fmt: skip
            except WalmartError as error:
                raise InvalidStore(
                    f"Walmart could not deliver a test notification to {url}: {_sentence(error)} The "
                    "subscriptions are as they were."
                ) from None
            created: list[Subscription] = []
            try:
                for event in events:
                    made = await walmart.subscribe(
                        event, url, auth_method=auth["authMethod"], client_secret=auth["clientSecret"],
                        auth_header_name=auth["authHeaderName"],
                    )  # fmt: skip
                    created.extend(made)
            except WalmartError:
                for subscription in created:
                    if subscription.subscription_id:
                        with contextlib.suppress(WalmartError):
                            await walmart.delete_subscription(subscription.subscription_id)
                raise
            new_ids = {s.subscription_id for s in created}
            replaced = [s for s in old if s.subscription_id and s.subscription_id not in new_ids]
            for subscription in replaced:
                assert subscription.subscription_id is not None
                await walmart.delete_subscription(subscription.subscription_id)
            return SubscribeResult(url, list(events), message, replaced, generated)

    return asyncio.run(subscribe_all())


def separate_webhook_secrets(database: Database) -> int:
    """Gives every store saved before revision 0003 its own webhook-secret column (re-saving it), so that
    the receivers never decrypt its other secrets. How many stores it did."""
    with database.unit_of_work() as uow:
        ids = uow.stores.ids_without_webhook_secrets()
        for store_id in ids:
            uow.stores.update(uow.stores.require(store_id))
        uow.commit()
    return len(ids)


def unsubscribe_walmart_events(store: ChannelStore) -> list[Subscription]:
    """Deletes the Walmart subscriptions that deliver to this store's webhook; returns them."""

    async def unsubscribe_all() -> list[Subscription]:
        async with walmart_client_for(store, timeout=15.0) as walmart:
            ours = [s for s in await walmart.list_subscriptions() if _is_ours(s, store) and s.subscription_id]
            for subscription in ours:
                assert subscription.subscription_id is not None
                await walmart.delete_subscription(subscription.subscription_id)
            return ours

    return asyncio.run(unsubscribe_all())
