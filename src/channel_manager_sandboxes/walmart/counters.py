"""What the sandbox counts: calls, 429s, rejections, changes accepted and changes applied twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from channel_manager_sandboxes.walmart.errors import SandboxHTTPError
from channel_manager_sandboxes.walmart.model import Seller, canonical
from channel_manager_sandboxes.walmart.payload import as_list


@dataclass
class Counters:
    calls: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rejected_log: list[dict[str, Any]] = field(default_factory=list)
    applied_twice: int = 0
    applied_twice_log: list[dict[str, Any]] = field(default_factory=list)
    duplicate_acknowledgements: int = 0
    changes_applied: int = 0
    lost_responses: int = 0
    faults_fired: int = 0
    revoked_by_fault: int = 0
    notifications_sent: int = 0
    notifications_failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "calls_total": sum(self.calls.values()),
            "throttled": self.throttled,
            "rejected": dict(self.rejected),
            "rejected_total": sum(self.rejected.values()),
            "rejected_recent": list(self.rejected_log),
            "applied_twice": self.applied_twice,
            "applied_twice_details": list(self.applied_twice_log),
            "duplicate_acknowledgements": self.duplicate_acknowledgements,
            "changes_applied": self.changes_applied,
            "lost_responses": self.lost_responses,
            "faults_fired": self.faults_fired,
            "revoked_by_fault": self.revoked_by_fault,
            "notifications_sent": self.notifications_sent,
            "notifications_failed": self.notifications_failed,
        }

    def reject(self, endpoint: str, error: SandboxHTTPError, seller_id: str | None, at: str) -> None:
        self.rejected[f"{error.status} {error.code}"] += 1
        self.rejected_log.append(
            {
                "endpoint": endpoint,
                "seller_id": seller_id,
                "status": error.status,
                "code": error.code,
                "field": error.field,
                "description": error.description,
                "at": at,
            }
        )
        del self.rejected_log[:-200]

    def accept(self, seller: Seller, kind: str, target: str, body: Any, at: str) -> None:
        """Count an accepted change; one whose canonical request was accepted before is "applied twice"."""
        key = canonical(kind, target, _without_ship_time(body) if kind == "ship" else body)
        self.changes_applied += 1
        if key in seller.accepted:
            self.applied_twice += 1
            self.applied_twice_log.append({"seller_id": seller.seller_id, "kind": kind, "target": target, "at": at})
        else:
            seller.accepted.add(key)


def _without_ship_time(body: Any) -> Any:
    """A shipment's canonical form leaves out the ship time: a replay with a new ship time is the same shipment."""
    body = json.loads(json.dumps(body))
    shipment = body.get("orderShipment") if isinstance(body, Mapping) else None
    for line in as_list(shipment, "orderLines", "orderLine"):
        for status in as_list(line, "orderLineStatuses", "orderLineStatus"):
            if isinstance(status, dict) and isinstance(status.get("trackingInfo"), dict):
                status["trackingInfo"].pop("shipDateTime", None)
    return body
