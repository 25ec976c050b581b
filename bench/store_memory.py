"""Peak memory of ``channel-manager run`` with many stores (issue 13: <= 150 MB per process with 100 stores).

N sellers in the Walmart sandbox and N store views in the Commerce sandbox, one channel-manager store per pair
(``seller_world.py``, as ``multi_seller.py`` builds them) on a fresh PostgreSQL database, polling both sides
every ``--poll-seconds`` (so every store's clients are built and used), no orders. The first process serves the
API and webhooks and polls; the others run workers only. After ``--seconds`` it prints each process's VmHWM
(peak resident set) and VmRSS.

    .venv/bin/python bench/store_memory.py --stores 100 --seconds 40 --processes 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from harness import connector_env, fernet_key, fresh_database, prepared_database, start_connector
from seller_world import create_sellers, start_world_sandboxes

DEFAULT_SERVER = "postgresql+psycopg://root@127.0.0.1:5432/postgres"


def resident_mb(pid: int) -> float:
    """VmRSS: the process's resident set now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--poll-seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--workers-per-process", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("CHANNEL_MANAGER_TEST_POSTGRES_URL", DEFAULT_SERVER))
    args = parser.parse_args(argv)
    key = fernet_key()
    with tempfile.TemporaryDirectory(prefix="cm-store-memory-") as tmp, fresh_database(args.postgres) as url:
        logs = Path(tmp)
        env = connector_env(dict(os.environ), logs, url, key)
        database = prepared_database(url, key)
        sandboxes = start_world_sandboxes(env, logs, writes_per_minute=60)
        try:
            create_sellers(database, sandboxes, args.stores, args.poll_seconds)
            # Walmart's own limits in the client: exactly ``channel-manager run``.
            connector = start_connector(env, logs, args.processes, args.workers_per_process, client_rate_limits=True)
            try:
                time.sleep(args.seconds)
                for process in connector.processes:
                    role = "api+webhooks+pollers+workers" if process.name == "connector-0" else "workers only"
                    print(
                        f"{process.name} ({role}): peak RSS {process.peak_rss_mb():.0f} MB, "
                        f"RSS now {resident_mb(process.pid):.0f} MB, CPU {process.cpu_seconds():.1f} s"
                    )
            finally:
                connector.stop()
        finally:
            sandboxes.stop()
            database.dispose()
    print(f"{args.stores} stores, {args.seconds:.0f} s, polling every {args.poll_seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
