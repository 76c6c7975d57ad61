"""Pains and their evidence: prevalence with its interval, band and priority, suggestions from analyses, accept /
dismiss / merge, re-measurement, and the history of every change.

Every figure comes from a stored analysis document read through `results` (its stable figure ids), never typed in:
a pain's prevalence is the n of N of its latest measured evidence (DOMAIN.md: whole percent rounded half up, Wilson
95 % interval), its band from the prevalence hook and its priority from the priority hook, unless the officer
overrides it with a stated reason. The worker proposes; a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Analysis, Evidence, Measure, Pain, PainEvent, Process, Suggestion
from ..periods import BadPeriod, parse_period
from ..prevalence import pain_priority, percent_half_up, prevalence_level, wilson
from ..results.document import Figure, read

DEFAULT_MIN_ANSWERS = 30  # below it a prevalence is flagged "too few answers" (a tenant setting may change it)
THEME_SHARE = 0.10  # an open-answer theme is proposed when it holds at least this share of the answers ...
THEME_MIN = 5  # ... and at least this many answers
TOPIC_RISE = 1.5  # a topic is proposed when it grew by half against the previous period ...
TOPIC_MIN = 10  # ... and holds at least this many appeals
DEFAULT_NEGATIVE_SHARE = 0.3  # the escalation plugin's default `negative_share`
RISING = {"by_topic": "appeals_topic", "by_process": "appeals_process"}  # breakdowns whose rise is proposed
SOURCE_OF_FIGURE = {"prevalence": "survey_option", "themes": "open_theme", "by_topic": "appeals_topic",
                    "reasons": "appeals_reason", "by_process": "appeals_process", "parameters": "survey_parameter",
                    "questionnaires": "survey_question", "unsatisfied_by_topic": "appeals_topic",
                    "unsatisfied_by_process": "appeals_process"}
UNSATISFIED = ("unsatisfied_by_topic", "unsatisfied_by_process")  # groups whose unsatisfied complaints are proposed
DEFAULT_UNSATISFIED_SHARE, DEFAULT_MIN_COMPLAINTS = 0.3, 10  # the escalation plugin's defaults
OPEN_STATES = ("new", "confirmed", "in_work")


@dataclass(frozen=True)
class Measured:
    """A pain's prevalence as its evidence gives it."""

    n: int | None
    total: int | None
    period: str
    percent: int | None
    low: float | None
    high: float | None
    too_few: bool
    band: str | None
    priority: str | None

    @property
    def known(self) -> bool:
        return self.percent is not None


def min_answers(tenant) -> int:
    return int(tenant.settings_of("prevalence_bands").get("min_answers") or DEFAULT_MIN_ANSWERS)


def negative_share(tenant) -> float:
    """The share of answers of 1-2 above which a 1-5 question or parameter is proposed: the escalation plugin's
    `negative_share` (1 = never)."""
    value = tenant.settings_of("escalation").get("negative_share")
    return float(DEFAULT_NEGATIVE_SHARE if value is None else value)


def unsatisfied_rule(tenant) -> tuple[float, int]:
    """(share, complaints) above which a topic's or process's unsatisfied complaints are proposed: the escalation
    plugin's `unsatisfied_complaints_share` (1 = never) and `min_complaints`."""
    s = tenant.settings_of("escalation")
    share = s.get("unsatisfied_complaints_share")
    minimum = s.get("min_complaints")
    return (float(DEFAULT_UNSATISFIED_SHARE if share is None else share),
            int(DEFAULT_MIN_COMPLAINTS if minimum is None else minimum))


def _period_end(period: str):
    try:
        return parse_period(period).end
    except BadPeriod:
        return None


def latest_evidence(pain: Pain, figure: str | None = None) -> Evidence | None:
    """The evidence a pain's prevalence is read from: the latest period that has n of N (the largest N when a
    period has several), optionally of one figure."""
    rows = [e for e in pain.evidence if e.n is not None and e.total and (figure is None or e.figure == figure)]
    if not rows:
        return None
    return max(rows, key=lambda e: (_period_end(e.period) or datetime.min.date(), e.total, e.id))


def measure(tenant, evidence: Evidence | None, override: str | None = None) -> Measured:
    """Prevalence, interval, "too few answers", band and priority of one piece of evidence."""
    if evidence is None or evidence.n is None or not evidence.total:
        return Measured(None, None, evidence.period if evidence else "", None, None, None, False, None, override)
    percent = percent_half_up(evidence.n, evidence.total)
    low, high = wilson(evidence.n, evidence.total)
    level = prevalence_level(tenant, percent)
    return Measured(evidence.n, evidence.total, evidence.period, percent, low, high,
                    evidence.total < min_answers(tenant), level, override or pain_priority(tenant, level))


def measured(tenant, pain: Pain) -> Measured:
    return measure(tenant, latest_evidence(pain), pain.priority_override)


def progress(pain: Pain) -> int:
    """The weighted progress of a pain's measures (cancelled ones left out), whole percent."""
    active = [m for m in pain.measures if m.status != "cancelled"]
    weight = sum(max(m.weight, 1) for m in active)
    if not weight:
        return 0
    return round(sum(max(m.weight, 1) * (100 if m.status == "done" else m.progress) for m in active) / weight)


# History: every change of a pain or a measure is kept.

def record(pain: Pain, field: str, old, new, user_id: int | None, measure_row: Measure | None = None) -> None:
    if str(old if old is not None else "") == str(new if new is not None else ""):
        return
    db.session.add(PainEvent(pain_id=pain.id, measure_id=measure_row.id if measure_row else None, user_id=user_id,
                             at=datetime.now(UTC), field=field, old="" if old is None else str(old),
                             new="" if new is None else str(new)))


def change(obj, field: str, value, user_id: int | None) -> None:
    """Set one field of a pain or a measure and keep the change in its history. A measure whose due date or
    status changes loses its overdue mark: the tick marks it again if it is still overdue."""
    pain = obj if isinstance(obj, Pain) else obj.pain
    record(pain, field, getattr(obj, field), value, user_id, obj if isinstance(obj, Measure) else None)
    if isinstance(obj, Measure) and field in ("due_date", "status") and getattr(obj, field) != value:
        obj.overdue_marked_at = None
    setattr(obj, field, value)


# Evidence from stored analyses.

def evidence_from(analysis: Analysis, figure: Figure) -> Evidence:
    source = SOURCE_OF_FIGURE.get(figure.id.split(":", 1)[0], "appeals_topic")
    return Evidence(source=source, analysis_id=analysis.id, kind=analysis.kind, period=analysis.period,
                    figure=figure.id, title=figure.title, n=figure.n, total=figure.total,
                    examples=list(figure.examples) if analysis.kind != "employee_surveys" else [])


def _analyses(kind: str) -> list[Analysis]:
    return db.session.execute(select(Analysis).where(Analysis.kind == kind, Analysis.status == "done")
                              .order_by(Analysis.period_end)).scalars().all()


def _previous(analysis: Analysis) -> Analysis | None:
    """The analysis of the same kind and cadence just before this one."""
    try:
        period = parse_period(analysis.period)
    except BadPeriod:
        return None
    earlier = [a for a in _analyses(analysis.kind) if a.id != analysis.id and a.result and a.period_end
               and a.period_end < period.start and _cadence(a.period) == period.cadence]
    return earlier[-1] if earlier else None


def _cadence(name: str) -> str | None:
    try:
        return parse_period(name).cadence
    except BadPeriod:
        return None


# Suggestions: the worker proposes, a person decides.

def candidates(tenant, analysis: Analysis) -> list[dict]:
    """What an analysis suggests for the map: problem options at medium or high prevalence, 1-5 parameters and
    questions whose answers of 1-2 pass the tenant's negative share, large open-answer themes, topics and
    processes whose unsatisfied complaints pass the tenant's share or that grew markedly against the previous
    period, and escalation signals."""
    d = read(analysis.result)
    out = []
    threshold = negative_share(tenant)
    unsatisfied = unsatisfied_rule(tenant)
    # a question whose parameter is proposed with the same answers is that parameter: it is not proposed twice
    parameter_of = {f"questionnaires:{q.get('id')}:{key}:negative": cell.get("parameter")
                    for q in d.questionnaires() for key, cell in (q.get("csat") or {}).items()
                    if isinstance(cell, dict) and cell.get("parameter")}
    figures = d.figures()  # every count of the document, read once
    parameters = {f.id: (f.n, f.total) for f in figures if f.id.startswith("parameters:")}
    for f in figures:
        prefix = f.id.split(":", 1)[0]
        if prefix == "prevalence" and f.n is not None and f.total:
            level = prevalence_level(tenant, percent_half_up(f.n, f.total))
            if level in ("medium", "high"):
                out.append({"source": "survey_option", "figure": f, "band": level})
        elif prefix in ("parameters", "questionnaires") and f.id.endswith(":negative") and f.total \
                and f.n is not None and threshold < 1 and f.n / f.total > threshold:
            if parameters.get(f"parameters:{parameter_of.get(f.id)}:negative") == (f.n, f.total):
                continue
            out.append({"source": SOURCE_OF_FIGURE[prefix], "figure": f, "threshold": threshold})
        elif prefix == "themes" and f.n and f.total and f.n >= max(THEME_MIN, THEME_SHARE * f.total) \
                and not f.id.endswith(":Прочее"):
            out.append({"source": "open_theme", "figure": f})
        elif prefix in UNSATISFIED and f.n and f.total and f.total >= unsatisfied[1] and unsatisfied[0] < 1 \
                and f.n / f.total > unsatisfied[0]:
            out.append({"source": SOURCE_OF_FIGURE[prefix], "figure": f, "threshold": unsatisfied[0]})
    previous = _previous(analysis) if analysis.kind == "appeals" else None
    if previous is not None:
        before = {f.id: f.n for f in read(previous.result).figures() if f.id.split(":", 1)[0] in RISING}
        for f in figures:
            prefix = f.id.split(":", 1)[0]
            if prefix in RISING and f.n and f.n >= TOPIC_MIN and f.n >= TOPIC_RISE * (before.get(f.id) or 0):
                out.append({"source": RISING[prefix], "figure": f, "before": before.get(f.id, 0)})
    for s in d.signals():
        code = s.get("code") or s.get("metric") or "signal"
        out.append({"source": "signal", "figure": Figure(f"signal:{code}", str(s.get("message") or code), None,
                                                         None)})
    return out


def _process_of(analysis: Analysis) -> str:
    items = read(analysis.result).survey_items()
    objects = [i.get("object") for i in items if i.get("object")]
    return objects[0] if objects else ""


def suggest(tenant, analysis: Analysis) -> list[Suggestion]:
    """Store an analysis's candidates as open suggestions; a figure already suggested for that period (open,
    accepted or dismissed) is not suggested again. Returns the new ones."""
    new = []
    process = _process_of(analysis) if analysis.kind != "appeals" else ""
    for c in candidates(tenant, analysis):
        f: Figure = c["figure"]
        exists = db.session.execute(select(Suggestion.id).where(
            Suggestion.kind == analysis.kind, Suggestion.period == analysis.period, Suggestion.figure == f.id)).first()
        if exists:
            continue
        row = Suggestion(analysis_id=analysis.id, kind=analysis.kind, period=analysis.period, source=c["source"],
                         figure=f.id, wording=f.title, process=process, n=f.n, total=f.total,
                         details={k: v for k, v in c.items() if k not in ("figure", "source")})
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            continue
        new.append(row)
    db.session.commit()
    return new


def as_json(tenant, s: Suggestion) -> dict:
    """A suggestion with its figures, as `flask painmap suggest --json` prints it."""
    evidence = Evidence(n=s.n, total=s.total, period=s.period)
    m = measure(tenant, evidence)
    return {"id": s.id, "source": s.source, "process": s.process, "wording": s.wording, "figure": s.figure,
            "period": s.period, "n": s.n, "N": s.total, "prevalence": m.percent,
            "ci_low": round(m.low * 100, 1) if m.low is not None else None,
            "ci_high": round(m.high * 100, 1) if m.high is not None else None, "band": m.band, "status": s.status}


def find_process(name: str) -> Process | None:
    if not name:
        return None
    return db.session.execute(select(Process).where(Process.name == name)).scalar_one_or_none()


def accept(tenant, suggestion: Suggestion, user_id: int | None, *, pain: Pain | None = None,
           process_name: str = "") -> Pain:
    """A new pain from a suggestion (or its evidence added to an existing pain), in one transaction."""
    if suggestion.status != "open":
        raise ValueError("the suggestion was already decided")
    analysis = db.session.get(Analysis, suggestion.analysis_id) if suggestion.analysis_id else None
    if pain is None:
        process = find_process(process_name or suggestion.process)
        audience = "internal" if suggestion.kind == "employee_surveys" else "external"
        pain = Pain(wording=suggestion.wording, process_id=process.id if process else None, audience=audience,
                    created_by_id=user_id)
        db.session.add(pain)
        db.session.flush()
        record(pain, "status", "", "new", user_id)
    figure = read(analysis.result).figure(suggestion.figure) if analysis is not None and analysis.result else None
    if figure is not None:
        pain.evidence.append(evidence_from(analysis, figure))
        record(pain, "evidence", "", f"{figure.title} ({suggestion.period})", user_id)  # words, not the figure id
    suggestion.status, suggestion.pain_id = "accepted", pain.id
    suggestion.decided_by_id, suggestion.decided_at = user_id, datetime.now(UTC)
    db.session.commit()
    return pain


def dismiss(suggestion: Suggestion, reason: str, user_id: int | None) -> None:
    if not reason.strip():
        raise ValueError("a dismissal needs a reason")
    suggestion.status, suggestion.reason = "dismissed", reason.strip()
    suggestion.decided_by_id, suggestion.decided_at = user_id, datetime.now(UTC)
    db.session.commit()


def merge(duplicate: Pain, into: Pain, user_id: int | None) -> None:
    """One pain from two: the duplicate's evidence and measures move to the other, the duplicate is kept as
    "merged" with a pointer, so both evidence lists stay and nothing is lost."""
    if duplicate.id == into.id:
        raise ValueError("a pain cannot be merged into itself")
    for e in list(duplicate.evidence):
        e.pain_id = into.id
    for m in list(duplicate.measures):
        m.pain_id = into.id
    record(into, "merged", "", f"#{duplicate.id}", user_id)
    change(duplicate, "status", "merged", user_id)
    duplicate.merged_into_id = into.id
    db.session.commit()
    db.session.expire_all()


# Re-measurement: a pain is closed by a later period's figures, not by a checkbox.

def remeasure(tenant, pain: Pain, user_id: int | None = None) -> tuple[str, str]:
    """Bring in the latest figures of the pain's evidence from later analyses, then, if its measures are done,
    decide: "verified" when prevalence fell and the two Wilson intervals do not overlap, otherwise it stays
    "resolved" and the reason says why. Returns (status, reason)."""
    latest = latest_evidence(pain)
    if latest is not None:
        for analysis in reversed(_analyses(latest.kind)):
            if analysis.result and analysis.period_end and analysis.period_end > parse_period(latest.period).last_day:
                figure = read(analysis.result).figure(latest.figure)
                if figure is not None and figure.total:
                    pain.evidence.append(evidence_from(analysis, figure))
                    record(pain, "evidence", "", f"{figure.title} ({analysis.period})", user_id)
                break
    measures = [m for m in pain.measures if m.status != "cancelled"]
    if not measures or any(m.status != "done" for m in measures):
        db.session.commit()
        return pain.status, "measures are not done yet"
    if pain.status not in ("resolved", "verified"):
        change(pain, "status", "resolved", user_id)
    after = latest_evidence(pain)
    series = sorted((e for e in pain.evidence if after is not None and e.figure == after.figure and e.n is not None
                     and e.total), key=lambda e: (_period_end(e.period) or datetime.min.date(), e.id))
    before = series[0] if series else None
    if before is None or after is None or after.period == before.period:
        pain.status_reason = "waiting for a later period's figures of the same evidence"
        db.session.commit()
        return pain.status, pain.status_reason
    old, new = measure(tenant, before), measure(tenant, after)
    if new.percent < old.percent and new.high < old.low:
        change(pain, "status", "verified", user_id)
        pain.status_reason = (f"{old.percent} % ({before.period}) -> {new.percent} % ({after.period}); "
                              "the intervals do not overlap")
    else:
        pain.status_reason = (f"{old.percent} % ({before.period}) -> {new.percent} % ({after.period}): "
                              "the fall is not confirmed (the intervals overlap or prevalence did not fall)")
    db.session.commit()
    return pain.status, pain.status_reason
