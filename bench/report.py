"""The benchmark's table on the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _s(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def print_table(result: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console(width=200)
    table = Table(
        "phase", "procs", "orders", "mode", "intake/s", "intake p50", "intake p99", "ship p50", "ship p99",
        "WM calls/order", "CPU s/1000", "peak RSS MB", "lost/dup", title="channel-manager benchmark",
    )  # fmt: skip
    for phase in result["phases"]:
        if "error" in phase:
            table.add_row(phase["phase"], "", "", f"ERROR {phase['error']}")
            continue
        intake, outbound, ok = phase["intake"], phase.get("outbound") or {}, phase["correctness"]
        # Lost = what the connector failed to carry: POs not taken in, and shipments made in Commerce but not
        # synced. A shipment the load generator itself failed to create in Commerce is not the connector's.
        shipped_in_commerce = phase["orders"] - ok.get("merchant_ship_errors", 0)
        lost = (
            phase["orders"]
            - ok["orders_taken_in"]
            + (max(0, shipped_in_commerce - ok["shipments_synced"]) if phase.get("outbound") else 0)
            + ok.get("lines_not_shipped_at_walmart", 0)
        )
        dup = ok["walmart_applied_twice"] + (ok["commerce_duplicate_orders"] or 0)
        table.add_row(
            phase["phase"], str(phase["processes"]), str(phase["orders"]), phase["mode"],
            _s(intake.get("orders_per_s")), _s(intake["p50_s"]), _s(intake["p99_s"]),
            _s(outbound.get("p50_s")), _s(outbound.get("p99_s")),
            _s(phase["walmart_calls_per_order"]), _s(phase["cpu_s_per_1000_orders"]),
            "/".join(f"{r:.0f}" for r in phase["peak_rss_mb"]), f"{lost}/{dup}",
        )  # fmt: skip
    console.print(table)
    for phase in result["phases"]:
        limits = phase.get("rate_limits")
        if not limits:
            continue
        rates = Table(
            "endpoint", "calls", "429s", "429 share", "allowed/min", "steady rate/min", "achieved/allowed",
            title=f"{phase['phase']}: Walmart rate limits on, {phase['orders']} orders at once",
        )  # fmt: skip
        for endpoint, entry in limits.items():
            rates.add_row(
                endpoint, str(entry["calls"]), str(entry["answered_429"]), f"{entry['share_429']:.2%}",
                _s(entry.get("allowed_per_min")), _s(entry.get("steady_rate_per_min")),
                "-" if entry.get("achieved_over_allowed") is None else f"{entry['achieved_over_allowed']:.1%}",
            )  # fmt: skip
        console.print(rates)
