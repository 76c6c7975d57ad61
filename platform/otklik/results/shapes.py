"""The shapes a metric may store, each declared once with its fields, how it reads as a table or facts, how it is
charted and put on a sheet, and how its cells are found for disclosure control.

A metric definition carries one of these (`Metric.shape`); the validator checks stored values against it, the
readers (office pages, XLSX, note, Centre) ask it for rows and facts, and `disclosure` asks it for the cells
of every breakdown. Nothing downstream reads a document's keys by guessing.

Shapes:
- `Count`: one whole number that other figures are shares of (`total`, `responses`).
- `Breakdown`: cells with a count and its share of a denominator (`by_channel`, `reasons`); keyed by the cell's
  code (a dict) or, with `label`, a list of rows that carry their label.
- `Record`: named figures (`complaints`, `waiting_days`), with the partitions of its counts declared as `Part`s
  so that disclosure knows which cells add up to which total.
- `Stats`: keyed groups each with its own number of answers and the mean / share of 4-5 over them (`parameters`).
- `Prevalence`: rows of "n of N respondents reported this problem".
- `Themes`: open-answer themes, a count each, with examples (free text: never leaves the office).
- `SurveyList`: the surveys and instruments of a survey analysis (the Centre's 5.1.6 p. 4 report fields).
- `Questionnaires`: per questionnaire, its `Stats` of 1-5 questions and its choice questions' `Breakdown`s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Number
from typing import Any

from flask_babel import lazy_gettext as _l

from .suppression import PRIMARY, Suppressed, suppress_breakdown

HIDDEN = "suppressed"  # a hidden cell is {"suppressed": reason, "title"?}; a hidden figure of a record is None
SUPPRESSED_TEXT = _l("hidden: a group smaller than the minimum, or one that would give it back")


def hidden_note(cell) -> Any:
    """One wording for every hidden cell: telling a small group (1..k-1) from a cell hidden beside it (>= k)
    would narrow both, and with a shown total could pin them (1 + 5 = 6)."""
    return SUPPRESSED_TEXT


def is_hidden(value) -> bool:
    return isinstance(value, dict) and bool(value.get(HIDDEN))


def is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class Field:
    """One figure: its key, title, format (int | share | num | text), and the count it rests on, if any (a share,
    mean or percentage is hidden whenever that count is)."""

    key: str
    title: Any
    fmt: str = "int"
    rests_on: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class ChartSpec:
    """How a section is charted: pie | bar | column, over the first of `values` the rows carry."""

    kind: str
    title: Any
    values: tuple[str, ...] = ("share", "count")
    top: int | None = 12


@dataclass
class Column:
    key: str
    label: Any
    fmt: str  # text | int | share | num


@dataclass
class Chart:
    kind: str
    title: Any
    labels: list[str]
    values: list[float]
    fmt: str
    series: Any = ""


@dataclass
class Section:
    """One metric ready to render: facts (label, value, fmt) or a table (columns, rows), maybe a chart."""

    key: str
    title: Any
    facts: list[tuple[Any, Any, str]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    chart: Chart | None = None
    sheet: str = ""
    note: Any = ""

    @property
    def empty(self) -> bool:
        return not self.facts and not self.rows


@dataclass
class ReadContext:
    """What a reader knows beside the value: the whole document (for denominators) and how to name codes."""

    doc: dict
    labeller: Callable[[str, str], str]  # (label kind, code) -> words


# Denominators: a breakdown's total is a count of the document (`doc:total`), a field of the record that holds
# it (`field:answered`), or the sum of its own cells (`cells`).
DOC = "doc:"
OWN = "field:"
CELLS = "cells"


def _total_of(ref: str, doc: dict, record: dict | None, cells_sum: int) -> Any:
    if ref.startswith(DOC):
        return doc.get(ref[len(DOC):])
    if ref.startswith(OWN):
        return (record or {}).get(ref[len(OWN):])
    return cells_sum


@dataclass
class DiscloseContext:
    """What disclosing one value needs: k, the whole document (for denominators), which document counts are
    already hidden, and the audit list every hidden figure is written to."""

    k: int
    doc: dict
    hidden_counts: set = field(default_factory=set)
    audit: list = field(default_factory=list)

    def hide(self, path: str, cell: str, reason: str) -> None:
        self.audit.append(Suppressed(path, str(cell), reason))

    def total(self, ref: str, record: dict | None = None):
        """The value of a denominator reference, or None when it is hidden or absent."""
        if ref.startswith(DOC):
            key = ref[len(DOC):]
            return None if key in self.hidden_counts else self.doc.get(key)
        return (record or {}).get(ref[len(OWN):])


def _hidden_cell(cell, reason: str) -> dict:
    title = cell.get("title") if isinstance(cell, dict) else None
    return {"title": title, HIDDEN: reason} if title else {HIDDEN: reason}


def _split(counts: dict, total, k: int, *, complete: bool = False) -> dict:
    """Hidden cells of counts that split a shown total: the rest (total minus the cells) is a cell too."""
    shown = is_count(total)
    if shown and not complete:
        rest, small = total, False
        for count in counts.values():
            rest -= count
            small = small or 0 < count < k
        rest = max(rest, 0)
        if not small and not 0 < rest < k:
            return {}  # no small group, the rest included: nothing to hide (suppress_breakdown's answer too)
        counts = {**counts, "\0rest": rest}
    return suppress_breakdown(counts, k, total_shown=shown)


class Shape:
    """What every shape answers. `chart` and `sheet` say how the section is charted and named in the XLSX."""

    kind = "shape"
    free_text = False  # True: the value is or carries free text, which never leaves the office

    def __init__(self, *, chart: ChartSpec | None = None, sheet: str = "", note: Any = ""):
        self.chart = chart
        self.sheet = sheet
        self.note = note

    def validate(self, value, path: str) -> list[str]:
        raise NotImplementedError

    def section(self, key: str, title, value, ctx: ReadContext) -> Section:
        raise NotImplementedError

    def disclose(self, value, path: str, ctx: DiscloseContext):
        """The value as it may leave the office: small groups and what would give them back hidden, each hidden
        figure written to `ctx.audit`; free text dropped."""
        raise NotImplementedError


def _check_fields(value: dict, fields: tuple[Field, ...], path: str) -> list[str]:
    errors = []
    for f in fields:
        if f.key not in value:
            if not f.optional:
                errors.append(f"{path}.{f.key}: missing")
            continue
        v = value[f.key]
        if v is None:
            continue
        if f.fmt == "int" and not is_count(v):
            errors.append(f"{path}.{f.key}: expected a whole number >= 0, got {v!r}")
        elif f.fmt in ("share", "num") and not is_number(v):
            errors.append(f"{path}.{f.key}: expected a number, got {v!r}")
        elif f.fmt == "share" and not 0 <= v <= 1:
            errors.append(f"{path}.{f.key}: a share is a fraction 0..1, got {v!r}")
        elif f.fmt == "text" and not isinstance(v, str):
            errors.append(f"{path}.{f.key}: expected text, got {v!r}")
    return errors


def _check_cells(pairs, fields: tuple[Field, ...], path: str, also=()) -> list[str]:
    """Each (code, cell) of a keyed shape: an object with the declared fields and no others (`also` allowed
    besides); a hidden cell is not checked."""
    errors = []
    for code, cell in pairs:
        where = f"{path}[{code}]"
        if is_hidden(cell):
            continue
        if not isinstance(cell, dict):
            errors.append(f"{where}: expected an object, got {cell!r}")
            continue
        errors += _check_fields(cell, fields, where)
        unknown = set(cell) - {f.key for f in fields} - set(also)
        if unknown:
            errors.append(f"{where}: undeclared fields {sorted(unknown)}")
    return errors


def _columns(fields: tuple[Field, ...], rows: list[dict], first_label: Any = "") -> list[Column]:
    used = [f for f in fields if any(f.key in r for r in rows)]
    return [Column("label", first_label, "text")] + [Column(f.key, f.title, f.fmt) for f in used] + (
        [Column("note", _l("Note"), "text")] if any("note" in r for r in rows) else [])


def _chart(spec: ChartSpec | None, rows: list[dict], fields: tuple[Field, ...]) -> Chart | None:
    if spec is None:
        return None
    by_key = {f.key: f for f in fields}
    for key in spec.values:
        picked = [r for r in rows if is_number(r.get(key)) and not r.get("group")]
        if not picked:
            continue
        if spec.top and len(picked) > spec.top:
            picked = sorted(picked, key=lambda r: -float(r[key]))[: spec.top]
        f = by_key.get(key)
        return Chart(spec.kind, spec.title, [str(r["label"]) for r in picked], [float(r[key]) for r in picked],
                     f.fmt if f else "num", f.title if f else "")
    return None


class Count(Shape):
    kind = "count"

    def validate(self, value, path):
        return [] if is_count(value) or value is None else [f"{path}: expected a whole number >= 0, got {value!r}"]

    def section(self, key, title, value, ctx):
        return Section(key, title, facts=[(title, value, "int")] if value is not None else [], sheet=self.sheet)

    def disclose(self, value, path, ctx):
        if is_count(value) and 0 < value < ctx.k:
            ctx.hide(path, path, "primary")
            ctx.hidden_counts.add(path)
            return None
        return value


class Breakdown(Shape):
    """Cells with `count` and `share` of a denominator, plus declared `extra` fields (resting on the count).

    `label` None: a dict {code: cell}; otherwise a list of rows, each naming itself in `label` (a reason, a
    bucket). `codes` says how the codes read ("channel", "value", "code" or "text"). `total` is the
    denominator reference (see DOC / OWN / CELLS)."""

    kind = "breakdown"

    def __init__(self, *, total: str = DOC + "total", label: str | None = None, codes: str = "value",
                 count: Field | None = None, share: Field | None | bool = None, extra: tuple[Field, ...] = (),
                 free_text: bool = False, label_title: Any = "", **kw):
        super().__init__(**kw)
        self.label_title = label_title  # the heading of the label column ("Days" for the waiting buckets)
        self.total = total
        self.label = label
        self.codes = codes
        self.count = count or Field("count", _l("Count"), "int")
        # share=False: the cells carry no share of the total (groups described by their own figures)
        self.share = None if share is False else share or Field("share", _l("Share"), "share",
                                                                  rests_on=self.count.key)
        self.extra = extra
        self.free_text = free_text

    @property
    def fields(self) -> tuple[Field, ...]:
        return (self.count, *((self.share,) if self.share else ()), *self.extra)

    def items(self, value) -> list[tuple[str, dict]]:
        """(code, cell) pairs in stored order, whichever of the two forms the breakdown is stored in."""
        if self.label is None:
            return [(str(k), v) for k, v in (value or {}).items()]
        return [(str(row.get(self.label, "")), row) for row in value or []]

    def validate(self, value, path):
        if self.label is None and not isinstance(value, dict):
            return [f"{path}: expected an object of cells, got {type(value).__name__}"]
        if self.label is not None and not isinstance(value, list):
            return [f"{path}: expected a list of rows, got {type(value).__name__}"]
        return _check_cells(self.items(value), self.fields, path, also=("title", self.label))

    def counts(self, value) -> dict[str, int]:
        return {code: cell.get(self.count.key) or 0 for code, cell in self.items(value)
                if isinstance(cell, dict) and not is_hidden(cell)}

    def rows(self, value, ctx: ReadContext) -> list[dict]:
        rows = []
        for code, cell in self.items(value):
            title = cell.get("title") if isinstance(cell, dict) else None
            label = ctx.labeller(self.codes, code)
            if title and str(title) != code:
                label = f"{code} {title}" if self.codes == "code" else str(title)
            row = {"label": label}
            if is_hidden(cell):
                row["note"] = hidden_note(cell)
            else:
                row.update({f.key: cell.get(f.key) for f in self.fields if f.key in cell})
            rows.append(row)
        return rows

    def section(self, key, title, value, ctx):
        rows = self.rows(value, ctx)
        return Section(key, title, columns=_columns(self.fields, rows, self.label_title), rows=rows,
                       chart=_chart(self.chart, rows, self.fields), sheet=self.sheet, note=self.note)

    def disclose(self, value, path, ctx, record: dict | None = None):
        """Cells of 1..k-1 hidden, then the next smallest until the hidden hold k together (the shares or the
        total are shown); a hidden denominator hides every cell. Free-text labels never leave the office."""
        if self.free_text:
            ctx.hide(path, "*", "free_text")
            return None
        items = self.items(value)
        total = ctx.total(self.total, record) if self.total != CELLS else sum(self.counts(value).values())
        counts = {code: cell.get(self.count.key) or 0 for code, cell in items if not is_hidden(cell)}
        already = {code for code, cell in items if is_hidden(cell)}
        if total is None and self.total != CELLS:
            hidden = {code: PRIMARY for code in counts}
        else:
            shown_total = bool(self.share) or self.total != CELLS
            if already:  # cells hidden at compute time (employees): their sum counts as one hidden cell
                counts["\0hidden"] = sum(c.get(self.count.key) or 0 for _, c in items if is_hidden(c)) or ctx.k
            hidden = suppress_breakdown(counts, ctx.k, total_shown=shown_total)
        out = []
        for code, cell in items:
            if code in already:
                out.append((code, cell))
            elif code in hidden:
                ctx.hide(path, code, hidden[code])
                out.append((code, _hidden_cell(cell, hidden[code]) | ({self.label: code} if self.label else {})))
            else:
                out.append((code, cell))
        return dict(out) if self.label is None else [cell for _, cell in out]


@dataclass(frozen=True)
class Part:
    """Counts of a record that split a total: `cells` are field keys, `total` a reference (DOC / OWN). The rest
    (total minus the cells) is a cell too, unless `complete` says the cells cover the total."""

    cells: tuple[str, ...]
    total: str
    complete: bool = False


class Record(Shape):
    """Named figures. `base` is the count every figure of the record rests on (hidden with it); `parts` declare
    which counts split which totals; `nested` holds breakdowns stored inside the record (a distribution)."""

    kind = "record"

    def __init__(self, fields: tuple[Field, ...], *, base: str | None = None, parts: tuple[Part, ...] = (),
                 nested: dict[str, Breakdown] | None = None, **kw):
        super().__init__(**kw)
        self.fields = fields
        self.base = base
        self.parts = parts
        self.nested = nested or {}
        # parts of the document's counts first: they may hide a total of the record's own
        self._parts_in_order = sorted(parts, key=lambda p: not p.total.startswith(DOC))

    def validate(self, value, path):
        if is_hidden(value):
            return []
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        errors = _check_fields(value, self.fields, path)
        for name, shape in self.nested.items():
            if name in value:
                errors += shape.validate(value[name], f"{path}.{name}")
        unknown = set(value) - {f.key for f in self.fields} - set(self.nested)
        if unknown:
            errors.append(f"{path}: undeclared fields {sorted(unknown)}")
        return errors

    def section(self, key, title, value, ctx):
        section = Section(key, title, sheet=self.sheet, note=self.note)
        if is_hidden(value):
            section.facts = [(title, str(SUPPRESSED_TEXT), "text")]
            return section
        section.facts = [(f.title, value.get(f.key), f.fmt) for f in self.fields if f.key in value]
        for name, shape in self.nested.items():
            if value.get(name):
                inner = shape.section(key, title, value[name], ctx)
                section.rows, section.columns = inner.rows, inner.columns
        if self.chart is not None:
            section.chart = _chart(self.chart, section.rows, self.nested and next(iter(self.nested.values())).fields
                                   or ()) if section.rows else self._facts_chart(value)
        return section

    def disclose(self, value, path, ctx):
        """A small base hides the whole record; each declared part is split like a breakdown (its rest, the
        total minus its cells, included), and every figure resting on a hidden count is hidden with it."""
        if not isinstance(value, dict) or is_hidden(value):
            return value
        out = dict(value)
        base = out.get(self.base) if self.base else None
        if self.base and (is_count(base) and 0 < base < ctx.k):
            ctx.hide(path, self.base, "primary")
            return {HIDDEN: "primary"}
        hidden: dict[str, str] = {}
        for part in self._parts_in_order:
            own = part.total[len(OWN):] if part.total.startswith(OWN) else None
            total = None if own in hidden else ctx.total(part.total, value)
            counts = {c: out.get(c) for c in part.cells if is_count(out.get(c))}
            if total is None:
                hidden.update({c: "primary" for c in counts if counts[c]})
                continue
            if part.total.startswith(OWN) and is_count(total) and 0 < total < ctx.k:
                # a small total of the record's own: it and every part of it go
                hidden.setdefault(part.total[len(OWN):], "primary")
                hidden.update({c: "primary" for c in counts if counts[c] and c not in hidden})
                continue
            found = _split(counts, total, ctx.k, complete=part.complete)
            hidden.update({c: r for c, r in found.items() if c in counts and c not in hidden})
        for f in self.fields if hidden else ():  # a figure resting on a hidden count goes with it
            if f.rests_on in hidden and f.key not in hidden:
                hidden[f.key] = hidden[f.rests_on]
        for key, reason in hidden.items():
            if key in out:
                ctx.hide(path, key, reason)
                out[key] = None
        for name, shape in self.nested.items():
            if name in out:
                out[name] = shape.disclose(out[name], f"{path}.{name}", ctx, record=out)
        return out

    def _facts_chart(self, value) -> Chart | None:
        picks = [(f.title, value.get(f.key)) for f in self.fields if f.key in self.chart.values]
        picks = [(t, v) for t, v in picks if is_number(v)]
        if not picks:
            return None
        return Chart(self.chart.kind, self.chart.title, [str(t) for t, _ in picks], [float(v) for _, v in picks],
                     "num", _l("days"))


class Stats(Shape):
    """{key: {title, n, mean, share_4_5}}: each group's own answers (not parts of one total)."""

    kind = "stats"
    FIELDS = (Field("n", _l("Answers"), "int"), Field("mean", _l("Mean"), "num", rests_on="n"),
              Field("share_4_5", _l("Share of 4 and 5"), "share", rests_on="n"),
              Field("share_1_2", _l("Share of 1 and 2"), "share", rests_on="n", optional=True))

    def __init__(self, *, hidden_fields: tuple[str, ...] = ("parameter",), **kw):
        super().__init__(**kw)
        self.hidden_fields = hidden_fields

    def validate(self, value, path):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        return _check_cells(value.items(), self.FIELDS, path, also=("title", *self.hidden_fields))

    def rows(self, value, ctx: ReadContext) -> list[dict]:
        rows = []
        for code, cell in (value or {}).items():
            title = cell.get("title") if isinstance(cell, dict) else None
            row = {"label": str(title) if title and title != code else ctx.labeller("value", code)}
            if is_hidden(cell):
                row["note"] = hidden_note(cell)
            else:
                row.update({f.key: cell.get(f.key) for f in self.FIELDS if f.key in cell})
            rows.append(row)
        return rows

    def section(self, key, title, value, ctx):
        rows = self.rows(value, ctx)
        return Section(key, title, columns=_columns(self.FIELDS, rows), rows=rows,
                       chart=_chart(self.chart, rows, self.FIELDS), sheet=self.sheet, note=self.note)

    def disclose(self, value, path, ctx):
        """Each group stands on its own answers: fewer than k hide it; the share of 4-5 is hidden when the
        answers of 4-5 or the others are a small group (n and the share would give them back)."""
        out = {}
        for code, cell in (value or {}).items():
            if is_hidden(cell) or not isinstance(cell, dict):
                out[code] = cell
                continue
            n = cell.get("n")
            if is_count(n) and 0 < n < ctx.k:
                ctx.hide(path, code, "primary")
                out[code] = _hidden_cell(cell, "primary")
                continue
            cell = {k: v for k, v in cell.items() if k not in self.hidden_fields}
            parts = {name: round(cell[field] * n) for name, field in (("high", "share_4_5"), ("low", "share_1_2"))
                     if is_count(n) and is_number(cell.get(field))}
            if parts:
                found = _split(parts, n, ctx.k)
                for name, field in (("high", "share_4_5"), ("low", "share_1_2")):
                    if name in found:
                        ctx.hide(f"{path}[{code}]", field, found[name])
                        cell[field] = None
            out[code] = cell
        return out


class Rates(Shape):
    """{code: {count, of, share}}: in each group, `count` of its own `of` (unsatisfied complaints of a topic's
    complaints). Groups are not parts of one total; within a group the count and the rest split a shown `of`."""

    kind = "rates"

    def __init__(self, *, codes: str = "value", count_title: Any = "", of_title: Any = "", **kw):
        super().__init__(**kw)
        self.codes = codes
        self.fields = (Field("count", count_title or _l("Count"), "int"), Field("of", of_title or _l("Total"), "int"),
                       Field("share", _l("Share"), "share", rests_on="count"))

    def validate(self, value, path):
        if not isinstance(value, dict):
            return [f"{path}: expected an object of groups"]
        return _check_cells(value.items(), self.fields, path)

    def section(self, key, title, value, ctx):
        rows = []
        for code, cell in (value or {}).items():
            row = {"label": ctx.labeller(self.codes, code)}
            if is_hidden(cell):
                row["note"] = hidden_note(cell)
            else:
                row.update({f.key: cell.get(f.key) for f in self.fields if f.key in cell})
            rows.append(row)
        return Section(key, title, columns=_columns(self.fields, rows), rows=rows,
                       chart=_chart(self.chart, rows, self.fields), sheet=self.sheet, note=self.note)

    def disclose(self, value, path, ctx):
        """A group of fewer than k is hidden whole; otherwise its count goes when it or the rest is small."""
        out = {}
        for code, cell in (value or {}).items():
            if is_hidden(cell) or not isinstance(cell, dict):
                out[code] = cell
                continue
            of, count = cell.get("of"), cell.get("count")
            if is_count(of) and 0 < of < ctx.k:
                ctx.hide(path, code, "primary")
                out[code] = _hidden_cell(cell, "primary")
                continue
            found = _split({"count": count}, of, ctx.k) if is_count(count) else {}
            if "count" in found:
                ctx.hide(f"{path}[{code}]", "count", found["count"])
                cell = {**cell, "count": None, "share": None}
            out[code] = cell
        return out


class Prevalence(Shape):
    """Rows of a problem chosen by `count` of `respondents` who answered its question, in whole percent."""

    kind = "prevalence"
    FIELDS = (Field("count", _l("Count"), "int"), Field("respondents", _l("Respondents"), "int"),
              Field("percent", _l("Percent"), "num", rests_on="count"),
              Field("level", _l("Prevalence level"), "text", rests_on="count"))
    KEYS = ("questionnaire", "questionnaire_title", "question", "option", "title")

    def validate(self, value, path):
        if not isinstance(value, list):
            return [f"{path}: expected a list of rows"]
        errors = []
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                errors.append(f"{path}[{i}]: expected an object")
                continue
            fields = tuple(Field(f.key, f.title, f.fmt, f.rests_on, optional=is_hidden(row)) for f in self.FIELDS)
            errors += _check_fields(row, fields, f"{path}[{i}]")
            unknown = set(row) - {f.key for f in self.FIELDS} - set(self.KEYS) - {HIDDEN}
            if unknown:
                errors.append(f"{path}[{i}]: undeclared fields {sorted(unknown)}")
        return errors

    def section(self, key, title, value, ctx):
        rows = []
        for item in value or []:
            row = {"label": str(item.get("title") or item.get("option") or "")}
            if item.get("questionnaire_title"):
                row["questionnaire_title"] = item["questionnaire_title"]
            if is_hidden(item):
                row["note"] = hidden_note(item)
            for f in self.FIELDS:
                if f.key in item and item[f.key] is not None:
                    row[f.key] = ctx.labeller("value", item[f.key]) if f.key == "level" else item[f.key]
            rows.append(row)
        fields = (Field("questionnaire_title", _l("Questionnaire"), "text"), *self.FIELDS)
        return Section(key, title, columns=_columns(fields, rows), rows=rows,
                       chart=_chart(self.chart, rows, self.FIELDS), sheet=self.sheet, note=self.note)

    def disclose(self, value, path, ctx):
        """A problem's count of its question's respondents: the pair (with it, without it) splits a shown total."""
        out = []
        for row in value or []:
            if is_hidden(row):
                out.append(row)
                continue
            row = dict(row)
            n, total = row.get("count"), row.get("respondents")
            where = f"{path}[{row.get('question')}.{row.get('option')}]"
            if is_count(total) and 0 < total < ctx.k:
                ctx.hide(where, "respondents", "primary")
                out.append({k: row.get(k) for k in self.KEYS if k in row} | {HIDDEN: "primary"})
                continue
            found = _split({"count": n}, total, ctx.k) if is_count(n) else {}
            if "count" in found:
                ctx.hide(where, "count", found["count"])
                row.update({"count": None, "percent": None, "level": None})
            out.append(row)
        return out


class Themes(Shape):
    """[{theme, count, share, examples, lemmas}]: open answers grouped by theme; examples are free text."""

    kind = "themes"
    free_text = True
    FIELDS = (Field("count", _l("Count"), "int"), Field("share", _l("Share"), "share", rests_on="count"))
    TEXT = (Field("examples", _l("Example answers"), "text", optional=True),
            Field("lemmas", _l("Key words"), "text", optional=True))

    def validate(self, value, path):
        if not isinstance(value, list):
            return [f"{path}: expected a list of rows"]
        errors = []
        for i, row in enumerate(value):
            if not isinstance(row, dict) or not isinstance(row.get("theme"), str):
                errors.append(f"{path}[{i}]: expected an object with a theme")
                continue
            errors += _check_fields(row, self.FIELDS, f"{path}[{i}]")
            for f in self.TEXT:
                if f.key in row and not (isinstance(row[f.key], list)
                                         and all(isinstance(t, str) for t in row[f.key])):
                    errors.append(f"{path}[{i}].{f.key}: expected a list of texts")
            unknown = set(row) - {"theme"} - {f.key for f in self.FIELDS + self.TEXT}
            if unknown:
                errors.append(f"{path}[{i}]: undeclared fields {sorted(unknown)}")
        return errors

    def section(self, key, title, value, ctx):
        rows = [{"label": str(r["theme"]), **{f.key: r.get(f.key) for f in self.FIELDS if f.key in r},
                 **{f.key: "; ".join(r[f.key]) for f in self.TEXT if r.get(f.key)}} for r in value or []]
        return Section(key, title, columns=_columns(self.FIELDS + self.TEXT, rows), rows=rows,
                       chart=_chart(self.chart, rows, self.FIELDS), sheet=self.sheet, note=self.note)

    def disclose(self, value, path, ctx):
        """Examples and key words are the respondents' own text: dropped. A theme of fewer than k answers is
        hidden (an answer may fall in several themes, so they split no shown total)."""
        out = []
        for row in value or []:
            kept = {"theme": row.get("theme"), "count": row.get("count"), "share": row.get("share")}
            if is_count(kept["count"]) and 0 < kept["count"] < ctx.k:
                ctx.hide(path, str(kept["theme"]), "primary")
                kept.update({"count": None, "share": None})
            out.append(kept)
        ctx.hide(path, "examples", "free_text")
        return out


class SurveyList(Shape):
    """{title, link, instrument, surveys: [{id, title, link, object, instrument, responses}]}: shown in its own
    block of the page and sheet of the XLSX, not as a metric section."""

    kind = "surveys"
    ITEM = (Field("id", "id", "int"), Field("title", _l("Title"), "text"), Field("link", "link", "text"),
            Field("object", _l("Object"), "text", optional=True), Field("instrument", _l("Instrument"), "text"),
            Field("responses", _l("Responses"), "int"))

    def validate(self, value, path):
        if not isinstance(value, dict) or not isinstance(value.get("surveys", []), list):
            return [f"{path}: expected an object with a list of surveys"]
        errors = []
        for i, item in enumerate(value.get("surveys", [])):
            if not isinstance(item, dict):
                errors.append(f"{path}.surveys[{i}]: expected an object")
                continue
            errors += _check_fields(item, self.ITEM, f"{path}.surveys[{i}]")
        return errors

    def items(self, value) -> list[dict]:
        return [dict(s) for s in (value or {}).get("surveys") or [] if isinstance(s, dict)]

    def section(self, key, title, value, ctx):
        return Section(key, title)  # rendered by the survey block, not as a section

    def disclose(self, value, path, ctx):
        """Responses per survey split the period's responses: a breakdown of them."""
        items = self.items(value)
        cells = {str(i): {"count": item.get("responses") or 0} for i, item in enumerate(items)}
        shown = Breakdown(total=DOC + "responses", share=False).disclose(cells, path, ctx)
        for i, item in enumerate(items):
            if is_hidden(shown.get(str(i))):
                item["responses"] = None
        return {**(value or {}), "surveys": items}


CHOICE = Breakdown(total=OWN + "respondents", codes="text")


class Questionnaires(Shape):
    """[{id, title, responses, csat: Stats, choices: {question: {title, respondents, options: Breakdown}}}]: a
    question is (questionnaire, key). Read as two sections, `csat` and `choices`, with a header row per
    questionnaire when there are several."""

    kind = "questionnaires"

    def __init__(self, csat: Stats, choices_chart: ChartSpec | None = None, **kw):
        super().__init__(**kw)
        self.csat = csat
        self.choice = CHOICE

    def validate(self, value, path):
        if not isinstance(value, list):
            return [f"{path}: expected a list of questionnaires"]
        errors = []
        for i, q in enumerate(value):
            where = f"{path}[{i}]"
            if not isinstance(q, dict):
                errors.append(f"{where}: expected an object")
                continue
            errors += self.csat.validate(q.get("csat", {}), f"{where}.csat")
            for key, question in (q.get("choices") or {}).items():
                errors += self.validate_choice(question, f"{where}.choices[{key}]")
        return errors

    def validate_choice(self, question, path) -> list[str]:
        if is_hidden(question):
            return []
        if not isinstance(question, dict):
            return [f"{path}: expected an object"]
        errors = _check_fields(question, (Field("respondents", "", "int"),), path)
        return errors + self.choice.validate(question.get("options", {}), f"{path}.options")

    def sections(self, value, ctx: ReadContext, titles: dict) -> list[Section]:
        items = [q for q in value or [] if isinstance(q, dict)]
        several = sum(1 for q in items if q.get("csat") or q.get("choices")) > 1
        csat_rows: list[dict] = []
        choice_rows: list[dict] = []
        for q in items:
            header = [{"label": str(_l("Questionnaire: %(title)s", title=q.get("title") or q.get("id") or "—")),
                       "group": True}] if several else []
            inner = self.csat.rows(q.get("csat") or {}, ctx)
            if inner:
                csat_rows += header + [{**r, "indent": True} if several else r for r in inner]
            rows = self.choice_rows(q.get("choices") or {}, ctx)
            if rows:
                choice_rows += header + rows
        out = []
        if csat_rows:
            out.append(Section("csat", titles["csat"], columns=_columns(Stats.FIELDS, csat_rows), rows=csat_rows,
                               chart=_chart(self.csat.chart, csat_rows, Stats.FIELDS), sheet=self.csat.sheet))
        if choice_rows:
            fields = (Field("respondents", _l("Respondents"), "int"), *self.choice.fields)
            out.append(Section("choices", titles["choices"], columns=_columns(fields, choice_rows),
                               rows=choice_rows, sheet=self.sheet))
        return out

    def choice_rows(self, choices: dict, ctx: ReadContext) -> list[dict]:
        rows = []
        for key, question in choices.items():
            header = {"label": str(question.get("title") or key), "group": True}
            if is_hidden(question):
                rows.append({**header, "note": hidden_note(question)})
                continue
            header["respondents"] = question.get("respondents")
            rows.append(header)
            rows += [{**r, "indent": True} for r in self.choice.rows(question.get("options") or {}, ctx)]
        return rows

    def section(self, key, title, value, ctx):
        raise TypeError("questionnaires read as two sections: call sections()")

    def disclose(self, value, path, ctx):
        out = []
        for q in value or []:
            q = dict(q)
            where = f"{path}[{q.get('id')}]"
            q["csat"] = self.csat.disclose(q.get("csat") or {}, f"{where}.csat", ctx)
            choices = {}
            for key, question in (q.get("choices") or {}).items():
                n = question.get("respondents") if isinstance(question, dict) else None
                if is_hidden(question) or (is_count(n) and 0 < n < ctx.k):
                    if not is_hidden(question):
                        ctx.hide(f"{where}.choices", key, "primary")
                    choices[key] = _hidden_cell(question, "primary")
                    continue
                choices[key] = {**question, "options": self.choice.disclose(
                    question.get("options") or {}, f"{where}.choices[{key}]", ctx, record=question)}
            q["choices"] = choices
            out.append(q)
        return out
