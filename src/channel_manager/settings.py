"""Application settings: environment variables (``CHANNEL_MANAGER_*``) over a TOML file over defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

APP_NAME = "channel-manager"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    override = os.environ.get("CHANNEL_MANAGER_CONFIG")
    return Path(override) if override else default_data_dir() / "config.toml"


class AppSettings(BaseSettings):
    """Where the data lives, how to log, where the encryption key is.

    Per-store behaviour (carrier mapping, reasons, intervals...) lives with each store in the database.
    """

    model_config = SettingsConfigDict(env_prefix="CHANNEL_MANAGER_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data directory."
    )
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key that encrypts stored credentials; default: the key file."
    )
    key_file: Path | None = None
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    public_url: str | None = Field(default=None, description="Where Walmart and Commerce reach our webhooks.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=default_config_file())
        return (init_settings, env_settings, toml)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'channel-manager.sqlite3'}"

    @property
    def resolved_key_file(self) -> Path:
        return self.key_file or self.data_dir / "secret.key"

    @property
    def config_file(self) -> Path:
        return default_config_file()


def load_settings(**overrides: object) -> AppSettings:
    return AppSettings(**overrides)  # type: ignore[arg-type]
