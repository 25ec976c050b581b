"""The JSON API's bodies, as pydantic models (they are its OpenAPI document), and the conversions from the
domain. Money is a decimal string ("12.50"); times are ISO 8601 in UTC. Secrets are write-only: accepted in
a request, never answered (a store says only whether each is set)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictBool, StrictFloat, StrictInt

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


class StoreIn(Request):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    walmart: WalmartAccountIn
    commerce: CommerceConnectionIn
    settings: StoreSettingsPatch | None = None
    verify: StrictBool = Field(True, description="Check the credentials live (a Walmart token, one Commerce read).")


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
    return OrderSummaryOut(
        purchase_order_id=row.purchase_order_id,
        store_id=row.store_id,
        customer_order_id=row.customer_order_id,
        commerce_order_id=row.commerce_order_id,
        commerce_increment_id=row.commerce_increment_id,
        items_count=row.items_count,
        order_value=money(row.order_value),
        currency=row.currency,
        ordered_at=row.ordered_at,
        ship_by=row.ship_by,
        deliver_by=row.deliver_by,
        ship_method=row.ship_method,
        last_update_at=row.last_update_at,
        status=row.status,
        status_details=row.status_details,
    )


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
    intent_to_cancel: bool


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
    return OrderOut(
        purchase_order_id=order.purchase_order_id,
        store_id=order.store_id,
        customer_order_id=order.customer_order_id,
        customer_email=order.customer_email,
        commerce_order_id=order.commerce_order_id,
        commerce_increment_id=order.commerce_increment_id,
        status=order.status,
        status_details=order.status_details,
        ordered_at=order.ordered_at,
        ship_by=order.ship_by,
        deliver_by=order.deliver_by,
        ship_method=order.ship_method,
        currency=order.currency,
        order_value=money(order.value),
        acknowledged_at=order.acknowledged_at,
        last_update_at=order.last_update_at,
        return_requested=order.return_requested,
        shipping_address=None
        if address is None
        else AddressOut(
            name=address.name,
            address1=address.address1,
            address2=address.address2,
            city=address.city,
            state=address.state,
            postal_code=address.postal_code,
            country=address.country,
            phone=address.phone,
        ),
        problem=None
        if problem is None
        else ProblemOut(
            side=problem.side.value,
            action=problem.action,
            message=problem.message,
            next_step=problem.next_step,
            occurred_at=problem.occurred_at,
            code=problem.code,
        ),
        lines=[
            LineOut(
                line_number=line.line_number,
                sku=line.sku,
                product_name=line.product_name,
                quantities=QuantitiesOut(
                    ordered=line.quantities.ordered,
                    created=line.quantities.created,
                    acknowledged=line.quantities.acknowledged,
                    shipped=line.quantities.shipped,
                    cancelled=line.quantities.cancelled,
                    returned=line.quantities.returned,
                    refunded=line.quantities.refunded,
                    open=line.quantities.open,
                ),
                unit_price=money(line.unit_price),
                unit_tax=money(line.unit_tax),
                shipping_charge=money(line.shipping_charge),
                refunded_amount=money(line.refunded_amount),
                commerce_item_id=line.commerce_item_id,
                intent_to_cancel=line.intent_to_cancel,
            )
            for line in order.lines
        ],
        shipments=[
            ShipmentOut(
                key=s.key,
                lines=[LineQuantityOut(line_number=sl.line_number, quantity=sl.quantity) for sl in s.lines],
                carrier=s.carrier.name,
                is_walmart_carrier=s.carrier.is_walmart_carrier,
                method_code=s.method_code,
                tracking_number=s.tracking_number,
                tracking_url=s.tracking_url,
                shipped_at=s.shipped_at,
                commerce_shipment_id=s.commerce_shipment_id,
                sync_state=s.sync_state,
            )
            for s in order.shipments
        ],
        cancellations=[
            CancellationOut(
                key=c.key,
                lines=[LineQuantityOut(line_number=cl.line_number, quantity=cl.quantity) for cl in c.lines],
                reason=c.reason.value,
                reason_source=c.reason_source.name.lower(),
                started_by=c.started_by.value,
                created_at=c.created_at,
                sync_state=c.sync_state,
            )
            for c in order.cancellations
        ],
        refunds=[
            RefundOut(
                key=r.key,
                lines=[
                    RefundLineOut(
                        line_number=rl.line_number, quantity=rl.quantity, amount=money(rl.amount), tax=money(rl.tax)
                    )
                    for rl in r.lines
                ],
                total=money(r.total),
                reason=r.reason.value,
                created_at=r.created_at,
                return_order_id=r.return_order_id,
                commerce_credit_memo_id=r.commerce_credit_memo_id,
                sync_state=r.sync_state,
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
    return TimelineEntryOut(at=entry.at, kind=entry.kind, message=entry.message, actor=entry.actor)


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
    return AttemptOut(
        started_at=attempt.started_at,
        side="Walmart" if str(getattr(attempt.side, "value", attempt.side)) == "Walmart" else "Commerce",
        method=attempt.method,
        endpoint=attempt.endpoint,
        path=attempt.path,
        http_status=attempt.http_status,
        error_code=attempt.error_code,
        error_message=attempt.error_message,
        correlation_id=attempt.correlation_id,
        duration_ms=attempt.duration_ms,
        job_id=attempt.job_id,
    )


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
    return ReturnOut(
        return_order_id=item.return_order_id,
        store_id=item.store_id,
        purchase_order_id=item.purchase_order_id,
        customer_order_id=item.customer_order_id,
        requested_at=item.requested_at,
        return_by=item.return_by,
        status=item.status,
        status_details=item.status_details,
        refunded_by_walmart=item.refunded_by_walmart,
        refund_amount=money(item.refund_amount),
        lines=[
            ReturnLineOut(
                return_line_number=line.return_line_number,
                line_number=line.line_number,
                sku=line.sku,
                quantity=line.quantity,
                reason=line.reason,
                unit_amount=money(line.unit_amount),
                unit_tax=money(line.unit_tax),
                refunded_quantity=line.refunded_quantity,
            )
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
    carrier: str = Field(
        min_length=1, max_length=100, description="A Walmart carrier (UPS, USPS, FedEx...) or another."
    )
    tracking_number: str = Field(min_length=1, max_length=100)
    tracking_url: str | None = Field(None, max_length=1000, description="Required for a carrier Walmart does not know.")


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
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        store_id=job.store_id,
        order_id=job.order_id,
        kind=job.kind,
        state=job.state.value,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        run_after=job.run_after,
        last_error=job.last_error,
        created_at=job.created_at,
        updated_at=job.updated_at,
        finished_at=job.finished_at,
    )


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
    return TokenOut(
        id=token.id,
        name=token.name,
        role=token.role,
        hint=token.hint,
        active=token.active,
        created_at=token.created_at,
        created_by=token.created_by,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        revoked_by=token.revoked_by,
    )


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
