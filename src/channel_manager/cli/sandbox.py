"""``channel-manager sandbox``: local stand-ins for Walmart's and Commerce's APIs."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run a local Walmart or Commerce sandbox server.", no_args_is_help=True)
