"""Storage: SQLAlchemy Core tables, Alembic migrations, repositories and the unit of work (SQLite, PostgreSQL)."""

from .attempt_repository import AttemptRepository, SyncAttempt, record_attempts
from .cursors import CursorRepository
from .database import create_engine_for, database_revision, database_trouble, head_revision, mask_url, upgrade_database
from .errors import (
    ConcurrentUpdate,
    DatabaseTooNew,
    DatabaseUnavailable,
    DuplicateStore,
    OrderNotFound,
    ReturnNotFound,
    StorageError,
    StoreHasOrders,
    StoreNotFound,
)
from .inbound_events import InboundEvent, InboundEventRepository
from .jobs import Job, JobRepository, JobState
from .orders import OrderRepository, OrderSummary
from .returns import ReturnRepository
from .stores import StoreRepository
from .unit_of_work import Database, UnitOfWork

__all__ = [
    "AttemptRepository",
    "ConcurrentUpdate",
    "CursorRepository",
    "Database",
    "DatabaseTooNew",
    "DatabaseUnavailable",
    "DuplicateStore",
    "InboundEvent",
    "InboundEventRepository",
    "Job",
    "JobRepository",
    "JobState",
    "OrderNotFound",
    "OrderRepository",
    "OrderSummary",
    "ReturnNotFound",
    "ReturnRepository",
    "StorageError",
    "StoreHasOrders",
    "StoreNotFound",
    "StoreRepository",
    "SyncAttempt",
    "UnitOfWork",
    "create_engine_for",
    "database_revision",
    "database_trouble",
    "head_revision",
    "mask_url",
    "record_attempts",
    "upgrade_database",
]
