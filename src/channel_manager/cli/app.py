"""The ``channel-manager`` command: a thin layer over the service functions."""

from __future__ import annotations

import os
import sys

import typer

from .. import __version__
from ..bootstrap import initialise
from ..commerce.errors import CommerceError
from ..crypto import SecretKeyError
from ..domain.errors import DomainError
from ..storage.errors import StorageError
from ..walmart.errors import WalmartError
from . import jobs, orders, returns, sandbox, stores, tokens
from .demo import demo_command
from .render import console, err_console
from .run import run_command

app = typer.Typer(
    name="channel-manager",
    help="Keeps Walmart Marketplace orders and an Adobe Commerce store in sync, exactly once.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(stores.app, name="stores")
app.add_typer(orders.app, name="orders")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(jobs.app, name="jobs")
app.add_typer(returns.app, name="returns")
app.add_typer(tokens.app, name="tokens")
app.command("run")(run_command)
app.command("demo")(demo_command)


def _version(value: bool) -> None:
    if value:
        console.print(f"channel-manager {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Keeps Walmart Marketplace orders and an Adobe Commerce store in sync, exactly once."""


@app.command()
def init() -> None:
    """Create or upgrade the database, the encryption key file and the config file."""
    result = initialise()
    console.print(f"Database:       {result.database_url}")
    if result.revision_before == result.revision_after:
        console.print(f"Schema:         {result.revision_after} (already current)")
    else:
        console.print(f"Schema:         {result.revision_before or 'empty'} -> {result.revision_after}")
    console.print(f"Encryption key: {result.key_source}")
    note = "written" if result.config_written else "kept as it was"
    console.print(f"Config file:    {result.config_file} ({note})")
    console.print("Next: connect a store with `channel-manager stores add --help`.")


#: Errors whose message is written for the user: shown as one line, exit code 1.
USER_ERRORS: tuple[type[BaseException], ...] = (DomainError, StorageError, SecretKeyError, WalmartError, CommerceError)


def register_user_errors(*errors: type[BaseException]) -> None:
    global USER_ERRORS
    USER_ERRORS = (*USER_ERRORS, *errors)


def main() -> None:
    """Entry point: runs the CLI and turns every failure into one clear line and a non-zero exit code.

    Typer handles its own usage errors (exit code 2); our typed errors carry a message for the user.
    """
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except USER_ERRORS as exc:
        err_console.print(f"error: {exc}")
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("CHANNEL_MANAGER_DEBUG"):
            raise
        err_console.print(
            f"error: unexpected {type(exc).__name__}: {exc}. Set CHANNEL_MANAGER_DEBUG=1 to see the traceback."
        )
        sys.exit(1)
