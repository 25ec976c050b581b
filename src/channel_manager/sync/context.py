"""The runtime's context: the service context plus the worker's retry policy and lease."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..service.context import ServiceContext, StoreLink
from .retry import RetryPolicy

__all__ = ["StoreLink", "SyncContext"]


@dataclass
class SyncContext(ServiceContext):
    """Built by ``bootstrap.build_context`` (tests build their own)."""

    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    lease_seconds: float = 60.0
