"""The JSON API's bodies, as pydantic models (they are its OpenAPI document), and the conversions from the
domain. Money is a decimal string ("12.50"); times are ISO 8601 in UTC. Secrets are write-only: accepted in
a request, never answered (a store says only whether each is set)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictBool, StrictFloat, StrictInt, model_validator

from ..domain.access import ApiToken, Role
from ..domain.orders import PurchaseOrder
from ..domain.reasons import CancellationReason, RefundReason
from ..domain.returns import Return, ReturnStatus
from ..domain.statuses import OrderStatus
from ..domain.stores import ChannelStore, CustomerMode, OrderCreationPath, OrderNumberSource
from ..domain.sync import SyncState
from ..service.orders import OrderDetail, TimelineEntry
from ..storage.jobs import Job
from ..storage.orders import OrderSummary
from ..storage.stores import settings_to_json

Money = str
SyncStateName = SyncState
JobStateName = Literal["pending", "running", "done", "failed"]


def money(value: Decimal) -> Money:
    return f"{value:.2f}"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


M = TypeVar("M", bound=Model)


def copied(model: type[M], source: object, **computed: Any) -> M:
    """``model`` with each field read from ``source``'s attribute of the same name, except those ``computed``
    (money as a string, an enum's value, nested bodies)."""
    fields = {name: getattr(source, name) for name in model.model_fields if name not in computed}
    return model(**fields, **computed)


class Request(BaseModel):
    """A request body: exactly its fields, each of exactly its type (no "0" for false, no "2" for 2)."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- stores


class StoreSettingsOut(Model):
    import_orders: bool
    order_creation_path: OrderCreationPath
    invoice_on_import: bool
    customer_mode: CustomerMode
    order_number_source: OrderNumberSource
    commerce_store_id: int
    commerce_source_code: str
    cart_payment_method: str = Field(description="Cart path: the store's own offline payment method code.")
    cart_carrier_code: str = Field(description="Cart path: the store's own carrier code.")
    cart_method_code: str = Field(description="Cart path: the store's own shipping method code.")
    carrier_map: dict[str, str] = Field(description="Commerce carrier code or title -> Walmart carrier.")
    default_cancellation_reason: str
    default_refund_reason: str
    push_stock_changes: bool
    order_poll_seconds: float
    commerce_poll_seconds: float
    returns_poll_seconds: float
    reconcile_seconds: float


class StoreSettingsPatch(Request):
    """Only the settings given change (see the README's table of store settings)."""

    import_orders: StrictBool | None = None
    order_creation_path: OrderCreationPath | None = None
    invoice_on_import: StrictBool | None = None
    customer_mode: CustomerMode | None = None
    order_number_source: OrderNumberSource | None = None
    commerce_store_id: StrictInt | None = Field(None, ge=0, le=2**31 - 1)
    commerce_source_code: str | None = Field(None, min_length=1, max_length=100)
    cart_payment_method: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")
    cart_carrier_code: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")
    cart_method_code: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")
    carrier_map: dict[str, str] | None = Field(None, description="Replaces the whole mapping.")
    default_cancellation_reason: str | None = Field(None, min_length=1, max_length=100)
    default_refund_reason: str | None = Field(None, min_length=1, max_length=100)
    push_stock_changes: StrictBool | None = None
    order_poll_seconds: StrictFloat | None = Field(None, gt=0, le=86400)
    commerce_poll_seconds: StrictFloat | None = Field(None, gt=0, le=86400)
    returns_poll_seconds: StrictFloat | None = Field(None, gt=0, le=86400)
    reconcile_seconds: StrictFloat | None = Field(None, gt=0, le=86400 * 7)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, mode="json")


class WalmartAccountOut(Model):
    base_url: str
    client_id: str
    client_secret_set: bool
    webhook_secret_set: bool


class CommerceConnectionOut(Model):
    base_url: str
    store_code: str | None
    auth: Literal["token", "oauth"]
    consumer_key: str | None
    webhook_secret_set: bool
    webhook_public_key_set: bool = Field(description="Adobe Commerce webhooks are verified RSA-SHA256 with it.")
    module_events_secret_set: bool = Field(description="The companion module's signed events are accepted.")


class StoreOut(Model):
    id: int
    name: str
    walmart: WalmartAccountOut
    commerce: CommerceConnectionOut
    settings: StoreSettingsOut
    created_at: datetime | None
    walmart_webhook_url: str = Field(description="Path of this store's Walmart receiver on the webhook listener.")
    commerce_webhook_url: str = Field(description="Path of this store's Commerce receiver on the webhook listener.")


def store_out(store: ChannelStore) -> StoreOut:
    return StoreOut(
        id=store.id or 0,
        name=store.name,
        walmart=WalmartAccountOut(
            base_url=store.walmart.base_url,
            client_id=store.walmart.client_id,
            client_secret_set=bool(store.walmart.client_secret),
            webhook_secret_set=store.walmart.webhook_secret is not None,
        ),
        commerce=CommerceConnectionOut(
            base_url=store.commerce.base_url,
            store_code=store.commerce.store_code,
            auth="oauth" if store.commerce.uses_oauth else "token",
            consumer_key=store.commerce.consumer_key,
            webhook_secret_set=store.commerce.webhook_secret is not None,
            webhook_public_key_set=store.commerce.webhook_public_key is not None,
            module_events_secret_set=store.commerce.module_events_secret is not None,
        ),
        settings=StoreSettingsOut(**settings_to_json(store.settings)),
        created_at=store.created_at,
        walmart_webhook_url=f"/webhooks/walmart/{store.id}",
        commerce_webhook_url=f"/webhooks/commerce/{store.id}",
    )


WALMART_PRODUCTION_URL = "https://marketplace.walmartapis.com"
URL_PATTERN = r"^https?://[^/\s?#]+(/\S*)?$"


class WalmartAccountIn(Request):
    base_url: str = Field(WALMART_PRODUCTION_URL, max_length=500, pattern=URL_PATTERN)
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: SecretStr = Field(min_length=1, max_length=500)
    webhook_secret: SecretStr | None = Field(None, min_length=1, max_length=500)


class CommerceConnectionIn(Request):
    """An integration access token, or the four OAuth 1.0a credentials (consumer key and secret, access
    token and its secret)."""

    base_url: str = Field(max_length=500, pattern=URL_PATTERN)
    store_code: str | None = Field(None, min_length=1, max_length=100)
    access_token: SecretStr | None = Field(None, min_length=1, max_length=500)
    consumer_key: str | None = Field(None, min_length=1, max_length=200)
    consumer_secret: SecretStr | None = Field(None, min_length=1, max_length=500)
    access_token_secret: SecretStr | None = Field(None, min_length=1, max_length=500)
    webhook_secret: SecretStr | None = Field(None, min_length=1, max_length=500)
    webhook_public_key: str | None = Field(
        None, min_length=1, max_length=10000, description="PEM public key Adobe Commerce signs webhooks with."
    )
    module_events_secret: SecretStr | None = Field(None, min_length=1, max_length=500)


class StoreIn(Request):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    walmart: WalmartAccountIn
    commerce: CommerceConnectionIn
    settings: StoreSettingsPatch | None = None
    verify: StrictBool = Field(True, description="Check the credentials live (a Walmart token, one Commerce read).")
    allow_shared_walmart_account: StrictBool = Field(
        False, description="Connect a Walmart account another store already uses (both would take in its orders)."
    )


# ---------------------------------------------------------------- orders


class OrderSummaryOut(Model):
    purchase_order_id: str = Field(description="The Walmart order number (PO).")
    store_id: int
    customer_order_id: str
    commerce_order_id: int | None
    commerce_increment_id: str | None = Field(description="The Commerce order number.")
    items_count: int
    order_value: Money
    currency: str
    ordered_at: datetime
    ship_by: datetime | None
    deliver_by: datetime | None
    ship_method: str
    last_update_at: datetime | None
    status: OrderStatus
    status_details: str


def summary_out(row: OrderSummary) -> OrderSummaryOut:
    return copied(OrderSummaryOut, row, order_value=money(row.order_value))


class OrdersPage(Model):
    counts: dict[str, int] = Field(description="Orders per status (the status cards), for the store filter only.")
    orders: list[OrderSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class QuantitiesOut(Model):
    ordered: int
    created: int
    acknowledged: int
    shipped: int
    cancelled: int
    returned: int
    refunded: int
    open: int


class LineOut(Model):
    line_number: str
    sku: str
    product_name: str
    quantities: QuantitiesOut
    unit_price: Money
    unit_tax: Money
    shipping_charge: Money
    refunded_amount: Money
    commerce_item_id: int | None
    intent_to_cancel: bool = Field(description="The buyer asked Walmart to cancel this line (intentToCancel).")
    intent_to_cancel_override: bool = Field(
        description="The merchant chose to ship it anyway: its shipments carry Walmart's intentToCancelOverride."
    )


class LineQuantityOut(Model):
    line_number: str
    quantity: int


class ShipmentOut(Model):
    key: str
    lines: list[LineQuantityOut]
    carrier: str
    is_walmart_carrier: bool
    method_code: str
    tracking_number: str
    tracking_url: str | None
    shipped_at: datetime
    commerce_shipment_id: int | None
    sync_state: SyncStateName


class CancellationOut(Model):
    key: str
    lines: list[LineQuantityOut]
    reason: str
    reason_source: str
    started_by: str
    created_at: datetime
    sync_state: SyncStateName


class RefundLineOut(Model):
    line_number: str
    quantity: int
    amount: Money
    tax: Money


class RefundOut(Model):
    key: str
    lines: list[RefundLineOut]
    total: Money
    reason: str
    created_at: datetime
    return_order_id: str | None
    commerce_credit_memo_id: int | None
    sync_state: SyncStateName


class AddressOut(Model):
    name: str
    address1: str
    address2: str | None
    city: str
    state: str
    postal_code: str
    country: str
    phone: str | None


class ProblemOut(Model):
    side: str
    action: str
    message: str
    next_step: str
    occurred_at: datetime
    code: str | None


class OrderOut(Model):
    purchase_order_id: str
    store_id: int
    customer_order_id: str
    customer_email: str
    commerce_order_id: int | None
    commerce_increment_id: str | None
    status: OrderStatus
    status_details: str
    ordered_at: datetime
    ship_by: datetime | None
    deliver_by: datetime | None
    ship_method: str
    currency: str
    order_value: Money
    acknowledged_at: datetime | None
    last_update_at: datetime | None
    return_requested: bool
    shipping_address: AddressOut | None
    problem: ProblemOut | None
    lines: list[LineOut]
    shipments: list[ShipmentOut]
    cancellations: list[CancellationOut]
    refunds: list[RefundOut]


def order_out(order: PurchaseOrder) -> OrderOut:
    address = order.shipping_address
    problem = order.problem
    return copied(
        OrderOut,
        order,
        order_value=money(order.value),
        shipping_address=None if address is None else copied(AddressOut, address),
        problem=None if problem is None else copied(ProblemOut, problem, side=problem.side.value),
        lines=[
            copied(
                LineOut,
                line,
                quantities=copied(QuantitiesOut, line.quantities),
                unit_price=money(line.unit_price),
                unit_tax=money(line.unit_tax),
                shipping_charge=money(line.shipping_charge),
                refunded_amount=money(line.refunded_amount),
            )
            for line in order.lines
        ],
        shipments=[
            copied(
                ShipmentOut,
                s,
                lines=[copied(LineQuantityOut, sl) for sl in s.lines],
                carrier=s.carrier.name,
                is_walmart_carrier=s.carrier.is_walmart_carrier,
            )
            for s in order.shipments
        ],
        cancellations=[
            copied(
                CancellationOut,
                c,
                lines=[copied(LineQuantityOut, cl) for cl in c.lines],
                reason=c.reason.value,
                reason_source=c.reason_source.name.lower(),
                started_by=c.started_by.value,
            )
            for c in order.cancellations
        ],
        refunds=[
            copied(
                RefundOut,
                r,
                lines=[copied(RefundLineOut, rl, amount=money(rl.amount), tax=money(rl.tax)) for rl in r.lines],
                total=money(r.total),
                reason=r.reason.value,
            )
            for r in order.refunds
        ],
    )


class TimelineEntryOut(Model):
    at: datetime
    kind: str
    message: str
    actor: str | None = Field(description="Who made the change (`token:NAME`, `cli:USER`); null for the sync's own.")


def timeline_out(entry: TimelineEntry) -> TimelineEntryOut:
    return copied(TimelineEntryOut, entry)


class AttemptOut(Model):
    started_at: datetime
    side: Literal["Walmart", "Commerce"]
    method: str
    endpoint: str
    path: str
    http_status: int | None
    error_code: str | None
    error_message: str | None
    correlation_id: str | None
    duration_ms: int
    job_id: int | None


def attempt_out(attempt: Any) -> AttemptOut:
    side = "Walmart" if str(getattr(attempt.side, "value", attempt.side)) == "Walmart" else "Commerce"
    return copied(AttemptOut, attempt, side=side)


# ---------------------------------------------------------------- returns


class ReturnLineOut(Model):
    return_line_number: int
    line_number: str
    sku: str
    quantity: int
    reason: str
    unit_amount: Money
    unit_tax: Money
    refunded_quantity: int


class ReturnOut(Model):
    return_order_id: str = Field(description="The RMA number.")
    store_id: int
    purchase_order_id: str
    customer_order_id: str
    requested_at: datetime
    return_by: datetime | None
    status: ReturnStatus
    status_details: str
    refunded_by_walmart: bool
    refund_amount: Money
    lines: list[ReturnLineOut]


def return_out(item: Return) -> ReturnOut:
    return copied(
        ReturnOut,
        item,
        refund_amount=money(item.refund_amount),
        lines=[
            copied(ReturnLineOut, line, unit_amount=money(line.unit_amount), unit_tax=money(line.unit_tax))
            for line in item.lines
        ],
    )


class OrderDetailOut(Model):
    order: OrderOut
    returns: list[ReturnOut]
    timeline: list[TimelineEntryOut] = Field(description="Oldest first; changes people made name their actor.")
    attempts: list[AttemptOut] = Field(description="Every call made to Walmart or Commerce for the order.")


def detail_out(detail: OrderDetail) -> OrderDetailOut:
    return OrderDetailOut(
        order=order_out(detail.order),
        returns=[return_out(r) for r in detail.returns],
        timeline=[timeline_out(e) for e in detail.timeline],
        attempts=[attempt_out(a) for a in detail.attempts],
    )


# ---------------------------------------------------------------- actions


class ShipIn(Request):
    lines: dict[str, StrictInt] | None = Field(
        None, description="PO line number -> quantity to ship; omitted: every open quantity."
    )
    carrier: str | None = Field(
        None, min_length=1, max_length=100,
        description="A Walmart carrier (UPS, USPS, FedEx...) or another; required unless only "
        "override_intent_to_cancel is given.",
    )  # fmt: skip
    tracking_number: str | None = Field(None, min_length=1, max_length=100)
    tracking_url: str | None = Field(None, max_length=1000, description="Required for a carrier Walmart does not know.")
    override_intent_to_cancel: StrictBool = Field(
        False,
        description="Ship lines the buyer asked to cancel, on purpose (Walmart's intentToCancelOverride). Alone "
        "(no carrier, tracking or lines): the shipment Walmart refused for them is sent again with the override.",
    )

    @property
    def resends_waiting_shipment(self) -> bool:
        nothing_new = self.carrier is None and self.tracking_number is None and not self.lines
        return self.override_intent_to_cancel and nothing_new

    @model_validator(mode="after")
    def _carrier_and_tracking(self) -> ShipIn:
        if not self.resends_waiting_shipment and (self.carrier is None or self.tracking_number is None):
            raise ValueError(
                "carrier and tracking_number are required (only override_intent_to_cancel: true alone sends the "
                "shipment Walmart refused because the buyer asked to cancel again)"
            )
        return self


#: What a cancel's and a refund's ``reason`` may be (the names the CLI takes, or Walmart's codes).
CancelReasonName = Literal[  # type: ignore[valid-type]
    tuple(
        sorted(
            {r.name.lower() for r in CancellationReason if r.is_seller_reason}
            | {r.value for r in CancellationReason if r.is_seller_reason}
        )
    )
]
RefundReasonName = Literal[tuple(sorted({r.value for r in RefundReason} | {r.name.lower() for r in RefundReason}))]  # type: ignore[valid-type]


class CancelIn(Request):
    reason: CancelReasonName = Field(  # type: ignore[valid-type]
        description="out_of_stock, pricing_error, fraud_stop_shipment, address_not_serviceable or customer_requested "
        "(the last only for an order the buyer asked to cancel), or Walmart's code.",
    )
    lines: dict[str, StrictInt] | None = Field(
        None, description="PO line number -> quantity to cancel; omitted: the whole unshipped remainder."
    )


class RefundIn(Request):
    lines: dict[str, StrictInt] = Field(description="PO line number -> shipped units to refund.")
    amount: Decimal | None = Field(
        None, gt=0, max_digits=12, decimal_places=2, description="Total to refund for them, tax included."
    )
    reason: RefundReasonName | None = Field(None, description="A Walmart refund reason.")  # type: ignore[valid-type]
    return_to_stock: StrictBool = False


class ReturnRefundIn(Request):
    reason: RefundReasonName | None = Field(None, description="A Walmart refund reason.")  # type: ignore[valid-type]
    return_to_stock: StrictBool = False


class OrderActionOut(Model):
    order: OrderOut
    retried_jobs: int | None = Field(None, description="For retry and resync: how many failed updates run again.")


# ---------------------------------------------------------------- jobs


class JobOut(Model):
    id: int
    store_id: int
    order_id: int | None
    kind: str
    state: JobStateName
    attempts: int
    max_attempts: int
    run_after: datetime
    last_error: str | None
    waiting_on: str | None = Field(
        None,
        description="Walmart or Commerce: its last try got no answer (or a 5xx) from that side; it runs at that "
        "side's first answer, even if it had given up.",
    )
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def job_out(job: Job) -> JobOut:
    return copied(JobOut, job, state=job.state.value)


class JobsPageOut(Model):
    counts: dict[str, int]
    jobs: list[JobOut]


# ---------------------------------------------------------------- tokens


class TokenOut(Model):
    id: int
    name: str
    role: Role
    hint: str = Field(description="The token's first characters, to tell tokens apart.")
    active: bool
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None


def token_out(token: ApiToken) -> TokenOut:
    return copied(TokenOut, token)


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, stored only as a hash.")


class TokenIn(Request):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class AuditEventOut(Model):
    at: datetime
    actor: str
    action: str
    target: str
    store_id: int | None
    order_id: int | None
    details: dict[str, Any]
