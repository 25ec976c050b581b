"""A channel store: one Walmart seller account linked to one Commerce store view, with its settings."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from .carriers import DEFAULT_COMMERCE_CARRIER_MAP, walmart_carrier_named
from .errors import InvalidStore
from .reasons import CancellationReason, RefundReason
from .secret import Secret


class OrderCreationPath(StrEnum):
    """How a Walmart PO becomes a Commerce order."""

    MODULE = "module"  # the companion module's route: a quote with Walmart's prices, totals, reservations, events
    CART = "cart"  # cart/checkout flow with the store's own offline methods: catalog prices, reserves stock
    DIRECT = "direct"  # order save with Walmart's prices verbatim: no reservation, no totals, no side effects


#: What each creation path means for the merchant (``stores show``, docs/commerce-module.md).
CREATION_PATH_CONSEQUENCES = {
    OrderCreationPath.MODULE: "companion module route: Walmart prices, Commerce totals, stock reserved, events",
    OrderCreationPath.CART: (
        "cart checkout with the store's own offline payment method and carrier: Commerce's catalog prices "
        "(not Walmart's), stock reserved, guest orders with Commerce's order numbers"
    ),
    OrderCreationPath.DIRECT: (
        "direct order save (explicit choice): Walmart prices kept, but on a real store NO stock reservation, "
        "no totals collection and no order events (NOTES §7B); stock pushes subtract these orders' open units"
    ),
}


class CustomerMode(StrEnum):
    GUEST = "guest"
    ACCOUNT = "account"


class OrderNumberSource(StrEnum):
    COMMERCE = "commerce"  # Commerce's own increment id
    WALMART = "walmart"  # the Walmart PO number


@dataclass(frozen=True)
class StoreSettings:
    """Per-store behaviour. Defaults are what a new merchant would expect."""

    import_orders: bool = True
    order_creation_path: OrderCreationPath = OrderCreationPath.MODULE
    invoice_on_import: bool = True
    customer_mode: CustomerMode = CustomerMode.GUEST
    order_number_source: OrderNumberSource = OrderNumberSource.COMMERCE
    commerce_store_id: int = 1
    commerce_source_code: str = "default"
    #: Cart path only: the store's own offline payment method and carrier/method codes.
    cart_payment_method: str = "checkmo"
    cart_carrier_code: str = "flatrate"
    cart_method_code: str = "flatrate"
    #: Commerce carrier code or title (case-insensitive) -> Walmart carrier name.
    carrier_map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COMMERCE_CARRIER_MAP))
    default_cancellation_reason: CancellationReason = CancellationReason.OUT_OF_STOCK
    default_refund_reason: RefundReason = RefundReason.CUSTOMER_RETURNED_ITEM
    push_stock_changes: bool = False
    order_poll_seconds: float = 5.0
    commerce_poll_seconds: float = 5.0
    returns_poll_seconds: float = 60.0
    reconcile_seconds: float = 900.0

    def __post_init__(self) -> None:
        for name in ("order_poll_seconds", "commerce_poll_seconds", "returns_poll_seconds", "reconcile_seconds"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise InvalidStore(f"Setting {name} must be a positive number of seconds.")
        if not isinstance(self.carrier_map, dict):
            raise InvalidStore("The carrier mapping must map Commerce carrier names to Walmart carrier names.")
        for commerce_carrier, walmart_carrier in self.carrier_map.items():
            if walmart_carrier_named(walmart_carrier) is None:
                raise InvalidStore(
                    f"Carrier mapping {commerce_carrier!r} -> {walmart_carrier!r}: {walmart_carrier!r} is not "
                    "one of Walmart's carriers."
                )

    def unsupported(self) -> list[str]:
        """Why these settings cannot work together (empty when they can); said by ``stores set``/``stores add``."""
        reasons = []
        module = self.order_creation_path is OrderCreationPath.MODULE
        if self.order_number_source is OrderNumberSource.WALMART and not module:
            reasons.append(
                f"order_number_source=walmart needs order_creation_path=module: the {self.order_creation_path.value} "
                "path cannot choose the Commerce order's increment id (Commerce numbers the order itself)"
            )
        if self.customer_mode is CustomerMode.ACCOUNT and not module:
            reasons.append(
                f"customer_mode=account needs order_creation_path=module: the {self.order_creation_path.value} "
                "path places guest orders only"
            )
        return reasons

    def check_supported(self) -> None:
        reasons = self.unsupported()
        if reasons:
            raise InvalidStore("; ".join(reasons) + ".")

    def walmart_carrier_for(self, commerce_carrier: str) -> str | None:
        """The Walmart carrier a Commerce carrier code or title maps to, if any."""
        folded = commerce_carrier.strip().casefold()
        for key, value in self.carrier_map.items():
            if key.casefold() == folded:
                return walmart_carrier_named(value)
        return walmart_carrier_named(commerce_carrier)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = dict(value) if isinstance(value, dict) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoreSettings:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InvalidStore(f"Unknown store setting(s): {', '.join(sorted(unknown))}.")
        converted = dict(data)
        converters: dict[str, Any] = {
            "order_creation_path": OrderCreationPath,
            "customer_mode": CustomerMode,
            "order_number_source": OrderNumberSource,
            "default_cancellation_reason": CancellationReason.parse,
            "default_refund_reason": RefundReason.parse,
        }
        try:
            for name, convert in converters.items():
                if name in converted:
                    converted[name] = convert(str(converted[name]))
        except ValueError as exc:
            raise InvalidStore(str(exc)) from exc
        return cls(**converted)

    def updated(self, **changes: Any) -> StoreSettings:
        merged = {**self.as_dict(), **changes}
        return StoreSettings.from_dict(merged)


@dataclass(frozen=True)
class WalmartAccount:
    base_url: str
    client_id: str
    client_secret: Secret
    #: Shared secret Walmart signs webhook deliveries with (HMAC); None when webhooks are not used.
    webhook_secret: Secret | None = None


@dataclass(frozen=True)
class CommerceConnection:
    """A Commerce store view reached over REST, with an integration token or OAuth 1.0a credentials."""

    base_url: str
    store_code: str | None = None
    access_token: Secret | None = None
    consumer_key: str | None = None
    consumer_secret: Secret | None = None
    access_token_secret: Secret | None = None
    #: Shared secret the store signs its webhook calls with (the HMAC form); None when Commerce is polled only.
    webhook_secret: Secret | None = None
    #: PEM public key of the Adobe Commerce webhook signing key pair (RSA-SHA256); public, kept with the secrets.
    webhook_public_key: str | None = None
    #: The companion module's ``channel_manager/events/secret`` (HMAC of "<timestamp>.<body>").
    module_events_secret: Secret | None = None

    @property
    def uses_oauth(self) -> bool:
        return self.consumer_key is not None


@dataclass(frozen=True)
class ChannelStore:
    name: str
    walmart: WalmartAccount
    commerce: CommerceConnection
    settings: StoreSettings = field(default_factory=StoreSettings)
    id: int | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        validate_store(self)

    def with_settings(self, settings: StoreSettings) -> ChannelStore:
        return replace(self, settings=settings)


def _check_url(label: str, url: str) -> None:
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 literal)
        hostname = None
    if hostname is None or parts.scheme not in {"http", "https"}:
        raise InvalidStore(f"{label} {url!r} is not a web address; expected something like https://host.example.")


def validate_store(store: ChannelStore) -> None:
    if not store.name.strip():
        raise InvalidStore("A store needs a name.")
    _check_url("Walmart API URL", store.walmart.base_url)
    _check_url("Commerce URL", store.commerce.base_url)
    if not store.walmart.client_id.strip():
        raise InvalidStore("Walmart client id is missing.")
    if not store.walmart.client_secret:
        raise InvalidStore("Walmart client secret is missing.")
    commerce = store.commerce
    if commerce.uses_oauth:
        missing = [
            label
            for label, value in (
                ("consumer secret", commerce.consumer_secret),
                ("access token", commerce.access_token),
                ("access token secret", commerce.access_token_secret),
            )
            if not value
        ]
        if missing:
            raise InvalidStore(f"Commerce OAuth credentials are incomplete: {', '.join(missing)} missing.")
    elif not commerce.access_token:
        raise InvalidStore("Commerce integration access token is missing.")
