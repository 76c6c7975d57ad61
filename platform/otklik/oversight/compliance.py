"""The compliance calendar: per authority and obligation of its act, the state (docs/OVERSIGHT.md).

Nothing is kept by hand: every row is computed from the schedule hook, the `analysis`, `publication`,
`pain_measure` (+ its `pain_event` history) and `additional_collection` rows, against each authority's local today.

Obligations and what "met" means:

- `analysis`: each period the schedule hook makes due (`schedule.due_periods`, the tick's own rule, so the
  calendar lists exactly what the tick claims) and the current one. Met on the local day its analysis finished
  (`status` done, `finished_at`). Its last day is the act's own deadline where it gives one (an entry with
  `publish_within_days`: Vladimir 21 publishes the quarter's analysis by day 45, so it must be done by then), else
  ANALYSIS_GRACE_DAYS after the period: the Centre's recommendations 5.1.6 p. 4 ask for the analysis "по завершении
  сбора данных (спустя 1 месяц)", and Omsk 18-19, Astrakhan 5.1/5.6, Nenets 6/10 name only how often, not by when.
- `publication`: each publication deadline of the release calendar (`publishing.deadlines`).
- `measures`: the pain map's measures with a due date, grouped by the quarter of their due date; one is met on
  the day its status last became `done` (its history), cancelled ones are left out.
- `collections`: additional collections, grouped by the quarter they run in; one is met on the day its n-th
  answer came (n = the sample Cochran asked for), its last day is the survey's last day.

A group of measures or collections takes the worst of its members' states (missing, late, due, not due, on time),
with the largest number of days of that state, and says how many of how many were met on time. The rows carry
states and counts only, never a record's text: the administrator and the Centre see no authority's records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..jobs import volume_counter
from ..localtime import local_date
from ..models import Analysis, Measure, PainEvent, Survey, SurveyResponse
from ..models.painmap import AdditionalCollection
from ..periods import local_today, period_containing
from ..publishing.deadlines import deadline_state, release_calendar
from ..schedule import CATCH_UP_DAYS, due_periods, publication_deadline, tenant_schedule
from ..tenancy import tenant_scope

ANALYSIS_GRACE_DAYS = 30
OBLIGATIONS = ("analysis", "publication", "measures", "collections")
OBLIGATION_LABELS = {
    "analysis": _l("Scheduled analysis"),
    "publication": _l("Publication"),
    "measures": _l("Pain map measures"),
    "collections": _l("Additional collections"),
}
WORST_FIRST = ("missing", "late", "due", "not_due", "on_time")


@dataclass(frozen=True)
class Row:
    tenant_id: int
    tenant: str
    region: str
    obligation: str  # one of OBLIGATIONS
    subject: str  # the analysis kind, the publication's artifact, or "" for measures and collections
    period: str
    clause: str
    deadline: date
    met_on: date | None
    state: str  # publishing.deadlines.STATES
    days: int
    met: int = 1  # met on time, of `total` (groups of measures or collections)
    total: int = 1


@dataclass
class _Group:
    deadline: date | None = None
    states: list = field(default_factory=list)  # (state, days, met_on)


def analysis_deadline(entry, period) -> date:
    """The last day a scheduled analysis of `period` counts as on time (see the module's docstring)."""
    return publication_deadline(period, entry.publish_within_days or ANALYSIS_GRACE_DAYS)


def _since(tenant, today: date) -> date:
    return max(tenant.tracking_since or today, today - timedelta(days=CATCH_UP_DAYS))


def _analyses(tenant, today: date) -> list[Row]:
    done = {(kind, period): local_date(finished, tenant.tz) if status == "done" and finished else None
            for kind, period, status, finished in db.session.execute(
                select(Analysis.kind, Analysis.period, Analysis.status, Analysis.finished_at)).all()}
    out = []
    for entry in tenant_schedule(tenant):
        periods = due_periods(tenant, entry, today, volume_counter(tenant, entry.kind))
        if entry.cadence != "month_or_quarter":  # which of month or quarter is decided once the month is over
            periods.append(period_containing(today, entry.cadence))
        for period in periods:
            deadline = analysis_deadline(entry, period)
            met_on = done.get((entry.kind, period.name))
            state, days = deadline_state(deadline, met_on, today)
            out.append(Row(tenant.id, tenant.name, tenant.region, "analysis", entry.kind, period.name, entry.clause,
                           deadline, met_on, state, days))
    return out


def _publications(tenant, today: date) -> list[Row]:
    return [Row(tenant.id, tenant.name, tenant.region, "publication", d.artifact, d.period, d.clause, d.deadline,
                d.published_on, d.state, d.days) for d in release_calendar(tenant, today)]


def _grouped(tenant, obligation: str, groups: dict[str, _Group]) -> list[Row]:
    out = []
    for period, g in groups.items():
        worst = min(g.states, key=lambda s: WORST_FIRST.index(s[0]))[0]
        days = [d for s, d, _ in g.states if s == worst]
        days_of = min(days) if worst in ("due", "not_due") else max(days)
        met = sum(s == "on_time" for s, _, _ in g.states)
        last_met = max((m for _, _, m in g.states if m is not None), default=None)
        out.append(Row(tenant.id, tenant.name, tenant.region, obligation, "", period, "", g.deadline, last_met,
                       worst, days_of, met, len(g.states)))
    return out


def _measures(tenant, today: date) -> list[Row]:
    since = _since(tenant, today)
    rows = db.session.execute(select(Measure.id, Measure.due_date, Measure.status).where(
        Measure.due_date.is_not(None), Measure.status != "cancelled",
        (Measure.due_date >= since) | Measure.status.not_in(("done",)))).all()
    if not rows:
        return []
    done_at = dict(db.session.execute(
        select(PainEvent.measure_id, func.max(PainEvent.at))
        .where(PainEvent.field == "status", PainEvent.new == "done", PainEvent.measure_id.in_([r.id for r in rows]))
        .group_by(PainEvent.measure_id)).all())
    groups: dict[str, _Group] = {}
    for measure_id, due, status in rows:
        met_on = local_date(done_at.get(measure_id), tenant.tz) if status == "done" else None
        if status == "done" and met_on is None:
            met_on = due  # done without a recorded change (made done): counted as on its due date
        period = period_containing(due, "quarter")
        g = groups.setdefault(period.name, _Group(deadline=period.last_day))
        g.states.append((*deadline_state(due, met_on, today), met_on))
    return _grouped(tenant, "measures", groups)


def _collections(tenant, today: date) -> list[Row]:
    rows = db.session.execute(select(AdditionalCollection.survey_id, AdditionalCollection.sample_size, Survey)
                              .join(Survey, Survey.id == AdditionalCollection.survey_id)).all()
    groups: dict[str, _Group] = {}
    for survey_id, target, survey in rows:
        first, last = survey.days(tenant.tz)
        if last is None:
            continue
        nth = db.session.execute(select(SurveyResponse.submitted_at).where(SurveyResponse.survey_id == survey_id)
                                 .order_by(SurveyResponse.submitted_at).offset(max(target, 1) - 1).limit(1)
                                 ).scalar_one_or_none()
        met_on = local_date(nth, tenant.tz)
        period = period_containing(first or last, "quarter")
        g = groups.setdefault(period.name, _Group(deadline=last))
        g.deadline = max(g.deadline, last)
        g.states.append((*deadline_state(last, met_on, today), met_on))
    return _grouped(tenant, "collections", groups)


READERS = {"analysis": _analyses, "publication": _publications, "measures": _measures, "collections": _collections}


def calendar(tenants: Iterable, now: datetime | None = None, region: str = "", obligation: str = "",
             state: str = "") -> list[Row]:
    """The rows of the calendar for `tenants`, filtered by region, obligation and state (empty: all), by
    authority, obligation and latest period first."""
    now = now or datetime.now(UTC)
    out = []
    for tenant in tenants:
        if region and tenant.region != region:
            continue
        today = local_today(tenant.tz, now)
        with tenant_scope(tenant):
            for name, read in READERS.items():
                if not obligation or obligation == name:
                    out += [r for r in read(tenant, today) if not state or r.state == state]
    order = {name: i for i, name in enumerate(OBLIGATIONS)}
    out.sort(key=lambda r: r.deadline, reverse=True)
    out.sort(key=lambda r: (r.tenant, order[r.obligation], r.subject))
    return out
