"""The ``push_inventory`` job: Commerce's salable quantity of one SKU becomes Walmart's inventory.

The quantity is read when the job runs, not when it was queued, so one job stands for every change queued
before it started (see ``storage.coalesced_jobs``). Setting an absolute quantity is safe to repeat.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .handlers import JobRun

PUSH_INVENTORY = "push_inventory"


def push_inventory_action(sku: str) -> str:
    return f"send the stock of SKU {sku} to Walmart"


async def push_inventory(run: JobRun) -> None:
    sku = str(run.job.payload["sku"])
    quantity = max(0, math.floor(await stock_of(run, sku)))
    await run.link.walmart.set_inventory(sku, quantity)
    await run.finish()


async def stock_of(run: JobRun, sku: str) -> float:
    """Commerce's salable quantity of ``sku``. Commerce routes that quantity by SKU in the URL path, which a
    SKU with a ``/`` cannot pass; for such a SKU the in-stock source quantities (a search, where the SKU is a
    query value) stand in for it."""
    commerce = run.link.commerce
    if "/" not in sku:
        return await commerce.get_salable_quantity(sku)
    items = await commerce.get_source_items(sku)
    return sum(item.quantity for item in items if item.status == 1 and item.sku == sku)
