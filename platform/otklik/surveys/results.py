"""A survey's results for the office, with the small-group rule of employee surveys.

Answers of internal clients (audience `internal`) are never shown for a group smaller than MIN_CELL_SIZE
(default 5), after any filter: when fewer respondents match the filter nothing is shown; an option, a mark
distribution or a mean over fewer answers is shown as suppressed, and so are the next smallest options of the
question until the hidden ones hold the minimum together (the respondents' total would give a lone one back);
open answers appear only when the whole filtered group is large enough, and then unordered by respondent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models.survey import Survey, SurveyAnswer, SurveyResponse
from .small_groups import hidden_cells

FILTERS = ("channel", "segment", "source")
MARKS = (1, 2, 3, 4, 5)


@dataclass
class Results:
    respondents: int
    suppressed: bool
    min_size: int
    questions: list = field(default_factory=list)


def _responses(survey: Survey, filters: dict, start: datetime | None, end: datetime | None):
    stmt = select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)
    for name in FILTERS:
        if filters.get(name):
            stmt = stmt.where(getattr(SurveyResponse, name) == filters[name])
    if start is not None:
        stmt = stmt.where(SurveyResponse.submitted_at >= start)
    if end is not None:
        stmt = stmt.where(SurveyResponse.submitted_at < end)
    return stmt


def filter_values(survey: Survey) -> dict[str, list[str]]:
    out = {}
    for name in FILTERS:
        column = getattr(SurveyResponse, name)
        out[name] = [v for v in db.session.execute(
            select(column).where(SurveyResponse.survey_id == survey.id).distinct().order_by(column)).scalars() if v]
    return out


def survey_results(survey: Survey, filters: dict | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> Results:
    filters = filters or {}
    min_size = int(current_app.config.get("MIN_CELL_SIZE", 5))
    guard = survey.audience == "internal"
    ids = _responses(survey, filters, start, end).subquery()
    respondents = db.session.execute(select(func.count()).select_from(ids)).scalar_one()
    if guard and respondents < min_size:
        return Results(respondents, True, min_size)

    def small(n: int) -> bool:
        return guard and n < min_size

    base = select(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.response_id.in_(
        select(ids.c.id)))
    options = db.session.execute(
        select(SurveyAnswer.question_key, SurveyAnswer.option, func.count(func.distinct(SurveyAnswer.response_id)))
        .where(base.whereclause).where(SurveyAnswer.option.is_not(None))
        .group_by(SurveyAnswer.question_key, SurveyAnswer.option)).all()
    answered = dict(db.session.execute(
        select(SurveyAnswer.question_key, func.count(func.distinct(SurveyAnswer.response_id)))
        .where(base.whereclause).group_by(SurveyAnswer.question_key)).all())
    marks = db.session.execute(
        select(SurveyAnswer.question_key, SurveyAnswer.row_key, func.count(), func.avg(SurveyAnswer.value_num),
               func.sum(func.cast(SurveyAnswer.value_num >= 4, db.Integer)))
        .where(base.whereclause).where(SurveyAnswer.value_num.is_not(None))
        .group_by(SurveyAnswer.question_key, SurveyAnswer.row_key)).all()
    by_option: dict = {}
    for key, option, n in options:
        by_option.setdefault(key, {})[option] = n
    by_mark: dict = {}
    for key, row_key, n, mean, high in marks:
        by_mark.setdefault(key, {})[row_key] = (n, mean, high or 0)
    by_value: dict = {}  # the marks 1-5 of each row, for the distribution chart
    for key, row_key, value, n in db.session.execute(
            select(SurveyAnswer.question_key, SurveyAnswer.row_key, SurveyAnswer.value_num, func.count())
            .where(base.whereclause).where(SurveyAnswer.value_num.is_not(None))
            .group_by(SurveyAnswer.question_key, SurveyAnswer.row_key, SurveyAnswer.value_num)).all():
        by_value.setdefault((key, row_key), {})[int(value)] = n

    questions = []
    for question in survey.version.questions:
        key = question["key"]
        n = answered.get(key, 0)
        item = {"question": question, "answered": n, "suppressed": small(n)}
        if item["suppressed"]:
            questions.append(item)
            continue
        if question["type"] in ("single", "multiple", "yesno", "demographic"):
            counts = {o["value"]: by_option.get(key, {}).get(o["value"], 0) for o in question.get("options") or []}
            hidden = hidden_cells(counts, min_size) if guard else ()
            item["options"] = [
                {"value": o["value"], "text": o["text"], "count": None if o["value"] in hidden else counts[o["value"]],
                 "share": None if o["value"] in hidden or not n else round(100 * counts[o["value"]] / n)}
                for o in question.get("options") or []]
        elif question["type"] in ("scale", "matrix"):
            rows = question.get("rows") if question["type"] == "matrix" else [{"key": "", "text": ""}]
            item["marks"] = []
            for row in rows:
                cnt, mean, high = by_mark.get(key, {}).get(row["key"], (0, None, 0))
                hidden = small(cnt)
                values = {m: by_value.get((key, row["key"]), {}).get(m, 0) for m in MARKS}
                hidden_marks = hidden_cells(values, min_size) if guard else set()
                item["marks"].append({"text": row["text"], "count": cnt if not hidden else None,
                                      "mean": None if hidden or mean is None else round(float(mean), 2),
                                      "share_4_5": None if hidden or not cnt else round(100 * high / cnt),
                                      "suppressed": hidden,
                                      "distribution": [] if hidden else [
                                          {"mark": m, "count": None if m in hidden_marks else values[m],
                                           "share": None if m in hidden_marks or not cnt else
                                           round(100 * values[m] / cnt)} for m in MARKS]})
        elif question["type"] == "open":
            texts = db.session.execute(
                select(SurveyAnswer.text).where(base.whereclause).where(SurveyAnswer.question_key == key,
                                                                         SurveyAnswer.text.is_not(None))
                .order_by(SurveyAnswer.text if guard else SurveyAnswer.id.desc()).limit(200)).scalars().all()
            item["texts"] = texts
        questions.append(item)
    return Results(respondents, False, min_size, questions)


def charts(results: Results) -> list[dict]:
    """What static/analyses.js draws (one spec per question, the same figures as the table beside it): counts of the
    answers of a question with options, the marks 1-5 of a scale, the share of 4 and 5 of each matrix row. A figure
    the small-group rule hides is left out of the chart as it is out of the table."""
    specs = []
    if results.suppressed:
        return specs
    for item in results.questions:
        q = item["question"]
        spec = {"id": f"chart-{q['key']}", "title": q.get("text", ""), "question": q["key"]}
        if item["suppressed"]:
            continue
        if "options" in item:
            shown = [o for o in item["options"] if o["count"] is not None]
            spec.update(kind="pie" if q["type"] == "yesno" else "bar", fmt="int",
                        labels=[o["text"] for o in shown], values=[o["count"] for o in shown])
        elif "marks" in item and q["type"] == "scale":
            shown = [d for d in item["marks"][0]["distribution"] if d["count"] is not None]
            spec.update(kind="column", fmt="int", labels=[str(d["mark"]) for d in shown],
                        values=[d["count"] for d in shown])
        elif "marks" in item:
            shown = [m for m in item["marks"] if m["share_4_5"] is not None]
            # fractions: analyses.js reads a share above 1 as per cent, so 1 % must not be sent as 1
            spec.update(kind="bar", fmt="share", labels=[m["text"] for m in shown],
                        values=[m["share_4_5"] / 100 for m in shown])
        else:
            continue
        if spec["values"]:
            specs.append(spec)
    return specs
