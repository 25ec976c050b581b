"""A private PostgreSQL cluster for one chaos run: initdb into a temporary directory as the ``postgres`` OS
user, its own port and socket directory, so a restart mid-run restarts only this cluster (other tests use the
shared server on 5432). Any failure to start it is an error, never a skip."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import free_port


class PostgresUnavailable(RuntimeError):
    pass


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise PostgresUnavailable("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (pg_ctl not found)")
    return Path(found[-1]).parent


class PrivateCluster:
    """``start()`` → ``url``; ``restart()`` (fast shutdown, then start); ``stop()`` (immediate) removes it."""

    def __init__(self, database: str = "chaos") -> None:
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="cm-chaos-pg-"))
        self.data, self.sockets, self.logs = self.root / "data", self.root / "sock", self.root / "log"
        self.port = free_port()
        self.database = database
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def _as_postgres(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            log = (self.logs / "postgres.log").read_text()[-2000:] if (self.logs / "postgres.log").exists() else ""
            raise PostgresUnavailable(f"{' '.join(args[:2])} failed: {result.stderr.strip()} {log}")
        return result

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.logs / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            *extra,
            action,
        )

    def start(self) -> str:
        self.root.chmod(0o755)
        for directory in (self.data, self.sockets, self.logs):
            directory.mkdir()
            if os.geteuid() == 0:
                shutil.chown(directory, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        self._pg_ctl("start")
        self._as_postgres(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.database
        )
        return self.url

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")
        self.restarts += 1

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
