"""59-FZ deadlines of an appeal, in the tenant's calendar.

- registration within 3 days of receipt (checked only when the receipt date is recorded: the canonical file has
  no receipt column, so imported rows without `received_at` count as registered on time);
- redirect to the competent body within 7 days of registration (date: `redirected_at`, else the answer date of
  an appeal whose outcome is `redirected`);
- answer within 30 days of registration, or by the extended date: `due_date` holds the deadline in force
  (registration + 30 days + `extended_days`, an extension being at most 30 days and recorded with its reason).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..localtime import local_date
from ..models import Appeal

ANSWER_DAYS = 30
REDIRECT_DAYS = 7
REGISTER_DAYS = 3
MAX_EXTENSION_DAYS = 30
DUE_SOON_DAYS = 5

STATES = {
    "open": _l("In progress"),
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
    "answered": _l("Answered on time"),
    "answered_late": _l("Answered late"),
    "redirected": _l("Redirected on time"),
    "redirected_late": _l("Redirected late"),
}
LATE_STATES = ("overdue", "answered_late", "redirected_late")


def due_date_for(registered_at: datetime, tz, extended_days: int = 0) -> date:
    return local_date(registered_at, tz) + timedelta(days=ANSWER_DAYS + extended_days)


def state(appeal: Appeal, tz, today: date) -> str:
    """One word for the list: where the appeal stands against its deadline today."""
    registered = local_date(appeal.registered_at, tz)
    if appeal.outcome == "redirected":
        when = local_date(appeal.redirected_at or appeal.answered_at, tz)
        if when is None:
            return "overdue" if today > registered + timedelta(days=REDIRECT_DAYS) else "open"
        return "redirected" if (when - registered).days <= REDIRECT_DAYS else "redirected_late"
    answered = local_date(appeal.answered_at, tz)
    if answered is not None:
        return "answered" if answered <= appeal.due_date else "answered_late"
    if today > appeal.due_date:
        return "overdue"
    if (appeal.due_date - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "open"


def registered_late(appeal: Appeal, tz) -> bool:
    received = local_date(appeal.received_at, tz)
    return received is not None and (local_date(appeal.registered_at, tz) - received).days > REGISTER_DAYS


def overdue_clause(today: date):
    """SQL: not answered and past the deadline in force (redirects: not redirected within 7 days)."""
    redirect_cutoff = datetime.combine(today - timedelta(days=REDIRECT_DAYS), datetime.min.time(), UTC)
    return or_(
        and_(Appeal.outcome != "redirected", Appeal.answered_at.is_(None), Appeal.due_date < today),
        and_(Appeal.outcome == "redirected", Appeal.redirected_at.is_(None), Appeal.answered_at.is_(None),
             Appeal.registered_at < redirect_cutoff),
    )


def due_soon_clause(today: date):
    return and_(Appeal.outcome != "redirected", Appeal.answered_at.is_(None), Appeal.due_date >= today,
                Appeal.due_date <= today + timedelta(days=DUE_SOON_DAYS))


def counts(session, today: date) -> dict:
    """Figures for the office home (ORM: scoped to the tenant in context)."""
    from ..tenancy import current_tenant_id

    tenant_id = current_tenant_id()  # explicit as well: a bare count(*) names no entity for the scoping hook

    def count(*where):
        stmt = select(func.count(Appeal.id)).where(Appeal.tenant_id == tenant_id, *where)
        return session.execute(stmt).scalar() or 0

    return {
        "overdue": count(overdue_clause(today)),
        "due_soon": count(due_soon_clause(today)),
        "open": count(Appeal.answered_at.is_(None), Appeal.outcome == "pending"),
        "total": count(),
    }
