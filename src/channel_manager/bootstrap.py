"""The composition root: settings, key, database, clock and the sync context (which builds each store's
Walmart and Commerce clients through ``connections``) are wired here and nowhere else, for the CLI, the
service, the demo and the benchmarks alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from .crypto import SecretBox, SecretKeyError, read_key_file, write_key_file
from .logs import configure_logging
from .service.context import Clock, utc_now
from .settings import AppSettings, load_settings
from .storage.database import create_engine_for, database_revision, head_revision, upgrade_database
from .storage.errors import StorageError
from .storage.unit_of_work import Database
from .sync.context import LEASE_SECONDS, SyncContext
from .sync.retry import RetryPolicy


class NotInitialised(StorageError):
    """The database has no schema yet, or an older one."""


@dataclass
class App:
    settings: AppSettings
    database: Database

    def close(self) -> None:
        self.database.dispose()


def build_context(
    database: Database,
    *,
    clock: Clock = utc_now,
    retry_policy: RetryPolicy | None = None,
    lease_seconds: float = LEASE_SECONDS,
    walmart_options: dict[str, Any] | None = None,
    commerce_options: dict[str, Any] | None = None,
) -> SyncContext:
    """The one context of a process: its database, clock, retry policy and lease, and the options of the
    clients it opens per store (``walmart_options`` / ``commerce_options``, e.g. timeouts)."""
    return SyncContext(
        database,
        clock=clock,
        retry_policy=retry_policy or RetryPolicy(),
        lease_seconds=lease_seconds,
        walmart_options=dict(walmart_options or {}),
        commerce_options=dict(commerce_options or {}),
    )


def secret_box_for(settings: AppSettings, *, create: bool = False) -> SecretBox:
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value().encode("ascii"))
    path = settings.resolved_key_file
    key = write_key_file(path) if create else read_key_file(path)
    return SecretBox(key)


#: Log level of a command when none is asked for: one-shot commands print their result, not logs.
QUIET = "CRITICAL"


def open_app(
    settings: AppSettings | None = None, *, configure_logs: bool = True, default_log_level: str = QUIET
) -> App:
    """Opens an initialised installation; refuses a database without the current schema."""
    settings = settings or load_settings()
    if configure_logs:
        configure_logging(settings.log_format, settings.log_level or default_log_level)
    engine = create_engine_for(settings.resolved_database_url)
    revision = database_revision(engine)
    if revision != head_revision():
        engine.dispose()
        state = "has no channel-manager schema" if revision is None else f"is at schema {revision}"
        raise NotInitialised(f"The database {state}; run `channel-manager init` to create or upgrade it.")
    try:
        box = secret_box_for(settings)
    except SecretKeyError:
        engine.dispose()
        raise
    return App(settings=settings, database=Database(engine, box))


@dataclass(frozen=True)
class InitResult:
    database_url: str
    key_source: str
    config_file: Path
    config_written: bool
    revision_before: str | None
    revision_after: str


def initialise(settings: AppSettings | None = None) -> InitResult:
    """Creates or upgrades the database, the encryption key file (mode 0600) and a config file."""
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret_box_for(settings, create=True)
    key_source = "CHANNEL_MANAGER_SECRET_KEY" if settings.secret_key else str(settings.resolved_key_file)
    config_file = settings.config_file
    written = False
    if not config_file.exists():
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config = {
            "database_url": settings.resolved_database_url,
            "log_format": settings.log_format,
        }
        if settings.log_level:
            config["log_level"] = settings.log_level
        config_file.write_text(
            "# channel-manager settings; environment variables CHANNEL_MANAGER_* override them.\n"
            + tomli_w.dumps(config)
        )
        os.chmod(config_file, 0o600)
        written = True
    engine = create_engine_for(settings.resolved_database_url)
    try:
        before = database_revision(engine)
        upgrade_database(engine)
        after = database_revision(engine) or head_revision()
    finally:
        engine.dispose()
    return InitResult(settings.resolved_database_url, key_source, config_file, written, before, after)
