"""What the HTTP service shares between its routes: the database, the sync context, counters."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from starlette.requests import Request

from ..storage.unit_of_work import Database
from ..sync.context import SyncContext


@dataclass
class ServiceMetrics:
    started_at: float = field(default_factory=time.time)
    webhooks_received: Counter[str] = field(default_factory=Counter)


@dataclass
class ServiceState:
    database: Database
    context: SyncContext
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)


def service_state(request: Request) -> ServiceState:
    """The state the app was started with, for a route (``app.state.service``)."""
    return request.app.state.service  # type: ignore[no-any-return]
