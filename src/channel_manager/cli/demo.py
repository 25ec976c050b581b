"""``channel-manager demo``: the product on its embedded defaults, with orders flowing, until Ctrl-C."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import typer

from .render import console, err_console


def demo_command(
    duration: float | None = typer.Option(
        None, "--duration", min=1, help="Generate orders and faults for this many seconds, then finish and stop."
    ),
    orders: int | None = typer.Option(None, "--orders", min=1, help="Generate at most this many Walmart orders."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Use this data directory (database, key, config) instead of the default one."
    ),
    workers: int = typer.Option(2, "--workers", min=1, max=16, help="Sync workers."),
) -> None:
    """Run the whole product locally: both sandboxes, a "Demo store", Walmart orders arriving, a merchant
    shipping, cancelling and refunding in Commerce, a few injected faults, and a live table of the orders."""
    if data_dir is not None:
        os.environ["CHANNEL_MANAGER_DATA_DIR"] = str(data_dir.resolve())
        os.environ["CHANNEL_MANAGER_CONFIG"] = str(data_dir.resolve() / "config.toml")
    from ..demo import DEMO_STORE_NAME, DemoOptions, OtherStoresPresent, run_demo

    console.print("Starting the Walmart and Commerce sandboxes and the sync service...")
    try:
        result = run_demo(DemoOptions(duration=duration, orders=orders, workers=workers), console)
    except OtherStoresPresent as error:
        err_console.print(f"error: {error}")
        raise typer.Exit(1) from None
    final = result.final
    console.print()
    if final is not None:
        counts = ", ".join(f"{name} {count}" for name, count in final.by_status.items())
        console.print(f"Stopped. {final.orders_total} orders: {counts}.")
        console.print(f"Walmart changes applied twice: {final.applied_twice}. Jobs: {final.jobs}.")
    else:
        console.print("Stopped.")
    if duration is not None and not result.settled:
        console.print("Some updates were still under way when the demo stopped; `channel-manager run` finishes them.")
    console.print(f"Database: {result.database_url}")
    console.print(f"Demo log: {result.log_file}")
    replaced = " (it replaced the previous run's Demo store)" if result.replaced_previous else ""
    console.print(
        f'The demo only created the store "{DEMO_STORE_NAME}"{replaced}; it does not touch other stores. '
        "Its sandboxes stopped with it, so its orders are there to look at, not to sync."
    )
    prefix = ""
    if data_dir is not None:
        resolved = data_dir.resolve()
        prefix = (
            f"CHANNEL_MANAGER_DATA_DIR={shlex.quote(str(resolved))} "
            f"CHANNEL_MANAGER_CONFIG={shlex.quote(str(resolved / 'config.toml'))} "
        )
    store = shlex.quote(DEMO_STORE_NAME)
    console.print("Look at it with the CLI:")
    console.print(f"  {prefix}channel-manager orders list --store {store}")
    console.print(f"  {prefix}channel-manager orders list --store {store} --status Canceled")
    console.print(f"  {prefix}channel-manager orders show <Walmart PO number>")
    console.print(f"  {prefix}channel-manager jobs list --store {store}")
