"""Issue 14's reproductions: the fixtures of ``tests/sync`` (both sandboxes over real HTTP, a store in a real
database, the real worker) plus what the recovery paths need: helpers that read both sandboxes' own truth,
a worker in its own OS process, and a TCP proxy in front of PostgreSQL that can be cut and restored.

Every test module of this package marks its test ``xfail(strict=True)`` with the issue item it reproduces;
the fix of that item removes the mark.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import sync.conftest as sync_fixtures
from channel_manager.commerce.search_criteria import SearchCriteria
from channel_manager.crypto import SecretBox
from channel_manager.sync import pollers
from sync.conftest import CATALOG, FAST_RETRIES, Servers, TestClock, World, make_store

# The sync tests' fixtures (both sandboxes, the store, the World with its worker), found here too.
quiet_logs = sync_fixtures.quiet_logs
servers = sync_fixtures.servers
store_settings = sync_fixtures.store_settings
world = sync_fixtures.world

__all__ = ["CATALOG", "FAST_RETRIES", "Servers", "TestClock", "World", "make_store"]

SHIP = "POST /v3/orders/{purchaseOrderId}/shipping"
ACKNOWLEDGE = "POST /v3/orders/{purchaseOrderId}/acknowledge"
REFUND = "POST /v3/orders/{purchaseOrderId}/refund"
GET_ORDER = "GET /v3/orders/{purchaseOrderId}"
TOKEN = "POST /v3/token"
INVENTORY_PUT = "PUT /v3/inventory"

#: A key the tests know, so a worker in another OS process can open the store's credentials.
SECRET_KEY = SecretBox.generate_key()


@pytest.fixture
def secret_box() -> SecretBox:
    return SecretBox(SECRET_KEY)


# ---------------------------------------------------------------------- both sandboxes' truth


def walmart_units(world: World, po: str) -> dict[str, dict[str, int]]:
    """Units per Walmart status of each line, as Walmart has them."""
    return {number: line["by_status"] for number, line in world.walmart_truth(po)["lines"].items()}


def shipped(world: World, po: str, line: str) -> list[tuple[int, str]]:
    """(units, tracking number) of each shipment of a line, as Walmart has them."""
    return [
        (entry["quantity"], entry["tracking"]["trackingNumber"])
        for entry in world.walmart_truth(po)["lines"][line]["shipments"]
    ]


def calls(world: World, endpoint: str) -> int:
    return int(world.walmart_counters()["calls"].get(endpoint, 0))


def applied_twice(world: World) -> int:
    return int(world.walmart_counters()["applied_twice"])


async def commerce_orders_for(world: World, po: str) -> list[Any]:
    """The Commerce orders that carry the PO (Commerce's own search, not our link)."""
    return list(await world.merchant.search_orders(SearchCriteria().where("ext_order_id", po)))


async def the_commerce_order(world: World, po: str) -> Any:
    found = await commerce_orders_for(world, po)
    assert len(found) == 1, f"{len(found)} Commerce orders for PO {po}"
    return found[0]


async def poll_walmart(world: World) -> None:
    await pollers.poll_walmart_orders(world.context, await world.context.store(world.store_id))


async def poll_commerce(world: World) -> None:
    await pollers.poll_commerce_orders(world.context, await world.context.store(world.store_id))


async def wait_until(condition: Callable[[], Any], seconds: float, what: str | Callable[[], str]) -> None:
    """Polls ``condition`` (sync or async) until it is true or ``seconds`` have passed; then asserts it.
    ``what`` names the condition in the failure (a callable: worded when it fails, with the state then)."""
    deadline = time.monotonic() + seconds
    while True:
        outcome = condition()
        if asyncio.iscoroutine(outcome):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what() if callable(what) else what}: not reached within {seconds:g} s")
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------------- a real `channel-manager run` process


def run_command_line(*args: str) -> list[str]:
    """``channel-manager run ARGS`` with this interpreter (the installed entry point's own code)."""
    return [sys.executable, "-c", "from channel_manager.cli.app import main; main()", "run", *args]


def run_environment(database_url: str, data_dir: Path) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "CHANNEL_MANAGER_DATABASE_URL": database_url,
        "CHANNEL_MANAGER_SECRET_KEY": SECRET_KEY.decode(),
        "CHANNEL_MANAGER_DATA_DIR": str(data_dir),
        "CHANNEL_MANAGER_CONFIG": str(data_dir / "config.toml"),
        "CHANNEL_MANAGER_LOG_LEVEL": "WARNING",
    }


class RunProcess:
    """``channel-manager run`` as an OS process (workers only: no pollers, no API), started and killed by
    the test. Its output goes to a file the test shows when it fails."""

    def __init__(self, database_url: str, data_dir: Path, name: str, *args: str) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.log_path = data_dir / f"{name}.log"
        self.args = ["--no-pollers", "--no-api", *args]
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> RunProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            *run_command_line(*self.args),
            env=run_environment(self.database_url, self.data_dir),
            stdout=log,
            stderr=log,
        )
        log.close()
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def sigkill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        assert self.process.returncode == -signal.SIGKILL

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class RunProcesses:
    """Starts ``channel-manager run`` processes for a test and stops those still running afterwards."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.started: list[RunProcess] = []

    async def start(self, name: str, *args: str, database_url: str | None = None) -> RunProcess:
        process = RunProcess(database_url or self.database_url, self.data_dir, name, *args)
        self.started.append(await process.start())
        return process

    def outputs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.output()}" for p in self.started)


@pytest.fixture
async def run_processes(database_url: str, tmp_path: Path) -> AsyncIterator[RunProcesses]:
    """``channel-manager run`` processes over the test's database; stopped (SIGTERM, then SIGKILL) after."""
    processes = RunProcesses(database_url, tmp_path / "run")
    try:
        yield processes
    finally:
        for process in processes.started:
            with contextlib.suppress(ProcessLookupError):
                await process.stop()


# ---------------------------------------------------------------------- a TCP proxy that can be cut


class TcpProxy:
    """A loopback TCP proxy (ephemeral port) in front of a server. :meth:`cut` drops every connection and
    refuses new ones (the listening socket is closed), :meth:`restore` listens again on the same port: to
    the client it is a database that went away and came back, while the server itself keeps running."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> TcpProxy:
        self._listen()
        return self

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for end in sockets:
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        """The database is gone: open connections are reset, new ones refused."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    end.close()

    def restore(self) -> None:
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        self.cut()

    def url_for(self, database_url: str) -> str:
        url = sa.make_url(database_url)
        return url.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)


@pytest.fixture
def postgres_proxy(database_url: str) -> Iterator[TcpProxy]:
    """A proxy in front of the test's PostgreSQL server (never the server itself restarted: others use it)."""
    url = sa.make_url(database_url)
    assert url.get_backend_name() == "postgresql", "the proxy stands in front of PostgreSQL"
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    try:
        yield proxy
    finally:
        proxy.close()
