"""``channel-manager sandbox``: local stand-ins for Walmart's and Commerce's APIs."""

from __future__ import annotations

import typer

from channel_manager_sandboxes.commerce.command import run_commerce_sandbox
from channel_manager_sandboxes.walmart.command import run_walmart_sandbox

app = typer.Typer(help="Run a local Walmart or Commerce sandbox server.", no_args_is_help=True)
app.command("walmart")(run_walmart_sandbox)
app.command("commerce")(run_commerce_sandbox)
