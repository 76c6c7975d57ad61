"""Import of answers from CSV (for example exported from the federal Feedback Platform) onto a survey.

All or nothing: every row is read and checked with the same engine as the public form; if any cell is wrong,
nothing is stored and the report lists row, column, value and reason. The import runs as a job
(`surveys.jobs`): the request only stores the upload and queues it, so the largest file (MAX_ROWS) never
holds a web worker; the job reports its progress and the office page shows it.

Layout: one row a respondent, a header row. A column is mapped onto a question by its key (`q3`), its number
(`3`, `Вопрос 3`) or its exact text; a matrix row by `q9.clarity` (or `9.clarity`); an explicit mapping
(`column = key`) overrides. A choice cell may hold the option's value or its text (case-insensitive);
a multiple choice lists them separated by `;` or `|`. Optional columns: `submitted_at` (`YYYY-MM-DD`,
`YYYY-MM-DD HH:MM`, `DD.MM.YYYY`, in the tenant's time zone), `channel` (a tenant channel code; default `pos`),
`segment`. Encodings and delimiters are the shared upload reader's (`otklik.uploads`): UTF-8 (with or without
BOM), Windows-1251 or KOI8-R; `,`, `;` or tab.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from ..uploads import UnreadableFile, read_text
from .engine import check_answers

MAX_ROWS = 20000
PROGRESS_EVERY = 500
META = ("submitted_at", "channel", "segment")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y")


@dataclass
class ImportError_:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportResult:
    rows: list = field(default_factory=list)  # (answers, meta) per data row
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_mapping(text: str) -> dict[str, str]:
    out = {}
    for line in (text or "").splitlines():
        if "=" in line:
            column, key = line.split("=", 1)
            if column.strip() and key.strip():
                out[column.strip()] = key.strip()
    return out


def _targets(questions: list[dict]) -> dict[str, tuple[str, str]]:
    """Header spellings -> (question key, row key)."""
    out: dict[str, tuple[str, str]] = {}
    for q in questions:
        names = [q["key"], str(q["number"]), f"вопрос {q['number']}", q["text"].strip()]
        for name in names:
            out.setdefault(name.lower(), (q["key"], ""))
        for row in q.get("rows") or []:
            for prefix in (q["key"], str(q["number"])):
                out.setdefault(f"{prefix}.{row['key']}".lower(), (q["key"], row["key"]))
            out.setdefault(row["text"].strip().lower(), (q["key"], row["key"]))
    return out


def _parse_date(value: str, tz) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            continue
    return None


def read_csv(data: bytes, questions: list[dict], tenant, channel_codes: set[str], mapping: dict | None = None,
             default_channel: str = "pos", progress=None) -> ImportResult:
    """Every row read and checked; `progress(done, total)` is called every PROGRESS_EVERY rows (total: the
    file's lines, an estimate when a quoted cell holds a line break)."""
    result = ImportResult()
    lines = max(data.count(b"\n"), 1)
    try:
        reader = read_text(data).rows()
    except UnreadableFile as exc:
        result.errors.append(ImportError_(0, "", "", exc.message))
        return result
    header = next(reader, None)
    if not header:
        result.errors.append(ImportError_(1, "", "", str(_l("The file is empty."))))
        return result
    targets = _targets(questions)
    mapping = {k.lower(): v for k, v in (mapping or {}).items()}
    by_key = {q["key"]: q for q in questions}
    columns: list[tuple[str, str, str] | None] = []  # (kind, key, row_key) per column
    for name in header:
        clean = name.strip()
        low = clean.lower()
        if low in META:
            columns.append(("meta", low, ""))
            continue
        target = mapping.get(low)
        if target is not None:
            key, _, row_key = target.partition(".")
            if key not in by_key:
                result.errors.append(ImportError_(1, clean, target, str(_l("The mapping names no such question."))))
                columns.append(None)
                continue
            columns.append(("answer", key, row_key))
        elif low in targets:
            columns.append(("answer", *targets[low]))
        elif not clean:
            columns.append(None)
        else:
            result.errors.append(ImportError_(1, clean, "", str(_l("The column matches no question; map it or "
                                                                  "remove it."))))
            columns.append(None)
    if result.errors:
        return result

    for line, cells in enumerate(reader, 2):
        if progress is not None and line % PROGRESS_EVERY == 0:
            progress(min(line, lines), lines)
        if not any(c.strip() for c in cells):
            continue
        if len(result.rows) >= MAX_ROWS:
            result.errors.append(ImportError_(line, "", "", str(_l("More than %(n)s rows; split the file.",
                                                                    n=MAX_ROWS))))
            break
        raw: dict = {}
        meta = {"channel": default_channel, "segment": None, "submitted_at": None}
        where: dict[str, tuple[str, str]] = {}  # question key -> (column, value) for error reports
        for i, cell in enumerate(cells):
            if i >= len(columns) or columns[i] is None:
                continue
            value = cell.strip()
            kind, key, row_key = columns[i]
            column = header[i].strip()
            if kind == "meta":
                if key == "submitted_at" and value:
                    moment = _parse_date(value, tenant.tz)
                    if moment is None:
                        result.errors.append(ImportError_(line, column, value, str(_l("Not a date."))))
                    meta["submitted_at"] = moment
                elif key == "channel" and value:
                    if value not in channel_codes:
                        result.errors.append(ImportError_(line, column, value,
                                                          str(_l("Not a channel of this authority."))))
                    meta["channel"] = value
                elif key == "segment":
                    meta["segment"] = value[:100]
                continue
            if not value:
                continue
            question = by_key[key]
            where.setdefault(key, (column, value))
            if question["type"] == "matrix":
                raw.setdefault(key, {})[row_key] = value.split(",")[0].split(".")[0].strip()
            elif question["type"] == "multiple":
                parts = [p.strip() for p in value.replace("|", ";").split(";") if p.strip()]
                raw[key] = [_option_value(question, p) for p in parts]
            elif question["type"] in ("single", "yesno", "demographic", "scale"):
                raw[key] = _option_value(question, value)
            else:
                raw[key] = value
        parsed = check_answers(questions, raw)
        for key, reason in parsed.errors.items():
            column, value = where.get(key, (key, ""))
            result.errors.append(ImportError_(line, column, value, reason))
        result.rows.append((parsed.answers, meta))
    if not result.rows and not result.errors:
        result.errors.append(ImportError_(2, "", "", str(_l("The file has no answers."))))
    return result


def _option_value(question: dict, cell: str) -> str:
    """An option's value from its value, its text, or a scale mark such as «5 баллов»."""
    low = cell.strip().lower()
    for option in question.get("options") or []:
        if low in (str(option["value"]).lower(), str(option["text"]).strip().lower()):
            return str(option["value"])
    if question["type"] == "scale":
        head = low.split()[0] if low.split() else low
        return head.split(".")[0].split(",")[0]
    return cell.strip()
