"""What the pain map asks of the jobs: after each analysis, suggestions (the worker proposes, a person decides) and
the map frozen as that period's version; at every tick the deadlines of measures (the overdue ones marked once,
those due within 14 days counted)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..capabilities import add_tick_duty
from ..extensions import db
from ..models import Measure
from .deadlines import DUE_SOON_DAYS, _open, due_soon, mark_overdue, overdue
from .service import suggest
from .versions import freeze


def suggest_after_analysis(tenant, analysis) -> None:
    """Suggestions from the finished analysis, then the map frozen as its period's version (replacing one an
    earlier run of that period froze)."""
    if analysis.result:
        suggest(tenant, analysis)
        freeze(tenant, analysis)


def measure_warnings(tenant, today: date) -> list[str]:
    """Mark what became overdue and say so, and count what is due soon; in the platform's language (the tick runs
    outside any request)."""
    if has_request_context():
        return _measure_warnings(tenant, today)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return _measure_warnings(tenant, today)


def _measure_warnings(tenant, today: date) -> list[str]:
    out = [_("%(tenant)s: measure №%(id)s of pain №%(pain)s was due on %(date)s and is not done.",
             tenant=tenant.slug, id=m.id, pain=m.pain_id, date=m.due_date.isoformat())
           for m in mark_overdue(tenant, today)]
    soon = len(due_soon(today))
    if soon:
        out.append(_("%(tenant)s: %(n)s measures are due within %(days)s days.", tenant=tenant.slug, n=soon,
                     days=DUE_SOON_DAYS))
    return out


def next_measure_warning(tenant, today: date, now=None) -> date | None:
    """Today while a measure is due soon or overdue and not marked yet, else the day the nearest open measure
    becomes due soon (DUE_SOON_DAYS before its due date); None without open measures ahead."""
    if due_soon(today) or any(m.overdue_marked_at is None for m in overdue(today)):
        return today
    first = db.session.execute(select(Measure.due_date).where(_open(), Measure.due_date >= today)
                               .order_by(Measure.due_date).limit(1)).scalar()
    return first - timedelta(days=DUE_SOON_DAYS) if first is not None else None


add_tick_duty("painmap", warnings=measure_warnings, after_analysis=suggest_after_analysis,
              next_due=next_measure_warning, watches=(Measure,))
