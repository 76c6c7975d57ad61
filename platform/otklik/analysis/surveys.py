"""Survey analyses (external clients: kind `surveys`; employees: kind `employee_surveys`).

Frames come from SQL over `survey_response`, `survey_answer` and `questionnaire_version` that filters by tenant,
audience and the period (by `submitted_at`, the local bounds as UTC instants) and aggregates in the database.
Every SQL function takes `tenant_id` as a required argument: Core SQL bypasses the ORM's tenant scoping.

A question is identified by its questionnaire and its key, (questionnaire_id, question_key): two questionnaires
answered in one period may both have a `q1` that asks different things. Per-question figures (CSAT, choices) are
therefore stored per questionnaire (`questionnaires`), prevalence rows name their questionnaire, and only
parameters, which are comparable by their code, are aggregated across questionnaires.

Employee results obey the minimum group size (MIN_CELL_SIZE, default 5): a breakdown cell of fewer answers is
stored as `{"suppressed": true}` (with its title, which is not personal data) without its figures (DESIGN.md: never
shown below that size, even in the office), and so are the next smallest cells of its breakdown until the hidden
cells hold the minimum together (`results.disclosure.suppress_breakdown`, the one disclosure control): a shown total
would otherwise give it back. Each hidden cell stores why: `"suppressed": "primary"` or `"secondary"`.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import DateTime, bindparam, inspect, text

from ..extensions import db
from ..prevalence import percent_half_up, prevalence_level
from ..results.disclosure import PRIMARY, suppress_breakdown
from ..vocabulary import AUDIENCE_OF_KIND
from .frames import share, stat
from .metrics import MetricContext

YES = {"yes", "да", "1", "true", "y"}
SCALE_TYPES = {"scale", "matrix"}
CHOICE_TYPES = {"single", "multiple", "yesno", "demographic"}
TABLES = ("survey_response", "survey_answer", "questionnaire_version", "survey", "questionnaire")

# Titles of the parameters of single scale questions (the acts' wording); an unknown code gets its question's text.
PARAMETER_TITLES = {
    "overall": "Общая удовлетворенность",
    "electronic_service": "Удовлетворенность работой электронного сервиса",
    "clarity": "Понятность и удобство",
    "status_info": "Информирование о статусе",
    "documents": "Количество необходимых документов",
    "speed": "Оперативность",
    "electronic": "Возможность получения в электронном виде",
    "politeness": "Вежливость и компетентность",
    "deadlines": "Соблюдение сроков",
}

_PERIOD = ("r.tenant_id = :tenant_id AND r.audience = :audience AND r.submitted_at >= :start "
           "AND r.submitted_at < :end")


def tables_present(conn) -> bool:
    names = set(inspect(conn).get_table_names())
    return all(t in names for t in TABLES)


def _sql(sql: str):
    """Text SQL whose period bounds bind as timestamps (SQLite stores them as text in SQLAlchemy's format)."""
    return text(sql).bindparams(bindparam("start", type_=DateTime(timezone=True)),
                                bindparam("end", type_=DateTime(timezone=True)))


def _read(sql: str, conn, **params) -> pd.DataFrame:
    return pd.read_sql(_sql(sql), conn, params=params)


def load_responses(tenant_id: int, audience: str, start, end, conn=None) -> pd.DataFrame:
    """Responses per (object, segment, channel)."""
    return _read(f"SELECT r.object, r.segment, r.channel, count(*) AS n FROM survey_response r WHERE {_PERIOD} "
                 "GROUP BY r.object, r.segment, r.channel", conn or db.session.connection(),
                 tenant_id=tenant_id, audience=audience, start=start, end=end)


# Answers joined to their response, grouped by the response's questionnaire version. Not joined to
# `questionnaire_version` to group by questionnaire: with that join PostgreSQL's planner expects a hundred
# responses instead of tens of thousands and probes `survey_answer` row by row (docs/PERFORMANCE.md, Analysis);
# the versions are mapped to their questionnaires afterwards, in pandas, over a handful of rows.
_ANSWERS = ("FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
            f"WHERE {_PERIOD} AND a.tenant_id = :tenant_id")


def _by_questionnaire(frame: pd.DataFrame, keys: list[str], conn, tenant_id: int) -> pd.DataFrame:
    """Per-version counts summed per questionnaire (a response belongs to one version, so distinct respondents
    of the versions add up)."""
    versions = pd.read_sql(text("SELECT id AS version_id, questionnaire_id FROM questionnaire_version "
                                "WHERE tenant_id = :tenant_id"), conn, params={"tenant_id": tenant_id})
    merged = frame.merge(versions, on="version_id", how="inner")
    if merged.empty:
        return pd.DataFrame(columns=["questionnaire_id", *keys, "n"])
    return merged.groupby(["questionnaire_id", *keys], dropna=False, sort=False)["n"].sum().reset_index()


def load_scales(tenant_id: int, audience: str, start, end, conn=None) -> pd.DataFrame:
    """Histogram of numeric answers per (questionnaire, question, row, object, segment, value)."""
    conn = conn or db.session.connection()
    per_version = _read(
        "SELECT r.questionnaire_version_id AS version_id, a.question_key, a.row_key, r.object, r.segment, "
        f"a.value_num AS value, count(*) AS n {_ANSWERS} AND a.value_num IS NOT NULL "
        "GROUP BY r.questionnaire_version_id, a.question_key, a.row_key, r.object, r.segment, a.value_num",
        conn, tenant_id=tenant_id, audience=audience, start=start, end=end)
    return _by_questionnaire(per_version, ["question_key", "row_key", "object", "segment", "value"], conn, tenant_id)


def load_options(tenant_id: int, audience: str, start, end, conn=None) -> pd.DataFrame:
    """Respondents per (questionnaire, question, option); the row with option NULL is the question's respondents."""
    conn = conn or db.session.connection()
    params = {"tenant_id": tenant_id, "audience": audience, "start": start, "end": end}
    base = f"{_ANSWERS} AND a.option IS NOT NULL AND a.option <> ''"
    per_option = _read(f"SELECT r.questionnaire_version_id AS version_id, a.question_key, a.option, "
                       f"count(DISTINCT a.response_id) AS n {base} "
                       "GROUP BY r.questionnaire_version_id, a.question_key, a.option", conn, **params)
    per_question = _read(f"SELECT r.questionnaire_version_id AS version_id, a.question_key, "
                         f"count(DISTINCT a.response_id) AS n {base} "
                         "GROUP BY r.questionnaire_version_id, a.question_key", conn, **params)
    per_option = _by_questionnaire(per_option, ["question_key", "option"], conn, tenant_id)
    per_question = _by_questionnaire(per_question, ["question_key"], conn, tenant_id)
    per_question["option"] = None
    columns = ["questionnaire_id", "question_key", "option", "n"]
    return pd.concat([per_option[columns], per_question[columns]], ignore_index=True)


def load_texts(tenant_id: int, audience: str, start, end, conn=None) -> pd.DataFrame:
    return _read(
        "SELECT a.question_key, a.text FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
        f"WHERE {_PERIOD} AND a.tenant_id = :tenant_id AND a.text IS NOT NULL AND a.text <> '' "
        "ORDER BY a.id", conn or db.session.connection(), tenant_id=tenant_id, audience=audience,
        start=start, end=end)


def load_surveys(tenant_id: int, audience: str, start, end, conn=None) -> pd.DataFrame:
    """The surveys answered in the period, with their questionnaire (the instrument) and responses."""
    return _read(
        "SELECT s.id, s.title, s.token, s.object, v.questionnaire_id, q.title AS questionnaire, v.number AS version, "
        "count(*) AS n FROM survey_response r JOIN survey s ON s.id = r.survey_id "
        "JOIN questionnaire_version v ON v.id = r.questionnaire_version_id "
        f"JOIN questionnaire q ON q.id = v.questionnaire_id WHERE {_PERIOD} AND s.tenant_id = :tenant_id "
        "GROUP BY s.id, s.title, s.token, s.object, v.questionnaire_id, q.title, v.number "
        "ORDER BY count(*) DESC, s.id",
        conn or db.session.connection(), tenant_id=tenant_id, audience=audience, start=start, end=end)


def load_questions(tenant_id: int, audience: str, start, end, conn=None) -> dict[int, dict]:
    """The questionnaires answered in the period: {questionnaire id: {"title", "questions": {key: question}}}, the
    questions of the versions answered (within a questionnaire, a later version's question wins)."""
    conn = conn or db.session.connection()
    rows = conn.execute(_sql(
        "SELECT v.questionnaire_id, q.title, v.questions FROM questionnaire_version v "
        "JOIN questionnaire q ON q.id = v.questionnaire_id WHERE v.tenant_id = :tenant_id AND v.id IN "
        f"(SELECT DISTINCT r.questionnaire_version_id FROM survey_response r WHERE {_PERIOD}) "
        "ORDER BY v.questionnaire_id, v.number, v.id"),
        {"tenant_id": tenant_id, "audience": audience, "start": start, "end": end}).all()
    out: dict[int, dict] = {}
    for questionnaire_id, title, questions in rows:
        if isinstance(questions, str):
            questions = json.loads(questions)
        entry = out.setdefault(int(questionnaire_id), {"title": title, "questions": {}})
        for q in questions or []:
            if isinstance(q, dict) and q.get("key"):
                entry["questions"][str(q["key"])] = q
    return out


def _args(ctx: MetricContext):
    start, end = ctx.period.utc_bounds(ctx.tenant.timezone)
    return ctx.tenant.id, AUDIENCE_OF_KIND[ctx.kind], start, end


def _present(ctx: MetricContext) -> bool:
    if "surveys.present" not in ctx._frames:
        ctx._frames["surveys.present"] = tables_present(db.session.connection())
    return ctx._frames["surveys.present"]


def _loader(load, empty_columns):
    def frame(ctx: MetricContext) -> pd.DataFrame:
        if not _present(ctx):
            return pd.DataFrame(columns=empty_columns)
        return load(*_args(ctx))

    return frame


def frame_responses(ctx):
    df = _loader(load_responses, ["object", "segment", "channel", "n"])(ctx)
    ctx.inputs["responses"] = int(df["n"].sum()) if len(df) else 0
    return df


def frame_texts(ctx):
    df = _loader(load_texts, ["question_key", "text"])(ctx)
    ctx.inputs["open_answers"] = len(df)
    return df


def frame_questions(ctx):
    return load_questions(*_args(ctx)) if _present(ctx) else {}


LOADERS = {
    "surveys.responses": frame_responses,
    "surveys.scales": _loader(load_scales, ["questionnaire_id", "question_key", "row_key", "object", "segment",
                                            "value", "n"]),
    "surveys.options": _loader(load_options, ["questionnaire_id", "question_key", "option", "n"]),
    "surveys.texts": frame_texts,
    "surveys.questions": frame_questions,
    "surveys.surveys": _loader(load_surveys, ["id", "title", "token", "object", "questionnaire_id", "questionnaire",
                                              "version", "n"]),
}


def _employee(ctx) -> bool:
    return ctx.kind == "employee_surveys"


def _suppressed(figures: dict, reason: str = PRIMARY) -> dict:
    """`{"title", "suppressed": reason}`: the figures hidden, the title (an option's or a question's text, not
    personal data) kept."""
    return {"title": figures["title"], "suppressed": reason} if figures.get("title") else {"suppressed": reason}


def _cell(ctx, size: int, figures: dict) -> dict:
    """A figure of its own (not a part of a shown total), suppressed for employees below the minimum group."""
    return _suppressed(figures) if _employee(ctx) and size < ctx.min_cell_size else figures


def _breakdown(ctx, cells: dict[str, tuple[int, dict]]) -> dict:
    """The cells of one breakdown of a shown total, {key: (size, figures)}: for employees, the small cells and as
    many more as keep them from being worked out from the total are suppressed."""
    hidden = suppress_breakdown({k: size for k, (size, _) in cells.items()}, ctx.min_cell_size) \
        if _employee(ctx) else {}
    return {k: _suppressed(figures, hidden[k]) if k in hidden else figures for k, (_, figures) in cells.items()}


def _scale_stats(values: pd.Series, weights: pd.Series) -> dict:
    n = int(weights.sum())
    if not n:
        return {"n": 0, "mean": None, "share_4_5": None, "share_1_2": None}
    mean = float((values * weights).sum()) / n
    high = int(weights[values >= 4].sum())
    low = int(weights[values <= 2].sum())
    return {"n": n, "mean": stat(mean), "share_4_5": share(high, n), "share_1_2": share(low, n)}


def _questionnaire(ctx, questionnaire_id) -> dict:
    return ctx.frame("surveys.questions").get(int(questionnaire_id), {"title": None, "questions": {}})


def _question(ctx, questionnaire_id, key: str) -> dict:
    return _questionnaire(ctx, questionnaire_id)["questions"].get(str(key), {})


def _title(q: dict, key: str) -> str:
    number = q.get("number")
    return f"{number}. {q.get('text', key)}" if number else str(q.get("text", key))


def _pairs(ctx, wanted) -> set[tuple[int, str]]:
    """(questionnaire id, question key) of the questions for which `wanted(question)` holds."""
    return {(qid, key) for qid, entry in ctx.frame("surveys.questions").items()
            for key, q in entry["questions"].items() if wanted(q)}


def _of(df: pd.DataFrame, pairs: set[tuple[int, str]]) -> pd.DataFrame:
    """The rows of a frame whose (questionnaire_id, question_key) is one of `pairs`."""
    if not len(df) or not pairs:
        return df.iloc[0:0]
    keys = list(zip(df["questionnaire_id"].astype(int), df["question_key"].astype(str), strict=True))
    return df[[k in pairs for k in keys]]


# The metrics.

def survey(ctx: MetricContext) -> dict:
    """What the Analytical Centre asks of a report (5.1.6 p. 4): the survey, its link, the instrument."""
    df = ctx.frame("surveys.surveys")
    items = [{"id": int(r["id"]), "title": r["title"], "link": f"/{ctx.tenant.slug}/s/{r['token']}",
              "object": r["object"], "instrument": f"{r['questionnaire']} (версия {int(r['version'])})",
              "responses": int(r["n"])} for _, r in df.iterrows()]
    if not items:
        return {"title": None, "link": None, "instrument": None, "surveys": []}
    return {"title": items[0]["title"], "link": items[0]["link"], "instrument": items[0]["instrument"],
            "surveys": items}


def responses(ctx: MetricContext) -> int:
    df = ctx.frame("surveys.responses")
    return int(df["n"].sum()) if len(df) else 0


def by_channel(ctx: MetricContext) -> dict:
    df = ctx.frame("surveys.responses")
    n = responses(ctx)
    counts = df.groupby("channel")["n"].sum() if len(df) else {}
    return _breakdown(ctx, {k: (int(v), {"count": int(v), "share": share(v, n)})
                            for k, v in sorted(dict(counts).items(), key=lambda kv: -kv[1]) if int(v)})


def _csat(ctx, questionnaire_id: int, scales: pd.DataFrame) -> dict:
    """CSAT of one questionnaire's 1-5 questions (not matrix rows): mean of the answers and share of 4 and 5."""
    out = {}
    singles = scales[scales["row_key"].fillna("") == ""]
    for key, g in singles.groupby("question_key", sort=False):
        q = _question(ctx, questionnaire_id, key)
        if q and q.get("type") not in (None, "scale"):
            continue
        figures = _scale_stats(g["value"].astype(float), g["n"].astype(int))
        out[str(key)] = _cell(ctx, figures["n"], {"title": _title(q, key), "parameter": q.get("parameter", ""),
                                                   **figures})
    return out


def _choices(ctx, questionnaire_id: int, options: pd.DataFrame) -> dict:
    """One questionnaire's choice questions: respondents per option, share of the question's respondents."""
    out = {}
    for key, g in options.groupby("question_key", sort=False):
        q = _question(ctx, questionnaire_id, key)
        answered = int(g.loc[g["option"].isna(), "n"].sum())
        if _employee(ctx) and answered < ctx.min_cell_size:
            out[str(key)] = {"title": _title(q, key), "suppressed": PRIMARY}
            continue
        texts = {str(o.get("value")): o.get("text", o.get("value")) for o in q.get("options", [])}
        cells = {}
        for _, r in g[g["option"].notna()].sort_values("n", ascending=False, kind="stable").iterrows():
            count = int(r["n"])
            cells[str(r["option"])] = (count, {"title": texts.get(str(r["option"]), str(r["option"])),
                                               "count": count, "share": share(count, answered)})
        out[str(key)] = {"title": _title(q, key), "respondents": answered, "options": _breakdown(ctx, cells)}
    return out


def questionnaires(ctx: MetricContext) -> list[dict]:
    """Per questionnaire answered in the period, most answered first: its CSAT per 1-5 question and its choice
    questions. A question is (questionnaire, key): the same key in two questionnaires is two questions."""
    surveys_df = ctx.frame("surveys.surveys")
    if not len(surveys_df):
        return []
    counts = surveys_df.groupby("questionnaire_id")["n"].sum()
    scales, options = ctx.frame("surveys.scales"), ctx.frame("surveys.options")
    out = []
    for qid, n in sorted(((int(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0])):
        s = scales[scales["questionnaire_id"].astype(int) == qid] if len(scales) else scales
        o = options[options["questionnaire_id"].astype(int) == qid] if len(options) else options
        out.append({"id": qid, "title": _questionnaire(ctx, qid)["title"], "responses": n,
                    "csat": _csat(ctx, qid, s) if len(s) else {},
                    "choices": _choices(ctx, qid, o) if len(o) else {}})
    return out


def parameters(ctx: MetricContext) -> dict:
    """Mean satisfaction per parameter, over every answer given in the period, across questionnaires: scale
    questions by their `parameter` (titled in words, not by the code), matrix rows by the row's `parameter`.
    A matrix row without a parameter has no code to compare by: it stays its questionnaire's own,
    keyed `<questionnaire id>.<row key>` (keys never contain dots)."""
    df = ctx.frame("surveys.scales")
    if not len(df):
        return {}
    labels, rows = {}, []
    for (qid, key, row_key), g in df.groupby(["questionnaire_id", "question_key", "row_key"], sort=False):
        q = _question(ctx, qid, key)
        if row_key:
            row = next((r for r in q.get("rows", []) if r.get("key") == row_key), {})
            param = row.get("parameter") or f"{int(qid)}.{row_key}"
            labels.setdefault(param, row.get("text") or PARAMETER_TITLES.get(param) or str(row_key))
        else:
            param = q.get("parameter")
            if not param:
                continue
            labels.setdefault(param, PARAMETER_TITLES.get(param) or str(q.get("text") or param))
        rows.append(g.assign(parameter=param))
    if not rows:
        return {}
    all_rows = pd.concat(rows)
    out = {}
    for param, g in all_rows.groupby("parameter", sort=False):
        figures = _scale_stats(g["value"].astype(float), g["n"].astype(int))
        out[str(param)] = _cell(ctx, figures["n"], {"title": labels[param], **figures})
    return out


def _overall_pairs(ctx) -> set[tuple[int, str]]:
    """Each questionnaire's overall question: its scale with parameter `overall`, else its first scale."""
    out = set()
    for qid, entry in ctx.frame("surveys.questions").items():
        scales = [k for k, q in entry["questions"].items() if q.get("type") == "scale"]
        overall = [k for k in scales if entry["questions"][k].get("parameter") == "overall"]
        if overall or scales:
            out.add((qid, (overall or scales)[0]))
    return out


def _by(ctx, column: str) -> dict:
    resp = ctx.frame("surveys.responses")
    if not len(resp):
        return {}
    counts = resp.assign(**{column: resp[column].fillna("").replace("", "unspecified")}).groupby(column)["n"].sum()
    scales = ctx.frame("surveys.scales")
    overall = _of(scales, _overall_pairs(ctx)) if len(scales) else scales
    if len(overall):
        overall = overall[overall["row_key"].fillna("") == ""]
    cells = {}
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        figures = {"responses": int(n)}
        if len(overall):
            s = overall[overall[column].fillna("").replace("", "unspecified") == name]
            st = _scale_stats(s["value"].astype(float), s["n"].astype(int))
            figures.update({"csat_mean": st["mean"], "share_4_5": st["share_4_5"]})
        cells[str(name)] = (int(n), figures)
    return _breakdown(ctx, cells)


def by_object(ctx: MetricContext) -> dict:
    return _by(ctx, "object")


def by_segment(ctx: MetricContext) -> dict:
    return _by(ctx, "segment")


def informed(ctx: MetricContext) -> dict:
    """Share informed: respondents answering yes to a question whose parameter is `informed` (any questionnaire)."""
    pairs = _pairs(ctx, lambda q: q.get("parameter") == "informed")
    g = _of(ctx.frame("surveys.options"), pairs)
    if not len(g):
        return {"answered": 0, "count": 0, "share": None}
    answered = int(g.loc[g["option"].isna(), "n"].sum())
    yes = int(g.loc[g["option"].notna() & g["option"].astype(str).str.lower().isin(YES), "n"].sum())
    return _cell(ctx, answered, {"answered": answered, "count": yes, "share": share(yes, answered)})


def asks_about_problems(q: dict) -> bool:
    """A choice question marked `"problems": true`: it asks which problems or difficulties the respondent met."""
    return q.get("problems") is True and q.get("type") in CHOICE_TYPES


def prevalence(ctx: MetricContext) -> list[dict]:
    """Prevalence of each problem offered by a question about problems (marked `"problems": true`; an option
    marked `"problem": false`, such as «no difficulties», is not a problem): respondents who chose it / respondents
    who answered the question, whole percent rounded half up, with the tenant's band (Omsk 16 by default)."""
    df = _of(ctx.frame("surveys.options"), _pairs(ctx, asks_about_problems))
    out = []
    for (qid, key), g in df.groupby(["questionnaire_id", "question_key"], sort=False):
        qid = int(qid)
        q = _question(ctx, qid, key)
        answered = int(g.loc[g["option"].isna(), "n"].sum())
        offered = {str(o.get("value")): o for o in q.get("options", []) if isinstance(o, dict)}
        chosen = g[g["option"].notna()]
        hidden = suppress_breakdown({str(r["option"]): int(r["n"]) for _, r in chosen.iterrows()},
                              ctx.min_cell_size) if _employee(ctx) else ()
        for _, r in chosen.iterrows():
            option = offered.get(str(r["option"]), {})
            if option.get("problem") is False or str(r["option"]) in hidden:
                continue
            count = int(r["n"])
            percent = percent_half_up(count, answered)
            out.append({"questionnaire": qid, "questionnaire_title": _questionnaire(ctx, qid)["title"],
                        "question": str(key), "option": str(r["option"]),
                        "title": option.get("text", str(r["option"])), "count": count,
                        "respondents": answered, "percent": percent,
                        "level": prevalence_level(ctx.tenant, percent)})
    return sorted(out, key=lambda p: (-(p["percent"] or 0), p["questionnaire"], p["question"], p["option"]))


def negative(ctx: MetricContext) -> dict:
    """Negative answers: 1 and 2 on 1-5 questions (scales and matrix rows), of all such answers. For employees the
    group is the period's respondents (many answers each), so fewer than the minimum suppress it."""
    df = ctx.frame("surveys.scales")
    n = int(df["n"].sum()) if len(df) else 0
    neg = int(df.loc[df["value"].astype(float) <= 2, "n"].sum()) if n else 0
    return _cell(ctx, responses(ctx), {"answers": n, "count": neg, "share": share(neg, n)})


def themes(ctx: MetricContext) -> list[dict]:
    from .themes import group_themes

    df = ctx.frame("surveys.texts")
    found = group_themes(df["text"].tolist() if len(df) else [], settings=ctx.tenant.settings_of("standard_metrics"))
    if _employee(ctx):
        found = [t for t in found if t["count"] >= ctx.min_cell_size]
    return found
