"""The companion module ``ChannelManager_Connector`` as the sandbox emulates it, route by route, from
its contract (``docs/commerce-module.md`` in the repository; the PHP module follows the same file):

- ``GET /V1/channel-manager/info``: the module is installed (else Commerce's own 404);
- ``POST /V1/channel-manager/orders``: one channel order placed through a quote (each line's price as
  its custom price, MSI reservations, totals), stored with ``ext_order_id`` and made idempotent by the
  ``channel_manager_order_link`` table (UNIQUE channel + external_order_id);
- signed events (``module_events.py``) for orders the module placed, and for stock changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from channel_manager_sandboxes.commerce.carts import CHANNEL_CARRIER, shipping_description
from channel_manager_sandboxes.commerce.catalog import ENABLED
from channel_manager_sandboxes.commerce.entities import num
from channel_manager_sandboxes.commerce.errors import NO_ROUTE, SandboxApiError, bad_request, required
from channel_manager_sandboxes.commerce.events import ORDER_SAVED
from channel_manager_sandboxes.commerce.order_rules import EPSILON
from channel_manager_sandboxes.commerce.orders import NewOrder

if TYPE_CHECKING:
    from channel_manager_sandboxes.commerce.state import CommerceSandbox

MODULE_NAME = "ChannelManager_Connector"
MODULE_VERSION = "1.0.0"
PAYMENT_METHOD = "channelpayment"
_ADDRESS_FIELDS = ("firstname", "lastname", "street", "city", "postcode", "country_id", "telephone")


@dataclass
class ModuleConfig:
    """``etc/config.xml`` defaults (Stores > Configuration > Sales > Channel Manager)."""

    installed: bool = True
    events_url: str | None = None
    events_secret: str = field(default="", repr=False)
    events_enabled: bool = False
    events_timeout: float = 5.0


@dataclass
class OrderLink:
    """One row of ``channel_manager_order_link``."""

    link_id: int
    channel: str
    external_order_id: str
    order_id: int
    increment_id: str
    created_at: str


def _field(container: Mapping[str, Any] | None, name: str, prefix: str = "") -> Any:
    value = container.get(name) if isinstance(container, Mapping) else None
    if value is None or value == "" or value == []:
        raise required(prefix + name)
    return value


def _checked(order: Any) -> dict[str, Any]:
    """Every required field of a ``ChannelOrderInterface``, else Magento's 400 naming the first missing one."""
    if not isinstance(order, Mapping):
        raise required("order")
    for name in ("channel", "external_order_id", "customer", "shipping_address", "shipping", "items"):
        _field(order, name)
    for name in ("email", "firstname", "lastname"):
        _field(order["customer"], name)
    for name in _ADDRESS_FIELDS:
        _field(order["shipping_address"], name)
    _field(order["shipping"], "method")
    for item in order["items"]:
        for name in ("line_number", "sku", "qty", "price"):
            _field(item, name)
    return dict(order)


def _address(data: Mapping[str, Any], email: str) -> dict[str, Any]:
    address = {k: v for k, v in data.items() if v is not None}
    address.setdefault("email", email)
    return address


class ChannelModule:
    def __init__(self, sandbox: CommerceSandbox, config: ModuleConfig | None = None) -> None:
        self.sandbox = sandbox
        self.config = config or ModuleConfig()
        self.links: dict[tuple[str, str], OrderLink] = {}
        self.by_order_id: dict[int, OrderLink] = {}
        self.customers: dict[tuple[int, str], int] = {}
        """(website id, e-mail) -> customer id, for ``customer.mode = "account"``."""
        self.placed = 0
        self.replayed = 0

    def require_installed(self) -> None:
        if not self.config.installed:
            raise SandboxApiError(404, NO_ROUTE)

    def info(self) -> dict[str, Any]:
        self.require_installed()
        return {
            "module": MODULE_NAME,
            "version": MODULE_VERSION,
            "payment_method": PAYMENT_METHOD,
            "carrier": CHANNEL_CARRIER,
            "events_enabled": self.config.events_enabled,
        }

    def link_of(self, order_id: int) -> OrderLink | None:
        return self.by_order_id.get(int(order_id))

    # ------------------------------------------------------------ POST /V1/channel-manager/orders

    def place(self, body: Mapping[str, Any], store_id: int) -> dict[str, Any]:
        self.require_installed()
        sandbox = self.sandbox
        with sandbox.lock:
            order = _checked(body.get("order"))
            key = (str(order["channel"]), str(order["external_order_id"]))
            link = self.links.get(key)
            if link is not None:
                self.replayed += 1
                return {"entity_id": link.order_id, "increment_id": link.increment_id, "created": False}
            self._check_items(order["items"])
            increment_id = order.get("increment_id")
            if increment_id and any(o["increment_id"] == str(increment_id) for o in sandbox.orders.values()):
                raise bad_request('Order number "%1" is already used by another order.', [str(increment_id)])
            placed = sandbox.order_store.insert(self._new_order(order, int(order.get("store_id") or store_id)))
            link = OrderLink(
                len(self.links) + 1, key[0], key[1], placed["entity_id"], placed["increment_id"], sandbox.clock.stamp()
            )
            self.links[key] = link
            self.by_order_id[link.order_id] = link
            self.placed += 1
            sandbox.emit(ORDER_SAVED, sandbox.order_store.render(placed))
            return {"entity_id": placed["entity_id"], "increment_id": placed["increment_id"], "created": True}

    def _check_items(self, items: list[Mapping[str, Any]]) -> None:
        catalog = self.sandbox.catalog
        wanted: dict[str, float] = {}
        for item in items:
            sku = str(item["sku"])
            product = catalog.products.get(sku)
            if product is None:
                raise bad_request('The product with SKU "%1" does not exist.', [sku])
            if product.status != ENABLED:
                raise bad_request('Product "%1" is disabled.', [sku])
            wanted[sku] = wanted.get(sku, 0.0) + num(item["qty"])
        for sku, qty in wanted.items():
            if qty > catalog.salable_quantity(sku) + EPSILON:
                raise bad_request('The requested qty of "%1" is not available.', [sku])

    def _customer(self, customer: Mapping[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "customer_email": customer["email"],
            "customer_firstname": customer["firstname"],
            "customer_lastname": customer["lastname"],
        }
        if customer.get("mode", "guest") != "account":
            return {**fields, "customer_is_guest": 1, "customer_group_id": 0}
        key = (1, str(customer["email"]).lower())
        customer_id = self.customers.setdefault(key, len(self.customers) + 1)
        return {**fields, "customer_is_guest": 0, "customer_group_id": 1, "customer_id": customer_id}

    def _new_order(self, order: Mapping[str, Any], store_id: int) -> NewOrder:
        shipping = order["shipping"]
        method = str(shipping["method"])
        amount, shipping_tax = num(shipping.get("amount")), num(shipping.get("tax_amount"))
        items = [self._item(item) for item in order["items"]]
        fields: dict[str, Any] = {
            **self._customer(order["customer"]),
            "ext_order_id": str(order["external_order_id"]),
            "order_currency_code": order.get("currency_code") or "USD",
            "shipping_amount": amount,
            "shipping_tax_amount": shipping_tax,
            "shipping_description": shipping_description(CHANNEL_CARRIER, method.lower()),
        }
        if order.get("increment_id"):
            fields["increment_id"] = str(order["increment_id"])
        email = str(order["customer"]["email"])
        shipping_address = _address(order["shipping_address"], email)
        comment = order.get("comment")
        return NewOrder(
            store_id=store_id,
            fields=fields,
            items=items,
            billing=_address(order.get("billing_address") or order["shipping_address"], email),
            shipping=shipping_address,
            shipping_method=f"{CHANNEL_CARRIER}_{method.lower()}",
            payment={"method": PAYMENT_METHOD},
            histories=[{"comment": str(comment)}] if comment else [],
        )

    def _item(self, item: Mapping[str, Any]) -> dict[str, Any]:
        product = self.sandbox.catalog.product(str(item["sku"]))
        qty, price, tax = num(item["qty"]), num(item["price"]), num(item.get("tax_amount"))
        return {
            "sku": product.sku,
            "name": product.name,
            "qty_ordered": qty,
            "price": price,
            "original_price": product.price,
            "base_original_price": product.price,
            "row_total": price * qty,
            "tax_amount": tax,
            "ext_order_item_id": str(item["line_number"]),
        }
