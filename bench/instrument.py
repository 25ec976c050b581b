"""Optional instruments for a connector process of the benchmark (``bench/connector.py``), switched on by the
environment so that the harness needs no change:

- ``BENCH_SQL_STATS_DIR``: count every SQL statement (by its first 100 characters) and every commit of the
  process's engine; written to ``<dir>/sql-<pid>.json`` when the process ends.
- ``BENCH_PROFILE_DIR``: cProfile the whole process; written to ``<dir>/profile-<pid>.pstats``.
"""

from __future__ import annotations

import cProfile
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa


def instrument(engine: sa.Engine) -> Callable[[], None]:
    """Starts what the environment asks for; returns the function that writes the results."""
    finish: list[Callable[[], None]] = []
    sql_dir = os.environ.get("BENCH_SQL_STATS_DIR")
    if sql_dir:
        statements: Counter[str] = Counter()

        @sa.event.listens_for(engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements[" ".join(statement.split())[:100]] += 1

        @sa.event.listens_for(engine, "commit")
        def _commit(_conn: Any) -> None:
            statements["<commit>"] += 1

        def write_sql() -> None:
            path = Path(sql_dir) / f"sql-{os.getpid()}.json"
            path.write_text(json.dumps(dict(statements.most_common()), indent=1))

        finish.append(write_sql)
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    if profile_dir:
        profiler = cProfile.Profile()
        profiler.enable()

        def write_profile() -> None:
            profiler.disable()
            profiler.dump_stats(str(Path(profile_dir) / f"profile-{os.getpid()}.pstats"))

        finish.append(write_profile)

    def done() -> None:
        for step in finish:
            step()

    return done
