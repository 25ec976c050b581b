"""The sandbox's internal events: what happened in the store, told to every listener (the Adobe
Commerce webhook dispatcher, the companion module's event sender, tests).

The names are Adobe Commerce's observer event names (NOTES.md section 11) with the ``observer.``
prefix its webhooks use. A listener gets ``(event name, rendered entity)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ORDER_SAVED = "observer.sales_order_save_after"
SHIPMENT_SAVED = "observer.sales_order_shipment_save_after"
TRACK_SAVED = "observer.sales_order_shipment_track_save_after"
CREDIT_MEMO_SAVED = "observer.sales_order_creditmemo_save_after"
ORDER_CANCELED = "observer.order_cancel_after"
STOCK_CHANGED = "observer.cataloginventory_stock_item_save_commit_after"

EventListener = Callable[[str, dict[str, Any]], None]
