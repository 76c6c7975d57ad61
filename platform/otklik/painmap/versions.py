"""The map per period (issue 11, item 6): after each analysis the map is frozen as that period's version, and a
version says what changed since the one before it: new pains, resolved, verified, band changes, measures that
became overdue.

A version's rows are plain JSON (one per pain the map shows, in the map's order by process): the pain's id,
process, wording and status, its prevalence with the interval, band and priority, and its measures' states and
due dates. Their SHA-256 (canonical JSON: sorted keys, no spaces) is stored beside them. One version per
(tenant, period): re-running the period's analysis replaces it. The reports read a version through the
`add_report_section` registry, so they show the map of the analysis's own period.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..capabilities import ReportTable, add_report_section
from ..extensions import db
from ..models import Analysis, PainmapVersion
from ..periods import BadPeriod, local_today, parse_period
from . import table
from .deadlines import CLOSED
from .labels import MEASURE_STATUS_LABELS, PRIORITY_LABELS
from .service import Measured


def _fraction(value: float | None) -> float | None:
    return round(value, 6) if value is not None else None


def frozen_rows(tenant, today: date) -> list[dict]:
    """The map as it stands, as JSON rows; a measure is overdue when it is open and was due before `today`."""
    people = table.members()
    out = []
    for g in table.grouped(tenant, "process"):
        for row in g.rows:
            p, m = row.pain, row.measured
            out.append({
                "id": p.id, "number": row.number, "process": p.process.name if p.process else "",
                "wording": p.wording, "kind": p.kind, "status": p.status,
                "n": m.n, "N": m.total, "period": m.period, "prevalence": m.percent, "ci_low": _fraction(m.low),
                "ci_high": _fraction(m.high), "too_few": m.too_few, "band": m.band, "priority": m.priority,
                "progress": row.progress,
                "measures": [{
                    "id": x.id, "wording": x.wording, "status": x.status, "progress": x.progress,
                    "due_date": x.due_date.isoformat() if x.due_date else None,
                    "responsible": table.responsible(x, people),
                    "overdue": bool(x.due_date and x.due_date < today and x.status not in CLOSED),
                } for x in p.measures],
            })
    return out


def digest(rows: list[dict]) -> str:
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def freeze(tenant, analysis: Analysis, today: date | None = None) -> PainmapVersion:
    """Freeze the map as the version of `analysis.period` (replacing that period's earlier version)."""
    rows = frozen_rows(tenant, today or local_today(tenant.tz))
    version = db.session.execute(select(PainmapVersion).where(PainmapVersion.period == analysis.period)
                                 ).scalar_one_or_none()
    if version is None:
        version = PainmapVersion(period=analysis.period)
        db.session.add(version)
    version.kind, version.analysis_id, version.rows, version.sha256 = analysis.kind, analysis.id, rows, digest(rows)
    version.created_at = datetime.now(UTC)
    db.session.commit()
    return version


def _order(v: PainmapVersion):
    try:
        end = parse_period(v.period).end
    except BadPeriod:
        end = date.max
    return (end, v.created_at, v.id)


def all_versions() -> list[PainmapVersion]:
    """The tenant's versions, the latest period first."""
    rows = db.session.execute(select(PainmapVersion)).scalars().all()
    return sorted(rows, key=_order, reverse=True)


def previous(version: PainmapVersion) -> PainmapVersion | None:
    earlier = [v for v in all_versions() if v.id != version.id and _order(v) < _order(version)]
    return earlier[0] if earlier else None


def of_period(period: str) -> PainmapVersion | None:
    return db.session.execute(select(PainmapVersion).where(PainmapVersion.period == period)).scalar_one_or_none()


@dataclass
class Changes:
    """What changed from `before` (None for the first version) to `after`."""

    after: PainmapVersion
    before: PainmapVersion | None
    new: list[dict] = field(default_factory=list)
    resolved: list[dict] = field(default_factory=list)
    verified: list[dict] = field(default_factory=list)
    bands: list[tuple[dict, str | None, str | None]] = field(default_factory=list)  # (row, old band, new band)
    overdue: list[tuple[dict, dict]] = field(default_factory=list)  # (row, measure) that became overdue

    @property
    def empty(self) -> bool:
        return not (self.new or self.resolved or self.verified or self.bands or self.overdue)


def changes(after: PainmapVersion, before: PainmapVersion | None = None) -> Changes:
    """New pains, pains that became resolved or verified, band changes, and measures overdue in `after` that were
    not overdue (or did not exist) in `before`."""
    out = Changes(after, before)
    old = {r["id"]: r for r in (before.rows if before else [])}
    old_overdue = {x["id"] for r in old.values() for x in r["measures"] if x.get("overdue")}
    for r in after.rows:
        o = old.get(r["id"])
        if o is None:
            out.new.append(r)
        else:
            if r["status"] == "resolved" and o["status"] != "resolved":
                out.resolved.append(r)
            if r["band"] != o["band"]:
                out.bands.append((r, o["band"], r["band"]))
        if r["status"] == "verified" and (o is None or o["status"] != "verified"):
            out.verified.append(r)
        out.overdue += [(r, x) for x in r["measures"] if x.get("overdue") and x["id"] not in old_overdue]
    return out


def latest_changes() -> Changes | None:
    versions = all_versions()
    if not versions:
        return None
    return changes(versions[0], versions[1] if len(versions) > 1 else None)


# The map's section of the reports (the information note and the analysis XLSX): the Astrakhan columns.

def _measured(r: dict) -> Measured:
    return Measured(r["n"], r["N"], r["period"], r["prevalence"], r["ci_low"], r["ci_high"], r["too_few"], r["band"],
                    r["priority"])


def astrakhan_cells(r: dict) -> list:
    """A frozen row in the eight columns of the Astrakhan appendix (as `export` writes the live map)."""
    active = [x for x in r["measures"] if x["status"] != "cancelled"]
    wording = "\n".join(f"{i}. {x['wording']} ({MEASURE_STATUS_LABELS.get(x['status'], x['status'])}, "
                        f"{x['progress']} %)" for i, x in enumerate(active, 1))
    owners = "\n".join(f"{i}. {x['responsible'] or '—'}" for i, x in enumerate(active, 1))
    dates = "\n".join(f"{i}. {date.fromisoformat(x['due_date']).strftime('%d.%m.%Y') if x['due_date'] else '—'}"
                      for i, x in enumerate(active, 1))
    priority = PRIORITY_LABELS.get(r["priority"])
    return [r["number"], r["process"] or _("not in the catalogue"), r["wording"],
            table.prevalence_cell(_measured(r)), str(priority) if priority else "—", wording, owners, dates]


def report_table(tenant, analysis) -> ReportTable:
    """The map of the analysis's period (its frozen version; the map as it stands when none was frozen yet),
    grouped by process."""
    from .export import COLUMNS

    version = of_period(analysis.period)
    rows = version.rows if version is not None else frozen_rows(tenant, local_today(tenant.tz))
    groups: dict[str, list[list]] = {}
    for r in rows:
        groups.setdefault(r["process"] or table.none_title("process"), []).append(astrakhan_cells(r))
    note = (_("The map as frozen with the period %(period)s.", period=version.period) if version is not None
            else _("No version of the map was frozen for this period: the map as it stands."))
    before = previous(version) if version is not None else None
    if before is not None:
        ch = changes(version, before)
        note = " ".join((note, _("Since the version of %(period)s: new pains %(new)s, resolved %(resolved)s, "
                                 "verified %(verified)s, band changes %(bands)s, measures that became overdue "
                                 "%(overdue)s.", period=before.period, new=len(ch.new), resolved=len(ch.resolved),
                                 verified=len(ch.verified), bands=len(ch.bands), overdue=len(ch.overdue))))
    return ReportTable(title=_("Pain map"), sheet="Карта болей", columns=COLUMNS, groups=list(groups.items()),
                       note=note)


add_report_section("painmap", report_table)
