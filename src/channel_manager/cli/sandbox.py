"""``channel-manager sandbox``: local stand-ins for Walmart's and Commerce's APIs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer

from channel_manager_sandboxes.commerce.command import run_commerce_sandbox
from channel_manager_sandboxes.walmart.command import run_walmart_sandbox

from .ports import require_bindable

app = typer.Typer(help="Run a local Walmart or Commerce sandbox server.", no_args_is_help=True)


def _port_checked(command: Callable[..., None], what: str) -> Callable[..., None]:
    """The command with the same options, refusing a port it cannot listen on in one line before it starts."""

    @functools.wraps(command)
    def checked(**options: Any) -> None:
        require_bindable(options["host"], options["port"], what)
        command(**options)

    return checked


app.command("walmart")(_port_checked(run_walmart_sandbox, "The Walmart sandbox"))
app.command("commerce")(_port_checked(run_commerce_sandbox, "The Commerce sandbox"))
