"""Application settings: environment variables (``CHANNEL_MANAGER_*``) over a TOML file over defaults.

The file is ``CHANNEL_MANAGER_CONFIG`` when set, else ``config.toml`` in the data directory
(``CHANNEL_MANAGER_DATA_DIR`` when set, else the per-user one). A malformed file, an unknown key or an
invalid value is refused with a ``ConfigError`` that names the file (or the variable) and the key.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

APP_NAME = "channel-manager"
ENV_PREFIX = "CHANNEL_MANAGER_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """The config file or a ``CHANNEL_MANAGER_*`` variable is malformed, unknown or has an invalid value."""


def default_data_dir() -> Path:
    override = os.environ.get(f"{ENV_PREFIX}DATA_DIR")
    return Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    override = os.environ.get(f"{ENV_PREFIX}CONFIG")
    return Path(override).expanduser() if override else default_data_dir() / "config.toml"


def read_config_file(path: Path, known: set[str]) -> dict[str, Any]:
    """The file's keys and values; a missing file is empty. Malformed TOML or an unknown key is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"Cannot read the config file {path}: {error.strerror or error}.") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from None
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(
            f"The config file {path} has an unknown key {unknown[0]!r}; the keys are: {', '.join(sorted(known))}."
        )
    return values


class _ConfigFileSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.values = read_config_file(default_config_file(), set(settings_cls.model_fields))

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


class AppSettings(BaseSettings):
    """Where the data lives, how to log, where the encryption key is.

    Per-store behaviour (carrier mapping, reasons, intervals...) lives with each store in the database.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data directory."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key that encrypts stored credentials; default: the key file."
    )
    key_file: Path | None = None
    log_format: Literal["console", "json"] = "console"
    log_level: str | None = Field(
        default=None, description="Log level; unset: `run` logs INFO, other commands log nothing unless --verbose."
    )
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = Field(default=None, description="Where Walmart and Commerce reach our webhooks.")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None:
            return None
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
        return level

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _ConfigFileSource(settings_cls))

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'channel-manager.sqlite3'}"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "secret.key"

    @property
    def config_file(self) -> Path:
        return default_config_file()


def _where(key: str) -> str:
    variable = f"{ENV_PREFIX}{key.upper()}"
    if variable in os.environ:
        return f"The environment variable {variable}"
    return f"The config file {default_config_file()}, key {key!r},"


def load_settings(**overrides: object) -> AppSettings:
    """The settings in force; a bad value raises ``ConfigError`` naming where it came from and the key."""
    try:
        return AppSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{_where(key)} is invalid: {message}.") from None
