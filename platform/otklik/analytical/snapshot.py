"""The frozen snapshot of an analytical report: every figure the report shows, as JSON, with its SHA-256.

Built from the authority's stored analyses whose period ends in the report's month (a monthly analysis, or the
quarter, half-year or year that ends with it), each read through `otklik.results` after the one disclosure control
(`results.disclosure.disclose` with the Centre's minimum cell: the report leaves the office). Words are rendered in
the platform's language when the snapshot is built, so the page and the PDF render the snapshot and nothing else,
and a finalised report never depends on data or translations that change later.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..centre.compare import minimum, reveals_held
from ..channels import tenant_channels
from ..extensions import db
from ..fairness import wilson_interval
from ..models import Analysis, Survey
from ..periods import BadPeriod, Period, parse_period
from ..reports.note import period_title
from ..results import linked
from ..results.disclosure import disclose, disclose_values
from ..results.document import Document, read
from ..results.shapes import Prevalence, is_hidden, is_number
from ..schedule import tenant_schedule
from ..tenancy import get_current_tenant
from ..vocabulary import KIND_LABELS, KINDS
from .funnels import position
from .points import main_points

SNAPSHOT_VERSION = 1
RECOMMENDATION = _l("Recommendations of the Analytical Centre, clause 5.1.6, item 4 (analytical report)")


class NotAMonth(ValueError):
    """The report is monthly: a period other than YYYY-MM is refused with this message."""


def month_of(text: str) -> Period:
    try:
        period = parse_period(text)
    except BadPeriod as exc:
        raise NotAMonth(_("Period «%(p)s» is not a month: write it as YYYY-MM, e.g. 2025-03.", p=text)) from exc
    if period.cadence != "month":
        raise NotAMonth(_("Period «%(p)s» is not a month: write it as YYYY-MM, e.g. 2025-03.", p=text))
    return period


def digest(snapshot: dict) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- which analyses a month's report reads --

def _kind_order(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def month_analyses(month: Period) -> list[Analysis]:
    """Per kind, the finished analysis the month's report shows: that month's own, else the longest period that
    ends in it (a quarter's in March, a year's in December), of those the authority's periods let out."""
    rows = db.session.execute(select(Analysis).where(
        Analysis.status == "done", Analysis.period_end >= month.start, Analysis.period_end <= month.last_day,
    )).scalars().all()
    chosen: dict[str, Analysis] = {}
    tenant = get_current_tenant()
    for a in sorted(rows, key=lambda a: (a.period != month.name, a.period_start or date.max)):
        # the report leaves the office: only a period that may be shown on its own (results.linked), released
        # as the report shows it, so that no figure of it can be read against the authority's other periods
        if a.result and a.kind not in chosen and (tenant is None or (
                linked.claim_one(tenant, a.kind, a.period, "analytical").mode == linked.OWN_PERIOD
                and not reveals_held(tenant, a.kind, a.period, a.result))):
            chosen[a.kind] = a
    return sorted(chosen.values(), key=lambda a: _kind_order(a.kind))


def _previous(analysis: Analysis) -> Analysis | None:
    try:
        name = parse_period(analysis.period).previous().name
    except BadPeriod:
        return None
    return db.session.execute(select(Analysis).where(
        Analysis.kind == analysis.kind, Analysis.period == name, Analysis.status == "done")).scalar_one_or_none()


# -- key figures --

def _record_share(key: str, part: str, whole: str, share: str):
    def get(d: Document):
        r = d.record(key)
        return r.get(share), r.get(part), r.get(whole)
    return get


def _redirected(d: Document):
    r = d.record("redirected")
    return r.get("share"), r.get("count"), d.count("total")


def _count(key: str):
    return lambda d: (d.count(key), None, None)


def _wait_median(d: Document):
    return d.record("waiting_days").get("median"), None, None


def _overall(field: str):
    def get(d: Document):
        cell = d.stats("parameters").get("overall")
        if not isinstance(cell, dict):
            for q in d.questionnaires():
                cell = next((c for c in (q.get("csat") or {}).values()
                             if isinstance(c, dict) and c.get("parameter") == "overall"), None)
                if cell is not None:
                    break
        if not isinstance(cell, dict) or is_hidden(cell):
            return None, None, None
        value, n = cell.get(field), cell.get("n")
        part = round(value * n) if field == "share_4_5" and is_number(value) and isinstance(n, int) else None
        return value, part, n if field == "share_4_5" else None
    return get


# (id, label, format, reader of (value, part, whole)); shares carry part and whole for their Wilson interval.
KEY_FIGURES = (
    ("total", _l("Appeals and complaints"), "int", _count("total")),
    ("within_30_share", _l("Answered within 30 days"), "share",
     _record_share("waiting_days", "within_30", "answered", "within_30_share")),
    ("wait_median", _l("Median waiting, days"), "num", _wait_median),
    ("satisfied_share", _l("Complaints satisfied"), "share",
     _record_share("complaints", "satisfied", "total", "satisfied_share")),
    ("unsatisfied_share", _l("Complaints unsatisfied"), "share",
     _record_share("complaints", "unsatisfied", "total", "unsatisfied_share")),
    ("redirected_share", _l("Redirected to the competent body"), "share", _redirected),
    ("responses", _l("Responses"), "int", _count("responses")),
    ("csat_overall", _l("Overall satisfaction (CSAT, 1-5)"), "num", _overall("mean")),
    ("share_4_5_overall", _l("Overall satisfaction: share of 4 and 5"), "share", _overall("share_4_5")),
    ("informed_share", _l("Share informed"), "share", _record_share("informed", "count", "answered", "share")),
    ("negative_share", _l("Negative answers (1-2 of 5)"), "share",
     _record_share("negative", "count", "answers", "share")),
)


def _interval(value, part, whole) -> tuple[float | None, float | None]:
    if not is_number(value) or not isinstance(whole, int) or whole <= 0:
        return None, None
    if not isinstance(part, int):
        part = round(value * whole)
    ci = wilson_interval(part, whole)
    return (round(ci[0], 4), round(ci[1], 4)) if ci else (None, None)


def key_figures(shown: Document, before: Document, previous: Document | None) -> list[dict]:
    """The key figures of one analysis: value, n, Wilson 95 % interval for shares, and the change against the
    previous period (both read after disclosure; a figure the control hid reads `hidden`)."""
    out = []
    for fid, label, fmt, get in KEY_FIGURES:
        value, part, whole = get(shown)
        had, _p, _w = get(before)
        if value is None and had is None:
            continue
        row = {"id": fid, "label": str(label), "fmt": fmt, "value": value if is_number(value) else None,
               "hidden": value is None, "n": whole if isinstance(whole, int) else None,
               "ci_low": None, "ci_high": None, "previous": None, "prev_ci_low": None, "prev_ci_high": None,
               "change": None}
        if fmt == "share" and not row["hidden"]:
            row["ci_low"], row["ci_high"] = _interval(value, part, whole)
        if previous is not None:
            pv, pp, pw = get(previous)
            if is_number(pv):
                row["previous"] = pv
                if fmt == "share":
                    row["prev_ci_low"], row["prev_ci_high"] = _interval(pv, pp, pw)
                if is_number(value):
                    row["change"] = round(value - pv, 4)
        out.append(row)
    return out


# -- sections, charts and surveys --

def _text(value):
    return str(value) if value is not None and not isinstance(value, (int, float, bool, str)) else value


def section_json(section) -> dict:
    """A `results` section as plain JSON (titles and labels as words)."""
    chart = section.chart
    return {
        "key": section.key, "title": str(section.title), "note": str(section.note or ""),
        "facts": [[str(label), _text(value), fmt] for label, value, fmt in section.facts],
        "columns": [{"key": c.key, "label": str(c.label), "fmt": c.fmt} for c in section.columns],
        "rows": [{k: _text(v) for k, v in row.items()} for row in section.rows],
        "chart": None if chart is None else {
            "kind": chart.kind, "title": str(chart.title), "labels": [str(x) for x in chart.labels],
            "values": [v if is_number(v) else None for v in chart.values], "fmt": chart.fmt,
        },
    }


def _utc_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def surveys_json(shown: Document, base_url: str) -> list[dict]:
    """The surveys of a survey analysis: link, dates open and closed, respondents (after disclosure) and the
    instrument with its questions (the annex)."""
    out = []
    for item in shown.survey_items(base_url):
        survey = db.session.get(Survey, item["id"]) if isinstance(item.get("id"), int) else None
        questions = []
        if survey is not None and survey.version is not None:
            for q in survey.version.questions or []:
                questions.append({
                    "number": q.get("number"), "text": q.get("text", ""), "type": q.get("type", ""),
                    "options": [o.get("text", "") for o in q.get("options") or []],
                    "rows": [r.get("text", "") for r in q.get("rows") or []],
                })
        out.append({
            "title": item.get("title") or "", "link": item.get("link") or "", "object": item.get("object") or "",
            "instrument": item.get("instrument") or "", "responses": item.get("responses"),
            # a survey opened without a set date has been open since it was created
            "opens_at": _utc_iso(survey.opens_at or survey.created_at) if survey is not None else None,
            "closes_at": _utc_iso(survey.closes_at) if survey is not None else None,
            "questions": questions,
        })
    return out


def analysis_json(tenant, analysis: Analysis, k: int, titles: dict, base_url: str) -> dict:
    disclosed = disclose(analysis.result, k)
    shown = read(disclosed.values, titles)
    before = read(analysis.result, titles)
    prev = _previous(analysis)
    previous = read(disclose(prev.result, k).values, titles) if prev is not None and prev.result else None
    clause = next((e.clause for e in tenant_schedule(tenant) if e.kind == analysis.kind and e.clause), "")
    return {
        "kind": analysis.kind, "kind_label": str(KIND_LABELS.get(analysis.kind, analysis.kind)),
        "analysis_id": analysis.id, "period": analysis.period, "period_title": period_title(analysis.period),
        "previous_period": prev.period if prev is not None else None,
        "previous_title": period_title(prev.period) if prev is not None else None,
        "period_start": analysis.period_start.isoformat() if analysis.period_start else None,
        "period_end": analysis.period_end.isoformat() if analysis.period_end else None,
        "computed_at": disclosed.values.get("computed_at"), "clause": clause,
        "key_figures": key_figures(shown, before, previous),
        "sections": [section_json(s) for s in shown.sections()],
        "surveys": surveys_json(shown, base_url) if analysis.kind != "appeals" else [],
        "hidden": len(disclosed.audit),
    }


# -- the pain map --

PAIN_ROWS = Prevalence()


def painmap_json(tenant, month: Period, k: int) -> dict:
    """The pain map of the month (its frozen version, else the map as it stands), prevalence through the
    disclosure control (a pain's n of N is a problem's count of respondents), with its measures' states."""
    from ..painmap.labels import MEASURE_STATUS_LABELS, PAIN_STATUS_LABELS, PRIORITY_LABELS
    from ..painmap.versions import frozen_rows, of_period

    versions = [of_period(a.period) for a in month_analyses(month)]
    version = next((v for v in versions if v is not None), None) or of_period(month.name)
    rows = version.rows if version is not None else frozen_rows(tenant, month.end)  # overdue: due by the last day
    cells = [{"question": str(r["id"]), "option": "pain", "count": r.get("n"), "respondents": r.get("N")}
             if isinstance(r.get("n"), int) and isinstance(r.get("N"), int) else
             {"question": str(r["id"]), "option": "pain"} for r in rows]
    shown = disclose_values({"pains": cells}, {"pains": PAIN_ROWS}, k).values["pains"]
    out = []
    for r, cell in zip(rows, shown, strict=True):
        hidden = is_hidden(cell) or (r.get("n") is not None and cell.get("count") is None)
        out.append({
            "number": r.get("number"), "process": r.get("process") or "", "wording": r.get("wording") or "",
            "status": str(PAIN_STATUS_LABELS.get(r.get("status"), r.get("status") or "")),
            "n": None if hidden else r.get("n"), "N": None if is_hidden(cell) else r.get("N"),
            "prevalence": None if hidden else r.get("prevalence"),
            "ci_low": None if hidden else r.get("ci_low"), "ci_high": None if hidden else r.get("ci_high"),
            "hidden": hidden,
            "priority": str(PRIORITY_LABELS.get(r.get("priority"), "")) if r.get("priority") else "",
            "measures": [{
                "wording": m.get("wording") or "", "state": str(MEASURE_STATUS_LABELS.get(m["status"], m["status"])),
                "progress": m.get("progress"), "due_date": m.get("due_date"), "overdue": bool(m.get("overdue")),
            } for m in r.get("measures") or [] if m.get("status") != "cancelled"],
        })
    return {"period": version.period if version is not None else None,
            "sha256": version.sha256 if version is not None else "", "pains": out}


# -- the whole snapshot --

def build(tenant, period: str, base_url: str = "") -> dict:
    """The snapshot of the month's report, in the platform's language."""
    month = month_of(period)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        k = minimum(tenant)
        titles = {c.code: c.title for c in tenant_channels(tenant)}
        analyses = [analysis_json(tenant, a, k, titles, base_url) for a in month_analyses(month)]
        snapshot = {
            "version": SNAPSHOT_VERSION,
            "tenant": {"slug": tenant.slug, "name": tenant.name, "short_name": tenant.short_name,
                       "region": tenant.region, "act": tenant.legal_act,
                       "act_date": tenant.act_date.isoformat() if tenant.act_date else None},
            "period": month.name, "period_title": period_title(month.name),
            "period_start": month.start.isoformat(), "period_end": month.last_day.isoformat(),
            "recommendation": str(RECOMMENDATION),
            "analyses": analyses,
            "painmap": painmap_json(tenant, month, k),
            "funnels": position(tenant, analyses),
            "k": k,
        }
        snapshot["main_points"] = main_points(snapshot)
    return snapshot
