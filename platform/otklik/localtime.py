"""Instants as an authority reads them: stored in UTC (SQLite hands them back naive), shown in its own zone."""

from __future__ import annotations

from datetime import UTC, date, datetime


def as_utc(moment: datetime) -> datetime:
    """An instant read from the database as an aware UTC datetime (SQLite returns naive UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_date(moment: datetime | None, tz) -> date | None:
    """The day an instant falls on in zone `tz`."""
    return None if moment is None else as_utc(moment).astimezone(tz).date()


def local_time_text(moment: datetime | str | None, tz) -> str | None:
    """An instant (a datetime, or ISO text as analyses store it) in zone `tz`, as officers write it: 30.11.2026 09:37."""
    if not moment:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return as_utc(moment).astimezone(tz).strftime("%d.%m.%Y %H:%M")
