"""A stored analysis document: its declarations, its validation, and the one reading of it.

The metrics a document may hold are those the installed plugins declare (`declarations`), each with its shape.
`validate` checks a computed document against them (the runner refuses to store an invalid one); `read` upgrades
a stored document of an older schema and gives readers a `Document` that answers through the shapes. A key no
plugin declares is listed in `Document.undeclared` and shown nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ..plugins import get_plugin_manager
from ..vocabulary import indicator_label
from .shapes import (
    DOC,
    HIDDEN,
    OWN,
    Breakdown,
    Count,
    Prevalence,
    Questionnaires,
    Rates,
    ReadContext,
    Record,
    Section,
    Stats,
    SurveyList,
    Themes,
    is_hidden,
    is_number,
)
from .standard import TITLES

SCHEMA_VERSION = 2
# Keys that describe the document rather than measure something: written by the runner, not by a metric.
META_KEYS = ("schema", "tenant", "kind", "period", "cadence", "period_start", "period_end", "timezone",
             "computed_at", "inputs", "signals", "conclusions")

VALUE_LABELS = {
    "unspecified": _l("not specified"),
    "unclassified": _l("not classified"),
    "uncatalogued": _l("not in the catalogue"),
    "other": _l("all other"),
    "appeal": _l("appeal"),
    "complaint": _l("complaint"),
    "request": _l("request"),
    "proposal": _l("proposal"),
    "high": _l("high"),
    "medium": _l("medium"),
    "low": _l("low"),
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
INPUT_LABELS = {
    "appeals": _l("Appeals and complaints"),
    "complaints": _l("Complaints"),
    "answered": _l("Answered, count"),
    "responses": _l("Responses"),
    "open_answers": _l("Open answers, count"),
    "internal": _l("Employees' appeals and memos (not in the figures above)"),
}


@dataclass(frozen=True)
class Figure:
    """One count of a document with its denominator, addressed by a stable id (`key:cell`, or for prevalence
    `prevalence:questionnaire:question:option`): what a pain's evidence points to."""

    id: str
    title: str
    n: int | None
    total: int | None
    examples: tuple[str, ...] = ()


class DocumentError(ValueError):
    """A computed document that does not match its declarations: it is not stored."""


def _declared(kind: str) -> tuple:
    """Every installed plugin's metric definitions for `kind` (enabled or not: a document stored while a plugin
    was enabled stays readable after it is turned off), by order; the first definition of a key wins."""
    found = [m for m in get_plugin_manager().call_flat(None, "otklik_metrics", kind=kind) if kind in m.kinds]
    unique: dict[str, Any] = {}
    for metric in sorted(found, key=lambda m: m.order):
        unique.setdefault(metric.key, metric)
    return tuple(unique.values())


def declarations(kind: str) -> dict[str, Any]:
    """{key: metric definition} of an analysis kind, in the order sections read."""
    return {m.key: m for m in _declared(kind)}


def validate(doc: dict) -> list[str]:
    """What is wrong with a computed document, as readable lines; [] when every metric matches its shape."""
    if not isinstance(doc, dict):
        return ["the document is not an object"]
    errors = []
    if doc.get("schema") != SCHEMA_VERSION:
        errors.append(f"schema: expected {SCHEMA_VERSION}, got {doc.get('schema')!r}")
    declared = declarations(str(doc.get("kind")))
    if not declared:
        errors.append(f"kind: no metric is declared for {doc.get('kind')!r}")
    for key, value in doc.items():
        if key in META_KEYS:
            continue
        metric = declared.get(key)
        if metric is None:
            errors.append(f"{key}: no plugin declares this metric")
        elif getattr(metric, "shape", None) is None:
            errors.append(f"{key}: the metric declares no shape")
        else:
            errors += metric.shape.validate(value, key)
    return errors


def check(doc: dict) -> dict:
    """The document, or DocumentError naming its first problems."""
    errors = validate(doc)
    if errors:
        raise DocumentError("; ".join(errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""))
    return doc


# Reading documents of older schemas: each step upgrades one version.

def _upgrade_1(doc: dict) -> dict:
    """Schema 1 (and documents before the schema key): totals as {"count"}, survey metrics at the top level,
    open answers under `open_answers`, suppressed cells as `true` (their reason was not recorded)."""
    doc = dict(doc)
    for key in ("total", "responses"):
        if isinstance(doc.get(key), dict):
            inner = doc[key]
            doc[key] = inner.get("count", inner.get("total"))
    if "questionnaires" not in doc and any(k in doc for k in ("csat", "choices")):
        doc["questionnaires"] = [{"id": None, "title": None, "responses": doc.get("responses"),
                                  "csat": doc.pop("csat", {}) or {}, "choices": doc.pop("choices", {}) or {}}]
    if "open_answers" in doc and "themes" not in doc:
        doc["themes"] = doc.pop("open_answers")
    if ("survey_link" in doc or "instrument" in doc) and "survey" not in doc:
        doc["survey"] = {"title": None, "link": doc.pop("survey_link", None),
                         "instrument": doc.pop("instrument", None), "surveys": []}
    waits = doc.get("waiting_days")
    if isinstance(waits, dict):
        waits = dict(waits)
        for old in ("histogram", "buckets"):
            if old in waits and "distribution" not in waits:
                waits["distribution"] = waits.pop(old)
        doc["waiting_days"] = waits
    doc = _reasons_of_hidden(doc)
    doc["schema"] = 2
    return doc


def _reasons_of_hidden(value):
    """`{"suppressed": true}` -> `{"suppressed": "primary"}`: schema 1 did not say why; the small group was."""
    if isinstance(value, dict):
        out = {k: _reasons_of_hidden(v) for k, v in value.items()}
        if out.get(HIDDEN) is True:
            out[HIDDEN] = "primary"
        return out
    if isinstance(value, list):
        return [_reasons_of_hidden(v) for v in value]
    return value


UPGRADES = {1: _upgrade_1}


def upgrade(doc: dict) -> dict:
    """A stored document brought to SCHEMA_VERSION, step by step (a missing `schema` is version 1)."""
    version = doc.get("schema") or 1
    while version < SCHEMA_VERSION:
        doc = UPGRADES[version](doc)
        version = doc["schema"]
    return doc


def _default_labeller(kind: str, code: str) -> str:
    special = VALUE_LABELS.get(str(code))
    return str(special) if special is not None else str(code)


class Document:
    """One stored document, upgraded and read through its declarations."""

    def __init__(self, doc: dict | None, channel_titles: dict[str, str] | None = None,
                 code_titles: dict[str, str] | None = None):
        self.raw = upgrade(dict(doc or {}))
        self.kind = str(self.raw.get("kind") or "")
        self.channel_titles = channel_titles or {}
        self.code_titles = code_titles or {}
        """Words for classifier codes (`intake.classifier.name_topics` fills them): a code reads with its title."""
        declared = declarations(self.kind)
        self.metrics = [(key, m) for key, m in declared.items() if key in self.raw and m.shape is not None]
        self.undeclared = sorted(k for k in self.raw if k not in META_KEYS and k not in declared)

    # -- naming codes --
    def label(self, kind: str, code: str) -> str:
        if kind == "channel":
            return self.channel_titles.get(code, code)
        if kind == "indicator":
            return indicator_label(code)
        if kind == "code":
            title = self.code_titles.get(code)
            return f"{code} — {title}" if title else str(code)
        if kind == "text":
            return str(code) if code not in VALUE_LABELS else str(VALUE_LABELS[code])
        return _default_labeller(kind, code)

    def codes(self, kind: str) -> set[str]:
        """Every code of the kind (`code`, `channel`...) the document's breakdowns and rates are keyed by."""
        out: set[str] = set()
        for key, metric in self.metrics:
            shape = metric.shape
            if getattr(shape, "codes", None) != kind:
                continue
            if isinstance(shape, Breakdown):
                out.update(str(code) for code, _cell in shape.items(self.raw[key]))
            elif isinstance(shape, Rates) and isinstance(self.raw[key], dict):
                out.update(str(code) for code in self.raw[key])
        return out

    @property
    def context(self) -> ReadContext:
        return ReadContext(self.raw, self.label)

    # -- typed access to declared metrics --
    def shape(self, key: str):
        return next((m.shape for k, m in self.metrics if k == key), None)

    def count(self, key: str) -> int | None:
        value = self.raw.get(key)
        return value if isinstance(self.shape(key), Count) and isinstance(value, int) else None

    def record(self, key: str) -> dict:
        """A record's figures ({} when absent or hidden as a whole)."""
        value = self.raw.get(key)
        if not isinstance(self.shape(key), Record) or not isinstance(value, dict) or is_hidden(value):
            return {}
        return value

    def cells(self, key: str) -> list[tuple[str, dict]]:
        """A breakdown's (code, cell) pairs, hidden cells included (check `is_hidden`)."""
        shape = self.shape(key)
        return shape.items(self.raw.get(key)) if isinstance(shape, Breakdown) else []

    def stats(self, key: str) -> dict:
        shape = self.shape(key)
        return self.raw.get(key) or {} if isinstance(shape, Stats) else {}

    def rows(self, key: str) -> list[dict]:
        """The rows of a list-shaped metric (prevalence, themes)."""
        shape = self.shape(key)
        value = self.raw.get(key)
        return [r for r in value if isinstance(r, dict)] if shape is not None and isinstance(value, list) else []

    def survey_items(self, base_url: str = "") -> list[dict]:
        """The surveys of a survey analysis, with absolute links when `base_url` is given."""
        shape = self.shape("survey")
        items = shape.items(self.raw.get("survey")) if isinstance(shape, SurveyList) else []
        survey = self.raw.get("survey") if isinstance(self.raw.get("survey"), dict) else {}
        if not items and (survey.get("link") or survey.get("title")):
            items = [{"title": survey.get("title"), "link": survey.get("link"),
                      "instrument": survey.get("instrument")}]
        for item in items:
            link = item.get("link") or ""
            if link.startswith("/") and base_url:
                item["link"] = base_url.rstrip("/") + link
        return items

    def questionnaires(self) -> list[dict]:
        value = self.raw.get("questionnaires")
        return [q for q in value if isinstance(q, dict)] if isinstance(self.shape("questionnaires"),
                                                                       Questionnaires) and isinstance(value, list) else []

    def inputs(self) -> list[tuple[Any, Any]]:
        return [(INPUT_LABELS.get(k, k), v) for k, v in (self.raw.get("inputs") or {}).items()]

    def signals(self) -> list[dict]:
        """Signals as dicts with a `message`."""
        out = []
        for s in self.raw.get("signals") or []:
            if isinstance(s, str):
                out.append({"message": s})
            elif isinstance(s, dict):
                s = dict(s)
                s.setdefault("message", s.get("title") or s.get("code") or "")
                out.append(s)
        return out

    # -- for people --
    def sections(self, keep: Callable[[str], bool] | None = None) -> list[Section]:
        """The document's metrics in their declared order, each as a section ready to render."""
        out = []
        ctx = self.context
        for key, metric in self.metrics:
            shape, value = metric.shape, self.raw[key]
            if isinstance(shape, SurveyList):
                continue
            if isinstance(shape, Questionnaires):
                found = shape.sections(value, ctx, {"csat": TITLES["csat"], "choices": TITLES["choices"]})
            else:
                found = [shape.section(key, metric.title, value, ctx)]
            out += [s for s in found if not s.empty and (keep is None or keep(s.key))]
        return out

    def figures(self) -> list[Figure]:
        """Every count of the document that has a denominator, with its stable id, in the document's order."""
        out: list[Figure] = []
        for key, metric in self.metrics:
            shape, value = metric.shape, self.raw[key]
            if isinstance(shape, Breakdown):
                total = self._denominator(shape.total, None, shape.counts(value))
                for code, cell in shape.items(value):
                    if not is_hidden(cell):
                        title = str(cell.get("title") or self.label(shape.codes, code))
                        out.append(Figure(f"{key}:{code}", title, cell.get(shape.count.key), total))
            elif isinstance(shape, Record) and isinstance(value, dict) and not is_hidden(value):
                for part in shape.parts:
                    total = self._denominator(part.total, value, {})
                    out += [Figure(f"{key}:{cell}", str(metric.title), value.get(cell), total) for cell in part.cells]
            elif isinstance(shape, Rates):
                out += [Figure(f"{key}:{code}", self.label(shape.codes, code), cell.get("count"), cell.get("of"))
                        for code, cell in (value or {}).items() if isinstance(cell, dict) and not is_hidden(cell)]
            elif isinstance(shape, Prevalence):
                out += [Figure(f"prevalence:{r.get('questionnaire')}:{r.get('question')}:{r.get('option')}",
                               str(r.get("title") or r.get("option")), r.get("count"), r.get("respondents"))
                        for r in self.rows(key) if not is_hidden(r)]
            elif isinstance(shape, Stats) and isinstance(value, dict):
                out += self._negative(key, value)
            elif isinstance(shape, Questionnaires):
                for q in self.questionnaires():
                    out += self._negative(f"{key}:{q.get('id')}", q.get("csat") or {})
            elif isinstance(shape, Themes):
                answers = (self.raw.get("inputs") or {}).get("open_answers")
                out += [Figure(f"themes:{r.get('theme')}", str(r.get("theme")), r.get("count"), answers,
                               tuple(r.get("examples") or ())[:3]) for r in self.rows(key)]
        return out

    @staticmethod
    def _negative(prefix: str, cells: dict) -> list[Figure]:
        """The answers of 1-2 of each 1-5 group (`<prefix>:<code>:negative`, n of its answers): a group stores
        its share, and the count is the share of its answers (shares keep four digits, exact below 5000)."""
        out = []
        for code, cell in cells.items():
            if not isinstance(cell, dict) or is_hidden(cell):
                continue
            n, low = cell.get("n"), cell.get("share_1_2")
            if isinstance(n, int) and n > 0 and is_number(low):
                out.append(Figure(f"{prefix}:{code}:negative", str(cell.get("title") or code), round(low * n), n))
        return out

    def figure(self, figure_id: str) -> Figure | None:
        """The figure of a stable id, or None when this document has no such figure (or it is hidden)."""
        return next((f for f in self.figures() if f.id == figure_id), None)

    def _denominator(self, ref: str, record: dict | None, counts: dict):
        if ref.startswith(DOC):
            return self.count(ref[len(DOC):])
        if ref.startswith(OWN):
            return (record or {}).get(ref[len(OWN):])
        return sum(counts.values())

    def overall_csat(self) -> float | None:
        """Overall satisfaction (mean of 1-5): the parameter `overall` over every questionnaire."""
        cell = self.stats("parameters").get("overall")
        if isinstance(cell, dict) and is_number(cell.get("mean")):
            return cell["mean"]
        for q in self.questionnaires():
            for item in (q.get("csat") or {}).values():
                if isinstance(item, dict) and item.get("parameter") == "overall" and is_number(item.get("mean")):
                    return item["mean"]
        return None

    def headline(self) -> list[tuple[Any, Any, str]]:
        """The few figures a reader looks at first."""
        out: list[tuple[Any, Any, str]] = []
        if self.count("total") is not None:
            out.append((_l("Appeals and complaints"), self.count("total"), "int"))
        if self.count("responses") is not None:
            out.append((_l("Responses"), self.count("responses"), "int"))
        for label, key, name, fmt in (
            (_l("Median waiting, days"), "waiting_days", "median", "num"),
            (_l("Answered within 30 days"), "waiting_days", "within_30_share", "share"),
            (_l("Complaints satisfied"), "complaints", "satisfied_share", "share"),
            (_l("Complaints unsatisfied"), "complaints", "unsatisfied_share", "share"),
            (_l("Redirected"), "redirected", "share", "share"),
            (_l("Share informed"), "informed", "share", "share"),
            (_l("Negative answers (1-2 of 5)"), "negative", "share", "share"),
        ):
            value = self.record(key).get(name)
            if is_number(value):
                out.append((label, value, fmt))
        overall = self.overall_csat()
        if overall is not None:
            out.insert(1 if out else 0, (_l("Overall satisfaction (CSAT)"), overall, "num"))
        return out


def read(doc: dict | None, channel_titles: dict[str, str] | None = None,
         code_titles: dict[str, str] | None = None) -> Document:
    return Document(doc, channel_titles, code_titles)
