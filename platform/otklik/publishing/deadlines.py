"""The release calendar: each authority's legal publication deadlines and their state (issue 12, item 3).

A deadline comes from the schedule hook: an entry with `publish_within_days` (Vladimir 21: the quarterly appeals
analysis is published no later than the 45th calendar day after the quarter) gives, for each of its periods, the
last day `schedule.publication_deadline(period, days)`. It is met when a version of the period's publication was
published: the earliest `published_at` (in the authority's zone) of its `published` or `superseded` versions (a
superseded version was on the site until its correction replaced it). A withdrawn-only publication is not on the
site, so it does not meet the deadline. Whether the analysis is done does not matter: the act asks for publication.

States (`deadline_state`, shared with the compliance calendar, `otklik.oversight`): `on_time`, `late` (by N days),
`due` (not met, N days left, from WARN_DAYS before the deadline), `missing` (not met, N days overdue), `not_due`.
The scheduler tick logs a warning for each `due` and `missing` deadline (a tick duty); the office home shows the
calendar (a home panel) and the regional administrator's list the count of those warnings per authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..capabilities import add_home_panel, add_tick_duty
from ..extensions import db
from ..localtime import local_date
from ..models import Publication
from ..periods import Period, completed_periods, local_today, period_containing
from ..schedule import CATCH_UP_DAYS, publication_deadline, tenant_schedule
from ..tenancy import tenant_scope
from ..vocabulary import period_label

WARN_DAYS = 10  # the tick warns from this many days before a deadline, and after it until it is met
ARTIFACT_OF_KIND = {"appeals": "appeals_analysis", "surveys": "survey_summary"}
ARTIFACT_LABELS = {"appeals_analysis": _l("The analysis of appeals"), "survey_summary": _l("The survey summary")}
MET_STATUSES = ("published", "superseded")

STATES = ("on_time", "late", "due", "missing", "not_due")
STATE_LABELS = {
    "on_time": _l("on time"),
    "late": _l("late"),
    "due": _l("due soon"),
    "missing": _l("missing"),
    "not_due": _l("not due"),
}


def deadline_state(deadline: date, met_on: date | None, today: date, warn_days: int = WARN_DAYS) -> tuple[str, int]:
    """(state, days) of one obligation on `today`: met on or before its last day -> on_time (0); met after -> late
    (days after the deadline); not met (by today) and past it -> missing (days overdue); within `warn_days` before it -> due (days
    left, 0 on the last day); else not_due (days left)."""
    if met_on is not None and met_on <= today:  # a later date is in the future of `today` (a replayed calendar)
        return ("on_time", 0) if met_on <= deadline else ("late", (met_on - deadline).days)
    if today > deadline:
        return "missing", (today - deadline).days
    left = (deadline - today).days
    return ("due" if left <= warn_days else "not_due"), left


@dataclass(frozen=True)
class Deadline:
    kind: str  # the analysis kind (appeals)
    artifact: str  # the publication (appeals_analysis)
    period: str
    deadline: date
    clause: str
    published_on: date | None
    state: str
    days: int

    @property
    def warns(self) -> bool:
        return self.state in ("due", "missing")


def first_published(tenant, artifact: str | None = None) -> dict[tuple[str, str], date]:
    """{(artifact, period): the local day its first version went out} for the tenant (one query)."""
    stmt = (select(Publication.artifact, Publication.period, func.min(Publication.published_at))
            .where(Publication.tenant_id == tenant.id, Publication.status.in_(MET_STATUSES),
                   Publication.published_at.is_not(None))
            .group_by(Publication.artifact, Publication.period))
    if artifact is not None:
        stmt = stmt.where(Publication.artifact == artifact)
    return {(a, p): local_date(at, tenant.tz) for a, p, at in db.session.execute(stmt).all()}


def calendar_periods(tenant, cadence: str, today: date) -> list[Period]:
    """The periods a calendar lists: completed ones since the tenant's tracking start (at most CATCH_UP_DAYS
    back, as the tick), then the current one, whose deadline is not due yet."""
    since = max(tenant.tracking_since or today, today - timedelta(days=CATCH_UP_DAYS))
    return [*completed_periods(cadence, since, today), period_containing(today, cadence)]


def release_calendar(tenant, today: date) -> list[Deadline]:
    """Every publication deadline of the tenant's act in the calendar's window, latest period first."""
    entries = [e for e in tenant_schedule(tenant)
               if e.publish_within_days and e.kind in ARTIFACT_OF_KIND and e.cadence != "month_or_quarter"]
    if not entries:
        return []
    published = first_published(tenant)
    out = []
    for entry in entries:
        artifact = ARTIFACT_OF_KIND[entry.kind]
        for period in calendar_periods(tenant, entry.cadence, today):
            deadline = publication_deadline(period, entry.publish_within_days)
            met_on = published.get((artifact, period.name))
            state, days = deadline_state(deadline, met_on, today)
            out.append(Deadline(entry.kind, artifact, period.name, deadline, entry.publish_clause, met_on, state,
                                days))
    return sorted(out, key=lambda d: (d.deadline, d.kind), reverse=True)


def deadline_warnings(tenant, today: date) -> list[str]:
    """The tick duty: a line per publication deadline that is due (from WARN_DAYS before) or missed.

    Runs inside `tenant_scope(tenant)` (the tick, outside any request: in the platform's default language)."""
    if has_request_context():
        return _warnings(tenant, today)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return _warnings(tenant, today)


def _warnings(tenant, today: date) -> list[str]:
    out = []
    for d in release_calendar(tenant, today):
        if d.state == "due":
            text = _("%(tenant)s: %(artifact)s for %(period)s must be published by %(date)s "
                     "(%(days)s days left) and is not published yet. %(clause)s",
                     tenant=tenant.slug, artifact=ARTIFACT_LABELS[d.artifact], period=period_label(d.period), date=d.deadline.strftime("%d.%m.%Y"),
                     days=d.days, clause=d.clause)
        elif d.state == "missing":
            text = _("%(tenant)s: %(artifact)s for %(period)s was due on %(date)s and is not "
                     "published (%(days)s days overdue). %(clause)s",
                     tenant=tenant.slug, artifact=ARTIFACT_LABELS[d.artifact], period=period_label(d.period), date=d.deadline.strftime("%d.%m.%Y"),
                     days=d.days, clause=d.clause)
        else:
            continue
        out.append(text.strip())
    return out


def home_panel_context() -> dict:
    """The office home's release calendar: the deadlines of the last year and the next one, warnings first."""
    from flask import g

    tenant = getattr(g, "tenant", None) if has_request_context() else None
    if tenant is None:
        return {}
    rows = release_calendar(tenant, local_today(tenant.tz))
    if not rows:
        return {}
    return {"deadlines": rows[:6], "warnings": [d for d in rows if d.warns], "labels": STATE_LABELS,
            "warn_days": WARN_DAYS}


def warning_counts(tenants, now=None) -> dict[int, int]:
    """{tenant id: publication deadlines due or missed} for the regional administrator's list, each against its own
    local today (tenants without a publication deadline cost no query)."""
    out = {}
    for tenant in tenants:
        if not any(e.publish_within_days for e in tenant_schedule(tenant)):
            out[tenant.id] = 0
            continue
        with tenant_scope(tenant):
            out[tenant.id] = sum(d.warns for d in release_calendar(tenant, local_today(tenant.tz, now)))
    return out


def next_deadline_warning(tenant, today: date, now=None) -> date | None:
    """When the tick next has a deadline line to say: today while one is due or missed, else the first warning day
    (WARN_DAYS before) of the nearest deadline not met; None without a publication deadline."""
    rows = release_calendar(tenant, today)
    if any(d.warns for d in rows):
        return today
    return min((d.deadline - timedelta(days=WARN_DAYS) for d in rows if d.state == "not_due"), default=None)


add_tick_duty("publishing.deadlines", warnings=deadline_warnings, next_due=next_deadline_warning,
              watches=(Publication,))
add_home_panel("oversight/_release_panel.html", home_panel_context, order=5)
