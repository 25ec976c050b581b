"""Running the real ``channel-manager`` command in a subprocess, with its own data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXECUTABLE, *args], env=self.env, input=input, capture_output=True, text=True, timeout=timeout, check=False
        )


def clean_env(**values: str) -> dict[str, str]:
    """This process's environment without any CHANNEL_MANAGER_* variable, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(values)
    return env


def make_cli(data_dir: Path, database_url: str | None = None, **values: str) -> Cli:
    env = clean_env(CHANNEL_MANAGER_DATA_DIR=str(data_dir), **values)
    if database_url:
        env["CHANNEL_MANAGER_DATABASE_URL"] = database_url
    return Cli(env)
