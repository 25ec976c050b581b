"""The ``channel-manager`` command: a thin layer over the service functions."""

from __future__ import annotations

import os
import sys

import typer
from typer._click import exceptions as click_errors  # Typer's own copy of click: its usage errors

from .. import __version__
from ..bootstrap import initialise
from ..commerce.errors import CommerceError
from ..crypto import SecretKeyError
from ..domain.errors import DomainError
from ..settings import ConfigError
from ..storage.errors import StorageError
from ..walmart.errors import WalmartError
from . import jobs, orders, returns, sandbox, stores, tokens, users
from .demo import demo_command
from .render import command_name, console, err_console
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
app.add_typer(users.app, name="users")
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
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log what the command does to stderr (or set CHANNEL_MANAGER_LOG_LEVEL)."
    ),
) -> None:
    """Keeps Walmart Marketplace orders and an Adobe Commerce store in sync, exactly once."""
    if verbose:
        os.environ.setdefault("CHANNEL_MANAGER_LOG_LEVEL", "INFO")


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
    console.print(f"Next: connect a store with `{command_name()} stores add --help`.")


#: Errors whose message is written for the user: shown as one line, exit code 1.
USER_ERRORS: tuple[type[BaseException], ...] = (
    DomainError,
    StorageError,
    SecretKeyError,
    WalmartError,
    CommerceError,
    ConfigError,
)


def register_user_errors(*errors: type[BaseException]) -> None:
    global USER_ERRORS
    USER_ERRORS = (*USER_ERRORS, *errors)


def _one_line(exc: BaseException) -> str:
    """The message on one line (a multi-line message from a library is joined), ending with a full stop."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if text.endswith((".", "?", "!")) else f"{text}."


def main() -> None:
    """Entry point: runs the CLI and turns every failure into one clear line and a non-zero exit code.

    Usage errors are one line too (exit code 2), not Typer's boxes; our typed errors carry a message for the user.
    """
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except click_errors.NoArgsIsHelpError as exc:
        console.print(exc.ctx.get_help() if exc.ctx else exc.format_message())
        sys.exit(exc.exit_code)
    except click_errors.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "channel-manager"
        err_console.print(f"error: {exc.format_message().rstrip('.')}; see `{command} --help`.", markup=False)
        sys.exit(exc.exit_code)
    except click_errors.ClickException as exc:
        err_console.print(f"error: {exc.format_message()}", markup=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("error: aborted.")
        sys.exit(1)
    except USER_ERRORS as exc:
        err_console.print(f"error: {_one_line(exc)}", markup=False)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("CHANNEL_MANAGER_DEBUG"):
            raise
        err_console.print(
            f"error: unexpected {type(exc).__name__}: {_one_line(exc)} Set CHANNEL_MANAGER_DEBUG=1 to see the "
            "traceback.",
            markup=False,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
