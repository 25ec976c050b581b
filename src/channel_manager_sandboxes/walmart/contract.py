"""Walmart's own vocabulary, copied by hand from the official files in ``shared/contracts/walmart``.

The sandbox never imports these from the connector: a wrong constant in the connector must then fail
against the sandbox instead of passing on both sides. ``tests/walmart/test_walmart_conformance.py``
checks every enum copied here against the OpenAPI file it came from.
"""

from __future__ import annotations

from dataclasses import dataclass

# orders.openapi.yml, POST /v3/orders/{purchaseOrderId}/shipping, requestBody
# orderShipment.orderLines.orderLine[].orderLineStatuses.orderLineStatus[].trackingInfo.carrierName.carrier (enum)
CARRIERS: tuple[str, ...] = (
    "UPS",
    "USPS",
    "FedEx",
    "Airborne",
    "OnTrac",
    "DHL Ecommerce - US",
    "DHL",
    "LS",
    "UDS",
    "UPSMI",
    "FDX",
    "PILOT",
    "ESTES",
    "SAIA",
    "FDS Express",
    "Seko Worldwide",
    "HIT Delivery",
    "FEDEXSP",
    "RL Carriers",
    "Metropolitan Warehouse & Delivery",
    "China Post",
    "YunExpress",
    "Yellow Freight Sys",
    "AIT Worldwide Logistics",
    "Chukou1",
    "Sendle",
    "Landmark Global",
    "Sunyou",
    "Yanwen",
    "4PX",
    "GLS",
    "OSM Worldwide",
    "FIRST MILE",
    "AM Trucking",
    "CEVA",
    "India Post",
    "SF Express",
    "CNE",
    "TForce Freight",
    "AxleHire",
    "LSO",
    "Royal Mail",
    "ABF Freight System",
    "WanB",
    "Roadrunner Freight",
    "Meyer Distribution",
    "AAA Cooper",
    "Canada Post",
    "Southeastern Freight Lines",
    "Japan Post",
    "Correos de Mexico",
    "XPO Logistics",
    "JD Logistics",
    "YDH",
    "JCEX",
    "Flyt",
    "Deutsche Post",
    "Better Trucks",
    "Asendia",
    "SFC",
    "UBI",
    "ePost Global",
    "YF Logistics",
    "RXO",
    "Estes Express",
    "Shypmax",
    "WIN.IT America",
    "PITT OHIO",
    "PostNord Sweden",
    "Equick",
    "Whistl",
    "Tusou",
    "Shiprocket",
    "DTDC",
    "PTS",
)

# orders.openapi.yml, the same path, trackingInfo.methodCode (enum)
METHOD_CODES: tuple[str, ...] = ("Standard", "Express", "OneDay", "Freight", "WhiteGlove", "Value")

# orders.openapi.yml, GET /v3/orders, parameter ``status`` ("Valid statuses are: Created, Acknowledged, Shipped,
# Delivered and Cancelled"); NOTES.md section 2.
ORDER_STATUSES: tuple[str, ...] = ("Created", "Acknowledged", "Shipped", "Delivered", "Cancelled")

# orders.openapi.yml, POST /v3/orders/{purchaseOrderId}/cancel, requestBody
# orderCancellation.orderLines.orderLine[].orderLineStatuses.orderLineStatus[].cancellationReason (enum)
CANCEL_REASONS: tuple[str, ...] = (
    "CUSTOMER_REQUESTED_SELLER_TO_CANCEL",
    "SELLER_CANCEL_PRICING_ERROR",
    "SELLER_CANCEL_OUT_OF_STOCK",
    "SELLER_CANCEL_FRAUD_STOP_SHIPMENT",
    "SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE",
)

# Walmart's own reason on an auto-cancelled line: not in any official file (NOTES.md section 9 lists it as
# unconfirmed); the sandbox's choice.
AUTO_CANCEL_REASON = "SELLER_CANCEL_AUTO_CANCELLED"

# orders.openapi.yml, POST /v3/orders/{purchaseOrderId}/refund, requestBody
# orderRefund.orderLines.orderLine[].refunds.refund[].refundCharges.refundCharge[].refundReason (enum)
REFUND_REASONS: tuple[str, ...] = (
    "BillingError",
    "TaxExemptCustomer",
    "ItemNotAsAdvertised",
    "IncorrectItemReceived",
    "CancelledYetShipped",
    "ItemNotReceivedByCustomer",
    "IncorrectShippingPrice",
    "DamagedItem",
    "DefectiveItem",
    "CustomerChangedMind",
    "CustomerReceivedItemLate",
    "Missing Parts / Instructions",
    "Finance -> Goodwill",
    "Finance -> Rollback",
    "Buyer canceled",
    "Customer returned item",
    "General adjustment",
    "Merchandise not received",
    "Quality -> Missing Parts / Instructions",
    "Shipping & Delivery -> Damaged",
    "Shipping & Delivery -> Shipping Price Discrepancy",
    "Others",
)

# The reason Walmart records on the refund of a returned item (a member of REFUND_REASONS above).
RETURN_REFUND_REASON = "Customer returned item"

# orders.openapi.yml, the refund path, charge.chargeType ("PRODUCT" or "SHIPPING"; NOTES.md section 2.1).
CHARGE_TYPES: tuple[str, ...] = ("PRODUCT", "SHIPPING")

# NOTES.md section 7 (notifications.openapi.yml, GET /v3/webhooks/eventTypes and its examples): order events of
# resource ORDER, version V1. ORDER_UPDATES is the envelope whose subEventType names the change.
ORDER_EVENT_TYPES: tuple[str, ...] = ("PO_CREATED", "PO_LINE_AUTOCANCELLED", "INTENT_TO_CANCEL", "ORDER_UPDATES")
ORDER_SUB_EVENT_TYPES: tuple[str, ...] = ("PO_CREATED", "PO_LINE_AUTOCANCELLED", "INTENT_TO_CANCEL", "FRAUD_CANCEL")

# NOTES.md section 7: authDetails.authMethod values.
AUTH_METHODS: tuple[str, ...] = ("BASIC_AUTH", "OAUTH", "HMAC")

# NOTES.md section 7 names no default header for an HMAC subscription without ``authHeaderName``;
# the sandbox's choice, in Walmart's WM_SEC.* header family.
DEFAULT_HMAC_HEADER = "WM_SEC.SIGNATURE"

# orders.openapi.yml, GET /v3/orders: "a maximum of 20000 orders can be fetched at a time. Attempting to download
# more than 20000 orders will return an error." (NOTES.md section 2, "Window limits").
MAX_QUERY_RESULTS = 20_000

# orders.openapi.yml, GET /v3/orders, parameter ``limit`` (default 100, at most 200; NOTES.md section 2).
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200

# NOTES.md section 2: only orders created in the last 180 days can be fetched.
LOOKBACK_DAYS = 180


@dataclass(frozen=True)
class RateLimit:
    """``requests`` per ``per_seconds``; the bucket holds ``requests`` tokens when full."""

    requests: int
    per_seconds: float = 60.0

    @property
    def per_second(self) -> float:
        return self.requests / self.per_seconds


# NOTES.md section 6, "Rate limiting", the per-endpoint table. ``inventory_read`` and ``notifications`` are not in
# the table: the sandbox's assumption.
RATE_LIMITS: dict[str, RateLimit] = {
    "token": RateLimit(30),
    "orders_read": RateLimit(5000),
    "acknowledge": RateLimit(60),
    "ship": RateLimit(60),
    "cancel": RateLimit(60),
    "refund": RateLimit(60),
    "returns_read": RateLimit(50),
    "return_refund": RateLimit(60),
    "inventory_read": RateLimit(200),
    "inventory_update": RateLimit(200),
    "notifications": RateLimit(60),
}

# Which bucket (NOTES.md section 6: one per seller per API) each endpoint draws from.
ENDPOINT_GROUPS: dict[str, str] = {
    "POST /v3/token": "token",
    "GET /v3/orders": "orders_read",
    "GET /v3/orders/released": "orders_read",
    "GET /v3/orders/{purchaseOrderId}": "orders_read",
    "POST /v3/orders/{purchaseOrderId}/acknowledge": "acknowledge",
    "POST /v3/orders/{purchaseOrderId}/shipping": "ship",
    "POST /v3/orders/{purchaseOrderId}/cancel": "cancel",
    "POST /v3/orders/{purchaseOrderId}/refund": "refund",
    "GET /v3/returns": "returns_read",
    "POST /v3/returns/{returnOrderId}/refund": "return_refund",
    "GET /v3/inventory": "inventory_read",
    "PUT /v3/inventory": "inventory_update",
    "POST /v3/webhooks/subscriptions": "notifications",
    "GET /v3/webhooks/subscriptions": "notifications",
    "DELETE /v3/webhooks/subscriptions/{subscriptionId}": "notifications",
}

# The endpoints that change something at Walmart (the "apply, then lose the answer" fault applies to each).
MUTATING_ENDPOINTS: tuple[str, ...] = (
    "POST /v3/orders/{purchaseOrderId}/acknowledge",
    "POST /v3/orders/{purchaseOrderId}/shipping",
    "POST /v3/orders/{purchaseOrderId}/cancel",
    "POST /v3/orders/{purchaseOrderId}/refund",
    "POST /v3/returns/{returnOrderId}/refund",
    "PUT /v3/inventory",
    "POST /v3/webhooks/subscriptions",
    "DELETE /v3/webhooks/subscriptions/{subscriptionId}",
)


def endpoint_group(endpoint: str) -> str:
    return ENDPOINT_GROUPS.get(endpoint, endpoint)
