"""The chaos suite in CI: two ``channel-manager run`` processes on a private PostgreSQL, both sandboxes as
processes, 60 lifecycles while every fault is on, then the verdict from both sandboxes. About 3.5 minutes.

The harness checks itself first (every kind of lifecycle played, every kind of fault injected, the
conductor did all it meant to): a harness that did less than it claims is an error, not an expected failure.
"""

from __future__ import annotations

from .conductor import REQUIRED_FAULTS
from .lifecycles import KINDS
from .run import ChaosConfig, run_chaos


class HarnessError(RuntimeError):
    """The run did not do what it claims; never an expected failure."""


def test_every_fault_at_once_nothing_lost_doubled_or_wrong() -> None:
    result = run_chaos(ChaosConfig(lifecycles=60, run_processes=2))
    print(result.report())
    if set(result.figures["by_kind"]) != set(KINDS) or result.figures["lifecycles"] < 60:
        raise HarnessError(f"lifecycles played: {result.figures['by_kind']}")
    missing = [kind for kind in REQUIRED_FAULTS if not result.injected.get(kind)]
    if missing or result.conductor_errors:
        raise HarnessError(f"faults not injected: {missing}; conductor errors: {result.conductor_errors}")
    assert result.verdict.clean, result.report()
