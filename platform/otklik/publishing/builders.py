"""The artifacts a publication can be, each built as a payload (docs/PUBLISHING.md, "The payload").

(a) the quarterly appeals analysis (Vladimir 22: appeals by channel and kind, topics with the classifier's titles,
satisfied and unsatisfied complaints, the redirected share); (b) the survey summary (Nenets 16/18, Vladimir 17):
respondents, satisfaction by service and by parameter, never an open answer; (c) «Вы сказали — мы сделали»: the
pains whose measures have a public wording, by life situation, service and touchpoint (Nenets 16). Employee
results are never an artifact (the service refuses them before a builder is asked).

An analysis is read only through `otklik.results`: the stored document goes through the one disclosure control
(`results.disclosure.disclose`, k never below 5) and is then read with `results.document.Document`; every hidden
cell is recorded with its reason for the officer. The payload is a document of the authority, in Russian whatever
the reader's language, and carries no free text of the office (reasons, themes, examples, internal wordings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from sqlalchemy import select

from ..channels import channel_codes
from ..extensions import db
from ..models import Analysis, PainEvent
from ..periods import BadPeriod, parse_period
from ..results.disclosure import disclose
from ..results.document import Document
from ..results.shapes import is_hidden, is_number

SCHEMA = 1
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")
# Which artifacts an analysis of a kind may feed (employee surveys feed none).
AFTER = {"appeals": ("appeals_analysis", "you_said_we_did"), "surveys": ("survey_summary", "you_said_we_did")}
SOURCE_KIND = {"appeals_analysis": "appeals", "survey_summary": "surveys"}


class NothingToPublish(ValueError):
    """No finished analysis (or nothing with a public wording) for the period: no draft is built."""


@dataclass
class Built:
    payload: dict
    suppressed: list = field(default_factory=list)
    source_analysis_id: int | None = None


def artifacts_after(kind: str) -> tuple[str, ...]:
    return AFTER.get(kind, ())


# -- numbers in Russian --

def number_text(value, digits: int = 1) -> str:
    """12 -> "12", 34.2 -> "34,2", 1234 -> "1 234" (the Russian way, as the summaries read)."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u00a0")
    text = f"{value:,.{digits}f}".replace(",", "\u00a0").replace(".", ",")
    return text


def percent(share) -> float | None:
    """A stored share (0..1) as a percentage with one decimal."""
    return round(share * 100, 1) if is_number(share) else None


def period_of(name: str) -> dict:
    try:
        p = parse_period(name)
    except BadPeriod as exc:
        raise NothingToPublish(f"Период «{name}» не распознан: ожидается ГГГГ-ММ, ГГГГ-Qn, ГГГГ-Hn или ГГГГ.") from exc
    year = p.start.year
    if p.cadence == "quarter":
        title = f"{ROMAN[(p.start.month - 1) // 3 + 1]} квартал {year} г."
    elif p.cadence == "half_year":
        title = f"{(p.start.month - 1) // 6 + 1}-е полугодие {year} г."
    elif p.cadence == "year":
        title = f"{year} год"
    else:
        title = f"{MONTHS[p.start.month - 1]} {year} г."
    return {"name": p.name, "title": title, "start": p.start.isoformat(), "end": p.last_day.isoformat()}


def _hidden_note(k: int) -> str:
    return f"Группы меньше {k} и значения, по которым их можно вычислить, не показываются; «—» — значение скрыто."


# -- reading one analysis through results --

def _analysis(kind: str, period: str) -> Analysis:
    analysis = db.session.execute(select(Analysis).where(Analysis.kind == kind, Analysis.period == period)
                                  ).scalar_one_or_none()
    if analysis is None or analysis.status != "done" or not analysis.result:
        raise NothingToPublish(f"Анализ «{kind}» за период {period} не выполнен: публиковать нечего.")
    return analysis


class _Reader:
    """A disclosed document and the audit of what it hid, turned into payload blocks (with their suppressed
    cells named by block, row and column)."""

    def __init__(self, tenant, analysis: Analysis, k: int):
        disclosed = disclose(analysis.result, k)
        titles = {code: c.title for code, c in channel_codes(tenant).items()}
        self.doc = Document(disclosed.values, titles)
        self.audit = disclosed.audit
        self.k = k
        self.suppressed: list[dict] = []

    def reason(self, path: str, cell: str) -> str:
        return next((s.reason for s in self.audit if s.path == path and s.cell in (cell, "*")), "primary")

    def hide(self, block: str, row: int, label: str, columns: list[str], reason: str) -> None:
        for column in columns:
            self.suppressed.append({"block": block, "row": row, "label": label, "column": column,
                                    "reason": reason})

    def breakdown(self, key: str, block: str, title: str, label_title: str, labels, *, count_title: str,
                  summary, count_key: str = "count", share: bool = True, extra: tuple = ()) -> dict | None:
        """A breakdown as a block: shown cells by count (largest first), the hidden ones after them. `extra` are
        further columns ({key, title, type, value(cell)}) of figures resting on the count."""
        cells = self.doc.cells(key)
        if not cells:
            return None
        shown = sorted([(code, cell) for code, cell in cells if not is_hidden(cell)],
                       key=lambda item: -(item[1].get(count_key) or 0))
        hidden = [(code, cell) for code, cell in cells if is_hidden(cell)]
        keys = ["count", *(["share"] if share else []), *[c["key"] for c in extra]]
        rows = []
        for code, cell in shown:
            row = {"label": labels(code, cell), "count": cell.get(count_key)}
            if share:
                row["share"] = percent(cell.get("share"))
            rows.extend([row | {c["key"]: c["value"](cell) for c in extra}])
        for code, cell in hidden:
            label = labels(code, cell)
            self.hide(block, len(rows), label, keys, str(cell.get("suppressed") or self.reason(key, code)))
            rows.append({"label": label, **{k: None for k in keys}})
        columns = [{"key": "label", "title": label_title, "type": "string"},
                   {"key": "count", "title": count_title, "type": "integer"},
                   *([{"key": "share", "title": "Доля, %", "type": "number"}] if share else []),
                   *[{"key": c["key"], "title": c["title"], "type": c["type"]} for c in extra]]
        return {"id": block, "title": title, "summary": summary(rows), "columns": columns, "rows": rows,
                "chart": {"type": "horizontalBar" if len(rows) > 6 else "bar", "label": "label", "value": "count"},
                "notes": [_hidden_note(self.k)] if hidden else []}


def _largest_sentence(rows: list[dict], subject: str, about: str) -> str:
    shown = [r for r in rows if isinstance(r.get("count"), int)]
    if not shown:
        return f"Все группы {subject} скрыты: каждая меньше порога или выдала бы скрытую."
    top = max(shown, key=lambda r: r["count"])
    share = f" ({number_text(top['share'])} %)" if top.get("share") is not None else ""
    return f"Больше всего {subject} — {number_text(top['count'])}{share} — {about} «{top['label']}»."


# -- (a) the appeals analysis --

def _topic_titles(codes) -> dict[str, str]:
    """The classifier's titles of topic codes (`intake.classifier.topic_titles`, the one namer of codes); a code
    of no known section says it is not in the classifier."""
    from ..intake.classifier import topic_titles

    titles = topic_titles(codes)
    return {code: str(titles.get(code) or "Тематика вне классификатора") for code in codes}


def _figures_block(r, k: int, rows: list[dict], summary: str, columns: list[dict]) -> dict:
    """The «Основные показатели» block of an artifact, with the note on hidden values when it hides one."""
    hidden = any(s["block"] == "figures" for s in r.suppressed)
    return {"id": "figures", "title": "Основные показатели", "summary": summary, "columns": columns, "rows": rows,
            "notes": [_hidden_note(k)] if hidden else []}


def _value_label(doc: Document, kind: str):
    return lambda code, cell: str(cell.get("title") or doc.label(kind, code))


def appeals_analysis(tenant, period: str, *, k: int) -> tuple[list[dict], list[dict], int]:
    analysis = _analysis("appeals", period)
    r = _Reader(tenant, analysis, k)
    doc = r.doc
    blocks = []
    total = doc.count("total")
    complaints, redirected = doc.record("complaints"), doc.record("redirected")
    # 22.1, 22.3-22.5: the figures of the quarter
    figures = [
        ("total", "Обращения и жалобы, всего (п. 22.1)", total, None, "total", "total"),
        ("complaints", "Жалобы, всего", complaints.get("total"), None, "complaints", "total"),
        ("satisfied", "Удовлетворённые жалобы, доля от жалоб (п. 22.3)", complaints.get("satisfied"),
         complaints.get("satisfied_share"), "complaints", "satisfied"),
        ("unsatisfied", "Неудовлетворённые жалобы, доля от жалоб (п. 22.4)", complaints.get("unsatisfied"),
         complaints.get("unsatisfied_share"), "complaints", "unsatisfied"),
        ("redirected", "Перенаправлены по принадлежности, доля от обращений (п. 22.5)", redirected.get("count"),
         redirected.get("share"), "redirected", "count"),
    ]
    rows = []
    for _key, label, count, share, path, cell in figures:
        hidden = any(s.path == path and s.cell in (cell, "*") for s in r.audit) or (
            path != "total" and path in ("complaints", "redirected") and not doc.record(path)
            and any(s.path == path for s in r.audit))
        if hidden:
            r.hide("figures", len(rows), label, ["count", "share"], r.reason(path, cell))
        rows.append({"label": label, "count": count if isinstance(count, int) else None, "share": percent(share)})
    parts = []
    if isinstance(total, int):
        parts.append(f"За {period_of(period)['title']} поступило {number_text(total)} обращений и жалоб")
    sat, unsat = rows[2], rows[3]
    if sat["share"] is not None and unsat["share"] is not None:
        parts.append(f"удовлетворено {number_text(sat['share'])} % жалоб, не удовлетворено "
                     f"{number_text(unsat['share'])} %")
    if rows[4]["share"] is not None:
        parts.append(f"перенаправлено по принадлежности {number_text(rows[4]['share'])} % обращений")
    summary = ("; ".join(parts) + ".") if parts else "Показатели квартала скрыты: групп меньше порога."
    blocks.append(_figures_block(r, k, rows, summary, [{"key": "label", "title": "Показатель", "type": "string"},
                                                       {"key": "count", "title": "Число", "type": "integer"},
                                                       {"key": "share", "title": "Доля, %", "type": "number"}]))
    block = r.breakdown("by_channel", "by_channel", "Обращения по каналам поступления (п. 22.1)", "Канал",
                        _value_label(doc, "channel"), count_title="Обращений",
                        summary=lambda rows: _largest_sentence(rows, "обращений", "поступило через канал"))
    blocks += [block] if block else []
    block = r.breakdown("by_kind", "by_kind", "Обращения по видам", "Вид", _value_label(doc, "value"),
                        count_title="Число",
                        summary=lambda rows: _largest_sentence(rows, "обращений", "относится к виду"))
    blocks += [block] if block else []
    codes = [code for code, _cell in doc.cells("by_topic")]
    titles = _topic_titles(codes)
    block = r.breakdown("by_topic", "by_topic", "Обращения по тематикам классификатора (п. 22.2)", "Тематика",
                        lambda code, cell: titles.get(code, code), count_title="Обращений",
                        summary=lambda rows: _largest_sentence(rows, "обращений", "о тематике"))
    blocks += [block] if block else []
    return blocks, r.suppressed, analysis.id


# -- (b) the survey summary --

def survey_summary(tenant, period: str, *, k: int) -> tuple[list[dict], list[dict], int]:
    analysis = _analysis("surveys", period)
    r = _Reader(tenant, analysis, k)
    doc = r.doc
    blocks = []
    responses = doc.count("responses")
    overall = doc.overall_csat()
    negative, informed = doc.record("negative"), doc.record("informed")
    rows = [{"label": "Участники опросов (анкет)", "value": responses if isinstance(responses, int) else None},
            {"label": "Общая удовлетворённость, средняя оценка от 1 до 5",
             "value": round(overall, 2) if is_number(overall) else None},
            {"label": "Доля оценок 1–2 (негативных), %", "value": percent(negative.get("share"))},
            {"label": "Доля информированных о порядке получения услуги, %", "value": percent(informed.get("share"))}]
    for i, (path, cell) in enumerate([("responses", "responses"), ("parameters", "overall"),
                                      ("negative", "share"), ("informed", "share")]):
        if rows[i]["value"] is None and any(s.path == path and s.cell in (cell, "*", "count", "answered", "answers")
                                            for s in r.audit):
            r.hide("figures", i, rows[i]["label"], ["value"], r.reason(path, cell))
    parts = []
    if rows[0]["value"] is not None:
        parts.append(f"В опросах за {period_of(period)['title']} участвовали {number_text(rows[0]['value'])} "
                     f"человек")
    if rows[1]["value"] is not None:
        parts.append(f"средняя оценка удовлетворённости — {number_text(rows[1]['value'], 2)} из 5")
    summary = ("; ".join(parts) + ".") if parts else "Показатели скрыты: участников меньше порога."
    blocks.append(_figures_block(r, k, rows, summary, [{"key": "label", "title": "Показатель", "type": "string"},
                                                       {"key": "value", "title": "Значение", "type": "number"}]))

    def by_service_summary(rows):
        rated = [x for x in rows if isinstance(x.get("csat_mean"), (int, float))]
        if not rated:
            return _largest_sentence(rows, "анкет", "об услуге")
        best = max(rated, key=lambda x: x["csat_mean"])
        return (f"Оценки получены по {len([x for x in rows if x.get('count') is not None])} услугам; выше всего "
                f"оценена услуга «{best['label']}» — {number_text(best['csat_mean'], 2)} из 5.")

    block = r.breakdown("by_object", "by_service", "Удовлетворённость по услугам", "Услуга",
                        _value_label(doc, "text"), count_title="Анкет", summary=by_service_summary,
                        count_key="responses", share=False,
                        extra=({"key": "csat_mean", "title": "Средняя оценка (1–5)", "type": "number",
                                "value": lambda c: round(c["csat_mean"], 2) if is_number(c.get("csat_mean"))
                                else None},))
    if block:
        block["chart"] = {"type": "bar", "label": "label", "value": "csat_mean"}
        blocks.append(block)

    stats = doc.stats("parameters")
    if stats:
        prow = []
        for code, cell in stats.items():
            label = str(cell.get("title") or doc.label("value", code)) if isinstance(cell, dict) else code
            if is_hidden(cell):
                r.hide("parameters", len(prow), label, ["n", "mean", "share_4_5"],
                       str(cell.get("suppressed") or r.reason("parameters", code)))
                prow.append({"label": label, "n": None, "mean": None, "share_4_5": None})
            else:
                prow.append({"label": label, "n": cell.get("n"),
                             "mean": round(cell["mean"], 2) if is_number(cell.get("mean")) else None,
                             "share_4_5": percent(cell.get("share_4_5"))})
        rated = [x for x in prow if x["mean"] is not None]
        if rated:
            low = min(rated, key=lambda x: x["mean"])
            summary = (f"Ниже всего оценён параметр «{low['label']}» — {number_text(low['mean'], 2)} из 5; "
                       f"оценено параметров: {len(rated)}.")
        else:
            summary = "Оценки параметров скрыты: ответов меньше порога."
        blocks.append({"id": "parameters", "title": "Удовлетворённость параметрами обслуживания",
                       "summary": summary,
                       "columns": [{"key": "label", "title": "Параметр", "type": "string"},
                                   {"key": "n", "title": "Ответов", "type": "integer"},
                                   {"key": "mean", "title": "Средняя оценка (1–5)", "type": "number"},
                                   {"key": "share_4_5", "title": "Доля оценок 4–5, %", "type": "number"}],
                       "rows": prow, "chart": {"type": "horizontalBar", "label": "label", "value": "mean"},
                       "notes": [_hidden_note(k)] if len(rated) < len(prow) else []})
    return blocks, r.suppressed, analysis.id


# -- (c) «Вы сказали — мы сделали» --

GROUPINGS = (("life_situation", "by_life_situation", "По жизненным ситуациям", "Жизненная ситуация"),
             ("process", "by_service", "По услугам", "Услуга"),
             ("touchpoint", "by_touchpoint", "По точкам взаимодействия", "Точка взаимодействия"))
PUBLIC_MEASURE_STATUSES = ("planned", "in_progress", "on_hold", "done")
STATUS_WORDS = {"planned": "Запланировано", "in_progress": "Выполняется", "on_hold": "Приостановлено",
                "done": "Сделано"}


def _done_on(measure_ids: list[int]) -> dict[int, str]:
    """When each measure was marked done (its last change of status to `done` in the pain's history)."""
    if not measure_ids:
        return {}
    events = db.session.execute(select(PainEvent.measure_id, PainEvent.at).where(
        PainEvent.measure_id.in_(measure_ids), PainEvent.field == "status", PainEvent.new == "done")
        .order_by(PainEvent.at)).all()
    return {mid: at.date().isoformat() for mid, at in events}


def you_said_we_did(tenant, period: str, *, k: int) -> tuple[list[dict], list[dict], int | None]:
    from ..painmap import table

    period_of(period)
    blocks = []
    rows_by_grouping = {}
    measures = []
    for grouping, _block, _title, _label in GROUPINGS:
        groups = table.grouped(tenant, grouping)
        lines = []
        for g in groups:
            for row in g.rows:
                for m in row.pain.measures:
                    if not (m.public_wording or "").strip() or m.status not in PUBLIC_MEASURE_STATUSES:
                        continue
                    measures.append(m)
                    lines.append((g.title, row.pain, m))
        rows_by_grouping[grouping] = lines
    done_on = _done_on(sorted({m.id for m in measures}))
    if not measures:
        raise NothingToPublish("Ни у одной меры нет публичной формулировки: публиковать нечего.")
    for grouping, block_id, title, label in GROUPINGS:
        rows = [{"group": group, "problem": pain.wording.strip(), "measure": m.public_wording.strip(),
                 "status": STATUS_WORDS[m.status], "due": m.due_date.isoformat() if m.due_date else None,
                 "done_on": done_on.get(m.id) if m.status == "done" else None}
                for group, pain, m in rows_by_grouping[grouping]]
        done = sum(1 for x in rows if x["done_on"] or x["status"] == STATUS_WORDS["done"])
        groups = len({x["group"] for x in rows})
        blocks.append({
            "id": block_id, "title": title,
            "summary": f"Решений по обратной связи: {len(rows)}, из них выполнено {done}; групп: {groups}.",
            "columns": [{"key": "group", "title": label, "type": "string"},
                        {"key": "problem", "title": "Вы сказали", "type": "string"},
                        {"key": "measure", "title": "Мы сделали", "type": "string"},
                        {"key": "status", "title": "Состояние", "type": "string"},
                        {"key": "due", "title": "Срок", "type": "date"},
                        {"key": "done_on", "title": "Выполнено", "type": "date"}],
            "rows": rows, "notes": []})
    return blocks, [], None


TITLES = {
    "appeals_analysis": "Анализ обращений граждан за {period}",
    "survey_summary": "Результаты опросов получателей услуг за {period}",
    "you_said_we_did": "Вы сказали — мы сделали: {period}",
}
BUILDERS = {"appeals_analysis": appeals_analysis, "survey_summary": survey_summary,
            "you_said_we_did": you_said_we_did}


def build(tenant, artifact: str, period: str, *, k: int, section: str, clause: str) -> Built:
    """The payload of `artifact` for `period` (its texts in Russian, whatever the reader's language)."""
    with force_locale("ru"):
        p = period_of(period)
        blocks, suppressed, source = BUILDERS[artifact](tenant, p["name"], k=k)
    payload = {"schema": SCHEMA, "artifact": artifact, "title": TITLES[artifact].format(period=p["title"]),
               "period": p, "section": section, "clause": clause, "min_cell": k, "blocks": blocks}
    return Built(payload, suppressed, source)
