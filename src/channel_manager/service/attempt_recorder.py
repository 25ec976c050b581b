"""Turns every Walmart and Commerce HTTP attempt into a stored sync attempt of the right order and job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ..commerce.http_attempts import CommerceAttempt
from ..domain.sync import Side
from ..storage.attempt_repository import SyncAttempt
from ..storage.unit_of_work import Database
from ..walmart.http_attempts import WalmartAttempt


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

    def __init__(self, database: Database, store_id: int) -> None:
        self._database = database
        self._store_id = store_id

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

    def _add(self, attempt: SyncAttempt) -> None:
        scope = _scope.get()
        if scope is not None and scope.store_id == self._store_id:
            scope.collected.append(attempt)
        else:
            self._database.record_attempts([attempt])

    def _ids(self) -> tuple[int | None, int | None]:
        scope = _scope.get()
        if scope is None or scope.store_id != self._store_id:
            return None, None
        return scope.order_id, scope.job_id

    def walmart(self, attempt: WalmartAttempt) -> None:
        order_id, job_id = self._ids()
        self._add(
            SyncAttempt(
                store_id=self._store_id,
                started_at=attempt.started_at,
                side=Side.WALMART,
                method=attempt.method,
                endpoint=attempt.endpoint,
                path=attempt.path,
                duration_ms=round(attempt.duration_ms),
                http_status=attempt.http_status,
                error_code=attempt.error_code,
                error_message=attempt.error_description,
                correlation_id=attempt.correlation_id,
                order_id=order_id,
                job_id=job_id,
                purchase_order_id=attempt.purchase_order_id,
            )
        )

    def commerce(self, attempt: CommerceAttempt) -> None:
        order_id, job_id = self._ids()
        self._add(
            SyncAttempt(
                store_id=self._store_id,
                started_at=attempt.started_at,
                side=Side.COMMERCE,
                method=attempt.method,
                endpoint=attempt.endpoint,
                path=attempt.path,
                duration_ms=round(attempt.duration_ms),
                http_status=attempt.http_status,
                error_message=attempt.error,
                order_id=order_id,
                job_id=job_id,
            )
        )
