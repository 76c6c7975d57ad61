"""Deadlines of the pain map's measures (issue 11, item 8): the scheduler tick (`duties.measure_warnings`) marks the
overdue ones, and the office home and the regional administrator's list show them.

A measure is overdue when its due date is before the authority's local today and it is neither done nor cancelled;
it is due soon when its due date is within DUE_SOON_DAYS from today. The tick sets `overdue_marked_at` once, the
first time it finds a measure overdue (a second tick marks nothing), and keeps that in the pain's history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import has_request_context
from sqlalchemy import func, select

from ..capabilities import add_home_panel
from ..extensions import db
from ..models import Measure, Tenant
from ..periods import local_today
from ..tenancy import across_tenants
from .service import record

DUE_SOON_DAYS = 14
CLOSED = ("done", "cancelled")


def _open():
    return Measure.status.not_in(CLOSED)


def overdue(today: date) -> list[Measure]:
    """The tenant's overdue measures, the longest overdue first (runs in the tenant's scope)."""
    return list(db.session.execute(select(Measure).where(_open(), Measure.due_date < today)
                                   .order_by(Measure.due_date, Measure.id)).scalars())


def due_soon(today: date) -> list[Measure]:
    """The tenant's open measures due from today to DUE_SOON_DAYS ahead, the nearest first."""
    return list(db.session.execute(select(Measure).where(
        _open(), Measure.due_date >= today, Measure.due_date <= today + timedelta(days=DUE_SOON_DAYS))
        .order_by(Measure.due_date, Measure.id)).scalars())


def mark_overdue(tenant, today: date, now: datetime | None = None) -> list[Measure]:
    """Mark the overdue measures not marked yet; returns them (a second run the same day returns none)."""
    now = now or datetime.now(UTC)
    marked = [m for m in overdue(today) if m.overdue_marked_at is None]
    for m in marked:
        m.overdue_marked_at = now
        record(m.pain, "overdue", "", m.due_date.isoformat(), None, m)
    db.session.commit()
    return marked


def _pain_link(pain_id: int) -> str | None:
    """The pain's page, when the pain map's pages are installed (they are another module's)."""
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for("painmap.pain", pain_id=pain_id)
    except BuildError:
        return None


def home_panel_context() -> dict:
    """What the office home shows: the overdue measures and those due soon, each with its pain."""
    from flask import g

    tenant = getattr(g, "tenant", None) if has_request_context() else None
    if tenant is None:
        return {}
    today = local_today(tenant.tz)
    rows = {"overdue": overdue(today), "due_soon": due_soon(today)}
    return {key: [{"measure": m, "days": (today - m.due_date).days, "link": _pain_link(m.pain_id)} for m in items]
            for key, items in rows.items()} | {"days": DUE_SOON_DAYS}


add_home_panel("office/painmap/_deadlines_panel.html", home_panel_context, order=6)


def overdue_counts(tenants: list[Tenant], now: datetime | None = None) -> dict[int, int]:
    """{tenant id: overdue measures} for the regional administrator's list, each against its own local today
    (one query across tenants: open measures grouped by tenant and due date, before the latest of the todays)."""
    todays = {t.id: local_today(t.tz, now) for t in tenants}
    if not todays:
        return {}
    rows = db.session.execute(across_tenants(
        select(Measure.tenant_id, Measure.due_date, func.count(Measure.id))
        .where(_open(), Measure.due_date < max(todays.values()), Measure.tenant_id.in_(todays))
        .group_by(Measure.tenant_id, Measure.due_date))).all()
    counts = dict.fromkeys(todays, 0)
    for tenant_id, due, n in rows:
        if due < todays[tenant_id]:
            counts[tenant_id] += n
    return counts
