"""Issue 14 item 5, measured with OS processes: four processes pushing stock as fast as they can share one
Walmart budget (PostgreSQL), so the sandbox answers at most 1 % of their calls with 429. The command is the
benchmark's (``bench/rate_budget.py``, which also reports the achieved share of the allowed rate)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "rate_budget.py"


def test_four_processes_keep_within_one_budget_per_seller_and_endpoint() -> None:
    command = [sys.executable, str(BENCH), "--processes", "4", "--seconds", "8", "--requests", "10"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # Four processes of four callers each, every one of them with its own client, against a bucket of 10.
    assert figures["succeeded"] > 10, figures
    assert figures["answered_429"] <= 0.01 * figures["sent"], figures
