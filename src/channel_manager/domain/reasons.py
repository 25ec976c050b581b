"""Walmart's cancellation and refund reasons, with the labels a merchant sees."""

from __future__ import annotations

from enum import StrEnum


class CancellationReason(StrEnum):
    """Walmart's US ``cancellationReason`` enum."""

    CUSTOMER_REQUESTED = "CUSTOMER_REQUESTED_SELLER_TO_CANCEL"
    PRICING_ERROR = "SELLER_CANCEL_PRICING_ERROR"
    OUT_OF_STOCK = "SELLER_CANCEL_OUT_OF_STOCK"
    FRAUD_STOP_SHIPMENT = "SELLER_CANCEL_FRAUD_STOP_SHIPMENT"
    ADDRESS_NOT_SERVICEABLE = "SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE"
    #: Walmart's own cancel (auto-cancel after the ship date, or a reason we do not know); never sent by us.
    CANCELLED_BY_WALMART = "SELLER_CANCEL_AUTO_CANCELLED"

    @property
    def label(self) -> str:
        return CANCELLATION_REASON_LABELS[self]

    @property
    def is_seller_reason(self) -> bool:
        """A reason a seller may send to Walmart (the others only come back from Walmart)."""
        return self is not CancellationReason.CANCELLED_BY_WALMART

    @classmethod
    def from_walmart(cls, code: str | None) -> CancellationReason:
        """The reason of a cancel Walmart reports on a line: its code when we know it, else by its kind."""
        text = (code or "").strip().upper()
        for reason in cls:
            if reason.value == text:
                return reason
        if "FRAUD" in text:
            return cls.FRAUD_STOP_SHIPMENT
        if "CUSTOMER" in text:
            return cls.CUSTOMER_REQUESTED
        return cls.CANCELLED_BY_WALMART

    @classmethod
    def parse(cls, text: str) -> CancellationReason:
        """A reason from its Walmart code, its short name or its label (case-insensitive)."""
        folded = text.strip().casefold()
        for reason in cls:
            if not reason.is_seller_reason:
                continue
            names = (reason.value, reason.name, reason.label, *CANCELLATION_REASON_ALIASES.get(reason, ()))
            if folded in {n.casefold() for n in names}:
                return reason
        choices = ", ".join(r.name.lower() for r in cls if r.is_seller_reason)
        raise ValueError(f"unknown cancellation reason {text!r}; use one of: {choices}")


#: Adobe Channel Manager's four seller reasons (exact UI strings) plus "customer requested".
CANCELLATION_REASON_LABELS: dict[CancellationReason, str] = {
    CancellationReason.PRICING_ERROR: "Price or other listing errors",
    CancellationReason.OUT_OF_STOCK: "The item is out of stock",
    CancellationReason.FRAUD_STOP_SHIPMENT: (
        "Additional information is needed by our Credit and Fraud Avoidance department"
    ),
    CancellationReason.ADDRESS_NOT_SERVICEABLE: "Unavailable carrier or shipping method",
    CancellationReason.CUSTOMER_REQUESTED: "Customer requested to cancel",
    CancellationReason.CANCELLED_BY_WALMART: "Cancelled by Walmart (not shipped in time)",
}

#: Other phrasings a merchant may write in an order comment (Adobe's docs word two of them differently).
CANCELLATION_REASON_ALIASES: dict[CancellationReason, tuple[str, ...]] = {
    CancellationReason.PRICING_ERROR: ("pricing error", "price error", "listing error"),
    CancellationReason.OUT_OF_STOCK: ("out of stock", "out-of-stock"),
    CancellationReason.FRAUD_STOP_SHIPMENT: (
        "Additional information is required by our Credit or Fraud Avoidance department",
        "fraud",
    ),
    CancellationReason.ADDRESS_NOT_SERVICEABLE: (
        "Unavailable carrier or shipping information",
        "address not serviceable",
    ),
    CancellationReason.CUSTOMER_REQUESTED: ("customer requested", "customer request"),
}


def cancellation_reason_in_text(text: str) -> CancellationReason | None:
    """The reason a free-text comment names (its code, name, label or an alias), if any."""
    folded = text.casefold()
    for reason in CancellationReason:
        if not reason.is_seller_reason:
            continue
        names = (reason.value, reason.label, *CANCELLATION_REASON_ALIASES.get(reason, ()))
        if any(name.casefold() in folded for name in names):
            return reason
    return None


class RefundReason(StrEnum):
    """Walmart's ``refundReason`` enum (legacy camel-case values and the newer display strings)."""

    BILLING_ERROR = "BillingError"
    TAX_EXEMPT_CUSTOMER = "TaxExemptCustomer"
    ITEM_NOT_AS_ADVERTISED = "ItemNotAsAdvertised"
    INCORRECT_ITEM_RECEIVED = "IncorrectItemReceived"
    CANCELLED_YET_SHIPPED = "CancelledYetShipped"
    ITEM_NOT_RECEIVED_BY_CUSTOMER = "ItemNotReceivedByCustomer"
    INCORRECT_SHIPPING_PRICE = "IncorrectShippingPrice"
    DAMAGED_ITEM = "DamagedItem"
    DEFECTIVE_ITEM = "DefectiveItem"
    CUSTOMER_CHANGED_MIND = "CustomerChangedMind"
    CUSTOMER_RECEIVED_ITEM_LATE = "CustomerReceivedItemLate"
    MISSING_PARTS = "Missing Parts / Instructions"
    FINANCE_GOODWILL = "Finance -> Goodwill"
    FINANCE_ROLLBACK = "Finance -> Rollback"
    BUYER_CANCELED = "Buyer canceled"
    CUSTOMER_RETURNED_ITEM = "Customer returned item"
    GENERAL_ADJUSTMENT = "General adjustment"
    MERCHANDISE_NOT_RECEIVED = "Merchandise not received"
    QUALITY_MISSING_PARTS = "Quality -> Missing Parts / Instructions"
    SHIPPING_DAMAGED = "Shipping & Delivery -> Damaged"
    SHIPPING_PRICE_DISCREPANCY = "Shipping & Delivery -> Shipping Price Discrepancy"
    OTHERS = "Others"

    @classmethod
    def parse(cls, text: str) -> RefundReason:
        folded = text.strip().casefold()
        for reason in cls:
            if folded in {reason.value.casefold(), reason.name.casefold()}:
                return reason
        choices = ", ".join(r.name.lower() for r in cls)
        raise ValueError(f"unknown refund reason {text!r}; use one of: {choices}")


def refund_reason_in_text(text: str) -> RefundReason | None:
    """The refund reason a memo comment names: ``Refund reason: <reason>`` first, else any reason's text."""
    _, sep, named = text.partition("Refund reason:")
    if sep:
        try:
            return RefundReason.parse(named.strip().rstrip("."))
        except ValueError:
            pass
    folded = text.casefold()
    for reason in RefundReason:
        if reason.value.casefold() in folded or reason.name.casefold() in folded:
            return reason
    return None
