"""Comparable indicators of every authority, read from the stored analyses, compared fairly (DOMAIN.md, comparison
of authorities; docs/CENTRE.md).

Every authority's analysis computes the standard metrics the same way (DOMAIN.md), so the Centre compares their
stored documents for the same period name; it never reads a register. Channels are compared on the standard codes
their own channels map onto, survey answers on the standard indicator keys their questions carry
(`vocabulary.SURVEY_INDICATORS`). The Centre's figures of an authority are declared like a metric (`COMPARISON`,
`SURVEY_COMPARISON`, from the standard shapes) and leave through the one disclosure control: a small group, and any
figure that would give one back from what is shown (a total minus the shown cells), is hidden.

What is compared is a share with its volume: its Wilson 95 % interval, its place in a funnel plot around the pooled
share of the authorities compared (pooled over the figures shown only: a pool of hidden counts minus the shown
ones would give a hidden one back), and a verdict, not a rank (`otklik.fairness`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import fairness
from ..channels import STANDARD_CHANNELS, tenant_channels
from ..extensions import db
from ..models import Analysis, Tenant
from ..periods import local_today, parse_period
from ..results import linked, standard
from ..results.disclosure import Disclosed, Suppressed, disclose_values, minimum_cell
from ..results.document import SCHEMA_VERSION, read
from ..results.shapes import Record, is_count, is_hidden, is_number
from ..tenancy import across_tenants
from ..vocabulary import SURVEY_INDICATORS, indicator_label, status_label

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
# The shares as counts: (figure, numerator field, (figure, field) of the denominator).
PROPORTIONS = {
    "satisfied_share": ("complaints", "satisfied", ("complaints", "total")),
    "unsatisfied_share": ("complaints", "unsatisfied", ("complaints", "total")),
    "within_30_share": ("waiting_days", "within_30", ("waiting_days", "answered")),
    "redirected_share": ("redirected", "count", ("total", None)),
}
# The volume behind a figure that is no share (the CLI's `n`).
VOLUMES = {"total": ("total", None), "complaints": ("complaints", "total"), "wait_mean": ("waiting_days", "answered"),
           "wait_median": ("waiting_days", "answered"), "wait_p90": ("waiting_days", "answered")}
SURVEY_PREFIX = "survey_"
SURVEY_KEYS = [SURVEY_PREFIX + key for key in SURVEY_INDICATORS]
FUNNELS = ["unsatisfied_share", "within_30_share", "redirected_share", *SURVEY_KEYS]
"""The indicators with a funnel plot and a verdict (issue 13: unsatisfied complaints, answered within 30 days,
redirected, and the share of 4-5 of each standard survey indicator)."""
RATES = [("total", _l("Appeals and complaints per 10,000 population")),
         ("complaints", _l("Complaints per 10,000 population"))]
TREND_PERIODS = 8

WAITING = Record(tuple(f for f in standard.WAITING_DAYS.fields), base="answered",
                 parts=standard.WAITING_DAYS.parts)  # the Centre shows no distribution
COMPARISON = {
    "total": standard.TOTAL,
    "complaints": standard.COMPLAINTS,
    "waiting_days": WAITING,
    "redirected": standard.REDIRECTED,
    # the authority's own channels, disclosed as its publications disclose them, then summed onto the standard
    # codes (`standard_channels`): a standard code is shown only where every own channel of it is, so the Centre
    # and the public site hide the same cells and neither gives back what the other hid (issue 23, item 3)
    "by_channel": standard.BY_CHANNEL,
}
SURVEY_COMPARISON = {"responses": standard.RESPONSES, "indicators": standard.INDICATORS}
# The parts of a stored document the Centre reads (only these leave the database).
APPEALS_PARTS = ("schema", "kind", "total", "complaints", "waiting_days", "redirected", "by_channel")
SURVEY_PARTS = ("schema", "kind", "responses", "indicators")
TREND_PARTS = tuple(p for p in APPEALS_PARTS if p != "by_channel")

VERDICT_LABELS = {
    "above": _l("above the others"),
    "below": _l("below the others"),
    "consistent": _l("consistent with the others"),
}
STATE_LABELS = {
    "missing": _l("no analysis of this period"),
    linked.OTHER_CADENCE: _l("not a period of this authority's cadence"),
    linked.OVERLAP: _l("not shown: it overlaps periods of this authority already shown, and would give back "
                       "their hidden figures"),
    "incomplete": _l("not every period it sums is analysed"),
}


def indicator_titles() -> list[tuple[str, str, str]]:
    """(key, title, kind) of every compared indicator: the appeals ones, then the survey ones."""
    return [(key, str(title), kind) for key, title, kind in INDICATORS] + [
        (SURVEY_PREFIX + key, _("%(indicator)s: share of 4-5", indicator=indicator_label(key)), "share")
        for key in SURVEY_INDICATORS]


def state_label(state: str) -> str:
    """An analysis state in words (done, queued, ..., or no analysis)."""
    return str(STATE_LABELS[state]) if state in STATE_LABELS else status_label(state)


def verdict_label(verdict: str | None) -> str:
    return str(VERDICT_LABELS[verdict]) if verdict in VERDICT_LABELS else ""


@dataclass
class Measure:
    """One share of one authority as the Centre may see it: hidden (`value` SUPPRESSED), or with its counts."""

    value: float | str | None
    successes: int | None = None
    n: int | None = None
    verdict: str | None = None

    @cached_property
    def ci(self) -> tuple[float, float] | None:
        """Its Wilson 95 % interval (worked out when asked: the trends of earlier periods show no interval)."""
        return fairness.wilson_interval(self.successes, self.n) if self.n and self.successes is not None else None


@dataclass
class Row:
    tenant: Tenant
    status: str  # done | missing | queued | running | failed (the appeals analysis)
    values: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)  # standard code -> share (or SUPPRESSED)
    audit: list = field(default_factory=list)  # what was hidden and why (disclosure.Suppressed)
    survey_status: str = "missing"
    measures: dict = field(default_factory=dict)  # proportion key -> Measure
    volumes: dict = field(default_factory=dict)  # indicator key -> its n, where shown
    derived_from: tuple = ()  # the released periods whose sums the appeals figures are (results.linked)
    survey_derived_from: tuple = ()

    def rate(self, key: str) -> float | None:
        """A count per 10,000 population, where the population is set and the count is shown."""
        count, population = self.values.get(key), self.tenant.population
        if not is_count(count) or not population:
            return None
        return round(count * 10000 / population, 2)


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def figures(doc: dict, tenant: Tenant, standard_of: dict | None = None) -> dict:
    """An authority's comparable figures, read from its stored document through the declared shapes, before
    disclosure control: the channels summed onto the standard codes."""
    d = _Parts(doc) if doc.get("schema") == SCHEMA_VERSION else read(doc)
    total = d.count("total")
    complaints = {k: v for k, v in d.record("complaints").items()}
    waits = {k: v for k, v in d.record("waiting_days").items() if k != "distribution"}
    if is_count(waits.get("answered")) and "within_30" not in waits and is_number(waits.get("within_30_share")):
        waits["within_30"] = round(waits["within_30_share"] * waits["answered"])  # schema 1 stored the share only
    if standard_of is None:
        standard_of = {c.code: c.standard for c in tenant_channels(tenant)}
    by_channel = {code: {"count": int(cell.get("count") or 0), "share": _share(int(cell.get("count") or 0), total)}
                  for code, cell in d.cells("by_channel") if not is_hidden(cell)}
    values = {"total": total, "complaints": complaints, "waiting_days": waits, "by_channel": by_channel}
    if d.record("redirected"):
        values["redirected"] = dict(d.record("redirected"))
    return {key: value for key, value in values.items() if value not in (None, {})}


class _Parts:
    """The few figures the Centre reads of a current-schema document, read the way `results.document.Document`
    reads them (a count is an int, a record a dict not hidden as a whole, a breakdown its cells) without looking
    up every plugin's declarations once per document: the Centre reads tens of thousands of documents a page."""

    def __init__(self, doc: dict):
        self.raw = doc

    def count(self, key: str) -> int | None:
        value = self.raw.get(key)
        return value if is_count(value) else None

    def record(self, key: str) -> dict:
        value = self.raw.get(key)
        return value if isinstance(value, dict) and not is_hidden(value) else {}

    def cells(self, key: str) -> list[tuple[str, dict]]:
        value = self.raw.get(key)
        return [(str(k), v) for k, v in value.items()] if isinstance(value, dict) else []


def _pick(values: dict, name: str, part: str | None):
    figure = values.get(name)
    if part is None:
        return figure
    return figure.get(part) if isinstance(figure, dict) else None


def _measure(before: dict, shown: dict, key: str, numerator: tuple, denominator: tuple) -> Measure | None:
    """A share with its counts: hidden when the control took the share, its count or its volume away."""
    name, part = numerator
    had, successes = _pick(before, name, part), _pick(shown, name, part)
    n = _pick(shown, *denominator)
    if had is None:
        return None
    if not is_count(successes) or not is_count(n) or not n:
        return Measure(SUPPRESSED if _pick(before, *denominator) else None)
    return Measure(successes / n, successes, n)


def indicators(doc: dict, tenant: Tenant, k: int, standard_of: dict | None = None) -> tuple[dict, dict, list]:
    """(indicators, channel shares, audit) of one authority as the Centre may see them: a figure that the
    disclosure control took away reads SUPPRESSED, one the document never had stays None."""
    values, channels, audit, _measures, _volumes = _appeals(doc, tenant, k, standard_of)
    return values, channels, audit


def _disclosed_appeals(doc: dict, tenant: Tenant, k: int, standard_of: dict | None = None):
    """(figures before, figures as they may leave the office, audit) of one stored appeals document."""
    before = figures(doc, tenant, standard_of)
    shown: Disclosed = disclose_values(before, COMPARISON, k)
    return before, shown.values, shown.audit


def standard_channels(shown_by_channel: dict, total, standard_of: dict) -> dict:
    """The disclosed own channels summed onto the standard codes: {code: share, or SUPPRESSED where one of its own
    channels is hidden}. Only what the own breakdown shows is summed, so nothing hidden there comes back here."""
    counts: dict[str, int | None] = {}
    for code, cell in (shown_by_channel or {}).items():
        key = standard_of.get(code, "other")
        hidden = is_hidden(cell) or not is_count(cell.get("count"))
        counts[key] = None if hidden or counts.get(key, 0) is None else counts.get(key, 0) + cell["count"]
    return {key: SUPPRESSED if n is None else _share(n, total) if is_count(total) else SUPPRESSED
            for key, n in counts.items()}


def _read_appeals(before: dict, shown: dict, audit: list, standard_of: dict):
    values = {}
    for key, (name, part) in SOURCES.items():
        now = _pick(shown, name, part)
        values[key] = SUPPRESSED if now is None and _pick(before, name, part) is not None else now
    channels = standard_channels(shown.get("by_channel"), shown.get("total"), standard_of)
    measures = {}
    for key, (name, part, denominator) in PROPORTIONS.items():
        measure = _measure(before, shown, key, (name, part), denominator)
        if measure is not None:
            measures[key] = measure
    volumes = {key: _pick(shown, *where) for key, where in VOLUMES.items()}
    volumes.update({key: m.n for key, m in measures.items() if m.n is not None})
    # the audit names the Centre's figures: a hidden own channel as the standard code it is compared on
    audit = list(dict.fromkeys(
        Suppressed("channels", standard_of.get(s.cell, "other"), s.reason) if s.path == "by_channel" else s
        for s in audit))
    return values, channels, audit, measures, volumes


def _appeals(doc: dict, tenant: Tenant, k: int, standard_of: dict | None = None):
    if standard_of is None:
        standard_of = {c.code: c.standard for c in tenant_channels(tenant)}
    before, shown, audit = _disclosed_appeals(doc, tenant, k, standard_of)
    return _read_appeals(before, shown, audit, standard_of)


def _held_appeals(docs: list[dict], names: tuple[str, ...], tenant: Tenant, k: int, standard_of: dict,
                  held: linked.Held):
    """The figures of a period from its own released document, or the sums of its released parts' (results.linked):
    each document through its own disclosure control and held to what its first release hid, then summed, so the
    sums say nothing the parts did not."""
    parts = []
    for doc, name in zip(docs, names, strict=True):
        before, shown, audit = _disclosed_appeals(doc, tenant, k, standard_of)
        parts.append((before, *held.hold(tenant.id, name, shown, audit)))
    if len(parts) == 1:
        return _read_appeals(*parts[0], standard_of)
    before = linked.sum_disclosed([b for b, _s, _a in parts], COMPARISON).values
    shown = linked.sum_disclosed([s for _b, s, _a in parts], COMPARISON)
    return _read_appeals(before, shown.values, shown.audit, standard_of)


def _disclosed_survey(doc: dict, k: int):
    d = _Parts(doc) if doc.get("schema") == SCHEMA_VERSION else read(doc)
    before = {}
    if d.count("responses") is not None:
        before["responses"] = d.count("responses")
    rates = doc.get("indicators")
    if isinstance(rates, dict) and rates:
        before["indicators"] = rates
    if not before:
        return None
    shown = disclose_values(before, SURVEY_COMPARISON, k)
    return before, shown.values, shown.audit


def _read_survey(before: dict, shown: dict, audit: list) -> tuple[dict, list]:
    out = {}
    shown_rates = shown.get("indicators") or {}
    for key, cell in (before.get("indicators") or {}).items():
        if key not in SURVEY_INDICATORS:
            continue
        now = shown_rates.get(key)
        if is_hidden(cell):
            out[SURVEY_PREFIX + key] = Measure(SUPPRESSED)
        elif not isinstance(now, dict) or is_hidden(now) or not is_count(now.get("count")) or not now.get("of"):
            out[SURVEY_PREFIX + key] = Measure(SUPPRESSED if cell.get("of") else None)
        else:
            s, n = now["count"], now["of"]
            out[SURVEY_PREFIX + key] = Measure(s / n, s, n)
    return out, audit


def reveals_held(tenant: Tenant, kind: str, period: str, doc: dict) -> bool:
    """Whether the current document of a released period would show a cell the Centre hid when it showed the
    period (linked.Held): another view of the period (the analytical report) must not show it then."""
    held = linked.Held(kind, [(tenant.id, period)])
    if kind == "appeals":
        k, standard_of = _PerTenant()(tenant)
        audit = _disclosed_appeals(doc, tenant, k, standard_of)[2]
    elif kind == "surveys" and (found := _disclosed_survey(doc, minimum(tenant))) is not None:
        audit = found[2]
    else:
        return False
    return held.reveals(tenant.id, period, audit)


def survey_measures(doc: dict, k: int) -> tuple[dict, list]:
    """({survey_<indicator>: Measure}, audit) of one authority's survey analysis after disclosure control."""
    found = _disclosed_survey(doc, k)
    return _read_survey(*found) if found is not None else ({}, [])


def _held_survey(docs: list[dict], names: tuple[str, ...], tenant_id: int, k: int, held: linked.Held):
    parts = [_disclosed_survey(doc, k) for doc in docs]
    if any(p is None for p in parts):
        return {}, []
    parts = [(before, *held.hold(tenant_id, name, shown, audit))
             for (before, shown, audit), name in zip(parts, names, strict=True)]
    if len(parts) == 1:
        return _read_survey(*parts[0])
    before = linked.sum_disclosed([b for b, _s, _a in parts], SURVEY_COMPARISON).values
    shown = linked.sum_disclosed([s for _b, s, _a in parts], SURVEY_COMPARISON)
    return _read_survey(before, shown.values, shown.audit)


def minimum(tenant: Tenant | None = None) -> int:
    """k for the Centre: the authority's own minimum cell size (a `publication` setting) or the platform's
    (MIN_CELL_SIZE), never below the public minimum of 5."""
    configured = (tenant.settings_of("publication").get("min_cell_size") if tenant is not None else None)
    return minimum_cell(configured or current_app.config.get("MIN_CELL_SIZE"), outside_office=True)


def min_volume() -> int:
    """No verdict under this volume (a platform setting, OTKLIK_CENTRE_MIN_VOLUME; default 30)."""
    return int(current_app.config.get("CENTRE_MIN_VOLUME") or fairness.MIN_VOLUME)


def _json_part(key: str):
    return Analysis.result[key]


def _documents(kinds: tuple[str, ...], periods: list[str], parts: dict[str, tuple[str, ...]]) -> dict:
    """{(tenant_id, kind, period): (status, document of the parts the Centre reads)}, across authorities.
    On PostgreSQL the parts come as one JSON object per row, decoded once: the stored text is parsed once
    (`json_each`, its kind's parts kept, `json_object_agg`), where every `->` of a `json` column parsed all of it
    again (twice as slow with seven parts)."""
    from sqlalchemy import JSON, and_, case, func, or_

    wanted = sorted({p for kind in kinds for p in parts[kind]})
    keys = [Analysis.tenant_id, Analysis.kind, Analysis.period, Analysis.status]
    one_object = db.session.get_bind().dialect.name == "postgresql"
    if one_object:
        an_object = case((func.json_typeof(Analysis.result) == "object", Analysis.result), else_=None)
        each = func.json_each(an_object).table_valued("key", "value")
        own_parts = or_(*(and_(Analysis.kind == kind, each.c.key.in_(sorted(parts[kind]))) for kind in kinds))
        objects = select(func.json_object_agg(each.c.key, each.c.value, type_=JSON)).where(own_parts)
        columns = [*keys, objects.scalar_subquery().label("parts")]
    else:
        columns = [*keys, *(_json_part(p).label(f"part_{p}") for p in wanted)]
    query = across_tenants(select(*columns).where(Analysis.kind.in_(kinds), Analysis.period.in_(periods)))
    out = {}
    for row in db.session.execute(query):
        found = row.parts or {} if one_object else {p: row._mapping[f"part_{p}"] for p in wanted}
        doc = {p: found[p] for p in parts[row.kind] if found.get(p) is not None}
        out[(row.tenant_id, row.kind, row.period)] = (row.status, doc or None)  # no result: nothing read
    return out


def tenants(authority_kind: str | None = None, region: str | None = None) -> list[Tenant]:
    """The active authorities of a peer group (every one without a filter)."""
    query = select(Tenant).where(Tenant.active.is_(True))
    if authority_kind:
        query = query.where(Tenant.authority_kind == authority_kind)
    if region:
        query = query.where(Tenant.region == region)
    return db.session.execute(query.order_by(Tenant.name)).scalars().all()


class _PerTenant:
    """What one authority's rows need once, not once per document: k, its channels' standard codes and the
    cadences its figures of each kind leave the office at (results.linked)."""

    def __init__(self):
        self.cache: dict[int, tuple[int, dict]] = {}
        self.cadences: dict[tuple[int, str], set[str]] = {}

    def __call__(self, tenant: Tenant) -> tuple[int, dict]:
        if tenant.id not in self.cache:
            self.cache[tenant.id] = (minimum(tenant), {c.code: c.standard for c in tenant_channels(tenant)})
        return self.cache[tenant.id]

    def cadences_of(self, tenant: Tenant, kind: str) -> set[str]:
        if (tenant.id, kind) not in self.cadences:
            self.cadences[(tenant.id, kind)] = linked.own_cadences(tenant, kind)
        return self.cadences[(tenant.id, kind)]


KINDS_COMPARED = ("appeals", "surveys")


def _shown_documents(tenant_id: int, kind: str, period: str, decision: linked.Decision, docs: dict,
                     part_docs: dict) -> tuple[str, list[dict], tuple[str, ...]]:
    """(state, the documents whose figures are shown, the periods released by showing them) of one authority's
    period of one kind, as `results.linked` decided: its own document, its parts' documents (derived), or none."""
    if decision.mode == linked.REFUSED:
        return decision.reason, [], ()
    if decision.mode == linked.DERIVED:
        found = [part_docs.get((tenant_id, kind, p), ("missing", None))[1] for p in decision.parts]
        if any(doc is None for doc in found):
            return "incomplete", [], ()
        return "done", found, decision.parts
    status, doc = docs.get((tenant_id, kind, period), ("missing", None))
    if doc is None:
        return (status if status != "done" else "missing"), [], ()
    return status, [doc], (period,)


def _rows(period: str, group: list[Tenant], docs: dict, per_tenant: _PerTenant, parts: dict) -> list[Row]:
    """The rows of one period: each authority's figures as `results.linked` lets them out (its own period, or the
    sums of the released periods tiling it, or nothing, with why), the periods shown recorded as released."""
    the_period = parse_period(period)
    decisions = {kind: {t.id: d for t, d in zip(group, linked.plan_many(
        the_period, group, kind, lambda t, kind=kind: per_tenant.cadences_of(t, kind)), strict=True)}
        for kind in KINDS_COMPARED}
    wanted = sorted({p for kind in KINDS_COMPARED for d in decisions[kind].values() if d.mode == linked.DERIVED
                     for p in d.parts})
    part_docs = _documents(KINDS_COMPARED, wanted, parts) if wanted else {}
    shown = {(t.id, kind): _shown_documents(t.id, kind, period, decisions[kind][t.id], docs, part_docs)
             for t in group for kind in KINDS_COMPARED}
    lost = set()
    for kind in KINDS_COMPARED:
        releases = {t.id: shown[(t.id, kind)][2] for t in group if shown[(t.id, kind)][2]}
        lost |= {(tenant_id, kind) for tenant_id, _name in linked.claim(releases, kind, "centre")}
    held = {kind: linked.Held(kind, ((t.id, name) for t in group if (t.id, kind) not in lost
                                     for name in shown[(t.id, kind)][2])) for kind in KINDS_COMPARED}
    rows = []
    for tenant in group:
        k, standard_of = per_tenant(tenant)
        state, found, released = shown[(tenant.id, "appeals")]
        if (tenant.id, "appeals") in lost:
            state, found = linked.OVERLAP, []
        row = Row(tenant, state)
        if found:
            row.derived_from = released if released != (period,) else ()
            row.values, row.channels, row.audit, row.measures, row.volumes = _held_appeals(
                found, released, tenant, k, standard_of, held["appeals"])
        s_state, s_found, s_released = shown[(tenant.id, "surveys")]
        if (tenant.id, "surveys") in lost:
            s_state, s_found = linked.OVERLAP, []
        row.survey_status = s_state
        if s_found:
            row.survey_derived_from = s_released if s_released != (period,) else ()
            measures, audit = _held_survey(s_found, s_released, tenant.id, k, held["surveys"])
            row.measures.update(measures)
            row.volumes.update({key: m.n for key, m in measures.items() if m.n is not None})
            row.audit = row.audit + audit
        rows.append(row)
    for kind in KINDS_COMPARED:
        held[kind].save()
    return rows


def judge(rows: list[Row], minimum_volume: int) -> dict[str, float | None]:
    """The pooled share of each funnel indicator over the rows' shown counts, and each row's verdict against
    it. Returns {indicator: pooled share}."""
    pooled = {}
    for key in FUNNELS:
        judged = [m for r in rows if (m := r.measures.get(key)) is not None and m.n]
        pairs = [(m.successes, m.n) for m in judged]
        p0 = pooled[key] = fairness.pooled_share(pairs)
        for m, verdict in zip(judged, fairness.verdicts(pairs, p0, minimum_volume), strict=True):
            m.verdict = verdict
    return pooled


def comparison(period_name: str, authority_kind: str | None = None, region: str | None = None) -> list[Row]:
    """One row per active authority of the peer group: its indicators for the period, or why there are none;
    each funnel share judged against the group's pooled share."""
    period = parse_period(period_name).name
    group = tenants(authority_kind, region)
    parts = {"appeals": APPEALS_PARTS, "surveys": SURVEY_PARTS}
    docs = _documents(KINDS_COMPARED, [period], parts)
    rows = _rows(period, group, docs, _PerTenant(), parts)
    judge(rows, min_volume())
    return rows


def trend_periods(period_name: str, count: int = TREND_PERIODS) -> list[str]:
    """The period and the count - 1 before it, of the same cadence, oldest first."""
    period = parse_period(period_name)
    out = [period]
    while len(out) < count:
        out.append(out[-1].previous())
    return [p.name for p in reversed(out)]


def page_data(period_name: str, authority_kind: str | None = None, region: str | None = None,
              trend_count: int = TREND_PERIODS) -> dict:
    """Everything the Centre's page shows for a period and a peer group, after disclosure control: the rows of
    the period, the pooled shares and funnels, and the trends over the last periods (pooled and per authority)."""
    period = parse_period(period_name).name
    periods = trend_periods(period, trend_count)
    group = tenants(authority_kind, region)
    ids = [t.id for t in group]  # the rows of every period follow the group's order
    per_tenant, volume = _PerTenant(), min_volume()
    trends: dict[str, dict[int, list]] = {key: {tenant_id: [] for tenant_id in ids} for key in FUNNELS}
    pooled_trend: dict[str, list] = {key: [] for key in FUNNELS}
    rows, pooled = [], {}
    for name in periods:  # a period at a time: only one period's documents are held at once
        # an earlier period shows its shares only: its channels are not read (a breakdown's disclosure changes no
        # other figure, so its shares are disclosed exactly as when it is the period shown)
        parts = {"appeals": APPEALS_PARTS if name == period else TREND_PARTS, "surveys": SURVEY_PARTS}
        docs = _documents(KINDS_COMPARED, [name], parts)
        period_rows = _rows(name, group, docs, per_tenant, parts)
        del docs
        p0 = judge(period_rows, volume)
        for key in FUNNELS:
            pooled_trend[key].append(p0[key])
            series = trends[key]
            for tenant_id, row in zip(ids, period_rows, strict=True):
                m = row.measures.get(key)
                series[tenant_id].append(m.value if m is not None else None)
        if name == period:
            rows, pooled = period_rows, p0
    return {"period": period, "periods": periods, "rows": rows, "pooled": pooled, "min_volume": volume,
            "funnels": {key: _funnel(key, rows, pooled[key]) for key in FUNNELS},
            "trends": trends, "pooled_trend": pooled_trend}


def _funnel(key: str, rows: list[Row], p0: float | None) -> dict:
    points = [{"tenant_id": r.tenant.id, "slug": r.tenant.slug, "name": r.tenant.name,
               "successes": m.successes, "n": m.n, "share": m.value,
               "ci_low": m.ci[0] if m.ci else None, "ci_high": m.ci[1] if m.ci else None, "verdict": m.verdict}
              for r in rows if (m := r.measures.get(key)) is not None and m.n]
    n_max = max((p["n"] for p in points), default=0)
    return {"indicator": key, "pooled_share": p0, "points": points,
            "limits": fairness.funnel_curve(p0, n_max) if p0 is not None and n_max else []}


def funnel(period: str, indicator: str, authority_kind: str | None = None, region: str | None = None) -> dict:
    """One funnel plot of a period, after disclosure control: {"indicator", "period", "pooled_share",
    "min_volume", "limits": [{"n", "95": (lo, hi), "99.8": (lo, hi)}], "points": [{"tenant_id", "slug", "name",
    "successes", "n", "share", "ci_low", "ci_high", "verdict"}]} (the analytical report places its authority
    in it). An authority whose share is hidden is no point."""
    if indicator not in FUNNELS:
        raise ValueError(f"no funnel for {indicator!r}; one of {', '.join(FUNNELS)}")
    rows = comparison(period, authority_kind, region)
    pooled = fairness.pooled_share((r.measures[indicator].successes, r.measures[indicator].n)
                                   for r in rows if indicator in r.measures and r.measures[indicator].n)
    return {**_funnel(indicator, rows, pooled), "period": parse_period(period).name, "min_volume": min_volume()}


def compare_json(period: str, authority_kind: str | None = None, region: str | None = None) -> dict:
    """Per authority and indicator: value, n, ci_low, ci_high, verdict; or {"suppressed": true} (`flask centre
    compare --json`)."""
    rows = comparison(period, authority_kind, region)
    authorities = []
    for row in rows:
        entries = {}
        for key, _title, _kind in indicator_titles():
            entry = _entry(row, key)
            if entry is not None:
                entries[key] = entry
        authorities.append({"slug": row.tenant.slug, "name": row.tenant.name, "region": row.tenant.region,
                            "authority_kind": row.tenant.authority_kind, "appeals": row.status,
                            "surveys": row.survey_status, "indicators": entries})
    return {"period": parse_period(period).name, "min_volume": min_volume(), "authorities": authorities}


def _entry(row: Row, key: str) -> dict | None:
    m = row.measures.get(key)
    value = m.value if m is not None else row.values.get(key)
    if value is None:
        return None
    if value == SUPPRESSED:
        return {"suppressed": True}
    if m is not None:
        return {"value": round(m.value, 4), "n": m.n, "ci_low": round(m.ci[0], 4), "ci_high": round(m.ci[1], 4),
                "verdict": m.verdict}
    return {"value": value, "n": row.volumes.get(key), "ci_low": None, "ci_high": None, "verdict": None}


def latest_period_with_data() -> str | None:
    """The latest period in which at least half as many authorities have a finished appeals analysis as in the
    best-covered period (the Centre opens there, not on a year where most have none); the shorter period first
    when two end together."""
    from sqlalchemy import func

    counts = db.session.execute(across_tenants(
        select(Analysis.period, func.count()).where(Analysis.kind == "appeals", Analysis.status == "done",
                                                    Analysis.period_end.is_not(None))
        .group_by(Analysis.period, Analysis.period_start, Analysis.period_end)
        .order_by(Analysis.period_end.desc(), Analysis.period_start.desc()))).all()
    if not counts:
        return None
    best = max(n for _name, n in counts)
    return next(name for name, n in counts if n * 2 >= best)


def channel_columns(rows: list[Row]) -> list[str]:
    used = {code for row in rows for code in row.channels}
    return [code for code in STANDARD_CHANNELS if code in used]


def is_complete(tenant: Tenant, period_name: str) -> bool:
    """The Centre compares finished periods only (in the authority's own time zone)."""
    return parse_period(period_name).end <= local_today(tenant.tz)


def request_missing(period_name: str) -> tuple[list[str], bool, list[tuple[str, str]]]:
    """Queue the appeals analysis of the period for every authority that has none yet and may show it: only a
    period at the authority's own cadence that overlaps none of its released periods (results.linked), so that a
    request cannot create overlapping periods to probe hidden figures with (issue 23, item 2). Returns the slugs
    queued, whether the job queue (Redis) was unreachable (their rows are queued all the same, and the scheduler
    tick enqueues their jobs when it is back), and (slug, why) of the authorities refused."""
    from ..analysis.jobs import request_analysis
    from ..jobs import QueueUnavailable
    from ..tenancy import tenant_scope

    period = parse_period(period_name)
    queued, refused, queue_down = [], [], False
    group = tenants()
    decisions = dict(zip((t.id for t in group), linked.plan_many(period, group, "appeals"), strict=True))
    for row in comparison(period.name):
        decision = decisions[row.tenant.id]
        if decision.mode != linked.OWN_PERIOD:
            refused.append((row.tenant.slug, state_label(decision.reason or row.status)))
            continue
        if row.status in ("missing", "failed") and is_complete(row.tenant, period.name):
            with tenant_scope(row.tenant):
                try:
                    request_analysis(row.tenant, "appeals", period.name, trigger="centre")
                except QueueUnavailable:
                    queue_down = True
            queued.append(row.tenant.slug)
    return queued, queue_down, refused
