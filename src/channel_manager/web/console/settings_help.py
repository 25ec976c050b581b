"""The help text the console shows beside each store setting (the README's table, in a merchant's words)."""

from __future__ import annotations

SETTINGS_HELP: dict[str, str] = {
    "import_orders": "Take in new Walmart orders. Off: orders already taken in still sync, no new ones come in.",
    "order_creation_path": "module: through the companion Commerce module's route (Walmart's prices, totals, stock "
    "reservation, one order per PO); cart: Commerce's cart and checkout with the store's own offline payment and "
    "shipping methods (Commerce's prices and rules apply); direct: saved as is, with no stock reservation and no "
    "totals or side effects (see docs/commerce-module.md).",
    "cart_payment_method": "Cart path only: the store's offline payment method code the orders are placed with.",
    "cart_carrier_code": "Cart path only: the shipping carrier code the orders are placed with.",
    "cart_method_code": "Cart path only: the shipping method code the orders are placed with.",
    "invoice_on_import": "Invoice the Commerce order offline right after it is created "
    "(Walmart has charged the buyer).",
    "customer_mode": "guest: each order as a guest order; account: one Commerce customer account per buyer.",
    "order_number_source": "commerce: Commerce's own increment id; walmart: the Walmart PO number as the order number.",
    "commerce_store_id": "The Commerce store view the orders are created in (its numeric id).",
    "commerce_source_code": "The MSI source stock is taken from and shipped from.",
    "carrier_map": "One line per Commerce carrier: 'Commerce carrier code or title = Walmart carrier'. A carrier not "
    "listed goes to Walmart as another carrier, with its tracking URL.",
    "default_cancellation_reason": "The Walmart reason sent when a cancel in Commerce names none.",
    "default_refund_reason": "The Walmart reason sent for a refund without a return.",
    "push_stock_changes": "Push Commerce's salable quantity of a linked SKU to Walmart's inventory after every stock "
    "change, cancel and refund (off: Walmart's inventory is managed elsewhere).",
    "order_poll_seconds": "How often Walmart is asked for new orders (seconds).",
    "commerce_poll_seconds": "How often Commerce is read for shipments, cancellations and credit memos (seconds).",
    "returns_poll_seconds": "How often Walmart is asked for returns (seconds).",
    "reconcile_seconds": "How often both sides are compared and what is missing resent (seconds).",
}
