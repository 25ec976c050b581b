"""The sandbox's clock: real UTC time plus an offset that the control API can advance."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def stamp(self) -> str:
        """``YYYY-MM-DD HH:MM:SS`` UTC, the resolution Commerce stores."""
        return self.now().strftime("%Y-%m-%d %H:%M:%S")

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self.now()

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()
