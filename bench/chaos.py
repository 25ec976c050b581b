"""The chaos harness at scale (not in CI): the same code as ``tests/chaos`` with 1,000 lifecycles and 4
``channel-manager run`` processes, every fault on while they arrive, then the verdict and the figures.

    .venv/bin/python bench/chaos.py [--lifecycles 1000] [--processes 4] [--workers 3] [--rate 0.75]
                                    [--faults all|kills] [--seed 14] [--settle 600]
                                    [--out bench/results/chaos-<time>.json]

``--faults kills`` keeps only the SIGKILL of a ``run`` process every 10-20 s: the run that measures intake
with processes dying (the target: p99 under 20 s), apart from the remote faults' own retries and timeouts.

Walmart's published limits (60 acknowledgements and 60 shipments a minute per seller) bound the pace, so
1,000 lifecycles take about 25 minutes of faults plus the wait for convergence. Exit code 0 only when the
verdict is ``lost=0 dup=0 wrong=0 unconverged=0``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.chaos.conductor import FaultPlan  # noqa: E402
from tests.chaos.run import ChaosConfig, run_chaos  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lifecycles", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=4, help="channel-manager run processes (default 4)")
    parser.add_argument("--workers", type=int, default=3, help="workers per process (default 3)")
    parser.add_argument("--rate", type=float, default=0.75, help="new Walmart orders per second (default 0.75)")
    parser.add_argument("--faults", choices=("all", "kills"), default="all", help="every fault, or kills only")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--settle", type=float, default=600.0, help="bounded wait for convergence, seconds")
    parser.add_argument("--out", type=Path, default=None, help="JSON result (default bench/results/chaos-<time>.json)")
    return parser.parse_args(argv)


def config_for(args: argparse.Namespace) -> ChaosConfig:
    arrival = args.lifecycles / args.rate
    duration = arrival + 90
    if args.faults == "kills":
        faults = FaultPlan.kills_only(duration)
    else:
        faults = FaultPlan(
            duration=duration,
            pause_at=tuple(float(t) for t in range(30, int(duration) - 80, 300)),  # one SIGSTOP every 5 minutes
            postgres_restart_at=(*(float(t) for t in range(120, int(duration) - 30, 400)), -6.0),
            retries_per_sweep=10,
        )
    return ChaosConfig(
        lifecycles=args.lifecycles,
        run_processes=args.processes,
        workers=args.workers,
        seed=args.seed,
        arrival_seconds=arrival,
        faults=faults,
        driver_grace=120.0,
        settle_seconds=args.settle,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.time()
    result = run_chaos(config_for(args))
    print(result.report())
    out = args.out or REPO / "bench" / "results" / f"chaos-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "command": " ".join(["bench/chaos.py", *(argv if argv is not None else sys.argv[1:])]),
        "verdict": {c: result.verdict.count(c) for c in ("lost", "dup", "wrong", "unconverged")},
        "problems": result.verdict.problems,
        "figures": result.figures,
        "faults_injected": dict(result.injected),
        "sandbox_counters": result.verdict.counters,
        "conductor_errors": result.conductor_errors,
        "wall_seconds": round(time.time() - started),
    }
    out.write_text(json.dumps(document, indent=2, sort_keys=True, default=str))
    print(f"written {out}")
    return 0 if result.verdict.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
