"""Processes of a benchmark run: a fresh PostgreSQL database, both sandboxes and the connector, each in its own
process, started with the product's own CLI; plus CPU and memory readings from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from channel_manager.crypto import SecretBox
from channel_manager.domain.secret import Secret
from channel_manager.domain.stores import ChannelStore, CommerceConnection, StoreSettings, WalmartAccount
from channel_manager.service import stores as store_service
from channel_manager.storage.database import create_engine_for, upgrade_database
from channel_manager.storage.unit_of_work import Database
from channel_manager_sandboxes.commerce.settings import DEFAULT_TOKEN
from channel_manager_sandboxes.serving import free_port
from channel_manager_sandboxes.walmart.generator import DEFAULT_CATALOG

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")
CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-client-secret-7431"
WALMART_HOOK_SECRET = "bench-walmart-hook-secret"
COMMERCE_HOOK_SECRET = "bench-commerce-hook-secret"
TICKS = os.sysconf("SC_CLK_TCK")
BENCH_DIR = Path(__file__).resolve().parent


def fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


# ---------------------------------------------------------------------- database


@contextmanager
def fresh_database(server_url: str, sqlite_dir: Path | None = None) -> Iterator[str]:
    """A new empty database (PostgreSQL: on ``server_url``; SQLite: a file), dropped afterwards."""
    if sqlite_dir is not None:
        path = sqlite_dir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    server = sa.make_url(server_url)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"cm_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def prepared_database(url: str, key: str) -> Database:
    engine = create_engine_for(url)
    upgrade_database(engine)
    return Database(engine, SecretBox(key.encode("ascii")))


def add_store(database: Database, walmart_url: str, commerce_url: str, **settings: Any) -> int:
    store = ChannelStore(
        name="Bench store",
        walmart=WalmartAccount(walmart_url, CLIENT_ID, Secret(CLIENT_SECRET), Secret(WALMART_HOOK_SECRET)),
        commerce=CommerceConnection(
            commerce_url, access_token=Secret(DEFAULT_TOKEN), webhook_secret=Secret(COMMERCE_HOOK_SECRET)
        ),
        settings=StoreSettings().updated(**settings),
    )
    saved = store_service.add_store(database, store)
    assert saved.id is not None
    return saved.id


# ---------------------------------------------------------------------- processes


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]
    url: str | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (from /proc/<pid>/stat)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / TICKS

    def peak_rss_mb(self) -> float:
        """VmHWM: the process's peak resident set size."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def stop(self, timeout: float = 30.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.log.close()
        return self.popen.returncode


def start(
    name: str, args: list[str], env: dict[str, str], logs: Path, health_url: str | None = None,
    program: list[str] | None = None,
) -> Process:  # fmt: skip
    log = (logs / f"{name}.log").open("ab")
    command = [*(program or [EXECUTABLE]), *args]
    popen = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    process = Process(name, popen, log)
    if health_url is not None:
        wait_healthy(process, health_url)
    return process


def wait_healthy(process: Process, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}; see its log")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.name} did not answer {url} within {timeout} s")
        time.sleep(0.1)


@dataclass
class Sandboxes:
    walmart: Process
    commerce: Process
    walmart_url: str
    commerce_url: str

    def stop(self) -> None:
        self.walmart.stop()
        self.commerce.stop()


def start_sandboxes(env: dict[str, str], logs: Path, *, rate_limits: bool) -> Sandboxes:
    wport, cport = free_port(), free_port()
    walmart = start(
        "walmart-sandbox",
        ["sandbox", "walmart", "--port", str(wport), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
         "--rate-limits" if rate_limits else "--no-rate-limits", "--log-level", "warning"],
        env, logs, f"http://127.0.0.1:{wport}/_sandbox/health",
    )  # fmt: skip
    commerce = start(
        "commerce-sandbox",
        ["sandbox", "commerce", "--port", str(cport), "--seed-demo-catalog", "--log-level", "warning"],
        env, logs, f"http://127.0.0.1:{cport}/_sandbox/counters",
    )  # fmt: skip
    walmart_url, commerce_url = f"http://127.0.0.1:{wport}", f"http://127.0.0.1:{cport}"
    for item in DEFAULT_CATALOG:  # plenty of stock: the benchmark measures the sync, not stock-outs
        httpx.put(
            f"{commerce_url}/_sandbox/products/{item.sku}/stock", json={"quantity": 10_000_000}, timeout=10
        ).raise_for_status()
    return Sandboxes(walmart, commerce, walmart_url, commerce_url)


@dataclass
class Connector:
    """``channel-manager run`` in ``processes`` processes: the first serves the API/webhooks and polls; the
    others only run workers."""

    processes: list[Process] = field(default_factory=list)
    api_url: str = ""
    webhook_url: str = ""

    def cpu_seconds(self) -> float:
        return sum(p.cpu_seconds() for p in self.processes)

    def peak_rss_mb(self) -> list[float]:
        return [p.peak_rss_mb() for p in self.processes]

    def stop(self) -> list[int]:
        return [p.stop() for p in self.processes]


def start_connector(
    env: dict[str, str], logs: Path, processes: int, workers_per_process: int, *, client_rate_limits: bool,
    writes_per_minute: int = 0,
) -> Connector:  # fmt: skip
    """With the Walmart client's pacing on (and Walmart's own limits) this is exactly ``channel-manager run``;
    otherwise ``bench/connector.py`` (pacing off, or the write limits scaled to ``writes_per_minute``)."""
    port, webhook_port = free_port(), free_port()
    connector = Connector(api_url=f"http://127.0.0.1:{port}", webhook_url=f"http://127.0.0.1:{webhook_port}")
    plain = client_rate_limits and not writes_per_minute
    program = None if plain else [sys.executable, str(BENCH_DIR / "connector.py")]
    extra = [] if client_rate_limits else ["--no-client-rate-limits"]
    if writes_per_minute:
        extra += ["--writes-per-minute", str(writes_per_minute)]
    workers = ["--workers", str(workers_per_process)]
    connector.processes.append(
        start(
            "connector-0",
            ["run", *workers, "--port", str(port), "--webhook-port", str(webhook_port), *extra][
                0 if program is None else 1 :
            ],
            env,
            logs,
            f"{connector.api_url}/health",
            program,
        )
    )
    for index in range(1, processes):
        args = ["run", *workers, "--no-api", "--no-webhooks", "--no-pollers", *extra][0 if program is None else 1 :]
        connector.processes.append(start(f"connector-{index}", args, env, logs, program=program))
    time.sleep(0.5)
    for process in connector.processes:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}; see its log")
    return connector


def connector_env(base: dict[str, str], data_dir: Path, database_url: str, key: str) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(
        CHANNEL_MANAGER_DATA_DIR=str(data_dir),
        CHANNEL_MANAGER_CONFIG=str(data_dir / "config.toml"),
        CHANNEL_MANAGER_DATABASE_URL=database_url,
        CHANNEL_MANAGER_SECRET_KEY=key,
        CHANNEL_MANAGER_LOG_LEVEL="WARNING",
    )
    return env
