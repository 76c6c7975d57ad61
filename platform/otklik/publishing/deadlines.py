"""Publication deadlines of analyses (Vladimir 21: the quarterly appeals analysis is published no later than the
45th calendar day after the quarter). The scheduler tick calls `deadline_warnings` for every tenant (a tick duty)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..capabilities import add_tick_duty
from ..extensions import db
from ..models import Analysis
from ..periods import completed_periods
from ..schedule import publication_deadline, tenant_schedule

WARN_DAYS = 10  # warn this many days before the deadline
OVERDUE_DAYS = 60  # and keep warning this long after it


def deadline_warnings(tenant, today: date) -> list[str]:
    """Warnings for analyses with a publication deadline that are not done within WARN_DAYS of it, or overdue.

    Runs inside `tenant_scope(tenant)` (the tick, outside any request: in the platform's default language).
    An analysis counts as ready when its row is `done`.
    """
    if has_request_context():
        return _warnings(tenant, today)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return _warnings(tenant, today)


def _warnings(tenant, today: date) -> list[str]:
    out = []
    for entry in tenant_schedule(tenant):
        days = entry.publish_within_days
        if not days:
            continue
        since = today - timedelta(days=days + OVERDUE_DAYS + 370)
        for period in completed_periods(entry.cadence, since, today) if entry.cadence != "month_or_quarter" else []:
            deadline = publication_deadline(period, days)
            if not deadline - timedelta(days=WARN_DAYS) <= today <= deadline + timedelta(days=OVERDUE_DAYS):
                continue
            status = db.session.execute(
                select(Analysis.status).where(
                    Analysis.tenant_id == tenant.id, Analysis.kind == entry.kind, Analysis.period == period.name
                )
            ).scalar_one_or_none()
            if status == "done":
                continue
            left = (deadline - today).days
            if left >= 0:
                text = _("%(tenant)s: the %(kind)s analysis for %(period)s must be published by %(date)s "
                         "(%(days)s days left) and is not ready (%(status)s). %(clause)s",
                         tenant=tenant.slug, kind=entry.kind, period=period.name, date=deadline.isoformat(),
                         days=left, status=status or _("not started"), clause=entry.publish_clause)
            else:
                text = _("%(tenant)s: the %(kind)s analysis for %(period)s was due for publication on %(date)s and "
                         "is not ready (%(status)s). %(clause)s",
                         tenant=tenant.slug, kind=entry.kind, period=period.name, date=deadline.isoformat(),
                         status=status or _("not started"), clause=entry.publish_clause)
            out.append(text.strip())
    return out


add_tick_duty("publishing.deadlines", warnings=deadline_warnings)
