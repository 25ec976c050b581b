"""Faults injected per endpoint: errors, latency, timeouts, 429 storms, revoked tokens, and "apply, then
lose the response"."""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from channel_manager_sandboxes.walmart.contract import MUTATING_ENDPOINTS


class FaultMode(StrEnum):
    ERROR = "error"
    """Answer ``status`` instead of doing the call (nothing is applied)."""
    RATE_LIMIT_STORM = "rate_limit_storm"
    """Answer 429 (gateway shape, with the rate-limit headers) whatever the bucket holds."""
    LOSE_RESPONSE = "lose_response"
    """Apply the change, then answer ``status`` (5xx) or, with ``lost_as="timeout"``, hang ``hang_seconds``."""
    LATENCY = "latency"
    """Only add ``latency_ms``."""
    TIMEOUT = "timeout"
    """Hang ``hang_seconds`` without applying anything, then answer 504 (a client with a shorter timeout
    sees a timeout)."""
    REVOKE_TOKEN = "revoke_token"
    """The call's access token stops working now, before its expiry: this call and every later one with
    that token answer 401 (the client must get a new token)."""


@dataclass
class Fault:
    endpoint: str = "*"
    """An endpoint template (``"POST /v3/orders/{purchaseOrderId}/shipping"``), a pattern
    (``"POST *"``, ``"* /v3/orders*"``), ``"*"`` for every call, or ``"mutating"`` for every endpoint that
    changes something (``contract.MUTATING_ENDPOINTS``)."""
    seller_id: str | None = None
    mode: FaultMode = FaultMode.ERROR
    error_rate: float = 1.0
    status: int = 503
    latency_ms: int = 0
    count: int | None = None
    """How many times it fires (None: until removed)."""
    lost_as: str = "error"
    """``error`` (answer ``status``) or ``timeout`` (hang ``hang_seconds``, then 504)."""
    hang_seconds: float = 5.0
    id: int = 0
    fired: int = 0

    def matches(self, endpoint: str, seller_id: str | None) -> bool:
        if self.endpoint == "mutating":
            if endpoint not in MUTATING_ENDPOINTS:
                return False
        elif self.endpoint != endpoint and not fnmatch.fnmatchcase(endpoint, self.endpoint):
            return False
        return self.seller_id is None or self.seller_id == seller_id

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = str(self.mode)
        return data


@dataclass
class FaultDecision:
    latency_ms: int = 0
    fault: Fault | None = None


@dataclass
class FaultBook:
    seed: int = 7
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def decide(self, endpoint: str, seller_id: str | None) -> FaultDecision:
        """Which fault (at most one) fires for this call, plus the latency of every matching fault."""
        decision = FaultDecision()
        if not self.faults:
            return decision
        with self._lock:
            for fault in list(self.faults):
                if not fault.matches(endpoint, seller_id):
                    continue
                decision.latency_ms += fault.latency_ms
                if fault.mode is FaultMode.LATENCY or decision.fault is not None:
                    continue
                if self._rng.random() >= fault.error_rate:
                    continue
                fault.fired += 1
                decision.fault = fault
                if fault.count is not None and fault.fired >= fault.count:
                    self.faults.remove(fault)
        return decision
