"""The audit trail: who (an API token's name, or the OS user at the CLI) changed what, and when.

Every use case that changes something takes an optional ``actor``; without one it is the OS user running
the CLI. An entry that names an order shows in that order's timeline.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from typing import Any

from ..domain.orders import PurchaseOrder
from ..storage.api_access import AuditEvent
from ..storage.unit_of_work import Database, UnitOfWork


def os_user() -> str:
    """``cli:<login name>`` of whoever runs the command."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        name = f"uid {os.getuid()}"
    return f"cli:{name}"


def actor_or_default(actor: str | None) -> str:
    return actor or os_user()


def record(
    uow: UnitOfWork,
    actor: str | None,
    action: str,
    target: str,
    summary: str,
    *,
    store_id: int | None = None,
    order_id: int | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Adds one entry in the caller's transaction (it commits with the change it records)."""
    uow.audit.add(
        AuditEvent(
            at=at or datetime.now(UTC),
            actor=actor_or_default(actor),
            action=action,
            target=target,
            details={"summary": summary, **(details or {})},
            store_id=store_id,
            order_id=order_id,
        )
    )


def record_for_order(
    database: Database,
    order: PurchaseOrder,
    actor: str | None,
    action: str,
    summary: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Records, in its own transaction, a change made remotely first (in Commerce) for ``order``."""
    with database.unit_of_work() as uow:
        record(
            uow, actor, action, order.purchase_order_id, summary,
            store_id=order.store_id, order_id=order.id, details=details,
        )  # fmt: skip
        uow.commit()


def recent(database: Database, *, limit: int = 100) -> list[AuditEvent]:
    with database.unit_of_work(read_only=True) as uow:
        return uow.audit.list(limit=limit)
