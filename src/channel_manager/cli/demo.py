"""``channel-manager demo``: the product on its embedded defaults, with orders flowing, until Ctrl-C.

The demo runs in a data directory of its own (a new temporary one, or ``--data-dir``) with its own SQLite
database and key: the user's database, key and config file are never read or changed.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path

import typer

from .ports import require_bindable
from .render import command_name, console, err_console

#: Settings the demo replaces with its own: everything that could point it at the user's installation.
_INSTALLATION_VARIABLES = (
    "CHANNEL_MANAGER_DATA_DIR",
    "CHANNEL_MANAGER_CONFIG",
    "CHANNEL_MANAGER_DATABASE_URL",
    "CHANNEL_MANAGER_SECRET_KEY",
    "CHANNEL_MANAGER_KEY_FILE",
)


def _use_data_dir(data_dir: Path) -> None:
    """Points this process at ``data_dir`` alone (its own SQLite file, key file and config file)."""
    for name in _INSTALLATION_VARIABLES:
        os.environ.pop(name, None)
    os.environ["CHANNEL_MANAGER_DATA_DIR"] = str(data_dir)
    os.environ["CHANNEL_MANAGER_CONFIG"] = str(data_dir / "config.toml")


def _port(value: int, what: str) -> int:
    if value:
        require_bindable("127.0.0.1", value, what)
    return value


def demo_command(
    duration: float | None = typer.Option(
        None, "--duration", min=1, help="Generate orders and faults for this many seconds, then finish and stop."
    ),
    orders: int | None = typer.Option(None, "--orders", min=1, help="Generate at most this many Walmart orders."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Keep the demo's database, key and config here (default: a new temporary directory)."
    ),
    workers: int = typer.Option(2, "--workers", min=1, max=16, help="Sync workers."),
    walmart_port: int = typer.Option(0, "--walmart-port", min=0, max=65535, help="Walmart sandbox port (0: free)."),
    commerce_port: int = typer.Option(0, "--commerce-port", min=0, max=65535, help="Commerce sandbox port (0: free)."),
    api_port: int = typer.Option(0, "--api-port", min=0, max=65535, help="The service's API port (0: free)."),
    webhook_port: int = typer.Option(
        0, "--webhook-port", min=0, max=65535, help="The service's webhook receivers' port (0: free)."
    ),
) -> None:
    """Run the whole product locally: both sandboxes, a "Demo store", Walmart orders arriving, a merchant
    shipping, cancelling and refunding in Commerce, a few injected faults, and a live table of the orders.

    It uses a data directory of its own, so your database and stores are left as they are."""
    ports = {
        "walmart_port": _port(walmart_port, "The Walmart sandbox"),
        "commerce_port": _port(commerce_port, "The Commerce sandbox"),
        "api_port": _port(api_port, "The demo's API"),
        "webhook_port": _port(webhook_port, "The demo's webhook receivers"),
    }
    chosen = [p for p in ports.values() if p]
    if len(set(chosen)) != len(chosen):
        raise typer.BadParameter("the Walmart, Commerce, API and webhook ports must differ", param_hint="--*-port")
    directory = data_dir.expanduser().resolve() if data_dir else Path(tempfile.mkdtemp(prefix="channel-manager-demo-"))
    # What the user's shell sets beside the data directory must be set for the demo's too in the hints.
    shadowing = [name for name in ("CHANNEL_MANAGER_CONFIG", "CHANNEL_MANAGER_DATABASE_URL") if name in os.environ]
    _use_data_dir(directory)
    from ..demo import DEMO_STORE_NAME, DemoOptions, OtherStoresPresent, run_demo

    console.print(f"Demo data directory: {directory} (your own database is not touched).")
    console.print("Starting the Walmart and Commerce sandboxes and the sync service...")
    try:
        result = run_demo(DemoOptions(duration=duration, orders=orders, workers=workers, **ports), console)
    except OtherStoresPresent as error:
        err_console.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    final = result.final
    console.print()
    if final is not None:
        counts = ", ".join(f"{name} {count}" for name, count in final.by_status.items())
        console.print(f"Stopped. {final.orders_total} orders: {counts}.")
        console.print(f"Walmart changes applied twice: {final.applied_twice}. Jobs: {final.jobs}.")
    else:
        console.print("Stopped.")
    command = command_name()
    if duration is not None and not result.settled:
        console.print(f"Some updates were still under way when the demo stopped; `{command} run` finishes them.")
    console.print(f"Database: {result.database_url}")
    console.print(f"Demo log: {result.log_file}")
    replaced = " (it replaced the previous run's Demo store)" if result.replaced_previous else ""
    console.print(
        f'The demo created the store "{DEMO_STORE_NAME}" in {directory}{replaced}. Its sandboxes stopped with '
        "it, so its orders are there to look at, not to sync."
    )
    demo_env = {
        "CHANNEL_MANAGER_DATA_DIR": str(directory),
        "CHANNEL_MANAGER_CONFIG": str(directory / "config.toml"),
        "CHANNEL_MANAGER_DATABASE_URL": result.database_url,
    }
    shown = ["CHANNEL_MANAGER_DATA_DIR", *shadowing]
    prefix = " ".join(f"{name}={shlex.quote(demo_env[name])}" for name in shown) + f" {command}"
    store = shlex.quote(DEMO_STORE_NAME)
    console.print("Look at it with the CLI:", soft_wrap=True)
    for hint in (
        f"orders list --store {store}",
        f"orders list --store {store} --status Canceled",
        "orders show <Walmart PO number>",
        f"jobs list --store {store}",
    ):
        console.print(f"  {prefix} {hint}", soft_wrap=True, markup=False)
