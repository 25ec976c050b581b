"""Running one async use case from a CLI command, then sending what it queued."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..bootstrap import build_context
from ..storage.unit_of_work import Database
from ..sync.context import SyncContext
from ..sync.worker import Worker

T = TypeVar("T")


def run_and_send(database: Database, action: Callable[[SyncContext], Awaitable[T]], *, send: bool = True) -> T:
    """Runs ``action``; with ``send``, then runs the due jobs (what the running service would do next)."""

    async def main() -> T:
        context = build_context(database)
        try:
            result = await action(context)
            if send:
                worker = Worker(context)
                for _ in range(100):
                    if await worker.run_once(limit=10) == 0:
                        break
            return result
        finally:
            await context.aclose()

    return asyncio.run(main())
