"""Time: the bank's business date (kept in the database, moved only by end of day) and UTC wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


def utcnow() -> datetime:
    """Timezone-aware UTC now, for timestamps only (never for business dates)."""
    return datetime.now(UTC)


class WallClock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The machine's UTC clock."""

    def now(self) -> datetime:
        """Timezone-aware UTC now."""
        return utcnow()


def year_start(d: date) -> date:
    """January 1st of `d`'s year."""
    return date(d.year, 1, 1)
