"""Opening the installation for a command, and closing it afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..bootstrap import App, open_app


@contextmanager
def opened_app() -> Iterator[App]:
    app = open_app()
    try:
        yield app
    finally:
        app.close()
