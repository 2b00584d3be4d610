"""The clock adapter: services ask it for the time so tests can move time on purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time (timezone-aware, UTC)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time (timezone-aware, UTC)."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 22, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """The frozen current time."""
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move forward, e.g. `advance(seconds=61)`; returns the new time."""
        self.current += timedelta(**delta)
        return self.current
