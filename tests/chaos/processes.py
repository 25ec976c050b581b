"""The processes of a chaos run, each started with the product's own CLI: the two sandboxes and N
``channel-manager run`` processes on one database, set up with ``channel-manager init`` and ``stores add``.
Every process is registered in a :class:`ProcessGroup` that kills whatever is left, even on failure."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

EXECUTABLE = str(Path(sys.executable).parent / "channel-manager")
CLIENT_ID = "chaos-client"
CLIENT_SECRET = "chaos-client-secret-5521"
COMMERCE_TOKEN = "sandbox-commerce-token"
WALMART_HOOK_SECRET = "chaos-walmart-hook-secret"
COMMERCE_HOOK_SECRET = "chaos-commerce-hook-secret"
STORE_NAME = "Chaos store"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the harness imports nothing from the product or its sandboxes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Managed:
    """One OS process: started, SIGKILLed and restarted, SIGSTOPped and SIGCONTed, stopped."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    health_url: str | None = None
    popen: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    stopped: bool = False  # SIGSTOPped
    starts: int = 0

    def start(self, wait: float = 90.0) -> None:
        self.log = self.log_path.open("ab")
        self.popen = subprocess.Popen(self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.starts += 1
        self.stopped = False
        if self.health_url is not None:
            self.wait_healthy(wait)

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_healthy(self, timeout: float) -> None:
        assert self.health_url is not None
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive:
                code = self.popen.returncode if self.popen else None
                raise RuntimeError(f"{self.name} exited with {code}; see {self.log_path}")
            try:
                httpx.get(self.health_url, timeout=1.0)  # any answer: it serves (a 503 /health is a verdict)
                return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} did not answer {self.health_url} within {timeout} s")
            time.sleep(0.1)

    def signal(self, signum: int) -> None:
        if self.alive:
            assert self.popen is not None
            self.popen.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL, and reap it."""
        if self.popen is None:
            return
        if self.stopped:
            self.signal(signal.SIGCONT)
        self.signal(signal.SIGKILL)
        self.popen.wait(10)
        self.stopped = False
        if self.log is not None:
            self.log.close()

    def pause(self) -> None:
        self.signal(signal.SIGSTOP)
        self.stopped = True

    def resume(self) -> None:
        self.signal(signal.SIGCONT)
        self.stopped = False

    def terminate(self, timeout: float = 25.0) -> None:
        if self.popen is None:
            return
        if self.stopped:
            self.resume()
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)
        if self.log is not None:
            self.log.close()


@dataclass
class ProcessGroup:
    """Everything started in a run; ``close()`` stops them all (SIGTERM, then SIGKILL)."""

    logs: Path
    processes: list[Managed] = field(default_factory=list)

    def add(self, process: Managed) -> Managed:
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in reversed(self.processes):
            try:
                process.terminate(timeout=10)
            except Exception:  # cleanup must reach every process
                if process.popen is not None and process.popen.poll() is None:
                    process.popen.kill()


def base_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANNEL_MANAGER_")}
    env.update(
        CHANNEL_MANAGER_DATA_DIR=str(data_dir),
        CHANNEL_MANAGER_CONFIG=str(data_dir / "config.toml"),
        CHANNEL_MANAGER_DATABASE_URL=database_url,
        CHANNEL_MANAGER_LOG_LEVEL="WARNING",
        CHANNEL_MANAGER_LOG_FORMAT="json",
    )
    return env


def start_sandboxes(group: ProcessGroup, env: dict[str, str]) -> tuple[str, str]:
    wport, cport = free_port(), free_port()
    walmart = Managed(
        "walmart-sandbox",
        [
            EXECUTABLE,
            "sandbox",
            "walmart",
            "--port",
            str(wport),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--rate-limits",
            "--log-level",
            "warning",
        ],
        env,
        group.logs / "walmart-sandbox.log",
        f"http://127.0.0.1:{wport}/_sandbox/health",
    )
    commerce = Managed(
        "commerce-sandbox",
        [EXECUTABLE, "sandbox", "commerce", "--port", str(cport), "--token", COMMERCE_TOKEN],
        env,
        group.logs / "commerce-sandbox.log",
        f"http://127.0.0.1:{cport}/_sandbox/counters",
    )
    for process in (walmart, commerce):
        group.add(process).start()
    return f"http://127.0.0.1:{wport}", f"http://127.0.0.1:{cport}"


def cli(env: dict[str, str], *args: str, timeout: float = 120, extra_env: dict[str, str] | None = None) -> str:
    """One ``channel-manager`` command; its output, or an error with it."""
    result = subprocess.run(
        [EXECUTABLE, *args],
        env={**env, **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"channel-manager {' '.join(args[:2])} failed ({result.returncode}): {result.stderr[-800:]}")
    return result.stdout


def set_up_store(env: dict[str, str], walmart_url: str, commerce_url: str, settings: dict[str, str]) -> None:
    """``channel-manager init`` and ``stores add`` (secrets through the environment, not the command line)."""
    cli(env, "init")
    sets: list[str] = []
    for name, value in settings.items():
        sets += ["--set", f"{name}={value}"]
    cli(
        env,
        "stores",
        "add",
        "--name",
        STORE_NAME,
        "--walmart-url",
        walmart_url,
        "--walmart-client-id",
        CLIENT_ID,
        "--commerce-url",
        commerce_url,
        *sets,
        extra_env={
            "CHANNEL_MANAGER_WALMART_CLIENT_SECRET": CLIENT_SECRET,
            "CHANNEL_MANAGER_WALMART_WEBHOOK_SECRET": WALMART_HOOK_SECRET,
            "CHANNEL_MANAGER_COMMERCE_TOKEN": COMMERCE_TOKEN,
            "CHANNEL_MANAGER_COMMERCE_WEBHOOK_SECRET": COMMERCE_HOOK_SECRET,
        },
    )


def connector_process(group: ProcessGroup, env: dict[str, str], index: int, workers: int) -> Managed:
    """``channel-manager run`` with its API on its own port (webhooks, /health, /api) and its pollers."""
    port = free_port()
    process = Managed(
        f"run-{index}",
        [EXECUTABLE, "run", "--workers", str(workers), "--port", str(port)],
        env,
        group.logs / f"run-{index}.log",
        f"http://127.0.0.1:{port}/health",
    )
    return group.add(process)


def api_url(process: Managed) -> str:
    assert process.health_url is not None
    return process.health_url.rsplit("/health", 1)[0]
