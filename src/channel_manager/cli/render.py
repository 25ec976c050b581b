"""Rich rendering shared by the CLI commands."""

from __future__ import annotations

import sys
from datetime import datetime
from decimal import Decimal

from rich.console import Console

#: Piped output (files, scripts, CI logs) is not wrapped at 80 columns.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 220)
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
