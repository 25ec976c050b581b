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
    salable = await run.link.commerce.get_salable_quantity(sku)
    quantity = max(0, math.floor(salable))
    await run.link.walmart.set_inventory(sku, quantity)
    await run.finish()
