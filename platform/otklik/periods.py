"""Reporting periods (month, quarter, half-year, year), computed on calendar dates in the tenant's time zone.

A period is named the way officers write it: `2025-03`, `2025-Q1`, `2025-H1`, `2025`.
Its bounds are local dates; `utc_bounds()` turns them into the UTC instants stored in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CADENCES = ("month", "quarter", "half_year", "year")
_MONTHS_IN = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
_PATTERNS = [
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-H([12])$"), "half_year"),
    (re.compile(r"^(\d{4})$"), "year"),
]


class BadPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Period:
    start: date  # first local day
    end: date  # first local day after the period
    cadence: str

    @property
    def name(self) -> str:
        y, m = self.start.year, self.start.month
        return {
            "month": f"{y}-{m:02d}",
            "quarter": f"{y}-Q{(m - 1) // 3 + 1}",
            "half_year": f"{y}-H{(m - 1) // 6 + 1}",
            "year": f"{y}",
        }[self.cadence]

    def __str__(self) -> str:
        return self.name

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def utc_bounds(self, tz: ZoneInfo | str) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants: local midnight of the first day to local midnight after the last."""
        tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        return (
            datetime.combine(self.start, time(), tz).astimezone(UTC),
            datetime.combine(self.end, time(), tz).astimezone(UTC),
        )

    def next(self) -> Period:
        return period_containing(self.end, self.cadence)

    def previous(self) -> Period:
        return period_containing(self.start - timedelta(days=1), self.cadence)

    def subperiods(self, cadence: str) -> list[Period]:
        out, p = [], period_containing(self.start, cadence)
        while p.start < self.end:
            out.append(p)
            p = p.next()
        return out


def _add_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def period_containing(day: date, cadence: str) -> Period:
    if cadence not in _MONTHS_IN:
        raise BadPeriod(f"unknown cadence {cadence!r}; expected one of {', '.join(CADENCES)}")
    n = _MONTHS_IN[cadence]
    first_month = (day.month - 1) // n * n + 1
    start = date(day.year, first_month, 1)
    return Period(start, _add_months(start, n), cadence)


def parse_period(text: str) -> Period:
    """`2025-03`, `2025-Q1`, `2025-H1` or `2025` -> Period; anything else -> BadPeriod saying what is expected."""
    text = (text or "").strip().upper()
    for pattern, cadence in _PATTERNS:
        if m := pattern.match(text):
            year = int(m.group(1))
            if cadence == "year":
                return period_containing(date(year, 1, 1), cadence)
            k = int(m.group(2))
            if cadence == "month" and not 1 <= k <= 12:
                break
            month = {"month": k, "quarter": (k - 1) * 3 + 1, "half_year": (k - 1) * 6 + 1}[cadence]
            return period_containing(date(year, month, 1), cadence)
    raise BadPeriod(f"period {text!r} is not one of YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY")


def local_today(tz: ZoneInfo | str, now: datetime | None = None) -> date:
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    return (now or datetime.now(UTC)).astimezone(tz).date()


def completed_periods(cadence: str, since: date, today: date) -> list[Period]:
    """Periods of a cadence that began on or after the one containing `since` and have ended before `today`."""
    out = []
    p = period_containing(since, cadence)
    while p.end <= today:
        out.append(p)
        p = p.next()
    return out
