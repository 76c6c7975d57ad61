"""What the pain map asks of the jobs: after each analysis, suggestions (the worker proposes, a person decides) and
the map frozen as that period's version; at every tick the deadlines of measures (the overdue ones marked once,
those due within 14 days counted)."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from ..capabilities import add_tick_duty
from .deadlines import DUE_SOON_DAYS, due_soon, mark_overdue
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


add_tick_duty("painmap", warnings=measure_warnings, after_analysis=suggest_after_analysis)
