"""One database transaction around a piece of work, with the repositories bound to it; and ``Database``."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, exc

from channel_manager.crypto import SecretBox

from .api_access import AuditRepository, IdempotencyRepository, TokenRepository
from .attempt_repository import AttemptRepository, SyncAttempt, record_attempts
from .cursors import CursorRepository
from .database import (
    READ_ONLY,
    check_connection,
    create_engine_for,
    database_revision,
    mask_url,
    unavailable,
    upgrade_database,
)
from .inbound_events import InboundEventRepository
from .jobs import JobRepository
from .orders import OrderRepository
from .returns import ReturnRepository
from .stores import StoreRepository


class UnitOfWork:
    """``with UnitOfWork(engine, box) as uow: ...; uow.commit()``.

    Opens one connection and transaction on enter; whatever is not committed is rolled back on exit. It is
    the only place that commits. On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``)
    unless ``read_only``.
    """

    stores: StoreRepository
    orders: OrderRepository
    returns: ReturnRepository
    jobs: JobRepository
    attempts: AttemptRepository
    cursors: CursorRepository
    inbound_events: InboundEventRepository
    tokens: TokenRepository
    idempotency: IdempotencyRepository
    audit: AuditRepository

    def __init__(self, engine: Engine, secret_box: SecretBox, *, read_only: bool = False) -> None:
        self._engine = engine
        self._secret_box = secret_box
        self._read_only = read_only
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        try:
            connection = self._engine.connect()
        except exc.OperationalError as error:
            raise unavailable(self._engine.url, error) from error
        if self._read_only:
            options = {READ_ONLY: True}
            if connection.dialect.name == "postgresql":
                options["postgresql_readonly"] = True
            connection = connection.execution_options(**options)
        try:
            connection.begin()
        except BaseException as error:
            connection.close()
            if isinstance(error, exc.OperationalError):
                raise unavailable(self._engine.url, error) from error
            raise
        self._connection = connection
        self.stores = StoreRepository(connection, self._secret_box)
        self.orders = OrderRepository(connection)
        self.returns = ReturnRepository(connection)
        self.jobs = JobRepository(connection)
        self.attempts = AttemptRepository(connection)
        self.cursors = CursorRepository(connection)
        self.inbound_events = InboundEventRepository(connection)
        self.tokens = TokenRepository(connection)
        self.idempotency = IdempotencyRepository(connection)
        self.audit = AuditRepository(connection)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.close()

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("The unit of work is not open: use it in a `with` block.")
        return self._connection

    def commit(self) -> None:
        """Commits what was done so far. Later work in the same block starts a new transaction."""
        self.connection.commit()

    def rollback(self) -> None:
        self.connection.rollback()


class Database:
    """The database the application works with: an engine, the key for stored secrets, units of work."""

    def __init__(self, engine: Engine, secret_box: SecretBox) -> None:
        self.engine = engine
        self.secret_box = secret_box

    @classmethod
    def open(cls, url: str, secret_box: SecretBox, *, upgrade: bool = True) -> Database:
        """Opens ``url`` (raising ``DatabaseUnavailable`` with a one-line reason) and migrates it unless told not to."""
        engine = create_engine_for(url)
        try:
            if upgrade:
                upgrade_database(engine)
            else:
                check_connection(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, secret_box)

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    @property
    def url(self) -> str:
        """The database URL with any password masked."""
        return mask_url(self.engine.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, self.secret_box, read_only=read_only)

    def record_attempts(self, attempts: Iterable[SyncAttempt]) -> None:
        """Writes sync attempts in their own committed transaction (they outlive a rolled-back job)."""
        record_attempts(self.engine, attempts)

    def upgrade(self) -> str:
        return upgrade_database(self.engine)

    def revision(self) -> str | None:
        return database_revision(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
