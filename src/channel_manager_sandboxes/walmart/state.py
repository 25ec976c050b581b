"""The Walmart sandbox: every seller's tokens, orders (per line and per quantity), returns, inventory
and subscriptions, behind one lock.

:class:`WalmartSandbox` composes one object per concept (``tokens``, ``orders``, ``order_query``,
``shipments``, ``cancellations``, ``refunds``, ``returns``, ``inventory``, ``notifications``, plus
``faults``, ``rate_limits`` and ``counters``) and keeps the methods the app and the tests call.
Handlers in ``app.py`` translate HTTP to these methods; every method either returns Walmart's JSON
(a dict, or text for big lists) or raises :class:`SandboxHTTPError` with Walmart's error body.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from channel_manager_sandboxes.walmart.cancellations import Cancellations
from channel_manager_sandboxes.walmart.clock import SandboxClock
from channel_manager_sandboxes.walmart.counters import Counters
from channel_manager_sandboxes.walmart.dates import iso
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
from channel_manager_sandboxes.walmart.faults import FaultBook
from channel_manager_sandboxes.walmart.inventory import Inventory
from channel_manager_sandboxes.walmart.limits import SandboxRateLimits
from channel_manager_sandboxes.walmart.model import PurchaseOrder, Seller
from channel_manager_sandboxes.walmart.notifications import Delivery, Notifications
from channel_manager_sandboxes.walmart.order_query import OrderReads
from channel_manager_sandboxes.walmart.orders import OrderBook
from channel_manager_sandboxes.walmart.refunds import Refunds
from channel_manager_sandboxes.walmart.returns import Returns
from channel_manager_sandboxes.walmart.settings import WalmartSandboxSettings
from channel_manager_sandboxes.walmart.shipments import Shipments
from channel_manager_sandboxes.walmart.tokens import Accounts
from channel_manager_sandboxes.walmart.truth import order_truth


class WalmartSandbox:
    """All sellers of one sandbox instance, with one lock."""

    def __init__(self, settings: WalmartSandboxSettings | None = None, clock: SandboxClock | None = None) -> None:
        self.settings = settings or WalmartSandboxSettings()
        self.clock = clock or SandboxClock()
        self.lock = threading.RLock()
        self.counters = Counters()
        self.faults = FaultBook(seed=self.settings.seed)
        self.rate_limits = SandboxRateLimits(self.settings.limits, enabled=self.settings.rate_limits)
        self.rng = random.Random(self.settings.seed)
        self.return_ids = itertools.count(103738048909818825)
        """Return order ids: a full refund and a customer's return both draw one."""
        self.accounts = Accounts(self.settings, self.clock, self.lock)
        self.notifications = Notifications(self.clock, self.lock)
        self.orders = OrderBook(self)
        self.order_query = OrderReads(self)
        self.shipments = Shipments(self)
        self.cancellations = Cancellations(self)
        self.refunds = Refunds(self)
        self.returns = Returns(self)
        self.inventory = Inventory(self.lock)
        self.create_seller(self.settings.seller_id, self.settings.client_id, self.settings.client_secret)

    # ------------------------------------------------------------ shared records

    @property
    def sellers(self) -> dict[str, Seller]:
        return self.accounts.sellers

    @property
    def tokens(self) -> dict[str, tuple[str, int]]:
        return self.accounts.tokens

    @property
    def po_index(self) -> dict[str, str]:
        return self.orders.po_index

    @property
    def deliveries(self) -> deque[Delivery]:
        return self.notifications.deliveries

    @property
    def pending_deliveries(self) -> list[Delivery]:
        return self.notifications.pending

    @property
    def dispatch(self) -> Callable[[Delivery], None] | None:
        return self.notifications.dispatch

    @dispatch.setter
    def dispatch(self, value: Callable[[Delivery], None] | None) -> None:
        self.notifications.dispatch = value

    # ------------------------------------------------------------ sellers and tokens

    def create_seller(self, seller_id: str, client_id: str, client_secret: str) -> Seller:
        return self.accounts.create_seller(seller_id, client_id, client_secret)

    def seller(self, seller_id: str) -> Seller:
        return self.accounts.seller(seller_id)

    def issue_token(self, authorization: str | None, form: Mapping[str, str]) -> dict[str, Any]:
        return self.accounts.issue_token(authorization, form)

    def basic_seller(self, authorization: str | None) -> Seller:
        return self.accounts.basic_seller(authorization)

    def authenticate(self, token: str | None) -> Seller:
        return self.accounts.authenticate(token)

    def token_detail(self, token: str | None) -> dict[str, Any]:
        return self.accounts.token_detail(token)

    def revoke_tokens(self, seller_id: str) -> int:
        return self.accounts.revoke_tokens(seller_id)

    # ------------------------------------------------------------ the /v3 API

    def list_orders(self, seller: Seller, params: Mapping[str, str], *, released: bool, base: str) -> str:
        return self.order_query.list_orders(seller, params, released=released, base=base)

    def get_order_text(self, seller: Seller, purchase_order_id: str) -> str:
        return self.order_query.get_order_text(seller, purchase_order_id)

    def acknowledge(self, seller: Seller, purchase_order_id: str) -> dict[str, Any]:
        return self.orders.acknowledge(seller, purchase_order_id)

    def ship(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        return self.shipments.ship(seller, purchase_order_id, body)

    def cancel(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        return self.cancellations.cancel(seller, purchase_order_id, body)

    def refund(self, seller: Seller, purchase_order_id: str, body: Any) -> dict[str, Any]:
        return self.refunds.refund(seller, purchase_order_id, body)

    def list_returns(self, seller: Seller, params: Mapping[str, str]) -> dict[str, Any]:
        return self.returns.list_returns(seller, params)

    def refund_return(self, seller: Seller, return_order_id: str, body: Any) -> dict[str, Any]:
        return self.returns.refund_return(seller, return_order_id, body)

    def get_inventory(self, seller: Seller, sku: str | None) -> dict[str, Any]:
        return self.inventory.get_inventory(seller, sku)

    def set_inventory(self, seller: Seller, sku: str | None, body: Any) -> dict[str, Any]:
        return self.inventory.set_inventory(seller, sku, body)

    def subscribe(self, seller: Seller, body: Any) -> dict[str, Any]:
        return self.notifications.subscribe(seller, body)

    def list_subscriptions(self, seller: Seller) -> dict[str, Any]:
        return self.notifications.list_subscriptions(seller)

    def delete_subscription(self, seller: Seller, subscription_id: str) -> dict[str, Any]:
        return self.notifications.delete_subscription(seller, subscription_id)

    # ------------------------------------------------------------ control API

    def create_order(self, seller_id: str, spec: Mapping[str, Any]) -> PurchaseOrder:
        return self.orders.create_order(seller_id, spec)

    def generate_orders(self, seller_id: str, count: int, **options: Any) -> list[str]:
        return self.orders.generate_orders(seller_id, count, **options)

    def deliver_line(self, purchase_order_id: str, line_number: str, quantity: int | None = None) -> dict[str, Any]:
        return self.orders.deliver_line(purchase_order_id, line_number, quantity)

    def set_intent_to_cancel(self, purchase_order_id: str, line_number: str) -> dict[str, Any]:
        return self.orders.set_intent_to_cancel(purchase_order_id, line_number)

    def open_return(self, purchase_order_id: str, lines: list[Mapping[str, Any]]) -> dict[str, Any]:
        return self.returns.open_return(purchase_order_id, lines)

    def auto_refund(self, return_order_id: str) -> dict[str, Any]:
        return self.returns.auto_refund(return_order_id)

    def tick(self) -> None:
        self.orders.tick()

    def truth(self, purchase_order_id: str) -> dict[str, Any]:
        with self.lock:
            return order_truth(*self.orders.located(purchase_order_id))

    def seller_truth(self, seller_id: str) -> dict[str, Any]:
        """Every PO of one seller (lines only) and the counters, for a verdict over a whole run."""
        with self.lock:
            seller = self.seller(seller_id)
            orders = {po: order_truth(seller, order, with_order=False) for po, order in seller.orders.items()}
            return {"seller_id": seller_id, "orders": orders, "counters": self.counters.as_dict()}

    def advance_clock(self, seconds: float) -> datetime:
        moment = self.clock.advance(seconds)
        self.tick()
        return moment

    def record_rejection(self, endpoint: str, error: SandboxHTTPError, seller_id: str | None = None) -> None:
        with self.lock:
            self.counters.reject(endpoint, error, seller_id, iso(self.clock.now_ms()))

    def reset_counters(self) -> None:
        with self.lock:
            self.counters = Counters()
            for seller in self.sellers.values():
                seller.accepted.clear()


__all__ = ["Counters", "Delivery", "WalmartSandbox"]
