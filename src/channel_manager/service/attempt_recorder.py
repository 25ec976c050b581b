"""Turns every Walmart and Commerce HTTP attempt into a stored sync attempt of the right order and job."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from ..commerce.http_attempts import CommerceAttempt
from ..domain.sync import Side
from ..storage.attempt_repository import SyncAttempt
from ..storage.unit_of_work import Database
from ..walmart.http_attempts import WalmartAttempt
from .side_health import SideHealth


@dataclass
class AttemptScope:
    """What the attempts made now belong to, and the attempts collected so far."""

    store_id: int
    order_id: int | None = None
    job_id: int | None = None
    collected: list[SyncAttempt] = field(default_factory=list)


_scope: ContextVar[AttemptScope | None] = ContextVar("attempt_scope", default=None)


class AttemptRecorder:
    """The ``on_attempt`` callback of one store's clients.

    Inside :meth:`scope` attempts are collected and written when the scope ends (one short transaction
    of their own, so they survive a rolled-back job); outside a scope they are written at once.
    """

    def __init__(
        self, database: Database, store_id: int, *, clock: Callable[[], datetime] = partial(datetime.now, UTC)
    ) -> None:
        self._database = database
        self._store_id = store_id
        #: Whether each side answers this store's calls (what wakes the jobs waiting out an outage).
        self.health = SideHealth(lambda: clock().timestamp())

    @contextmanager
    def scope(
        self, *, order_id: int | None = None, job_id: int | None = None, flush: bool = True
    ) -> Iterator[AttemptScope]:
        """Collects the attempts made inside; writes them at the end unless ``flush`` is False (then
        the caller writes ``scope.collected``, e.g. off the event loop)."""
        scope = AttemptScope(self._store_id, order_id, job_id)
        token = _scope.set(scope)
        try:
            yield scope
        finally:
            _scope.reset(token)
            if flush and scope.collected:
                self._database.record_attempts(scope.collected)

    def walmart(self, attempt: WalmartAttempt) -> None:
        self._record(
            attempt, Side.WALMART, attempt.error_description, error_code=attempt.error_code,
            correlation_id=attempt.correlation_id, purchase_order_id=attempt.purchase_order_id,
        )  # fmt: skip

    def commerce(self, attempt: CommerceAttempt) -> None:
        self._record(attempt, Side.COMMERCE, attempt.error)

    def _record(
        self,
        attempt: WalmartAttempt | CommerceAttempt,
        side: Side,
        error_message: str | None,
        *,
        error_code: str | None = None,
        correlation_id: str | None = None,
        purchase_order_id: str | None = None,
    ) -> None:
        """Stores one attempt of either side: in the open scope of this store, or at once."""
        self.health.saw(side, attempt.http_status)
        scope = _scope.get()
        if scope is not None and scope.store_id != self._store_id:
            scope = None
        record = SyncAttempt(
            store_id=self._store_id, started_at=attempt.started_at, side=side, method=attempt.method,
            endpoint=attempt.endpoint, path=attempt.path, duration_ms=round(attempt.duration_ms),
            http_status=attempt.http_status, error_code=error_code, error_message=error_message,
            correlation_id=correlation_id, order_id=scope.order_id if scope else None,
            job_id=scope.job_id if scope else None, purchase_order_id=purchase_order_id,
        )  # fmt: skip
        if scope is not None:
            scope.collected.append(record)
        else:
            self._database.record_attempts([record])
