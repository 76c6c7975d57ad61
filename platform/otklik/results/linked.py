"""Periods are linked tables: a cell hidden in one period must not come back from another period's figures.

A year is the sum of its quarters and a quarter of its months, so each period's own disclosure control is not
enough once overlapping periods are shown: the year's 16 appeals by social networks minus its other quarters'
5 + 5 + 5 give back the 1 that Q1 hid. Of the two ways the issue allows (suppress the nested periods as one
hierarchical table, or restrict what is shown so that no overlap exists) this module takes the second, decided
once for the set of periods and kept in `ReleasedPeriod`:

- The periods of a tenant and kind whose figures leave the office on their own ("released": the Centre's page,
  CSV and JSON, its funnels and trends, publications and with them open data, the analytical report) are kept
  pairwise disjoint. Disjoint periods share no cell, so no linear combination of their figures says anything of a
  hidden cell beyond what its own period's control already allows (the property test proves it with linprog).
- A period is released on its own only at one of the authority's own cadences for the kind (its schedule: Vladimir's
  appeals quarterly, Omsk's surveys monthly); a longer scheduled one (Omsk's yearly analysis beside its quarterly
  monitoring) stays in the office, and outside it is shown *derived*: the sums of the released figures of the
  periods that tile it, a figure hidden wherever one of its parts is hidden. A derived period is a function of what
  is already out, so it discloses nothing new; it shows counts and the shares resting on them, not means, medians
  or percentiles, which are no sums.
- A period overlapping a released one that it is not tiled by (a month of a released quarter, a quarter of which
  one month is out) is not shown outside at all, with the reason.
- The first release wins and stays: a newly shown period is held against what is already out, and nothing once
  released is ever taken back, so asking for a new period later cannot open an old hidden cell.

`plan` is the pure rule (property-tested); `plan_many`, `decide` and `claim` apply it to the stored releases.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ReleasedPeriod, Tenant
from ..periods import BadPeriod, Period, parse_period
from ..schedule import tenant_schedule
from ..tenancy import across_tenants
from .disclosure import Suppressed, UndeclaredShape
from .shapes import DOC, HIDDEN, OWN, Breakdown, Count, Rates, Record, is_count, is_hidden

OWN_PERIOD = "own"  # shown from its own analysis, through its own disclosure control
DERIVED = "derived"  # shown as the sums of the released periods that tile it
REFUSED = "refused"  # not shown outside the office

OTHER_CADENCE = "other_cadence"  # not one of the authority's own cadences for the kind
OVERLAP = "overlap"  # overlaps released periods that do not tile it
DERIVED_REASON = "derived"  # the audit's reason for a figure a derived period cannot show

CADENCE_DAYS = {"month": 31, "quarter": 92, "half_year": 184, "year": 366}


@dataclass(frozen=True)
class Decision:
    """How one period of one tenant and kind may be shown outside the office."""

    mode: str  # OWN_PERIOD | DERIVED | REFUSED
    period: str
    parts: tuple[str, ...] = ()  # DERIVED: the periods it sums, in order
    reason: str = ""  # REFUSED: OTHER_CADENCE | OVERLAP
    overlapping: tuple[str, ...] = ()  # REFUSED for OVERLAP: the released periods in the way
    released: bool = False  # OWN_PERIOD: already released (else released when shown)

    @property
    def shown(self) -> bool:
        return self.mode != REFUSED


def own_cadences(tenant: Tenant, kind: str) -> set[str]:
    """The cadences at which the tenant's figures of `kind` may leave the office on their own: the shortest of its
    schedule's (Omsk 18: the yearly analysis beside the quarterly monitoring is shown as the sum of its quarters),
    or both month and quarter for `month_or_quarter` (Nenets 6: the volume decides which is analysed)."""
    entries = [e for e in tenant_schedule(tenant) if e.kind == kind]
    if any(e.cadence == "month_or_quarter" for e in entries):
        return {"month", "quarter"}
    cadences = {e.cadence for e in entries if e.cadence in CADENCE_DAYS}
    return {min(cadences, key=CADENCE_DAYS.__getitem__)} if cadences else set()


def _overlaps(a: Period, b: Period) -> bool:
    return a.start < b.end and b.start < a.end


def _within(inner: Period, outer: Period) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def plan(period: Period, released: Collection[Period], cadences: Collection[str]) -> Decision:
    """The rule, on its own: how `period` may be shown, given the periods already released (pairwise disjoint)
    and the authority's own cadences.

    Released itself: own. Nothing released in the way and one of its own cadences: own. Otherwise, where the
    released periods inside it and its subperiods of the shortest shorter own cadence that overlap none of them
    tile it exactly: derived from those parts (the unreleased ones are released when it is shown). A released
    period reaching outside it, or no tiling: refused."""
    if period in released:
        return Decision(OWN_PERIOD, period.name, released=True)
    inside = sorted(r for r in released if _overlaps(r, period))
    if any(not _within(r, period) for r in inside):
        return Decision(REFUSED, period.name, reason=OVERLAP, overlapping=tuple(r.name for r in inside))
    if not inside and period.cadence in cadences:
        return Decision(OWN_PERIOD, period.name)
    shorter = [c for c in cadences if CADENCE_DAYS[c] < CADENCE_DAYS[period.cadence]]
    fill = []
    if shorter:
        finest = min(shorter, key=CADENCE_DAYS.__getitem__)
        fill = [p for p in period.subperiods(finest)
                if _within(p, period) and not any(_overlaps(p, r) for r in inside)]
    parts = sorted([*inside, *fill])
    if parts and sum((p.end - p.start).days for p in parts) == (period.end - period.start).days:
        return Decision(DERIVED, period.name, parts=tuple(p.name for p in parts))
    if inside:
        return Decision(REFUSED, period.name, reason=OVERLAP, overlapping=tuple(r.name for r in inside))
    return Decision(REFUSED, period.name, reason=OTHER_CADENCE)


def released_periods(tenant_ids: Iterable[int], kind: str) -> dict[int, list[Period]]:
    """{tenant_id: its released periods of `kind`}, across tenants (one query)."""
    ids = list(tenant_ids)
    out: dict[int, list[Period]] = {tenant_id: [] for tenant_id in ids}
    if not ids:
        return out
    query = across_tenants(select(ReleasedPeriod.tenant_id, ReleasedPeriod.period)
                           .where(ReleasedPeriod.kind == kind, ReleasedPeriod.tenant_id.in_(ids)))
    for tenant_id, name in db.session.execute(query):
        out.setdefault(tenant_id, []).append(parse_period(name))
    return out


def plan_many(period: Period, tenants: list[Tenant], kind: str, cadences_of=None) -> list[Decision]:
    """The decision for one period of one kind for each of `tenants` (in order), nothing written; `cadences_of`
    (tenant -> own cadences) lets a caller that asks for many periods work them out once per tenant."""
    released = released_periods((t.id for t in tenants), kind)
    cadences_of = cadences_of or (lambda t: own_cadences(t, kind))
    return [plan(period, released[t.id], cadences_of(t)) for t in tenants]


def decide(tenant: Tenant, kind: str, period_name: str) -> Decision:
    """How one tenant's period of `kind` may be shown outside (nothing written)."""
    try:
        return plan_many(parse_period(period_name), [tenant], kind)[0]
    except BadPeriod:
        return Decision(REFUSED, period_name, reason=OTHER_CADENCE)


def claim(releases: Mapping[int, Collection[str]], kind: str, via: str) -> set[tuple[int, str]]:
    """Record periods as released ({tenant_id: period names}) just before their figures are shown; returns the
    (tenant_id, period) pairs that may NOT be shown after all, because a concurrent release of an overlapping
    period came first (each claim is checked again after it is written; the earlier release wins). Commits."""
    wanted = {(tenant_id, name) for tenant_id, names in releases.items() for name in names}
    if not wanted:
        return set()
    tenant_ids = sorted({tenant_id for tenant_id, _ in wanted})
    existing = {(tenant_id, p.name) for tenant_id, ps in released_periods(tenant_ids, kind).items() for p in ps}
    now = datetime.now(UTC)
    new = []
    for tenant_id, name in sorted(wanted - existing):
        period = parse_period(name)
        new.append({"tenant_id": tenant_id, "kind": kind, "period": period.name, "via": via,
                    "period_start": period.start, "period_end": period.last_day, "released_at": now})
    if new:
        # a Core insert: the rows belong to the tenants named, not to a tenant scope the caller may be in
        try:
            db.session.execute(insert(ReleasedPeriod.__table__), new)
            db.session.commit()
        except IntegrityError:  # a concurrent claim of the same period (unique key): read again below
            db.session.rollback()
            for row in new:
                try:
                    db.session.execute(insert(ReleasedPeriod.__table__), [row])
                    db.session.commit()
                except IntegrityError:
                    db.session.rollback()
    rows = db.session.execute(across_tenants(
        select(ReleasedPeriod.tenant_id, ReleasedPeriod.period, ReleasedPeriod.id)
        .where(ReleasedPeriod.kind == kind, ReleasedPeriod.tenant_id.in_(tenant_ids)))).all()
    losers = set()
    for tenant_id, name in wanted:
        mine = next((r for r in rows if r.tenant_id == tenant_id and r.period == name), None)
        if mine is None:
            losers.add((tenant_id, name))
            continue
        period = parse_period(name)
        if any(r.tenant_id == tenant_id and r.id < mine.id and r.period != name
               and _overlaps(parse_period(r.period), period) for r in rows):
            losers.add((tenant_id, name))
    return losers


def claim_one(tenant: Tenant, kind: str, period_name: str, via: str) -> Decision:
    """Decide and, when the period is shown on its own, record it as released (publications, the analytical
    report). A derived or refused period is returned as decided, nothing written."""
    decision = decide(tenant, kind, period_name)
    if decision.mode == OWN_PERIOD and not decision.released:
        if claim({tenant.id: [decision.period]}, kind, via):
            return decide(tenant, kind, period_name)
    return decision


class Held:
    """What a released period once hid stays hidden: the figures shown of each released period are kept with the
    cells they hid; when its analysis is run again and would now show one of those cells (a late appeal made the 4
    a 5, and the old total against the new one would give the 4 back), the figures as last shown are shown instead,
    as a publication's correction that would reveal a hidden cell is refused (docs/PUBLISHING.md). Read once for
    the periods of one page, written once (`save`)."""

    def __init__(self, kind: str, keys: Iterable[tuple[int, str]]):
        keys = set(keys)
        self.kind, self.changed = kind, {}
        tenant_ids, names = {t for t, _ in keys}, {n for _, n in keys}
        rows = db.session.execute(across_tenants(
            select(ReleasedPeriod.id, ReleasedPeriod.tenant_id, ReleasedPeriod.period, ReleasedPeriod.figures)
            .where(ReleasedPeriod.kind == kind, ReleasedPeriod.tenant_id.in_(tenant_ids),
                   ReleasedPeriod.period.in_(names)))).all() if keys else []
        self.rows = {(r.tenant_id, r.period): r for r in rows}

    def hold(self, tenant_id: int, period: str, shown: dict, audit: list) -> tuple[dict, list]:
        row = self.rows.get((tenant_id, period))
        if row is None:
            return shown, audit
        hidden = sorted({(s.path, s.cell) for s in audit})
        kept = row.figures
        if kept is not None and not {tuple(h) for h in kept["hidden"]} <= set(hidden):
            return kept["shown"], [Suppressed(*a) for a in kept["audit"]]
        if kept is None or kept["shown"] != shown or [tuple(h) for h in kept["hidden"]] != hidden:
            self.changed[row.id] = {"shown": shown, "hidden": [list(h) for h in hidden],
                                    "audit": [[s.path, s.cell, s.reason] for s in audit]}
        return shown, audit

    def reveals(self, tenant_id: int, period: str, audit: list) -> bool:
        """Whether figures hiding `audit` would show a cell that the period's figures as last shown hid."""
        row = self.rows.get((tenant_id, period))
        if row is None or row.figures is None:
            return False
        return not {tuple(h) for h in row.figures["hidden"]} <= {(s.path, s.cell) for s in audit}

    def save(self) -> None:
        for row_id, figures in self.changed.items():
            db.session.execute(across_tenants(update(ReleasedPeriod.__table__)
                                              .where(ReleasedPeriod.__table__.c.id == row_id).values(figures=figures)))
        if self.changed:
            db.session.commit()
        self.changed = {}


# -- a derived period's figures: the sums of its parts' disclosed figures --


@dataclass
class Summed:
    values: dict
    audit: list = field(default_factory=list)


def _int_sum(values: list) -> int | None:
    return sum(values) if values and all(is_count(v) for v in values) else None


def _share(part, whole) -> float | None:
    return round(part / whole, 4) if is_count(part) and is_count(whole) and whole else None


def sum_disclosed(parts: list[dict], shapes: Mapping) -> Summed:
    """The figures of a derived period from its parts' figures as they left the office (each already through the
    disclosure control): a count is the sum of the parts' counts, hidden when one of them is hidden or missing;
    a share is recomputed over the summed counts; a figure that is no sum (a mean, a median) is not shown.
    Shapes other than Count, Record, Breakdown and Rates are refused (UndeclaredShape)."""
    out: Summed = Summed({})
    totals: dict[str, int | None] = {}
    keys = [key for key in shapes if any(key in p for p in parts)]
    for key in sorted(keys, key=lambda key: not isinstance(shapes[key], Count)):
        shape, values = shapes[key], [p.get(key) for p in parts]
        if isinstance(shape, Count):
            totals[key] = out.values[key] = _int_sum(values)
            if out.values[key] is None:
                out.audit.append(Suppressed(key, "total", DERIVED_REASON))
        elif isinstance(shape, Record):
            out.values[key] = _sum_record(shape, values, key, totals, out.audit)
        elif isinstance(shape, Breakdown):
            out.values[key] = _sum_breakdown(shape, values, key, totals, out.audit)
        elif isinstance(shape, Rates):
            out.values[key] = _sum_rates(values, key, out.audit)
        else:
            raise UndeclaredShape(f"{key}: a derived period sums counts, records, breakdowns and rates only")
    return Summed({key: out.values[key] for key in keys}, out.audit)


def _sum_record(shape: Record, values: list, path: str, totals: dict, audit: list) -> dict | None:
    if any(not isinstance(v, dict) or is_hidden(v) for v in values):
        audit.append(Suppressed(path, "*", DERIVED_REASON))
        return None
    fields = {f.key: f for f in shape.fields}
    summed: dict = {}
    for f in shape.fields:
        if f.fmt == "int":
            summed[f.key] = _int_sum([v.get(f.key) for v in values])
    denominators = {}
    for part in shape.parts:
        for cell in part.cells:
            if part.total.startswith(OWN):
                denominators[cell] = summed.get(part.total[len(OWN):])
            elif part.total.startswith(DOC):
                denominators[cell] = totals.get(part.total[len(DOC):])
    for f in shape.fields:
        if f.fmt == "share" and f.rests_on in summed:
            summed[f.key] = _share(summed[f.rests_on], denominators.get(f.rests_on))
    out = {}
    for key in fields:
        had = any(key in v for v in values)
        if not had:
            continue
        out[key] = summed.get(key)
        if out[key] is None:
            audit.append(Suppressed(path, key, DERIVED_REASON))
    return out


def _sum_breakdown(shape: Breakdown, values: list, path: str, totals: dict, audit: list) -> dict | None:
    if any(not isinstance(v, dict) for v in values):  # a part without the breakdown: nothing to sum
        return None
    codes = list(dict.fromkeys(code for v in values for code in v))
    total = totals.get(shape.total[len(DOC):]) if shape.total.startswith(DOC) else None
    out = {}
    for code in codes:
        cells = [v.get(code, {"count": 0}) for v in values]
        if any(is_hidden(c) or not is_count(c.get("count")) for c in cells):
            audit.append(Suppressed(path, code, DERIVED_REASON))
            out[code] = {HIDDEN: DERIVED_REASON}
            continue
        count = sum(c["count"] for c in cells)
        out[code] = {"count": count, "share": _share(count, total)}
    return out


def _sum_rates(values: list, path: str, audit: list) -> dict | None:
    if any(not isinstance(v, dict) for v in values):
        return None
    out = {}
    for code in dict.fromkeys(code for v in values for code in v):
        cells = [v.get(code) for v in values]
        if any(not isinstance(c, dict) or is_hidden(c) or not is_count(c.get("count")) or not is_count(c.get("of"))
               for c in cells):
            audit.append(Suppressed(path, code, DERIVED_REASON))
            out[code] = {HIDDEN: DERIVED_REASON}
            continue
        count, of = sum(c["count"] for c in cells), sum(c["of"] for c in cells)
        out[code] = {"count": count, "of": of, "share": _share(count, of)}
    return out
