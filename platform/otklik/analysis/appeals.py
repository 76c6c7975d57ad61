"""Appeals monitoring: the frames (SQL that filters by tenant and period, and aggregates, in the database) and
the six standard metrics of DOMAIN.md, plus the redirected share and the counts by segment.

The citizens' figures count external feedback only: employees' appeals (audience `internal`) and memos (kind
`memo`, always an employee's) are internal feedback (Astrakhan 4.6, Omsk 7.2, 14.2), counted in a section of their
own (`internal_topics`) and never in the six metrics, so the Centre, which reads the stored figures, compares
external figures only.

Every loader takes `tenant_id` as a required argument: Core SQL and `pandas.read_sql` bypass the automatic
tenant scoping of the ORM. The period is the UTC instants of its local bounds, so an appeal belongs to the
period of its registration date in the tenant's time zone.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import func, select, text

from ..extensions import db
from ..models import Appeal, Process
from ..results.disclosure import PUBLIC_MINIMUM, suppress_breakdown
from .frames import counted, share, stat, weighted_quantile
from .metrics import MetricContext

SATISFIED = ("supported", "measures_taken")
UNSATISFIED = ("not_supported",)
REDIRECTED = ("redirected",)
WAIT_BUCKETS = ((0, 10), (11, 20), (21, 30), (31, 45), (46, 60), (61, None))
UNCLASSIFIED = "unclassified"
UNSPECIFIED = "unspecified"
OTHER = "other"
UNCATALOGUED = "uncatalogued"  # appeals whose object is not linked to a catalogue entry
MAX_REASONS = 50  # "main reasons": the 50 most frequent, the rest summed under "other"

_t = Appeal.__table__
MEMO = "memo"  # a memo (служебная записка) is an employee's, whatever its audience column says
EXTERNAL_SQL = "audience = 'external' AND kind <> 'memo'"  # the same rule for the raw SQL below


def is_external():
    """The appeals the citizens' figures count: external audience, and not a memo."""
    return (_t.c.audience == "external") & (_t.c.kind != MEMO)


def _in_period(stmt, tenant_id: int, start: datetime, end: datetime, *, internal: bool = False):
    """Appeals of the tenant registered in [start, end): the external ones, or with `internal` the employees'."""
    audience = ~is_external() if internal else is_external()
    return stmt.where(_t.c.tenant_id == tenant_id, _t.c.registered_at >= start, _t.c.registered_at < end, audience)


def load_groups(tenant_id: int, start: datetime, end: datetime, conn=None) -> pd.DataFrame:
    """Counts per (kind, channel, outcome, segment) registered in [start, end): one scan of the period."""
    cols = (_t.c.kind, _t.c.channel, _t.c.outcome, _t.c.segment)
    stmt = _in_period(select(*cols, func.count().label("n")), tenant_id, start, end).group_by(*cols)
    return pd.read_sql(stmt, conn or db.session.connection())


def load_counts_by(column: str, tenant_id: int, start: datetime, end: datetime, conn=None, *,
                   internal: bool = False) -> pd.DataFrame:
    col = _t.c[column]
    stmt = _in_period(select(col, func.count().label("n")), tenant_id, start, end, internal=internal).group_by(col)
    return pd.read_sql(stmt, conn or db.session.connection())


def load_processes(tenant_id: int, start: datetime, end: datetime, conn=None) -> pd.DataFrame:
    """Counts per catalogue entry (its name; None for appeals with no link) registered in [start, end)."""
    p = Process.__table__
    joined = _t.outerjoin(p, (p.c.id == _t.c.process_id) & (p.c.tenant_id == _t.c.tenant_id))
    stmt = _in_period(select(p.c.name.label("process"), func.count().label("n")).select_from(joined),
                      tenant_id, start, end).group_by(p.c.name)
    return pd.read_sql(stmt, conn or db.session.connection())


def load_complaint_outcomes(tenant_id: int, start: datetime, end: datetime, conn=None) -> pd.DataFrame:
    """Complaints per (topic code, catalogue process name, outcome) registered in [start, end)."""
    p = Process.__table__
    joined = _t.outerjoin(p, (p.c.id == _t.c.process_id) & (p.c.tenant_id == _t.c.tenant_id))
    cols = (_t.c.topic_code, p.c.name.label("process"), _t.c.outcome)
    stmt = _in_period(select(*cols, func.count().label("n")).select_from(joined), tenant_id, start, end).where(
        _t.c.kind == "complaint").group_by(*cols)
    return pd.read_sql(stmt, conn or db.session.connection())


def load_waits(tenant_id: int, start: datetime, end: datetime, timezone: str, conn=None) -> pd.DataFrame:
    """Histogram of waiting days (answer date minus registration date, both local): columns days, n.

    PostgreSQL computes the local dates and the histogram itself; other databases (SQLite) have no time zones,
    so the answered rows' instants are read and converted by pandas.
    """
    conn = conn or db.session.connection()
    if conn.dialect.name == "postgresql":
        sql = text(
            "SELECT (timezone(:tz, answered_at))::date - (timezone(:tz, registered_at))::date AS days, "
            "count(*) AS n FROM appeal WHERE tenant_id = :tenant_id AND registered_at >= :start "
            f"AND registered_at < :end AND answered_at IS NOT NULL AND {EXTERNAL_SQL} GROUP BY 1"
        )
        return pd.read_sql(sql, conn, params={"tz": timezone, "tenant_id": tenant_id, "start": start, "end": end})
    stmt = _in_period(select(_t.c.registered_at, _t.c.answered_at), tenant_id, start, end).where(
        _t.c.answered_at.is_not(None)
    )
    raw = pd.read_sql(stmt, conn)
    if raw.empty:
        return pd.DataFrame({"days": pd.Series(dtype="int64"), "n": pd.Series(dtype="int64")})
    local = {c: pd.to_datetime(raw[c], utc=True).dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize()
             for c in ("registered_at", "answered_at")}
    days = (local["answered_at"] - local["registered_at"]).dt.days
    return days.value_counts().rename_axis("days").reset_index(name="n")


# Frames of an analysis, loaded once each (MetricContext.frame caches them).

def _bounds(ctx: MetricContext):
    return ctx.period.utc_bounds(ctx.tenant.timezone)


def frame_groups(ctx: MetricContext) -> pd.DataFrame:
    df = load_groups(ctx.tenant.id, *_bounds(ctx))
    df["n"] = df["n"].astype("int64")
    ctx.inputs["appeals"] = int(df["n"].sum())
    ctx.inputs["complaints"] = int(df.loc[df["kind"] == "complaint", "n"].sum())
    return df


def frame_topics(ctx: MetricContext) -> pd.DataFrame:
    return load_counts_by("topic_code", ctx.tenant.id, *_bounds(ctx))


def frame_reasons(ctx: MetricContext) -> pd.DataFrame:
    return load_counts_by("reason", ctx.tenant.id, *_bounds(ctx))


def frame_processes(ctx: MetricContext) -> pd.DataFrame:
    return load_processes(ctx.tenant.id, *_bounds(ctx))


def frame_waits(ctx: MetricContext) -> pd.DataFrame:
    df = load_waits(ctx.tenant.id, *_bounds(ctx), ctx.tenant.timezone)
    ctx.inputs["answered"] = int(df["n"].sum()) if len(df) else 0
    return df


LOADERS = {
    "appeals.groups": frame_groups,
    "appeals.topics": frame_topics,
    "appeals.reasons": frame_reasons,
    "appeals.waits": frame_waits,
    "appeals.processes": frame_processes,
    "appeals.complaint_outcomes": lambda ctx: load_complaint_outcomes(ctx.tenant.id, *_bounds(ctx)),
}


# The metrics.

def total(ctx: MetricContext) -> int:
    return int(ctx.frame("appeals.groups")["n"].sum())


def by_kind(ctx: MetricContext) -> dict:
    g = ctx.frame("appeals.groups")
    return counted(g.groupby("kind")["n"].sum(), total(ctx))


def by_channel(ctx: MetricContext) -> dict:
    """1. Count per channel; share of everything registered in the period (all four kinds)."""
    g = ctx.frame("appeals.groups")
    return counted(g.groupby("channel")["n"].sum(), total(ctx))


def reasons(ctx: MetricContext) -> list[dict]:
    """2. Main reasons, most frequent first; appeals with no reason recorded count under "unspecified"; beyond
    the 50 most frequent, the rest are summed in one row `{"reason": "other", ..., "reasons": how many}`."""
    df = ctx.frame("appeals.reasons")
    counts = df.assign(reason=df["reason"].fillna("").str.strip().replace("", UNSPECIFIED)).groupby("reason")["n"].sum()
    rows = [{"reason": k, **v} for k, v in counted(counts, total(ctx)).items()]
    if len(rows) <= MAX_REASONS:
        return rows
    rest = rows[MAX_REASONS:]
    other = sum(r["count"] for r in rest)
    return rows[:MAX_REASONS] + [{"reason": OTHER, "count": other, "share": share(other, total(ctx)),
                                  "reasons": len(rest)}]


def _topic_codes(ctx: MetricContext) -> pd.DataFrame:
    df = ctx.frame("appeals.topics").copy()
    blocks = df["topic_code"].fillna("").str.strip().str.split(".")
    df["question"] = blocks.map(lambda b: ".".join(b[:4]) if b and b[0] else UNCLASSIFIED)
    df["section"] = blocks.map(lambda b: b[0] if b and b[0] else UNCLASSIFIED)
    df["thematic"] = blocks.map(lambda b: ".".join(b[:2]) if b and b[0] else UNCLASSIFIED)
    return df


def by_topic(ctx: MetricContext) -> dict:
    """3. Count per classifier question (the first four blocks; a fifth block, a sub-question, rolls into it)."""
    return counted(_topic_codes(ctx).groupby("question")["n"].sum(), total(ctx))


def by_section(ctx: MetricContext) -> dict:
    return counted(_topic_codes(ctx).groupby("section")["n"].sum(), total(ctx))


def by_thematic(ctx: MetricContext) -> dict:
    return counted(_topic_codes(ctx).groupby("thematic")["n"].sum(), total(ctx))


def by_process(ctx: MetricContext) -> dict:
    """Count per process of the catalogue (by its name) and share of everything registered in the period; appeals
    not linked to an entry count under "uncatalogued" ("not in the catalogue")."""
    df = ctx.frame("appeals.processes")
    names = df["process"].where(df["process"].notna(), UNCATALOGUED)
    return counted(df.assign(process=names).groupby("process")["n"].sum(), total(ctx))


def _unsatisfied_by(ctx: MetricContext, column: str, names) -> dict:
    """{group: {count: unsatisfied complaints, of: complaints, share}} for groups with complaints, most unsatisfied
    first (DOMAIN.md: unsatisfied = outcome not_supported)."""
    df = ctx.frame("appeals.complaint_outcomes")
    if not len(df):
        return {}
    df = df.assign(group=names(df[column]), unsatisfied=df["outcome"].isin(UNSATISFIED) * df["n"])
    g = df.groupby("group")[["n", "unsatisfied"]].sum()
    rows = sorted(((str(k), int(r["unsatisfied"]), int(r["n"])) for k, r in g.iterrows()), key=lambda t: (-t[1], t[0]))
    return {k: {"count": u, "of": n, "share": share(u, n)} for k, u, n in rows}


def unsatisfied_by_topic(ctx: MetricContext) -> dict:
    """Unsatisfied complaints per classifier question (the first four blocks), of that question's complaints."""
    return _unsatisfied_by(ctx, "topic_code", lambda s: s.fillna("").str.strip().str.split(".").map(
        lambda b: ".".join(b[:4]) if b and b[0] else UNCLASSIFIED))


def unsatisfied_by_process(ctx: MetricContext) -> dict:
    """Unsatisfied complaints per catalogue process, of that process's complaints ("uncatalogued" without a link)."""
    return _unsatisfied_by(ctx, "process", lambda s: s.where(s.notna(), UNCATALOGUED))


def waiting_days(ctx: MetricContext) -> dict:
    """4. Answer date minus registration date (local calendar dates) over everything answered, all kinds."""
    df = ctx.frame("appeals.waits")
    answered = int(df["n"].sum()) if len(df) else 0
    if not answered:
        return {"answered": 0, "mean": None, "median": None, "p90": None, "within_30": 0,
                "within_30_share": None, "distribution": []}
    days, n = df["days"].astype("int64").tolist(), df["n"].astype("int64").tolist()
    within = sum(c for d, c in zip(days, n, strict=True) if d <= 30)
    distribution = []
    for lo, hi in WAIT_BUCKETS:
        count = sum(c for d, c in zip(days, n, strict=True) if (d >= lo or lo == 0) and (hi is None or d <= hi))
        distribution.append({"bucket": f"{lo}-{hi}" if hi is not None else f"{lo}+", "count": count,
                             "share": share(count, answered)})
    return {
        "answered": answered,
        "mean": stat(sum(d * c for d, c in zip(days, n, strict=True)) / answered),
        "median": stat(weighted_quantile(days, n, 0.5)),
        "p90": stat(weighted_quantile(days, n, 0.9)),
        "within_30": within,
        "within_30_share": share(within, answered),
        "distribution": distribution,
    }


def complaints(ctx: MetricContext) -> dict:
    """5-6. Satisfied (supported, measures taken) and unsatisfied (not supported) complaints, as shares of all
    complaints registered in the period, answered or not. No complaints: the shares are null."""
    g = ctx.frame("appeals.groups")
    c = g[g["kind"] == "complaint"]
    n = int(c["n"].sum())
    satisfied = int(c.loc[c["outcome"].isin(SATISFIED), "n"].sum())
    unsatisfied = int(c.loc[c["outcome"].isin(UNSATISFIED), "n"].sum())
    return {"total": n, "satisfied": satisfied, "satisfied_share": share(satisfied, n),
            "unsatisfied": unsatisfied, "unsatisfied_share": share(unsatisfied, n)}


def redirected(ctx: MetricContext) -> dict:
    """Vladimir 22.5: outcome redirected; share of everything registered in the period."""
    g = ctx.frame("appeals.groups")
    count = int(g.loc[g["outcome"].isin(REDIRECTED), "n"].sum())
    return {"count": count, "share": share(count, total(ctx))}


def by_segment(ctx: MetricContext) -> dict:
    """Omsk 14.4: count per client segment (everything registered), "unspecified" when none was recorded."""
    g = ctx.frame("appeals.groups")
    seg = g["segment"].fillna("").str.strip().replace("", UNSPECIFIED)
    return counted(g.assign(segment=seg).groupby("segment")["n"].sum(), total(ctx))


# Internal feedback (Astrakhan 4.6, Omsk 7.2, 14.2): employees' appeals and memos, beside the citizens' figures.

EMPLOYEE_MINIMUM = PUBLIC_MINIMUM
"""The employee rule: no group of fewer than five employees is shown, in the office either (DESIGN.md)."""


def load_internal(tenant_id: int, start: datetime, end: datetime, conn=None) -> pd.DataFrame:
    """Counts per (kind, topic code) of the employees' appeals and memos registered in [start, end)."""
    cols = (_t.c.kind, _t.c.topic_code)
    stmt = _in_period(select(*cols, func.count().label("n")), tenant_id, start, end, internal=True).group_by(*cols)
    return pd.read_sql(stmt, conn or db.session.connection())


def frame_internal(ctx: MetricContext) -> pd.DataFrame:
    df = load_internal(ctx.tenant.id, *_bounds(ctx))
    df["n"] = df["n"].astype("int64")
    ctx.inputs["internal"] = int(df["n"].sum())
    return df


LOADERS["appeals.internal"] = frame_internal


def internal_topics(ctx: MetricContext, topics: list[tuple[str, str]]) -> dict:
    """Employees' appeals and memos: their total, the memos among them, and the count per topic of the internal
    list (`topics`: (code, title) pairs; a code not in it counts under "unclassified"). Topics below the employee
    minimum, and as many more as would give them back from the total, are hidden here already, so the office
    never sees them either."""
    df = ctx.frame("appeals.internal")
    total_n = int(df["n"].sum()) if len(df) else 0
    memos = int(df.loc[df["kind"] == MEMO, "n"].sum()) if len(df) else 0
    titles = dict(topics)
    codes = df["topic_code"].fillna("").str.strip() if len(df) else pd.Series(dtype="object")
    grouped = df.assign(topic=codes.where(codes.isin(list(titles)), UNCLASSIFIED)).groupby("topic")["n"].sum() \
        if len(df) else pd.Series(dtype="int64")
    counts = {code: int(grouped.get(code, 0)) for code in titles}
    if int(grouped.get(UNCLASSIFIED, 0)):
        counts[UNCLASSIFIED] = int(grouped[UNCLASSIFIED])
    k = max(ctx.min_cell_size, EMPLOYEE_MINIMUM)
    hidden = suppress_breakdown(counts, k)
    by_topic = {}
    for code, n in counts.items():
        title = {"title": titles[code]} if code in titles else {}
        by_topic[code] = {**title, "suppressed": hidden[code]} if code in hidden else {
            **title, "count": n, "share": share(n, total_n)}
    return {"total": total_n, "memos": memos, "by_topic": by_topic}


# Appeals by life situation (Nenets 11, 16; the recommendations 8.3): through the catalogue.

NO_SITUATION = "no_life_situation"  # appeals whose catalogue entry names no life situation, or with no entry


def load_life_situations(tenant_id: int, start: datetime, end: datetime, conn=None) -> pd.DataFrame:
    """Counts per catalogue entry (its life situations, a JSON list; None with no entry) of external appeals."""
    p = Process.__table__
    joined = _t.outerjoin(p, (p.c.id == _t.c.process_id) & (p.c.tenant_id == _t.c.tenant_id))
    stmt = _in_period(select(p.c.id.label("process_id"), func.count().label("n")).select_from(joined),
                      tenant_id, start, end).group_by(p.c.id)
    counts = pd.read_sql(stmt, conn or db.session.connection())
    situations = dict((conn or db.session.connection()).execute(
        select(p.c.id, p.c.life_situations).where(p.c.tenant_id == tenant_id)).all())
    counts["situations"] = counts["process_id"].map(lambda i: situations.get(i) or [] if pd.notna(i) else [])
    return counts


LOADERS["appeals.life_situations"] = lambda ctx: load_life_situations(ctx.tenant.id, *_bounds(ctx))


def by_life_situation(ctx: MetricContext) -> dict:
    """Count per life situation of the catalogue entry an appeal is about, and its share of everything
    registered: an entry may belong to several situations, so an appeal may count in several and the shares do
    not add up to one; appeals with no situation count under "no_life_situation"."""
    df = ctx.frame("appeals.life_situations")
    counts: dict[str, int] = {}
    for situations, n in zip(df["situations"], df["n"], strict=True):
        for name in [str(s).strip() for s in situations if str(s).strip()] or [NO_SITUATION]:
            counts[name] = counts.get(name, 0) + int(n)
    return counted(pd.Series(counts, dtype="int64"), total(ctx))
