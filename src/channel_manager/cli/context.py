"""Opening the installation for a command, and closing it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..bootstrap import QUIET, App, open_app


@contextmanager
def opened_app(default_log_level: str = QUIET) -> Iterator[App]:
    """The installation; logs go to stderr only when asked (``--verbose``, ``CHANNEL_MANAGER_LOG_LEVEL``)."""
    app = open_app(default_log_level=default_log_level)
    try:
        yield app
    finally:
        app.close()
