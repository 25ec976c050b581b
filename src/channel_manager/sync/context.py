"""The runtime's context: the service context plus the worker's retry policy and lease."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..service.context import ServiceContext, StoreLink
from .retry import RetryPolicy

__all__ = ["LEASE_SECONDS", "StoreLink", "SyncContext"]

#: How long a claimed job stays a worker's without a sign of life. The worker's heartbeat extends it every
#: quarter of it (2.5 s) while the handler runs; a killed worker's job is claimed again within 10 s.
LEASE_SECONDS = 10.0


@dataclass
class SyncContext(ServiceContext):
    """Built by ``bootstrap.build_context`` (tests build their own)."""

    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    lease_seconds: float = LEASE_SECONDS
