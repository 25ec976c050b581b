"""Typed models of Walmart payloads that accept what the real API sends.

Real answers carry explicit ``null``s, epoch-millisecond dates (orders) or ISO strings (returns),
quantities as strings (``"amount": "2"``) and fields no schema lists; the models accept all of
that and keep unknown fields (``model_extra``). Attribute names are snake_case; the JSON names are
Walmart's (``purchaseOrderId``), and ``model_dump(by_alias=True)`` gives them back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _to_datetime(value: Any) -> Any:
    """Epoch ms, epoch s (int, float or numeric string) or ISO 8601 -> aware UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = float(value)
        return datetime.fromtimestamp(number / 1000.0 if number > 1e11 else number, tz=UTC)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return _to_datetime(float(text))
        except ValueError:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return value


def _to_quantity(value: Any) -> Any:
    if value is None:
        return 0
    if isinstance(value, str):
        value = value.strip() or "0"
    try:
        return int(Decimal(str(value)))
    except ArithmeticError:
        return value


def _none_to_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return value


WalmartTime = Annotated[datetime | None, BeforeValidator(_to_datetime)]
Quantity = Annotated[int, BeforeValidator(_to_quantity)]


class WalmartModel(BaseModel):
    model_config = ConfigDict(
        extra="allow", populate_by_name=True, alias_generator=to_camel, frozen=False, protected_namespaces=()
    )


# ---------------------------------------------------------------- orders


class Money(WalmartModel):
    currency: str | None = "USD"
    amount: Decimal = Decimal(0)


class Tax(WalmartModel):
    tax_name: str | None = None
    tax_amount: Money | None = None


class Charge(WalmartModel):
    charge_type: str | None = None
    charge_name: str | None = None
    charge_amount: Money | None = None
    tax: Tax | None = None


class Charges(WalmartModel):
    charge: Annotated[list[Charge], BeforeValidator(_none_to_list)] = []


class Item(WalmartModel):
    product_name: str | None = None
    sku: str
    image_url: str | None = None
    condition: str | None = None


class StatusQuantity(WalmartModel):
    unit_of_measurement: str | None = "EACH"
    amount: Quantity = 0


class CarrierName(WalmartModel):
    carrier: str | None = None
    other_carrier: str | None = None

    @property
    def name(self) -> str | None:
        return self.carrier or self.other_carrier


class TrackingInfo(WalmartModel):
    ship_date_time: WalmartTime = None
    carrier_name: CarrierName | None = None
    method_code: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = Field(default=None, alias="trackingURL")


class OrderLineStatus(WalmartModel):
    status: str
    status_quantity: StatusQuantity = Field(default_factory=StatusQuantity)
    cancellation_reason: str | None = None
    tracking_info: TrackingInfo | None = None

    @property
    def quantity(self) -> int:
        return self.status_quantity.amount


class OrderLineStatuses(WalmartModel):
    order_line_status: Annotated[list[OrderLineStatus], BeforeValidator(_none_to_list)] = []


class RefundCharge(WalmartModel):
    refund_reason: str | None = None
    charge: Charge | None = None


class RefundCharges(WalmartModel):
    refund_charge: Annotated[list[RefundCharge], BeforeValidator(_none_to_list)] = []


class Refund(WalmartModel):
    refund_id: str | None = None
    refund_comments: str | None = None
    refund_charges: RefundCharges | None = None

    @property
    def charges(self) -> list[RefundCharge]:
        return self.refund_charges.refund_charge if self.refund_charges else []


class OrderLineQuantity(WalmartModel):
    unit_of_measurement: str | None = "EACH"
    amount: Quantity = 0


class Fulfillment(WalmartModel):
    fulfillment_option: str | None = None
    ship_method: str | None = None
    store_id: str | None = None
    pick_up_date_time: WalmartTime = None
    pick_up_by: str | None = None
    shipping_program_type: str | None = None


SHIPPED_STATUSES = ("Shipped", "Delivered")


class Shipment(BaseModel):
    """One shipped chunk of a line as Walmart reports it."""

    line_number: str
    quantity: int
    status: str
    tracking_number: str | None
    carrier: str | None
    method_code: str | None
    tracking_url: str | None
    ship_time: datetime | None


class OrderLine(WalmartModel):
    line_number: str
    seller_order_id: str | None = None
    status_date: WalmartTime = None
    item: Item
    charges: Charges = Field(default_factory=Charges)
    order_line_quantity: OrderLineQuantity = Field(default_factory=OrderLineQuantity)
    order_line_statuses: OrderLineStatuses = Field(default_factory=OrderLineStatuses)
    refund: Refund | None = None
    return_order_id: str | None = None
    intent_to_cancel: str | bool | None = None
    fulfillment: Fulfillment | None = None

    @property
    def asks_to_cancel(self) -> bool:
        """The buyer asked to cancel this line (``intentToCancel``, sent as ``"true"`` or a boolean)."""
        value = self.intent_to_cancel
        if isinstance(value, bool):
            return value
        return (value or "").strip().casefold() in ("true", "yes", "1")

    @property
    def quantity(self) -> int:
        return self.order_line_quantity.amount

    @property
    def statuses(self) -> list[OrderLineStatus]:
        return self.order_line_statuses.order_line_status

    def quantity_in(self, *statuses: str) -> int:
        """Units of this line in any of ``statuses`` (e.g. ``"Created"``, ``"Shipped"``)."""
        return sum(s.quantity for s in self.statuses if s.status in statuses)

    @property
    def open_quantity(self) -> int:
        """Units that can still be shipped or cancelled (Created or Acknowledged)."""
        return self.quantity_in("Created", "Acknowledged")

    @property
    def shipments(self) -> list[Shipment]:
        result = []
        for entry in self.statuses:
            if entry.status not in SHIPPED_STATUSES:
                continue
            info = entry.tracking_info
            result.append(
                Shipment(
                    line_number=self.line_number,
                    quantity=entry.quantity,
                    status=entry.status,
                    tracking_number=info.tracking_number if info else None,
                    carrier=info.carrier_name.name if info and info.carrier_name else None,
                    method_code=info.method_code if info else None,
                    tracking_url=info.tracking_url if info else None,
                    ship_time=info.ship_date_time if info else None,
                )
            )
        return result

    def has_shipment(self, tracking_number: str, quantity: int | None = None) -> bool:
        """Whether Walmart already shows a shipment of this line with ``tracking_number`` (and ``quantity``)."""
        return any(
            s.tracking_number == tracking_number and (quantity is None or s.quantity == quantity)
            for s in self.shipments
        )

    @property
    def refund_charges(self) -> list[RefundCharge]:
        return self.refund.charges if self.refund else []

    def refunded_amount(self, charge_type: str | None = None) -> Decimal:
        """Sum of refunded amounts (negative numbers, tax included) for ``charge_type`` or all."""
        total = Decimal(0)
        for entry in self.refund_charges:
            charge = entry.charge
            if charge is None or (charge_type and charge.charge_type != charge_type):
                continue
            if charge.charge_amount:
                total += charge.charge_amount.amount
            if charge.tax and charge.tax.tax_amount:
                total += charge.tax.tax_amount.amount
        return total


class OrderLines(WalmartModel):
    order_line: Annotated[list[OrderLine], BeforeValidator(_none_to_list)] = []


class PostalAddress(WalmartModel):
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    address_type: str | None = None


class ShippingInfo(WalmartModel):
    phone: str | None = None
    estimated_delivery_date: WalmartTime = None
    estimated_ship_date: WalmartTime = None
    method_code: str | None = None
    postal_address: PostalAddress | None = None


class ShipNode(WalmartModel):
    type: str | None = None
    name: str | None = None
    id: str | None = None


class Order(WalmartModel):
    """A purchase order (``GET /v3/orders/{id}`` and every write call answer with one)."""

    purchase_order_id: str
    customer_order_id: str | None = None
    customer_email_id: str | None = None
    order_date: WalmartTime = None
    order_type: str | None = None
    shipping_info: ShippingInfo | None = None
    order_lines: OrderLines = Field(default_factory=OrderLines)
    ship_node: ShipNode | None = None

    @property
    def lines(self) -> list[OrderLine]:
        return self.order_lines.order_line

    def line(self, line_number: str | int) -> OrderLine:
        line = self.find_line(line_number)
        if line is None:
            raise KeyError(f"PO {self.purchase_order_id} has no line {line_number}")
        return line

    def find_line(self, line_number: str | int) -> OrderLine | None:
        wanted = str(line_number)
        return next((line for line in self.lines if line.line_number == wanted), None)

    @classmethod
    def from_response(cls, body: Any) -> Order:
        """From ``{"order": {...}}`` or a bare order object."""
        if isinstance(body, dict) and isinstance(body.get("order"), dict):
            body = body["order"]
        return cls.model_validate(body)


class OrderPage(BaseModel):
    orders: list[Order]
    total_count: int | None = None
    next_cursor: str | None = None


# ---------------------------------------------------------------- returns


class ReturnMoney(WalmartModel):
    currency_amount: Decimal = Decimal(0)
    currency_unit: str | None = "USD"


class ReturnQuantity(WalmartModel):
    unit_of_measure: str | None = "EACH"
    measurement_value: Quantity = 0


class ReturnItem(WalmartModel):
    sku: str | None = None
    product_name: str | None = None
    condition: str | None = None


#: Walmart's refund channels for refunds Walmart made itself (its automatic refund, or settled by Walmart).
WALMART_REFUND_CHANNELS = ("WALMART_TRIGGERED_REFUND", "WALMART_SETTLED_REFUND")


class ReturnOrderLine(WalmartModel):
    return_order_line_number: int
    sales_order_line_number: int | None = None
    purchase_order_id: str | None = None
    purchase_order_line_number: int | None = None
    seller_order_id: str | None = None
    return_reason: str | None = None
    item: ReturnItem | None = None
    unit_price: ReturnMoney | None = None
    quantity: ReturnQuantity | None = None
    refunded_qty: Quantity = 0
    cancellable_qty: Quantity = 0
    refund_channel: str | None = None
    status: str | None = None
    status_time: WalmartTime = None
    current_delivery_status: str | None = None
    current_refund_status: str | None = None

    @property
    def refunded_by_walmart(self) -> bool:
        """Walmart refunded this line itself (its automatic refund, or settled by Walmart)."""
        return bool(self.refunded_qty) and (self.refund_channel or "") in WALMART_REFUND_CHANNELS


class CustomerName(WalmartModel):
    first_name: str | None = None
    last_name: str | None = None


class ReturnOrder(WalmartModel):
    return_order_id: str
    customer_order_id: str | None = None
    customer_email_id: str | None = None
    customer_name: CustomerName | None = None
    return_order_date: WalmartTime = None
    return_by_date: WalmartTime = None
    refund_mode: str | None = None
    return_type: str | None = None
    total_refund_amount: ReturnMoney | None = None
    return_order_lines: Annotated[list[ReturnOrderLine], BeforeValidator(_none_to_list)] = []


class ReturnRefundResult(WalmartModel):
    return_order_id: str | None = None
    customer_order_id: str | None = None
    refund_lines: Annotated[list[dict[str, Any]], BeforeValidator(_none_to_list)] = []


# ---------------------------------------------------------------- inventory, notifications


class InventoryQuantity(WalmartModel):
    unit: str | None = "EACH"
    amount: Quantity = 0


class Inventory(WalmartModel):
    sku: str
    quantity: InventoryQuantity = Field(default_factory=InventoryQuantity)


class Subscription(WalmartModel):
    subscription_id: str | None = None
    event_type: str | None = None
    event_version: str | None = None
    resource_name: str | None = None
    status: str | None = None
    event_url: str | None = None
    partner_id: str | None = None
    auth_details: dict[str, Any] | None = Field(default=None, repr=False)


class TokenResponse(WalmartModel):
    access_token: str = Field(repr=False, validation_alias=AliasChoices("access_token", "accessToken"))
    token_type: str | None = Field(default="Bearer", validation_alias=AliasChoices("token_type", "tokenType"))
    expires_in: int = Field(default=900, validation_alias=AliasChoices("expires_in", "expiresIn"))
