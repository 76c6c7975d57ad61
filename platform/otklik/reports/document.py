"""A stored analysis document, read for people: sections of facts and tables, with the charts they carry.

Office pages, the XLSX and the information note are all rendered from this one reading of the stored result
(never recomputed). The reading is forgiving: the engine's keys may grow or change shape, so a known key gets
its title, columns and chart, an unknown one is still shown as a generic table, and a missing figure is None
(shown as "—"), never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

from flask_babel import lazy_gettext as _l

CODE = re.compile(r"^[0-9][0-9.]*$")

# Keys of the document that describe it rather than measure something.
META_KEYS = {
    "tenant", "kind", "period", "period_start", "period_end", "timezone", "computed_at", "signals", "inputs",
    "conclusions", "survey", "survey_link", "instrument", "instruments", "questionnaire", "title", "schema",
    "version", "cadence", "questionnaires",  # `questionnaires` is read into the csat and choices sections
}
# Per-question sections a survey document stores per questionnaire (`questionnaires: [{id, title, csat, choices}]`):
# a question is (questionnaire, key), so the same key in two questionnaires is two questions.
PER_QUESTIONNAIRE = ("csat", "choices")

FIELD_LABELS = {
    "label": _l("Name"),
    "code": _l("Code"),
    "title": _l("Title"),
    "name": _l("Name"),
    "count": _l("Count"),
    "share": _l("Share"),
    "total": _l("Total"),
    "mean": _l("Mean"),
    "median": _l("Median"),
    "p90": _l("90th percentile"),
    "min": _l("Minimum"),
    "max": _l("Maximum"),
    "answered": _l("Answered, count"),
    "within_30": _l("Answered within 30 days"),
    "within_30_share": _l("Share answered within 30 days"),
    "satisfied": _l("Satisfied"),
    "satisfied_share": _l("Share satisfied"),
    "unsatisfied": _l("Unsatisfied"),
    "unsatisfied_share": _l("Share unsatisfied"),
    "responses": _l("Responses"),
    "respondents": _l("Respondents"),
    "answers": _l("Answers"),
    "n": _l("Answers"),
    "share_4_5": _l("Share of 4 and 5"),
    "csat": _l("Satisfaction (CSAT)"),
    "examples": _l("Example answers"),
    "percent": _l("Percent"),
    "level": _l("Prevalence level"),
    "priority": _l("Priority"),
    "section": _l("Section"),
    "thematic": _l("Thematic"),
    "question": _l("Question"),
    "option": _l("Answer"),
    "theme": _l("Theme"),
    "informed": _l("Informed"),
    "informed_share": _l("Share informed"),
    "appeals": _l("Appeals and complaints"),
    "complaints": _l("Complaints"),
    "bucket": _l("Days"),
    "csat_mean": _l("Mean satisfaction"),
    "lemmas": _l("Key words"),
    "note": _l("Note"),
    "questionnaire_title": _l("Questionnaire"),
    "reasons": _l("Different reasons"),
    "within_30_share_": _l("Share answered within 30 days"),
    "open_answers": _l("Open answers, count"),
}

VALUE_LABELS = {
    "unspecified": _l("not specified"),
    "unclassified": _l("not classified"),
    "other": _l("all other"),
    "appeal": _l("appeal"),
    "complaint": _l("complaint"),
    "request": _l("request"),
    "proposal": _l("proposal"),
    "high": _l("high"),
    "medium": _l("medium"),
    "low": _l("low"),
    # survey parameters (Omsk 13, Vladimir appendix), when the document names one by its code
    "overall": _l("Overall satisfaction"),
    "clarity": _l("Clarity and ease of applying"),
    "status_info": _l("Information on the status"),
    "documents": _l("Number of documents"),
    "speed": _l("Speed"),
    "electronic": _l("Electronic availability"),
    "electronic_service": _l("Electronic services"),
    "informed": _l("Informed"),
    "politeness": _l("Politeness and competence of staff"),
    "deadlines": _l("Deadlines kept"),
    "completeness": _l("Completeness"),
}
SUPPRESSED_TEXT = _l("hidden: a group smaller than the minimum")
HIDDEN_FIELDS = {"csat": {"parameter"}, "prevalence": {"questionnaire", "question", "option"}, "choices": set()}

SECTION_TITLES = {
    "total": _l("Appeals and complaints registered"),
    "by_kind": _l("By kind"),
    "by_channel": _l("By channel"),
    "reasons": _l("Main reasons"),
    "by_topic": _l("By topic of the classifier"),
    "by_section": _l("By section of the classifier"),
    "by_thematic": _l("By thematic of the classifier"),
    "waiting_days": _l("Waiting time for an answer, days"),
    "complaints": _l("Satisfied and unsatisfied complaints"),
    "redirected": _l("Redirected to the competent body"),
    "by_segment": _l("By client segment"),
    "responses": _l("Responses"),
    "csat": _l("Satisfaction (CSAT) per question"),
    "parameters": _l("Satisfaction with parameters"),
    "by_object": _l("By object of feedback"),
    "choices": _l("Answers to choice questions"),
    "informed": _l("Informed"),
    "themes": _l("Open answers: themes"),
    "open_answers": _l("Open answers: themes"),
    "prevalence": _l("Prevalence of problems"),
    "negative": _l("Negative answers (1-2 of 5)"),
}

SHEET_NAMES = {
    "total": "Всего",
    "by_kind": "Виды",
    "by_channel": "Каналы",
    "reasons": "Причины",
    "by_topic": "Темы",
    "by_section": "Разделы",
    "by_thematic": "Тематики",
    "waiting_days": "Время ожидания",
    "complaints": "Жалобы",
    "redirected": "Перенаправлено",
    "by_segment": "Сегменты",
    "responses": "Ответы",
    "csat": "CSAT",
    "parameters": "Параметры",
    "by_object": "Объекты",
    "choices": "Варианты ответов",
    "informed": "Информированность",
    "themes": "Открытые ответы",
    "open_answers": "Открытые ответы",
    "prevalence": "Распространенность",
    "negative": "Негативные ответы",
}

# Sections that are a record of named figures rather than a breakdown by something.
RECORD_KEYS = {"total", "waiting_days", "complaints", "redirected", "responses", "informed", "negative"}
ORDER = ["total", "responses", "by_kind", "by_channel", "reasons", "by_topic", "by_section", "by_thematic",
         "waiting_days", "complaints", "redirected", "by_segment", "csat", "parameters", "negative", "by_object",
         "choices", "informed", "prevalence", "themes", "open_answers"]
LABEL_KEYS = ("label", "code", "title", "name", "reason", "topic", "question", "theme", "option", "segment",
              "channel", "object", "parameter", "bucket", "value")
DISTRIBUTION_KEYS = ("distribution", "histogram", "buckets")
LAYOUT_FLAGS = ("group", "indent")  # row flags for the renderers: a question's header row, an option under it
TOP_N = 12  # bars in a chart; the table below it lists every row


@dataclass
class Column:
    key: str
    label: Any
    fmt: str  # text | int | share | num


@dataclass
class Chart:
    kind: str  # pie | bar | column
    title: Any
    labels: list[str]
    values: list[float]
    fmt: str  # int | share | num: how the values read
    series: Any = ""


@dataclass
class Section:
    key: str
    title: Any
    facts: list[tuple[Any, Any, str]] = field(default_factory=list)  # (label, value, fmt)
    columns: list[Column] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    chart: Chart | None = None
    sheet: str = ""
    note: Any = ""

    @property
    def empty(self) -> bool:
        return not self.facts and not self.rows


def _num(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Number):
        return float(value)
    return None


def fmt_of(key: str, value=None) -> str:
    k = str(key).lower()
    if "share" in k or k in ("percent_share",):
        return "share"
    if isinstance(value, bool):
        return "text"
    if isinstance(value, int) or k in ("count", "total", "answered", "responses", "respondents", "answers", "n"):
        return "int" if (value is None or isinstance(value, int) or float(value).is_integer()) else "num"
    if isinstance(value, float):
        return "num"
    return "text"


def label_of(key: str):
    return FIELD_LABELS.get(key, str(key).replace("_", " "))


def _scalar(value):
    """A cell value: numbers and text as they are, lists of text joined, anything nested left out."""
    if value is None or isinstance(value, str | Number):
        return value
    if isinstance(value, list) and all(isinstance(v, str | Number) for v in value):
        return "; ".join(str(v) for v in value)
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        texts = [str(v.get("text") or v.get("answer") or next(iter(v.values()), "")) for v in value]
        return "; ".join(t for t in texts if t)
    return None


def _rows(value, labeller=None) -> list[dict]:
    """A breakdown of any of the shapes the engine may use, as rows with a `label` first."""
    rows: list[dict] = []
    if isinstance(value, dict):
        for name, inner in value.items():
            if isinstance(inner, dict) and inner.get("suppressed"):
                label = inner.get("title") or _label(name, labeller)
                rows.append({"label": str(label), "note": SUPPRESSED_TEXT})
                continue
            if isinstance(inner, dict) and isinstance(inner.get("options"), dict):
                # a choice question: {title, respondents, options: {value: {title, count, share}}}
                question = inner.get("title") or _label(name, labeller)
                header = {"label": str(question), "group": True}
                if _num(inner.get("respondents")) is not None:
                    header["respondents"] = inner["respondents"]
                rows.append(header)
                for option, cell in inner["options"].items():
                    cell = cell if isinstance(cell, dict) else {"count": cell}
                    row = {"label": str(cell.get("title") or option), "indent": True}
                    if cell.get("suppressed"):
                        row["note"] = SUPPRESSED_TEXT
                    else:
                        row.update({k: cell[k] for k in ("count", "share") if k in cell})
                    rows.append(row)
                continue
            if isinstance(inner, dict):
                nested = [v for v in inner.values() if isinstance(v, dict)]
                if nested and len(nested) == len(inner):  # {question: {option: {...}}}: one row per pair
                    for sub, leaf in inner.items():
                        row = {"label": f"{_label(name, labeller)} — {sub}"}
                        row.update({k: _scalar(v) for k, v in leaf.items() if _scalar(v) is not None})
                        rows.append(row)
                    continue
                if inner and all(_num(v) is not None for v in inner.values()) and not (
                    set(inner) & set(FIELD_LABELS)
                ):  # {question: {option: count}}
                    for sub, count in inner.items():
                        rows.append({"label": f"{_label(name, labeller)} — {sub}", "count": count})
                    continue
                label = _label(name, labeller)
                if inner.get("title") and str(inner["title"]) != str(name):
                    # a classifier code keeps its code beside the title; an internal key gives way to it
                    label = f"{label} {inner['title']}" if CODE.match(label) else str(inner["title"])
                row = {"label": label}
                row.update({k: _scalar(v) for k, v in inner.items() if k != "title" and _scalar(v) is not None})
                rows.append(row)
            elif _scalar(inner) is not None:
                rows.append({"label": _label(name, labeller), "count" if _num(inner) is not None else "value": inner})
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                key = next((k for k in LABEL_KEYS if k in item), None)
                row = {"label": _label(item.get(key, ""), labeller) if key else ""}
                if key == "code" and item.get("title"):
                    row["label"] = f"{item['code']} {item['title']}"
                row.update({k: _scalar(v) for k, v in item.items()
                            if k != key and not (key == "code" and k == "title") and _scalar(v) is not None})
                rows.append(row)
            elif _scalar(item) is not None:
                rows.append({"label": str(item)})
    return rows


def _label(name, labeller) -> str:
    if labeller is not None:
        return labeller(str(name))
    special = VALUE_LABELS.get(str(name))
    return str(special) if special is not None else str(name)


def _columns(rows: list[dict]) -> list[Column]:
    keys: list[str] = []
    for row in rows:
        for k in row:
            if k not in keys and k not in LAYOUT_FLAGS:
                keys.append(k)
    first = [k for k in ("label", "count", "share") if k in keys]
    keys = first + [k for k in keys if k not in first]
    out = []
    for k in keys:
        sample = next((r[k] for r in rows if r.get(k) is not None), None)
        out.append(Column(k, label_of(k) if k != "label" else "", "text" if k == "label" else fmt_of(k, sample)))
    return out


def _facts(value: dict) -> list[tuple[Any, Any, str]]:
    out = []
    for k, v in value.items():
        if k in DISTRIBUTION_KEYS:
            continue
        if _scalar(v) is not None:
            out.append((label_of(k), v, fmt_of(k, v)))
    return out


def _value_column(rows: list[dict], prefer=("share", "count", "mean", "csat", "percent", "value")) -> str | None:
    for key in prefer:
        if any(_num(r.get(key)) is not None for r in rows):
            return key
    for row in rows:
        for k, v in row.items():
            if k != "label" and _num(v) is not None:
                return k
    return None


def _chart_from_rows(kind: str, title, rows: list[dict], prefer, top: int | None = TOP_N) -> Chart | None:
    column = _value_column(rows, prefer)
    if column is None:
        return None
    picked = [r for r in rows if _num(r.get(column)) is not None]
    if top and len(picked) > top:
        picked = sorted(picked, key=lambda r: -float(r[column]))[:top]
    if not picked:
        return None
    return Chart(kind, title, [str(r["label"]) for r in picked], [float(r[column]) for r in picked],
                 fmt_of(column, picked[0][column]), label_of(column))


CHART_TITLES = {
    "by_channel": _l("Channel shares"),
    "reasons": _l("Main reasons"),
    "by_topic": _l("Topics with the most appeals"),
    "by_section": _l("Sections of the classifier"),
    "waiting_days": _l("Waiting time for an answer"),
    "by_segment": _l("Client segments"),
    "csat": _l("Mean satisfaction per question"),
    "parameters": _l("Satisfaction with parameters (mean, 1-5)"),
    "by_object": _l("Objects of feedback"),
    "themes": _l("Themes of open answers"),
    "open_answers": _l("Themes of open answers"),
    "prevalence": _l("Prevalence of problems"),
}


def _waiting_section(section: Section, value: dict) -> None:
    section.facts = _facts(value)
    dist = next((value[k] for k in DISTRIBUTION_KEYS if value.get(k)), None)
    if dist:
        rows = _rows(dist)
        section.columns = _columns(rows)
        section.rows = rows
        section.chart = _chart_from_rows("column", CHART_TITLES["waiting_days"], rows, ("count", "share"), top=None)
    else:
        picks = [(label_of(k), _num(value.get(k))) for k in ("mean", "median", "p90")]
        picks = [(lbl, v) for lbl, v in picks if v is not None]
        if picks:
            section.chart = Chart("column", CHART_TITLES["waiting_days"], [str(lbl) for lbl, _ in picks],
                                  [v for _, v in picks], "num", _l("days"))



def _table(section: Section, rows: list, doc: dict, min_cell) -> list:
    """Put rows on a section as its table; employee groups below the minimum size are left out, with a note."""
    if min_cell and doc.get("kind") == "employee_surveys":
        rows = _suppress_small(rows, min_cell)
        section.note = _l("Groups of fewer than %(n)s answers are not shown.", n=min_cell)
    section.rows = rows
    section.columns = _columns(rows)
    return rows

def build_sections(doc: dict | None, channel_titles: dict[str, str] | None = None,
                   min_cell: int = 0) -> list[Section]:
    """The document's metrics, in a stable order, each as a section ready to render."""
    doc = doc or {}
    virtual = _per_questionnaire(doc)
    keys = [k for k in ORDER if k in doc or k in virtual] + sorted(
        k for k in doc if k not in ORDER and k not in META_KEYS)
    sections = []
    for key in keys:
        value = doc[key] if key in doc else virtual[key]
        title = SECTION_TITLES.get(key, str(key).replace("_", " ").capitalize())
        section = Section(key, title, sheet=SHEET_NAMES.get(key, str(key)[:31]))
        labeller = None
        if key == "by_channel" and channel_titles:
            labeller = lambda code: channel_titles.get(code, code)  # noqa: E731
        if key in virtual and key not in doc:
            rows = _table(section, _tidy(value, HIDDEN_FIELDS.get(key, set())), doc, min_cell)
            if key == "csat":
                section.chart = _chart_from_rows("bar", CHART_TITLES[key], rows, ("mean", "csat", "value", "share"))
        elif key == "waiting_days" and isinstance(value, dict):
            _waiting_section(section, value)
        elif key in RECORD_KEYS and isinstance(value, dict) and all(_scalar(v) is not None or k in DISTRIBUTION_KEYS
                                                                     for k, v in value.items()):
            section.facts = _facts(value)
        elif _scalar(value) is not None and not isinstance(value, list):
            section.facts = [(title, value, fmt_of(key, value))]
        elif isinstance(value, dict) and value and all(_scalar(v) is not None for v in value.values()) and (
            key in RECORD_KEYS or not all(_num(v) is not None for v in value.values())
        ):
            section.facts = _facts(value)
        else:
            rows = _table(section, _tidy(_rows(value, labeller), HIDDEN_FIELDS.get(key, set())), doc, min_cell)
            if key == "by_channel":
                section.chart = _chart_from_rows("pie", CHART_TITLES[key], rows, ("share", "count"), top=None)
            elif key in ("csat", "parameters"):
                section.chart = _chart_from_rows("bar", CHART_TITLES[key], rows, ("mean", "csat", "value", "share"))
            elif key == "prevalence":
                section.chart = _chart_from_rows("bar", CHART_TITLES[key], rows, ("percent", "share", "count"))
            elif key in ("themes", "open_answers"):
                section.chart = _chart_from_rows("bar", CHART_TITLES[key], rows, ("count", "share"))
            elif key in CHART_TITLES:
                section.chart = _chart_from_rows("bar", CHART_TITLES[key], rows, ("count", "share", "mean"))
        if not section.empty:
            sections.append(section)
    return sections


def _per_questionnaire(doc: dict) -> dict[str, list[dict]]:
    """Rows of the per-question sections of a document that stores them per questionnaire (a document with the
    older top-level `csat` / `choices` maps is read as before). With several questionnaires each one's questions
    come under a header row with its title."""
    items = doc.get("questionnaires")
    if not isinstance(items, list):
        return {}
    items = [q for q in items if isinstance(q, dict)]
    several = sum(1 for q in items if any(isinstance(q.get(m), dict) and q[m] for m in PER_QUESTIONNAIRE)) > 1
    out: dict[str, list[dict]] = {}
    for metric in PER_QUESTIONNAIRE:
        if metric in doc:
            continue
        rows: list[dict] = []
        for item in items:
            inner = _rows(item[metric]) if isinstance(item.get(metric), dict) else []
            if not inner:
                continue
            if several:
                title = item.get("title") or item.get("id") or "—"
                rows.append({"label": str(_l("Questionnaire: %(title)s", title=title)), "group": True})
                if metric == "csat":
                    inner = [{**r, "indent": True} for r in inner]
            rows += inner
        if rows:
            out[metric] = rows
    return out


def _tidy(rows: list[dict], hidden: set[str]) -> list[dict]:
    """Leave out internal keys of a metric and name coded values (prevalence levels) in words."""
    out = []
    for row in rows:
        row = {k: v for k, v in row.items() if k not in hidden}
        for k in ("level", "priority"):
            if isinstance(row.get(k), str) and row[k] in VALUE_LABELS:
                row[k] = str(VALUE_LABELS[row[k]])
        out.append(row)
    return out


def overall_csat(doc: dict | None):
    """The overall satisfaction (mean of 1-5): the (older, top-level) CSAT question whose parameter is `overall`,
    else the parameter `overall` (over every questionnaire's overall question), else None."""
    csat = (doc or {}).get("csat")
    for q in csat.values() if isinstance(csat, dict) else []:
        if isinstance(q, dict) and q.get("parameter") == "overall" and _num(q.get("mean")) is not None:
            return q["mean"]
    value = dig(doc, "parameters.overall.mean", "overall.mean", "csat_overall")
    return value if _num(value) is not None else None


def _suppress_small(rows: list[dict], min_cell: int) -> list[dict]:
    out = []
    for row in rows:
        size = next((row[k] for k in ("n", "answers", "responses", "respondents", "count") if _num(row.get(k))
                     is not None), None)
        if size is not None and size < min_cell:
            continue
        out.append(row)
    return out


def signals_of(doc: dict | None) -> list[dict]:
    """Signals as dicts with at least a `message`; a plain string is a message."""
    out = []
    for s in (doc or {}).get("signals") or []:
        if isinstance(s, str):
            out.append({"message": s})
        elif isinstance(s, dict):
            s = dict(s)
            s.setdefault("message", s.get("title") or s.get("text") or s.get("code") or "")
            out.append(s)
    return out


def dig(doc: dict | None, *paths, default=None):
    """The first present value among dotted paths: dig(doc, "survey.link", "survey_link")."""
    for path in paths:
        node: Any = doc or {}
        for part in path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                node = None
                break
        if node not in (None, "", [], {}):
            return node
    return default


def headline(doc: dict | None) -> list[tuple[Any, Any, str]]:
    """The few figures a reader looks at first."""
    doc = doc or {}
    out: list[tuple[Any, Any, str]] = []
    total = dig(doc, "total.count", "total")
    if _num(total) is not None:
        out.append((_l("Appeals and complaints"), total, "int"))
    responses = dig(doc, "responses.count", "responses.total", "responses")
    if _num(responses) is not None:
        out.append((_l("Responses"), responses, "int"))
    for label, path, fmt in (
        (_l("Median waiting, days"), "waiting_days.median", "num"),
        (_l("Answered within 30 days"), "waiting_days.within_30_share", "share"),
        (_l("Complaints satisfied"), "complaints.satisfied_share", "share"),
        (_l("Complaints unsatisfied"), "complaints.unsatisfied_share", "share"),
        (_l("Redirected"), "redirected.share", "share"),
        (_l("Share informed"), "informed.share", "share"),
        (_l("Negative answers (1-2 of 5)"), "negative.share", "share"),
    ):
        value = dig(doc, path)
        if _num(value) is not None:
            out.append((label, value, fmt))
    overall = overall_csat(doc)
    if _num(overall) is not None:
        out.insert(1 if out else 0, (_l("Overall satisfaction (CSAT)"), overall, "num"))
    return out


def as_fraction(value) -> float | None:
    """A share as a fraction of 1 (the engine writes fractions; a value above 1 is read as a percentage)."""
    v = _num(value)
    if v is None:
        return None
    return v / 100 if v > 1 else v


def figure(value, fmt: str = "num") -> str:
    """A figure as a reader of the current locale writes it: `1 234`, `12,5`, `41,5 %`; "—" when missing."""
    from flask_babel import format_decimal, format_percent

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if _num(value) is None:
        return str(value)
    if fmt == "share":
        return format_percent(as_fraction(value), "#,##0.0\u00a0%")
    if fmt == "int":
        return format_decimal(value, "#,##0")
    return format_decimal(value, "#,##0.##")
