"""What the client takes in (a channel order from a Walmart PO) and gives back (Commerce entities).

Outputs keep Commerce's own field names and the full JSON in ``raw`` for anything not modelled.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from channel_manager.commerce.search_criteria import parse_commerce_timestamp

#: Payment method code of the offline "channel" payment method (see docs/commerce-sandbox.md).
CHANNEL_PAYMENT_METHOD = "channelpayment"
CHANNEL_PAYMENT_TITLE = "Offline Channel Payment"
#: Carrier code of the "Channel Shipping" carrier; the method code is the lowercased Walmart method.
CHANNEL_SHIPPING_CARRIER = "channelshipping"
CHANNEL_SHIPPING_TITLE = "Channel Shipping"

OrderCreationPath = Literal["module", "cart", "direct"]
CustomerMode = Literal["guest", "account"]
#: The companion module's name, as ``GET /V1/channel-manager/info`` answers it (docs/commerce-module.md).
CHANNEL_MANAGER_MODULE = "ChannelManager_Connector"


# --------------------------------------------------------------------------- inputs


class ChannelAddress(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    """Full recipient name as the marketplace gives it; split into first/last for Commerce."""
    address1: str
    address2: str | None = None
    city: str
    state: str
    """Region code, e.g. ``"AR"``."""
    postal_code: str
    country: str = "US"
    """ISO 3166-1 alpha-2 (Walmart sends ``"USA"``; converted)."""
    phone: str | None = None

    @field_validator("country")
    @classmethod
    def _iso2(cls, value: str) -> str:
        value = value.strip().upper()
        return {"USA": "US", "CAN": "CA", "MEX": "MX"}.get(value, value)


class ChannelOrderLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    line_number: str
    """Walmart's ``lineNumber``; stored as the Commerce item's ``ext_order_item_id``."""
    sku: str
    product_name: str
    quantity: int = Field(gt=0)
    unit_price: Decimal
    tax_per_unit: Decimal | None = None
    line_tax: Decimal | None = None
    """Tax of the whole line; used when ``tax_per_unit`` is not given."""
    shipping_charge: Decimal = Decimal("0")
    shipping_tax: Decimal = Decimal("0")

    @property
    def row_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def tax_amount(self) -> Decimal:
        if self.tax_per_unit is not None:
            return self.tax_per_unit * self.quantity
        return self.line_tax or Decimal("0")


class ChannelOrder(BaseModel):
    """A Walmart purchase order as the sync engine hands it to the Commerce client."""

    model_config = ConfigDict(frozen=True)

    purchase_order_id: str
    """Walmart PO number: Commerce ``ext_order_id``."""
    customer_order_id: str
    customer_email: str
    """Walmart's relay e-mail for the buyer."""
    customer_name: str
    shipping_address: ChannelAddress
    phone: str | None = None
    ship_method_code: str = "Standard"
    """Walmart ``methodCode``: Standard, Express, OneDay, Freight, WhiteGlove, Value."""
    order_date: datetime
    lines: tuple[ChannelOrderLine, ...]
    currency: str = "USD"
    channel_name: str = "Walmart"
    customer_mode: CustomerMode = "guest"
    """``account``: the order belongs to the customer account of ``customer_email`` (found or created)."""
    increment_id: str | None = None
    """The Commerce order number to use (``order_number_source=walmart``: the PO number); module route only."""

    @property
    def subtotal(self) -> Decimal:
        return sum((line.row_total for line in self.lines), Decimal("0"))

    @property
    def tax_amount(self) -> Decimal:
        return sum((line.tax_amount + line.shipping_tax for line in self.lines), Decimal("0"))

    @property
    def shipping_tax_amount(self) -> Decimal:
        return sum((line.shipping_tax for line in self.lines), Decimal("0"))

    @property
    def shipping_amount(self) -> Decimal:
        return sum((line.shipping_charge for line in self.lines), Decimal("0"))

    @property
    def grand_total(self) -> Decimal:
        return self.subtotal + self.shipping_amount + self.tax_amount

    @property
    def shipping_method_code(self) -> str:
        return self.ship_method_code.strip().lower() or "standard"

    @property
    def shipping_description(self) -> str:
        return f"{CHANNEL_SHIPPING_TITLE} - {self.ship_method_code}"

    def comment(self) -> str:
        return (
            f"{self.channel_name} order imported by channel-manager: PO {self.purchase_order_id}, "
            f"customer order {self.customer_order_id}, ship method {self.ship_method_code}."
        )


# --------------------------------------------------------------------------- outputs


def _ts(value: Any) -> datetime | None:
    return parse_commerce_timestamp(value) if isinstance(value, str) else None


def _num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


class CommerceOrderItem(BaseModel):
    item_id: int
    sku: str
    name: str | None = None
    product_type: str | None = None
    parent_item_id: int | None = None
    ext_order_item_id: str | None = None
    qty_ordered: float = 0
    qty_invoiced: float = 0
    qty_shipped: float = 0
    qty_refunded: float = 0
    qty_canceled: float = 0
    price: float = 0
    row_total: float = 0
    tax_amount: float = 0

    @property
    def qty_to_ship(self) -> float:
        return max(0.0, self.qty_ordered - self.qty_shipped - self.qty_refunded - self.qty_canceled)

    @property
    def qty_to_invoice(self) -> float:
        return max(0.0, self.qty_ordered - self.qty_invoiced - self.qty_canceled)

    @property
    def qty_to_refund(self) -> float:
        return max(0.0, self.qty_invoiced - self.qty_refunded)

    @property
    def line_numbers(self) -> tuple[str, ...]:
        """Walmart line numbers this item came from (a merged cart item can carry several)."""
        if not self.ext_order_item_id:
            return ()
        return tuple(part for part in self.ext_order_item_id.split(",") if part)

    @classmethod
    def from_commerce(cls, data: dict[str, Any]) -> CommerceOrderItem:
        return cls(
            item_id=int(data["item_id"]),
            sku=str(data.get("sku", "")),
            name=data.get("name"),
            product_type=data.get("product_type"),
            parent_item_id=data.get("parent_item_id"),
            ext_order_item_id=data.get("ext_order_item_id"),
            **{
                key: _num(data.get(key))
                for key in (
                    "qty_ordered",
                    "qty_invoiced",
                    "qty_shipped",
                    "qty_refunded",
                    "qty_canceled",
                    "price",
                    "row_total",
                    "tax_amount",
                )
            },
        )


class CommerceOrder(BaseModel):
    entity_id: int
    increment_id: str
    state: str | None = None
    status: str | None = None
    store_id: int | None = None
    ext_order_id: str | None = None
    customer_email: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_at_text: str | None = None
    """``updated_at`` exactly as Commerce sent it (1 s resolution), for cursors and de-duplication."""
    grand_total: float = 0
    subtotal: float = 0
    shipping_amount: float = 0
    tax_amount: float = 0
    total_paid: float = 0
    total_invoiced: float = 0
    total_refunded: float = 0
    total_canceled: float = 0
    shipping_description: str | None = None
    payment_method: str | None = None
    hold_before_state: str | None = None
    items: list[CommerceOrderItem] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def is_on_hold(self) -> bool:
        return self.state == "holded" or self.status == "holded" or bool(self.hold_before_state)

    def item(self, item_id: int) -> CommerceOrderItem | None:
        return next((item for item in self.items if item.item_id == item_id), None)

    def item_for_line(self, line_number: str) -> CommerceOrderItem | None:
        for item in self.items:
            if line_number in item.line_numbers:
                return item
        return None

    @classmethod
    def from_commerce(cls, data: dict[str, Any]) -> CommerceOrder:
        payment = data.get("payment") or {}
        return cls(
            entity_id=int(data["entity_id"]),
            increment_id=str(data.get("increment_id", "")),
            state=data.get("state"),
            status=data.get("status"),
            store_id=data.get("store_id"),
            ext_order_id=data.get("ext_order_id"),
            customer_email=data.get("customer_email"),
            created_at=_ts(data.get("created_at")),
            updated_at=_ts(data.get("updated_at")),
            updated_at_text=data.get("updated_at"),
            shipping_description=data.get("shipping_description"),
            payment_method=payment.get("method") if isinstance(payment, dict) else None,
            hold_before_state=data.get("hold_before_state"),
            items=[CommerceOrderItem.from_commerce(i) for i in data.get("items") or []],
            raw=data,
            **{
                key: _num(data.get(key))
                for key in (
                    "grand_total",
                    "subtotal",
                    "shipping_amount",
                    "tax_amount",
                    "total_paid",
                    "total_invoiced",
                    "total_refunded",
                    "total_canceled",
                )
            },
        )


class CreatedCommerceOrder(CommerceOrder):
    """The answer of ``create_order``: the order, and whether it already existed for the PO."""

    already_existed: bool = False
    creation_path: OrderCreationPath | None = None


class DocumentItem(BaseModel):
    order_item_id: int
    sku: str | None = None
    qty: float


class ShipmentTrack(BaseModel):
    entity_id: int | None = None
    carrier_code: str | None = None
    title: str | None = None
    track_number: str | None = None


class CommerceShipment(BaseModel):
    entity_id: int
    increment_id: str | None = None
    order_id: int
    created_at: datetime | None = None
    source_code: str | None = None
    items: list[DocumentItem] = Field(default_factory=list)
    tracks: list[ShipmentTrack] = Field(default_factory=list)
    comments: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @classmethod
    def from_commerce(cls, data: dict[str, Any]) -> CommerceShipment:
        ext = data.get("extension_attributes") or {}
        return cls(
            entity_id=int(data["entity_id"]),
            increment_id=data.get("increment_id"),
            order_id=int(data["order_id"]),
            created_at=_ts(data.get("created_at")),
            source_code=ext.get("source_code") if isinstance(ext, dict) else None,
            items=[
                DocumentItem(order_item_id=int(i["order_item_id"]), sku=i.get("sku"), qty=_num(i.get("qty")))
                for i in data.get("items") or []
            ],
            tracks=[
                ShipmentTrack(
                    entity_id=t.get("entity_id"),
                    carrier_code=t.get("carrier_code"),
                    title=t.get("title"),
                    track_number=t.get("track_number"),
                )
                for t in data.get("tracks") or []
            ],
            comments=[str(c.get("comment", "")) for c in data.get("comments") or []],
            raw=data,
        )


class CommerceCreditMemo(BaseModel):
    entity_id: int
    increment_id: str | None = None
    order_id: int
    created_at: datetime | None = None
    state: int | None = None
    grand_total: float = 0
    subtotal: float = 0
    shipping_amount: float = 0
    shipping_tax_amount: float = 0
    tax_amount: float = 0  # item tax and shipping tax
    adjustment_positive: float = 0
    adjustment_negative: float = 0
    currency: str | None = None  # order_currency_code
    items: list[DocumentItem] = Field(default_factory=list)
    comments: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @classmethod
    def from_commerce(cls, data: dict[str, Any]) -> CommerceCreditMemo:
        return cls(
            entity_id=int(data["entity_id"]),
            increment_id=data.get("increment_id"),
            order_id=int(data["order_id"]),
            created_at=_ts(data.get("created_at")),
            state=data.get("state"),
            grand_total=_num(data.get("grand_total")),
            subtotal=_num(data.get("subtotal")),
            shipping_amount=_num(data.get("shipping_amount")),
            shipping_tax_amount=_num(data.get("shipping_tax_amount")),
            tax_amount=_num(data.get("tax_amount")),
            adjustment_positive=_num(data.get("adjustment_positive")),
            adjustment_negative=_num(data.get("adjustment_negative")),
            currency=data.get("order_currency_code"),
            items=[
                DocumentItem(order_item_id=int(i["order_item_id"]), sku=i.get("sku"), qty=_num(i.get("qty")))
                for i in data.get("items") or []
                if _num(i.get("qty")) > 0
            ],
            comments=[str(c.get("comment", "")) for c in data.get("comments") or []],
            raw=data,
        )


class SourceItem(BaseModel):
    sku: str
    source_code: str
    quantity: float
    status: int

    @property
    def in_stock(self) -> bool:
        return self.status == 1


class SearchPage(BaseModel):
    """One page of a Commerce search: raw items and the unpaged ``total_count``."""

    items: list[dict[str, Any]]
    total_count: int
