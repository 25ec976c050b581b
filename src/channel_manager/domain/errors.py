"""Typed errors of the order domain. Each message is written for a merchant."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the order domain was broken; ``str(error)`` tells the merchant what and why."""


class InvalidStore(DomainError):
    """A channel store's connection details or settings are not usable."""


class TrackingNumberRequired(DomainError):
    def __init__(self, purchase_order_id: str) -> None:
        super().__init__(
            f"Walmart needs a tracking number for every shipment: the shipment of PO {purchase_order_id} "
            "has none, so nothing was sent to Walmart. Add the tracking number to the shipment and it is sent."
        )


class CarrierNotAccepted(DomainError):
    def __init__(self, carrier: str) -> None:
        super().__init__(
            f"Carrier {carrier!r} is not one of Walmart's carriers. Map it to a Walmart carrier in the "
            "store's carrier mapping, or give a tracking URL so it can be sent as another carrier."
        )


class UnknownOrderLine(DomainError):
    def __init__(self, purchase_order_id: str, line_number: str) -> None:
        super().__init__(f"PO {purchase_order_id} has no line {line_number}.")


class QuantityNotOpen(DomainError):
    """Shipping or cancelling more of a line than is still open."""

    def __init__(self, purchase_order_id: str, line_number: str, action: str, requested: int, available: int):
        super().__init__(
            f"Cannot {action} {requested} of PO {purchase_order_id} line {line_number}: "
            f"only {available} {'is' if available == 1 else 'are'} open."
        )


class ShippedQuantityCannotBeCancelled(DomainError):
    def __init__(self, purchase_order_id: str, line_number: str, shipped: int) -> None:
        super().__init__(
            f"Cannot cancel PO {purchase_order_id} line {line_number}: {shipped} of it already shipped, "
            "and Walmart does not cancel shipped quantity. Refund it instead."
        )


class NothingToCancel(DomainError):
    def __init__(self, purchase_order_id: str) -> None:
        super().__init__(f"PO {purchase_order_id} has no open quantity left to cancel.")


class WholeOrderCancelRequired(DomainError):
    def __init__(self, purchase_order_id: str) -> None:
        super().__init__(
            f"A cancel made in Commerce covers the whole order: every open quantity of PO "
            f"{purchase_order_id} must be cancelled together."
        )


class RefundNotAllowed(DomainError):
    """A refund for quantity that did not ship, or for more money than Walmart charged."""


class InvalidQuantity(DomainError):
    def __init__(self, what: str, quantity: int) -> None:
        super().__init__(f"{what} must be a positive whole number, not {quantity}.")


class BuyerAskedToCancel(DomainError):
    """Shipping lines the buyer asked Walmart to cancel without choosing to ship them anyway."""

    def __init__(self, purchase_order_id: str, lines: list[str]) -> None:
        named = ("line " if len(lines) == 1 else "lines ") + ", ".join(lines)
        them = "it" if len(lines) == 1 else "them"
        super().__init__(
            f"The buyer asked Walmart to cancel PO {purchase_order_id} {named}: cancel {them} "
            f"(`channel-manager orders cancel {purchase_order_id} --reason customer_requested`), or ship anyway "
            'with --override-intent-to-cancel (API: "override_intent_to_cancel": true).'
        )
        self.lines = lines


class CustomerRequestedNotAllowed(DomainError):
    """Walmart takes CUSTOMER_REQUESTED_SELLER_TO_CANCEL only on lines the buyer asked to cancel."""

    def __init__(self, purchase_order_id: str, lines: list[str]) -> None:
        named = ("line " if len(lines) == 1 else "lines ") + ", ".join(lines)
        super().__init__(
            f"Walmart takes the reason 'customer requested' only on lines the buyer asked to cancel; the buyer "
            f"did not ask to cancel PO {purchase_order_id} {named}. Choose another reason."
        )
        self.lines = lines
