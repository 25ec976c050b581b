"""Fault injection per route: errors, latency, and "save, then lose the response"."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

FaultMode = Literal["error", "lose_response", "delay"]


@dataclass
class FaultRule:
    route: str = "*"
    """``"POST /V1/order/{orderId}/ship"`` (method + template, store prefix left out), a template
    without method (any method), ``"*"`` for every REST route, or ``"mutating"`` for every route that
    changes something (any method but GET)."""
    mode: FaultMode = "error"
    """``error``: answer ``status`` without doing anything (route ``"*"``: a Commerce outage);
    ``lose_response``: apply the request (save), wait ``latency_ms`` (longer than the client's timeout = a
    hang), then answer ``status``; ``delay``: wait ``latency_ms`` and answer normally."""
    error_rate: float = 1.0
    status: int = 503
    latency_ms: int = 0
    count: int | None = None
    """How many more times the rule fires (``None`` = no limit)."""
    id: int = 0
    fired: int = 0

    def applies_to(self, endpoint: str) -> bool:
        if self.route == "*":
            return True
        if self.route == "mutating":
            return not endpoint.startswith("GET ")
        if " " in self.route:
            return self.route == endpoint
        return endpoint.split(" ", 1)[1] == self.route

    def view(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._next_id = 1

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
            return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.view() for r in self._rules]

    def pick(self, endpoint: str) -> FaultRule | None:
        """The first rule that fires for this call (consuming one of its ``count``), if any."""
        with self._lock:
            for rule in self._rules:
                if not rule.applies_to(endpoint) or (rule.count is not None and rule.count <= 0):
                    continue
                if rule.error_rate < 1.0 and self._random.random() >= rule.error_rate:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                rule.fired += 1
                return rule
            return None
