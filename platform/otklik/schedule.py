"""What each tenant must analyse and when: the schedule hook's entries and the periods now due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .periods import Period, completed_periods, local_today, period_containing
from .plugins import get_plugin_manager

CATCH_UP_DAYS = 400
"""How far back the tick looks for periods it has not analysed yet (after downtime, or a new tenant)."""


@dataclass(frozen=True)
class ScheduleEntry:
    kind: str  # appeals | surveys | employee_surveys
    cadence: str  # month | quarter | half_year | year | month_or_quarter
    clause: str = ""
    min_monthly_volume: int = 0  # month_or_quarter: a month with fewer answers is analysed in its quarter
    publish_within_days: int | None = None  # publication deadline after the period ends (Vladimir 21: 45)
    publish_clause: str = ""
    label: str = ""


def publication_deadline(period: Period, days: int) -> date:
    """The last day to publish a period's analysis: the `days`-th calendar day after it (45 after Q1 -> 15 May).

    In the core because publishing (the release calendar) and the Centre (the compliance calendar) both need it.
    """
    return period.end + timedelta(days=days - 1)


def tenant_schedule(tenant) -> list[ScheduleEntry]:
    return get_plugin_manager().call_flat(tenant, "otklik_schedule")


def _cadences(entry: ScheduleEntry) -> list[str]:
    return ["month", "quarter"] if entry.cadence == "month_or_quarter" else [entry.cadence]


def due_periods(tenant, entry: ScheduleEntry, today: date, volume=None) -> list[Period]:
    """Completed periods of an entry not older than the catch-up window nor the tenant's tracking start.

    For `month_or_quarter` a month is due when it has at least `min_monthly_volume` answers (per `volume`,
    a callable period -> count); a quarter is due when any of its months fell short.
    """
    since = max(tenant.tracking_since or today, today - timedelta(days=CATCH_UP_DAYS))
    if entry.cadence != "month_or_quarter":
        return completed_periods(entry.cadence, since, today)
    months = completed_periods("month", since, today)
    quarters = completed_periods("quarter", since, today)
    counts = {m: (volume(m) if volume else 0) for m in months}
    due = [m for m in months if counts[m] >= entry.min_monthly_volume]
    for q in quarters:
        if any(counts.get(m, 0) < entry.min_monthly_volume for m in q.subperiods("month")):
            due.append(q)
    return sorted(due, key=lambda p: (p.end, p.cadence))


def next_runs(tenant, now: datetime | None = None) -> list[dict]:
    """For the office home: each entry, the next period it will cover and when that run becomes due."""
    today = local_today(tenant.tz, now or datetime.now(UTC))
    out = []
    for entry in tenant_schedule(tenant):
        for cadence in _cadences(entry):
            current = period_containing(today, cadence)
            due_on = current.end
            deadline = publication_deadline(current, entry.publish_within_days) if entry.publish_within_days else None
            out.append(
                {
                    "kind": entry.kind,
                    "cadence": cadence,
                    "entry_cadence": entry.cadence,
                    "period": current.name,
                    "due_on": due_on,
                    "publish_by": deadline,
                    "publish_clause": entry.publish_clause if deadline else "",
                    "clause": entry.clause,
                    "min_monthly_volume": entry.min_monthly_volume,
                }
            )
    return out
