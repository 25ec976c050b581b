"""Rendering shared by the CLI commands: tables that fit the terminal, JSON, times, money, the command name."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from ..domain.secret import Secret

#: Width of piped output (files, scripts, CI logs) when COLUMNS does not say: wide enough for the Orders
#: page's identifiers on one line, narrow enough to read.
PIPED_WIDTH = 120


def _width() -> int | None:
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return None  # the terminal's width, or COLUMNS (Rich reads it)
    return PIPED_WIDTH


console = Console(highlight=False, width=_width())
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def when(value: datetime | None) -> str:
    """A time in the local time zone, as the Orders page shows it."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def money(value: Decimal | None, currency: str = "USD") -> str:
    return "" if value is None else f"{value:,.2f} {currency}"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def table(*headers: str, ids: tuple[str, ...] = (), title: str | None = None) -> Table:
    """A table whose cells wrap and are never cut short with an ellipsis. ``ids`` name the columns holding
    identifiers (PO numbers, SKUs, tracking numbers...): those are never broken."""
    grid = Table(title=title)
    for header in headers:
        grid.add_column(header, overflow="fold", no_wrap=header in ids)
    return grid


def print_table(grid: Table) -> None:
    """Prints ``grid`` as a table when it fits the width without breaking a word or an identifier, else
    folded: one block of ``Header: value`` lines per row."""
    for column in grid.columns:
        if column.no_wrap:
            column.min_width = max(len(str(column.header)), *(len(str(cell)) for cell in column.cells))
    if Measurement.get(console, console.options.update_width(10_000), grid).minimum <= console.width:
        console.print(grid)
        return
    headers = [str(column.header) for column in grid.columns]
    rows = zip(*(list(column.cells) for column in grid.columns), strict=True)
    width = max(map(len, headers))
    if grid.title:
        console.print(str(grid.title), markup=False)
    for index, row in enumerate(rows):
        if index:
            console.print()
        for header, cell in zip(headers, row, strict=True):
            if str(cell):
                console.print(f"{header + ':':<{width + 1}} {cell}", markup=False)


def to_json(value: Any) -> Any:
    """``json.dumps`` default: times as ISO 8601 (UTC offset kept), money as strings, enums by value."""
    if isinstance(value, Secret):
        return "stored encrypted"  # never the secret itself
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def print_json(value: Any) -> None:
    """One JSON document on stdout (no colours, no wrapping), for scripts: ``... --json | jq``."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=to_json))


def json_option() -> Any:
    return typer.Option(False, "--json", help="Print JSON instead of a table (for scripts).")


def command_name() -> str:
    """The command as the user can type it again: ``channel-manager`` when that is what the PATH finds,
    else the path it was started by (e.g. ``.venv/bin/channel-manager``)."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("channel-manager")
    on_path = shutil.which("channel-manager")
    if on_path is not None and started.name == "channel-manager":
        try:
            if Path(on_path).resolve() == started.resolve():
                return "channel-manager"
        except OSError:
            pass
    if started.name != "channel-manager":
        return "channel-manager"  # started as python -m or from a test runner: the installed name
    try:
        return str(started.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(started.absolute())
