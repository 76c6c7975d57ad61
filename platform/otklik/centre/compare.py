"""Comparable indicators of every authority for one period, read from the stored appeals analyses.

Every authority's analysis computes the standard metrics the same way (DOMAIN.md), so the Centre compares
their stored documents for the same period name; it never reads a register. Channels are compared on the
standard codes their own channels map onto. The Centre's figures of an authority are declared like a metric
(`COMPARISON`, from the standard shapes) and leave through the one disclosure control: a small group, and any
figure that would give one back from what is shown (a total minus the shown cells), is hidden.
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
from ..results import standard
from ..results.disclosure import Disclosed, disclose_values, minimum_cell
from ..results.document import read
from ..results.shapes import Breakdown, Record, is_count, is_number
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
# Where each indicator sits among the declared figures: (figure, field).
SOURCES = {
    "total": ("total", None),
    "complaints": ("complaints", "total"),
    "satisfied_share": ("complaints", "satisfied_share"),
    "unsatisfied_share": ("complaints", "unsatisfied_share"),
    "wait_mean": ("waiting_days", "mean"),
    "wait_median": ("waiting_days", "median"),
    "wait_p90": ("waiting_days", "p90"),
    "within_30_share": ("waiting_days", "within_30_share"),
    "redirected_share": ("redirected", "share"),
}
WAITING = Record(tuple(f for f in standard.WAITING_DAYS.fields), base="answered",
                 parts=standard.WAITING_DAYS.parts)  # the Centre shows no distribution
COMPARISON = {
    "total": standard.TOTAL,
    "complaints": standard.COMPLAINTS,
    "waiting_days": WAITING,
    "redirected": standard.REDIRECTED,
    "channels": Breakdown(codes="channel"),
}


@dataclass
class Row:
    tenant: Tenant
    status: str  # done | missing | queued | running | failed
    values: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)  # standard code -> share (or SUPPRESSED)
    audit: list = field(default_factory=list)  # what was hidden and why (disclosure.Suppressed)


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def figures(doc: dict, tenant: Tenant) -> dict:
    """An authority's comparable figures, read from its stored document through the declared shapes, before
    disclosure control: the channels summed onto the standard codes."""
    d = read(doc)
    total = d.count("total")
    complaints = {k: v for k, v in d.record("complaints").items()}
    waits = {k: v for k, v in d.record("waiting_days").items() if k != "distribution"}
    if is_count(waits.get("answered")) and "within_30" not in waits and is_number(waits.get("within_30_share")):
        waits["within_30"] = round(waits["within_30_share"] * waits["answered"])  # schema 1 stored the share only
    standard_of = {c.code: c.standard for c in tenant_channels(tenant)}
    counts: dict[str, int] = {}
    for code, cell in d.cells("by_channel"):
        key = standard_of.get(code, "other")
        counts[key] = counts.get(key, 0) + int(cell.get("count") or 0)
    values = {"total": total, "complaints": complaints, "waiting_days": waits,
              "channels": {key: {"count": n, "share": _share(n, total)} for key, n in counts.items()}}
    if d.record("redirected"):
        values["redirected"] = dict(d.record("redirected"))
    return {key: value for key, value in values.items() if value not in (None, {})}


def _pick(values: dict, name: str, part: str | None):
    figure = values.get(name)
    if part is None:
        return figure
    return figure.get(part) if isinstance(figure, dict) else None


def indicators(doc: dict, tenant: Tenant, k: int) -> tuple[dict, dict, list]:
    """(indicators, channel shares, audit) of one authority as the Centre may see them: a figure that the
    disclosure control took away reads SUPPRESSED, one the document never had stays None."""
    before = figures(doc, tenant)
    shown: Disclosed = disclose_values(before, COMPARISON, k)
    values = {}
    for key, (name, part) in SOURCES.items():
        was, now = _pick(before, name, part), _pick(shown.values, name, part)
        values[key] = SUPPRESSED if was is not None and now is None else now
    channels = {code: SUPPRESSED if shown.hidden("channels", code) else cell.get("share")
                for code, cell in (shown.values.get("channels") or {}).items()}
    return values, channels, shown.audit


def minimum(tenant: Tenant | None = None) -> int:
    """k for the Centre: the authority's own minimum cell size (a `publication` setting) or the platform's
    (MIN_CELL_SIZE), never below the public minimum of 5."""
    configured = (tenant.settings_of("publication").get("min_cell_size") if tenant is not None else None)
    return minimum_cell(configured or current_app.config.get("MIN_CELL_SIZE"), outside_office=True)


def comparison(period_name: str) -> list[Row]:
    """One row per active authority: its indicators for the period, or why there are none."""
    period = parse_period(period_name).name
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
        values, channels, audit = indicators(a.result, tenant, minimum(tenant))
        rows.append(Row(tenant, "done" if a.status == "done" else a.status, values, channels, audit))
    return rows


def channel_columns(rows: list[Row]) -> list[str]:
    used = {code for row in rows for code in row.channels}
    return [code for code in STANDARD_CHANNELS if code in used]


def is_complete(tenant: Tenant, period_name: str) -> bool:
    """The Centre compares finished periods only (in the authority's own time zone)."""
    return parse_period(period_name).end <= local_today(tenant.tz)


def request_missing(period_name: str) -> tuple[list[str], bool]:
    """Queue the appeals analysis of the period for every authority that has none yet. Returns their slugs, and
    whether the job queue (Redis) was unreachable: their rows are queued all the same, and the scheduler tick
    enqueues their jobs when it is back."""
    from ..analysis.jobs import request_analysis
    from ..jobs import QueueUnavailable
    from ..tenancy import tenant_scope

    queued, queue_down = [], False
    for row in comparison(period_name):
        if row.status in ("missing", "failed") and is_complete(row.tenant, period_name):
            with tenant_scope(row.tenant):
                try:
                    request_analysis(row.tenant, "appeals", parse_period(period_name).name, trigger="centre")
                except QueueUnavailable:
                    queue_down = True
            queued.append(row.tenant.slug)
    return queued, queue_down
