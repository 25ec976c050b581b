"""channel-manager benchmark: sandboxes and connector in their own processes, on PostgreSQL (or SQLite).

    .venv/bin/python bench/run_bench.py [--orders 2000] [--workers 1,2,4] [--database postgresql|sqlite]
                                        [--rate 6] [--poll-orders 300] [--burst-orders 120]
                                        [--out bench/results/<name>.json]

Phases, each on a fresh database with fresh sandboxes and fresh connector processes:
  push-<P>p   N orders at --rate per second; Walmart PO_CREATED and Commerce webhooks, no polling; the merchant
              ships each order in Commerce as soon as it is in. Intake and outbound latency, throughput, calls,
              CPU and memory.
  poll-<P>p   --poll-orders orders the same way, no webhooks: Walmart and Commerce polled every 5 s
              (--poll-workers process counts, default 1).
  limits-1p   Walmart's rate limits on: --burst-orders orders at once (acknowledgements at 60/min), then all of
              them shipped at once (ship calls at 60/min). Achieved rate / allowed rate and 429 share.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import fernet_key
from phases import PhaseSpec, Setup, run_phase
from report import print_table

DEFAULT_SERVER = "postgresql+psycopg://root@127.0.0.1:5432/test"


def machine() -> dict[str, Any]:
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    postgres = ""
    with contextlib.suppress(OSError):
        postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "postgres_client": postgres,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=2000, help="orders per push phase (default 2000)")
    parser.add_argument("--workers", default="1,2,4", help="connector process counts (default 1,2,4)")
    parser.add_argument("--workers-per-process", type=int, default=4, help="async workers in each process")
    parser.add_argument("--rate", type=float, default=6.0, help="orders per second offered (default 6)")
    parser.add_argument("--poll-orders", type=int, default=300, help="orders per polling phase (default 300)")
    parser.add_argument("--poll-workers", default="1", help="connector process counts of the polling phases")
    parser.add_argument("--poll-seconds", type=float, default=5.0, help="poll interval of the polling phases")
    parser.add_argument("--burst-orders", type=int, default=120, help="orders of the rate-limited phase")
    parser.add_argument("--limits-workers", default="1", help="connector process counts of the rate-limited phase")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--postgres", default=os.environ.get("CHANNEL_MANAGER_BENCH_POSTGRES_URL", DEFAULT_SERVER))
    parser.add_argument("--phases", default="push,poll,limits", help="which phases (default push,poll,limits)")
    parser.add_argument("--out", type=Path, default=None, help="JSON result (default bench/results/<time>.json)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    processes = [int(p) for p in args.workers.split(",") if p.strip()]
    wanted = {p.strip() for p in args.phases.split(",")}
    specs: list[PhaseSpec] = []
    for count in processes:
        if "push" in wanted:
            specs.append(PhaseSpec(f"push-{count}p", count, args.workers_per_process, args.orders, args.rate, True))
    for count in (int(p) for p in args.poll_workers.split(",") if p.strip()):
        if "poll" in wanted:
            spec = PhaseSpec(f"poll-{count}p", count, args.workers_per_process, args.poll_orders, args.rate, False)
            specs.append(replace(spec, poll_seconds=args.poll_seconds))
    for count in (int(p) for p in args.limits_workers.split(",") if p.strip()):
        if "limits" in wanted:
            spec = PhaseSpec(f"limits-{count}p", count, args.workers_per_process, args.burst_orders, None, True)
            specs.append(replace(spec, rate_limits=True))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or Path(__file__).parent / "results" / f"bench-{stamp}.json"
    command = " ".join([".venv/bin/python", "bench/run_bench.py", *(argv if argv is not None else sys.argv[1:])])
    result: dict[str, Any] = {
        "command": command,
        "started_at": stamp,
        "machine": machine(),
        "database": args.database,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "postgres"},
        "phases": [],
    }
    with tempfile.TemporaryDirectory(prefix="cm-bench-") as workdir:
        setup = Setup(args.postgres, args.database == "sqlite", Path(workdir), fernet_key(), dict(os.environ))
        for spec in specs:
            began = time.monotonic()
            print(f"-- {spec.name}: {spec.orders} orders ...", flush=True)
            try:
                phase = run_phase(setup, spec)
            except Exception as error:  # one phase failing still leaves the others' results
                phase = {"phase": spec.name, "error": f"{type(error).__name__}: {error}"}
            phase["wall_s"] = round(time.monotonic() - began, 1)
            phase["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)  # other work on the machine shows here
            result["phases"].append(phase)
            print(f"   done in {phase['wall_s']} s", flush=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2, default=str))
    print_table(result)
    print(f"\nJSON result: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
