"""Comparable indicators of every authority for one period, read from the stored appeals analyses.

Every authority's analysis computes the standard metrics the same way (DOMAIN.md), so the Centre compares
their stored documents for the same period name; it never reads a register. Channels are compared on the
standard codes their own channels map onto. A figure that rests on fewer than MIN_CELL_SIZE appeals is
suppressed, so no small group can be singled out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..channels import STANDARD_CHANNELS, tenant_channels
from ..extensions import db
from ..models import Analysis, Tenant
from ..periods import local_today, parse_period
from ..tenancy import across_tenants

SUPPRESSED = "suppressed"

INDICATORS = [
    ("total", _l("Appeals and complaints"), "count"),
    ("complaints", _l("Complaints"), "count"),
    ("satisfied_share", _l("Satisfied complaints, share"), "share"),
    ("unsatisfied_share", _l("Unsatisfied complaints, share"), "share"),
    ("wait_mean", _l("Waiting days, mean"), "days"),
    ("wait_median", _l("Waiting days, median"), "days"),
    ("wait_p90", _l("Waiting days, 90th percentile"), "days"),
    ("within_30_share", _l("Answered within 30 days, share"), "share"),
    ("redirected_share", _l("Redirected to the competent body, share"), "share"),
]


@dataclass
class Row:
    tenant: Tenant
    status: str  # done | missing | queued | running | failed
    values: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)  # standard code -> share (or SUPPRESSED)


def _guard(count, value, minimum: int):
    """The value, or SUPPRESSED when the count behind it is small (but not zero)."""
    if count is None or value is None:
        return value
    return SUPPRESSED if 0 < count < minimum else value


def indicators(doc: dict, tenant: Tenant, minimum: int) -> tuple[dict, dict]:
    total = doc.get("total")
    if total is not None and 0 < total < minimum:
        return {key: SUPPRESSED for key, _t, _k in INDICATORS}, {}
    complaints = doc.get("complaints") or {}
    waits = doc.get("waiting_days") or {}
    redirected = doc.get("redirected")
    answered = waits.get("answered")
    values = {
        "total": total,
        "complaints": _guard(complaints.get("total"), complaints.get("total"), minimum),
        "satisfied_share": _guard(complaints.get("satisfied"), complaints.get("satisfied_share"), minimum),
        "unsatisfied_share": _guard(complaints.get("unsatisfied"), complaints.get("unsatisfied_share"), minimum),
        "wait_mean": _guard(answered, waits.get("mean"), minimum),
        "wait_median": _guard(answered, waits.get("median"), minimum),
        "wait_p90": _guard(answered, waits.get("p90"), minimum),
        "within_30_share": _guard(answered, waits.get("within_30_share"), minimum),
        "redirected_share": _guard(redirected.get("count"), redirected.get("share"), minimum)
        if isinstance(redirected, dict) else None,
    }
    standard = {c.code: c.standard for c in tenant_channels(tenant)}
    counts: dict[str, int] = {}
    for code, cell in (doc.get("by_channel") or {}).items():
        key = standard.get(code, "other")
        counts[key] = counts.get(key, 0) + int(cell.get("count") or 0)
    channels = {
        key: SUPPRESSED if count < minimum else round(count / total, 4)
        for key, count in counts.items() if total
    }
    return values, channels


def comparison(period_name: str) -> list[Row]:
    """One row per active authority: its indicators for the period, or why there are none."""
    period = parse_period(period_name).name
    minimum = current_app.config["MIN_CELL_SIZE"]
    tenants = db.session.execute(select(Tenant).where(Tenant.active.is_(True)).order_by(Tenant.name)).scalars().all()
    analyses = {
        a.tenant_id: a
        for a in db.session.execute(
            across_tenants(select(Analysis).where(Analysis.kind == "appeals", Analysis.period == period))
        ).scalars()
    }
    rows = []
    for tenant in tenants:
        a = analyses.get(tenant.id)
        if a is None or a.result is None:
            rows.append(Row(tenant, a.status if a is not None else "missing"))
            continue
        values, channels = indicators(a.result, tenant, minimum)
        rows.append(Row(tenant, "done" if a.status == "done" else a.status, values, channels))
    return rows


def channel_columns(rows: list[Row]) -> list[str]:
    used = {code for row in rows for code in row.channels}
    return [code for code in STANDARD_CHANNELS if code in used]


def is_complete(tenant: Tenant, period_name: str) -> bool:
    """The Centre compares finished periods only (in the authority's own time zone)."""
    return parse_period(period_name).end <= local_today(tenant.tz)


def request_missing(period_name: str) -> list[str]:
    """Queue the appeals analysis of the period for every authority that has none yet. Returns their slugs."""
    from ..analysis.jobs import request_analysis
    from ..tenancy import tenant_scope

    queued = []
    for row in comparison(period_name):
        if row.status in ("missing", "failed") and is_complete(row.tenant, period_name):
            with tenant_scope(row.tenant):
                request_analysis(row.tenant, "appeals", parse_period(period_name).name, trigger="centre")
            queued.append(row.tenant.slug)
    return queued
