"""Checking a listening port before a command says it listens there."""

from __future__ import annotations

import os
import socket

from typer._click.exceptions import ClickException


class PortUnavailable(ClickException):
    """The port is out of range, taken, or not allowed on that interface: one line, exit code 1."""


def require_bindable(host: str, port: int, what: str) -> None:
    """Binds ``host:port`` once (as the server will, with SO_REUSEADDR) and lets it go; refuses if it cannot."""
    if not 1 <= port <= 65535:
        raise PortUnavailable(f"{what} port {port} is not a TCP port (1-65535).")
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise PortUnavailable(f"{what} cannot listen on {host}:{port}: {reason}.") from None
