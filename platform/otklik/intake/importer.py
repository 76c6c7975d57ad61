"""Import of appeals from CSV, XLSX or JSON records: all or nothing, in one transaction.

The file is read in chunks (pandas' C parser, or openpyxl's read-only mode), each chunk validated with vectorised
pandas checks, and the valid rows staged in a temporary table: PostgreSQL by COPY, SQLite by executemany. Only when
every row passed (and the staged ids hold no duplicate) are they merged into `appeal` by external id (an UPDATE of
the changed rows, an INSERT of the new ones), in the same transaction. Any error
means a rollback: nothing is stored, and the caller gets the errors (row, column, value, reason).

A first import into PostgreSQL (the tenant has no appeal yet, so every row is new) skips the stage: the rows go
straight into `appeal` by one COPY, fed by a thread while the next chunk is read and checked, so the database
inserts while Python parses. A duplicate id then fails the COPY on the unique key; the import is rolled back to
its savepoint and done again the staged way, which names the duplicate rows.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first appeal row 2 (API: item 1, 2, ...).
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from flask_babel import gettext
from sqlalchemy import text

from .. import csvout, uploads
from ..channels import channel_codes
from ..models.appeal import AUDIENCES, CLIENT_TYPES, DATE_ONLY, KINDS, OUTCOMES
from .classifier import check_codes, loaded_codes
from .values import Vocabulary, vocabulary

CANONICAL = ("external_id", "kind", "audience", "channel", "registered_at", "answered_at", "topic_code", "reason",
             "segment", "client_type", "object", "outcome")
EXTRA = ("received_at", "tenant")  # optional: date of receipt (59-FZ 3-day rule), the authority a row names
FIELDS = CANONICAL + EXTRA
REQUIRED = ("external_id", "kind", "channel", "registered_at")
DEFAULTS = {"audience": "external", "client_type": "individual", "outcome": "pending"}
LIMITS = {"external_id": 100, "reason": 300, "segment": 100, "object": 300, "topic_code": 30, "channel": 40,
          "tenant": 63}
MAX_CELL = 1000  # any cell longer than this is refused (over-long lines, pasted letters: no personal data)
CHUNK_ROWS = 50_000
PREVIEW_ROWS = 10  # the preview reads these and no more, whatever the size of the file
HEAD_BYTES = 1 << 20  # read from the disk to choose the encoding and delimiter of a file the command line names
MAX_ERRORS = 1000  # errors kept for the report; the count goes on
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M:%S")

def _l(message: str) -> str:
    """Marks a msgid for the catalog; translated (and formatted) when an error is made, in the current locale."""
    return message


REASONS = {
    "file_empty": _l("The file is empty (zero bytes)."),
    "no_rows": _l("The file has a header but no appeals."),
    "no_header": _l("The file has no header row."),
    "encoding": _l("The file is not all in %(encoding)s, the encoding of its beginning (%(detail)s): save it whole "
                   "in UTF-8, Windows-1251 or KOI8-R."),
    "not_xlsx": _l("The file is not a readable XLSX workbook."),
    "bad_line": _l("The line cannot be read: %(detail)s."),
    "wrong_delimiter": _l("Only one column was found: the delimiter must be ',', ';' or tab."),
    "missing_column": _l("Required column '%(name)s' is missing."),
    "unmapped_column": _l("Column '%(name)s' named in the mapping is not in the file."),
    "duplicate_column": _l("Column '%(name)s' appears twice in the header."),
    "required": _l("A value is required."),
    "too_long": _l("The value is longer than %(limit)s characters."),
    "kind": _l("Unknown kind of appeal. Allowed: %(allowed)s."),
    "audience": _l("Unknown audience. Allowed: %(allowed)s."),
    "client_type": _l("Unknown client type. Allowed: %(allowed)s."),
    "outcome": _l("Unknown outcome. Allowed: %(allowed)s."),
    "channel": _l("The channel is not one of this authority's channels. Allowed: %(allowed)s."),
    "date": _l("Not a date: use DD.MM.YYYY, YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    "date_range": _l("The date is before 1990 or in the future."),
    "answer_before_registration": _l("The answer is dated before the registration."),
    "registration_before_receipt": _l("The registration is dated before the receipt."),
    "topic_malformed": _l("The topic code must be XXXX.XXXX.XXXX.XXXX with an optional fifth block."),
    "topic_unknown_section": _l("The topic code's section is not one of 0001-0005."),
    "topic_unknown": _l("The topic code is not in the loaded classifier."),
    "other_tenant": _l("The row names another authority: this file may name only %(allowed)s."),
    "duplicate_id": _l("The external id appears more than once in the file (rows %(detail)s)."),
    "formula": _l("The cell holds a formula: export values only."),
    "control": _l("The value holds a character that cannot be in text (a control character such as NUL): remove "
                  "it."),
    "too_many_items": _l("At most %(limit)s appeals in one request."),
    "not_an_object": _l("Each appeal must be a JSON object."),
}


def reason_text(code: str, **params) -> str:
    """The reason in the request's language; in jobs and commands (no request), the default one (Russian)."""
    return _translate(REASONS[code], **params)


@contextmanager
def default_locale():
    """Outside a request (jobs, commands) the core's locale selector has no request to read: use the default."""
    from flask import current_app, has_app_context, has_request_context

    if has_request_context() or not has_app_context():
        yield
        return
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        yield


def _translate(message: str, **params) -> str:
    from flask import current_app, has_app_context, has_request_context

    if has_request_context():
        return gettext(message, **params)
    if not has_app_context():
        return message % params if params else message
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return gettext(message, **params)


def error(row: int | None, column: str, value, code: str, **params) -> dict:
    return {"row": row, "column": column, "value": "" if value is None else uploads.visible(str(value)[:200]),
            "code": code, "reason": reason_text(code, **params)}


def unreadable(exc: uploads.UnreadableFile) -> dict:
    """The shared reader's refusal (the file's encoding, a character of a row, a workbook refused before parsing),
    as an error of the report."""
    code = "encoding" if exc.code in ("binary", "unknown") else exc.code
    return {"row": exc.row, "column": "", "value": "", "code": code, "reason": exc.message}


class ImportRefused(Exception):
    """Nothing was stored. `errors` are the first MAX_ERRORS problems, `error_count` all of them."""

    def __init__(self, errors: list[dict], error_count: int | None = None):
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        first = errors[0] if errors else {}
        super().__init__(f"{self.error_count} error(s); first: row {first.get('row')} {first.get('column')}: "
                         f"{first.get('reason')}")


@dataclass
class ImportResult:
    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: dict = field(default_factory=dict)  # by phase: read, validate, stage, check, update, insert


@dataclass
class Context:
    """What validation needs of the tenant, read once before the rows."""

    tenant_id: int
    tenant_slug: str
    tz: object
    channels: set[str]
    codes: set[str]
    vocab: Vocabulary | None = None  # the words accepted for codes (values.py); None: codes only
    now: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz="UTC"))

    @classmethod
    def of(cls, tenant, value_map: dict | None = None) -> Context:
        """`value_map`: the column layout's own values (field -> {source value: code})."""
        with default_locale():
            return cls(tenant.id, tenant.slug, tenant.tz, set(channel_codes(tenant)), loaded_codes(tenant.id),
                       vocabulary(tenant, value_map))


# ---------------------------------------------------------------------------------------------------------- reading

@dataclass
class Source:
    """An opened file: its format, encoding and delimiter, and a way to read it in chunks."""

    kind: str  # csv | xlsx
    encoding: str = ""
    delimiter: str = ""
    header: list[str] = field(default_factory=list)
    estimated_rows: int | None = 0  # None: not known without reading the whole file

    @property
    def encoding_label(self) -> str:
        return uploads.label(self.encoding)


def _head(source) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[:HEAD_BYTES])
    with open(source, "rb") as f:
        return f.read(HEAD_BYTES)


def _size(source) -> int:
    return len(source) if isinstance(source, (bytes, bytearray)) else os.path.getsize(source)


def _count_lines(source) -> int:
    if isinstance(source, (bytes, bytearray)):
        return source.count(b"\n")
    n = 0
    with open(source, "rb") as f:
        while block := f.read(1 << 20):
            n += block.count(b"\n")
    return n


def _estimate_lines(source, head: bytes) -> int:
    """Lines of the file, estimated from its first megabyte (exact when that is the whole file)."""
    size = _size(source)
    lines = head.count(b"\n")
    return lines if len(head) >= size else round(lines * size / max(len(head), 1))


def _binary(source):
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else open(source, "rb")


_LONE_CR = re.compile(rb"\r(?!\n)")


def _has_lone_cr(source) -> bool:
    """A CR not followed by LF anywhere in the file (C speed; a block's last CR is judged with the next block)."""
    if isinstance(source, (bytes, bytearray)):
        return _LONE_CR.search(source) is not None
    with open(source, "rb") as f:
        carry = b""
        while block := f.read(1 << 20):
            data = carry + block
            carry = b"\r" if data.endswith(b"\r") else b""
            if _LONE_CR.search(data[:-1] if carry else data):
                return True
        return carry == b"\r"


def _check_carriage_returns(source, encoding: str, delimiter: str) -> None:
    """A CR outside quotes in a file of LF or CRLF lines would split its row (pandas reads any CR as a line end):
    refused with the row named. Looked for only when the bytes hold a CR without LF."""
    if not _has_lone_cr(source):
        return
    data = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    row = uploads.stray_carriage_return(data.decode(encoding, errors="replace"), delimiter, blank_lines=False)
    if row is not None:
        raise ImportRefused([unreadable(uploads.UnreadableFile("carriage_return", row=row))])


def sniff(source, filename: str = "", *, count: bool = True) -> Source:
    """Format, encoding and delimiter (the shared upload reader's rules, `otklik.uploads`): from the whole file when
    it is in memory, from its first 1 MB when it is read from the disk. `count=False` (the preview): the rows are
    estimated from the beginning (CSV) or the sheet's declared size (XLSX), never counted."""
    if _size(source) == 0:
        raise ImportRefused([error(None, "", "", "file_empty")])
    head = _head(source)
    if head.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        return _sniff_xlsx(source, count=count)
    whole = isinstance(source, (bytes, bytearray))
    complete = len(head) == _size(source)
    try:
        encoding = uploads.detect_encoding(bytes(source) if whole else head, complete=whole or complete)
    except uploads.UnreadableFile as exc:
        raise ImportRefused([unreadable(exc)]) from None
    text = head.decode(encoding, errors="ignore")  # the head may end inside a character
    first = next((line for line in text.splitlines() if line.strip()), None)  # pandas skips blank lines too
    if first is None:
        raise ImportRefused([error(1, "", "", "no_header")])
    delimiter = uploads.sniff_delimiter(text, complete=complete)
    header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter))]
    _check_carriage_returns(source, encoding, delimiter)
    lines = _count_lines(source) if count else _estimate_lines(source, head)
    return Source("csv", encoding, delimiter, header, max(lines - 1, 0))


def _sniff_xlsx(source, *, count: bool = True) -> Source:
    """The zip directory is checked first (uploads.open_xlsx: sizes, ratio); then openpyxl reads the header in
    read-only mode. `count`: the sheet's rows are counted in its raw XML and refused beyond XLSX_MAX_ROWS;
    otherwise the sheet's declared size (its <dimension>, if any) is the estimate."""
    try:
        wb = uploads.open_xlsx(source)
    except uploads.UnreadableFile as exc:
        raise ImportRefused([unreadable(exc)]) from None
    try:
        ws = wb.worksheets[0]
        header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
        declared, part = ws.max_row, getattr(ws, "_worksheet_path", None)  # openpyxl's name of the sheet's part
        wb.close()
    except Exception:  # noqa: BLE001 - zip, XML or openpyxl errors all mean the same to the officer
        raise ImportRefused([error(None, "", "", "not_xlsx")]) from None
    if not header:
        raise ImportRefused([error(1, "", "", "no_header")])
    rows = max(declared - 1, 0) if declared else None
    if count and part:
        try:
            rows = max(uploads.count_xlsx_rows(source, part, uploads.XLSX_MAX_ROWS) - 1, 0)
        except uploads.UnreadableFile as exc:
            raise ImportRefused([unreadable(exc)]) from None
        except Exception:  # noqa: BLE001 - a part that does not unpack
            raise ImportRefused([error(None, "", "", "not_xlsx")]) from None
    return Source("xlsx", header=["" if h is None else str(h).strip() for h in header], estimated_rows=rows)


def _csv_chunks(source, src: Source, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    reader = pd.read_csv(
        _binary(source), sep=src.delimiter, encoding=src.encoding, dtype=object, keep_default_na=False,
        na_filter=False, chunksize=chunk_rows, header=0, skip_blank_lines=True, engine="c", quotechar='"',
        encoding_errors="strict",
    )
    try:
        yield from reader
    except UnicodeDecodeError as exc:
        raise ImportRefused([error(None, "", "", "encoding", encoding=uploads.label(src.encoding),
                                   detail=str(exc.reason))]) from None
    except pd.errors.ParserError as exc:
        message = str(exc)
        match = re.search(r"line (\d+)", message)
        raise ImportRefused([error(int(match.group(1)) if match else None, "", "", "bad_line",
                                   detail=message.removeprefix("Error tokenizing data. C error: ").strip())]) from None
    except pd.errors.EmptyDataError:
        return
    finally:
        reader.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if (value.hour, value.minute) == (0, 0) else "%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_chunks(source, src: Source, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """Rows as text, streamed (openpyxl read-only) and refused past XLSX_MAX_ROWS (rows openpyxl fills in for a
    sheet that skips row numbers count too); a formula anywhere refuses the file (its cached value may not be what
    the other system meant)."""
    try:
        wb = uploads.open_xlsx(source)
    except uploads.UnreadableFile as exc:
        raise ImportRefused([unreadable(exc)]) from None
    ws = wb.worksheets[0]
    width = len(src.header)
    rows, formulas = [], []
    for number, row in enumerate(ws.iter_rows(min_row=2), start=2):
        if number > uploads.XLSX_MAX_ROWS:
            wb.close()
            raise ImportRefused([unreadable(uploads.UnreadableFile("xlsx_rows", limit=uploads.XLSX_MAX_ROWS))])
        values = []
        for i, cell in enumerate(row[:width]):
            if cell.data_type == "f":
                formulas.append(error(number, src.header[i], cell.value, "formula"))
            values.append(_cell_text(cell.value))
        if not any(values):
            continue
        rows.append(values + [""] * (width - len(values)))
        if len(rows) >= chunk_rows:
            if formulas:
                break
            yield pd.DataFrame(rows, columns=src.header)
            rows = []
    wb.close()
    if formulas:
        raise ImportRefused(formulas[:MAX_ERRORS], len(formulas))
    if rows:
        yield pd.DataFrame(rows, columns=src.header)


def header_map(header: list[str], mapping: dict | None) -> dict[str, str]:
    """canonical field -> column of the file; refuses a missing required column or a mapped column not there."""
    clean = [h.strip() for h in header]
    seen = set()
    for h in clean:
        if h and h.lower() in seen:
            raise ImportRefused([error(1, h, h, "duplicate_column", name=h)])
        seen.add(h.lower())
    by_lower = {h.lower(): h for h in clean}
    if mapping:
        result, errors = {}, []
        for fname, column in mapping.items():
            if fname not in FIELDS or not column:
                continue
            if column.strip().lower() not in by_lower:
                if fname in REQUIRED:  # an optional field whose column is absent takes its default
                    errors.append(error(1, column, column, "unmapped_column", name=column))
            else:
                result[fname] = by_lower[column.strip().lower()]
    else:
        result = {f: by_lower[f] for f in FIELDS if f in by_lower}
        errors = []
    missing = [f for f in REQUIRED if f not in result]
    if missing and len(clean) == 1 and any(d in clean[0] for d in ",;\t|"):
        raise ImportRefused([error(1, "", clean[0], "wrong_delimiter")])
    errors += [error(1, f, "", "missing_column", name=f) for f in missing]
    if errors:
        raise ImportRefused(errors)
    return result


# ------------------------------------------------------------------------------------------------------- validation

_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


def _strip(values: pd.Series) -> tuple[pd.Series, int]:
    """Strip surrounding spaces and measure the longest value, looking at each distinct value once (real columns
    repeat a few values); a column of unique ids is scanned by one regex over the joined values, in C."""
    values = values.fillna("")
    uniques = pd.unique(values.to_numpy())
    if any(not isinstance(u, str) for u in uniques):
        values = values.astype(str)
        uniques = pd.unique(values.to_numpy())
    longest = max(map(len, uniques), default=0)
    if not _EDGE_SPACE.search("\x00".join(uniques)):
        return values, longest
    changed = {u: u.strip() for u in uniques if u != u.strip()}
    return values.replace(changed), longest


def _clean_text(values: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    """CRLF and CR inside a cell read as LF; the mask of values holding a refused character (uploads.CONTROL), or
    None. Each distinct value is looked at once, by one regex over the joined values (C speed)."""
    uniques = pd.unique(values.to_numpy())
    joined = "\n".join(uniques)
    if "\r" in joined:
        values = values.replace({u: uploads.normalise_breaks(u) for u in uniques if "\r" in u})
    if uploads.CONTROL.search(joined) is None:
        return values, None
    return values, values.str.contains(uploads.CONTROL, regex=True)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Naive local timestamps from the accepted formats (NaT where none fits) and a mask of date-only values."""
    s = values
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s != ""
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        out[todo] = parsed
        todo = todo & out.isna()
    return out, s.str.len() <= 10


def _to_utc(local: pd.Series, tz) -> pd.Series:
    return local.dt.tz_localize(tz, ambiguous=np.zeros(len(local), dtype=bool),
                                nonexistent="shift_forward").dt.tz_convert("UTC")


class _Errors:
    def __init__(self):
        self.items: list[dict] = []
        self.count = 0

    def add_mask(self, frame: pd.DataFrame, mask: pd.Series, fname: str, column: str, code: str, **params):
        n = int(mask.sum())
        if not n:
            return
        self.count += n
        room = MAX_ERRORS - len(self.items)
        if room <= 0:
            return
        sub = frame.loc[mask].head(room)
        reason = reason_text(code, **params) if params else reason_text(code)
        for row, value in zip(sub["__row"].tolist(), sub[fname].tolist(), strict=True):
            self.items.append({"row": int(row), "column": column, "value": uploads.visible(str(value)[:200]),
                               "code": code, "reason": reason})

    def add(self, item: dict):
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(item)


def validate(frame: pd.DataFrame, columns: dict[str, str], ctx: Context, errors: _Errors) -> pd.DataFrame:
    """Vectorised checks of one chunk (canonical field names, text values, `__row`); the clean typed frame."""
    df = pd.DataFrame({"__row": frame["__row"]})
    longest = {}
    refused = {}
    for fname in FIELDS:
        if fname in columns:
            values, longest[fname] = _strip(frame[columns[fname]])
            df[fname], refused[fname] = _clean_text(values)
        else:
            df[fname] = DEFAULTS.get(fname, "")
    col = {f: columns.get(f, f) for f in FIELDS}
    for fname, mask in refused.items():
        if mask is not None:
            errors.add_mask(df, mask, fname, col[fname], "control")
    for fname in FIELDS:
        limit = LIMITS.get(fname, MAX_CELL)
        if longest.get(fname, 0) > limit:
            errors.add_mask(df, df[fname].str.len() > limit, fname, col[fname], "too_long", limit=limit)
    for fname in REQUIRED:
        errors.add_mask(df, df[fname] == "", fname, col[fname], "required")
    for fname, allowed in (("kind", KINDS), ("audience", AUDIENCES), ("client_type", CLIENT_TYPES),
                           ("outcome", OUTCOMES), ("channel", ctx.channels)):
        if fname in ("audience", "client_type", "outcome"):
            df.loc[df[fname] == "", fname] = DEFAULTS[fname]
        other = (df[fname] != "") & ~df[fname].isin(allowed)
        if other.any() and ctx.vocab is not None:  # words for codes, looked up once per distinct value
            words = {v: ctx.vocab.code_of(fname, v) for v in pd.unique(df.loc[other, fname])}
            found = df.loc[other, fname].map(words)
            df.loc[found.dropna().index, fname] = found.dropna()
            other = other & found.reindex(df.index).isna()
        params = {"allowed": ctx.vocab.allowed_text(fname)} if ctx.vocab is not None else {
            "allowed": ", ".join(sorted(allowed))}
        errors.add_mask(df, other, fname, col[fname], fname, **params)
    errors.add_mask(df, (df["tenant"] != "") & (df["tenant"] != ctx.tenant_slug), "tenant", col["tenant"],
                    "other_tenant", allowed=ctx.tenant_slug)
    topic_reasons = check_codes(df["topic_code"], ctx.codes)
    for code in ("topic_malformed", "topic_unknown_section", "topic_unknown"):
        errors.add_mask(df, topic_reasons == code, "topic_code", col["topic_code"], code)

    stamps = {}
    floor, ceiling = pd.Timestamp("1990-01-01", tz="UTC"), ctx.now + pd.Timedelta(days=1)
    for fname in ("received_at", "registered_at", "answered_at"):
        local, date_only = parse_dates(df[fname])
        bad = (df[fname] != "") & local.isna()
        errors.add_mask(df, bad, fname, col[fname], "date")
        utc = _to_utc(local, ctx.tz)
        errors.add_mask(df, utc.notna() & ((utc < floor) | (utc > ceiling)), fname, col[fname], "date_range")
        stamps[fname] = (local, date_only, utc)
    reg_local, reg_day, reg = stamps["registered_at"]
    for later, earlier, code in (("answered_at", "registered_at", "answer_before_registration"),
                                 ("registered_at", "received_at", "registration_before_receipt")):
        l_local, l_day, _ = stamps[later]
        e_local, e_day, _ = stamps[earlier]
        # a date without time is the whole day: only an earlier calendar day is a contradiction then
        both_timed = ~l_day & ~e_day
        before = (l_local.dt.normalize() < e_local.dt.normalize()) | (both_timed & (l_local < e_local))
        errors.add_mask(df, before.fillna(False).astype(bool), later, col[later], code)

    out = df[["__row", "external_id", "kind", "audience", "channel", "topic_code", "reason", "segment",
              "client_type", "object", "outcome"]].copy()
    out["received_at"] = stamps["received_at"][2]
    out["registered_at"] = reg
    out["answered_at"] = stamps["answered_at"][2]
    out["due_date"] = (reg_local.dt.normalize() + pd.Timedelta(days=30))
    # a date without a time is stored at the day's local midnight and marked, so pages show the date alone
    date_only = np.zeros(len(df), dtype="int64")
    for fname in ("received_at", "registered_at", "answered_at"):
        local, day, _ = stamps[fname]
        date_only += np.where((day & local.notna()).to_numpy(), DATE_ONLY[fname], 0)
    out["date_only"] = date_only
    return out


# ---------------------------------------------------------------------------------------------------------- writing

STAGE_COLUMNS = ("line", "external_id", "kind", "audience", "channel", "received_at", "registered_at",
                 "answered_at", "due_date", "topic_code", "reason", "segment", "client_type", "object", "outcome",
                 "date_only")
TEXT_COLUMNS = ("external_id", "kind", "audience", "channel", "topic_code", "reason", "segment", "client_type",
                "object", "outcome")
UPDATED = ("kind", "audience", "channel", "received_at", "registered_at", "answered_at", "topic_code", "reason",
           "segment", "client_type", "object", "outcome", "date_only")


class _Stage:
    """A temporary table in the import's own transaction: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, conn):
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        # PostgreSQL: instants as epoch microseconds and the due date as epoch days (integers serialise fast)
        stamp = "bigint" if self.pg else "text"
        cols = ", ".join(
            f"{c} {'integer' if c in ('line', 'date_only') else stamp if c.endswith('_at') or c == 'due_date' else 'text'}"
            for c in STAGE_COLUMNS)
        conn.execute(text("DROP TABLE IF EXISTS intake_stage"))
        conn.execute(text(f"CREATE TEMPORARY TABLE intake_stage ({cols}, appeal_id integer)"
                          + (" ON COMMIT DROP" if self.pg else "")))

    def write(self, df: pd.DataFrame) -> None:
        frame = df.rename(columns={"__row": "line"})[list(STAGE_COLUMNS)]
        if self.pg:
            # columns as Python lists into the csv module's C writer: a quarter faster than DataFrame.to_csv
            columns = []
            for c in STAGE_COLUMNS:
                if c in ("received_at", "registered_at", "answered_at"):
                    naive = frame[c].dt.tz_convert(None).to_numpy()
                    values = naive.astype("datetime64[us]").astype("int64").tolist()
                    missing = np.isnat(naive)
                    if missing.any():
                        values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
                    columns.append(values)
                elif c == "due_date":
                    columns.append(frame[c].to_numpy().astype("datetime64[D]").astype("int64").tolist())
                elif c == "date_only":
                    columns.append(frame[c].astype("int64").tolist())
                else:
                    columns.append(frame[c].tolist())
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(zip(*columns, strict=True))
            buf = out.getvalue()
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(
                f"COPY intake_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN "
                f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"
            ) as copy:
                copy.write(buf)
        else:
            frame = frame.copy()
            for c in ("received_at", "registered_at", "answered_at"):
                s = frame[c].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
                frame[c] = s.where(frame[c].notna(), None)
            frame["due_date"] = frame["due_date"].dt.strftime("%Y-%m-%d")
            frame["line"] = frame["line"].astype(int)
            frame["date_only"] = frame["date_only"].astype(int)
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            placeholders = ", ".join("?" for _ in STAGE_COLUMNS)
            self.conn.connection.driver_connection.executemany(
                f"INSERT INTO intake_stage ({', '.join(STAGE_COLUMNS)}) VALUES ({placeholders})", list(rows))

    def duplicates(self, errors: _Errors, column: str) -> None:
        rows = self.conn.execute(text(
            "SELECT external_id, min(line), max(line), count(*) FROM intake_stage GROUP BY external_id "
            f"HAVING count(*) > 1 ORDER BY min(line) LIMIT {MAX_ERRORS}"
        )).all()
        for external_id, first, last, n in rows:
            errors.add(error(int(last), column, external_id, "duplicate_id", detail=f"{first}, {last}"
                             + (f" +{n - 2}" if n > 2 else "")))

    def merge(self, tenant_id: int, total: int, lap=lambda phase: None) -> ImportResult:
        """Match the staged rows to stored appeals, update the changed ones by id, insert the new ones.

        Three set-based statements rather than one INSERT ... ON CONFLICT DO UPDATE: speculative insertion costs
        about a third more per row on PostgreSQL, a re-import of an unchanged file then writes no row at all, and
        no statement both reads and writes `appeal` by a tenant-wide scan (whose probes would also visit the rows
        the same statement inserts: quadratic with a stale plan). The unique key (tenant_id, external_id) still
        guards: a concurrent import of the same ids fails whole, never doubles.
        """
        now = datetime.now(UTC)
        cols = [c for c in STAGE_COLUMNS if c != "line"]
        if self.pg:
            source = ", ".join(
                f"to_timestamp({c} / 1000000.0) AS {c}" if c.endswith("_at")
                else "DATE '1970-01-01' + due_date::integer AS due_date" if c == "due_date" else c for c in cols)
        else:
            source = ", ".join(cols)
        existing = self.conn.execute(text(
            "UPDATE intake_stage SET appeal_id = a.id FROM appeal a "
            "WHERE a.tenant_id = :t AND a.external_id = intake_stage.external_id"
        ), {"t": tenant_id}).rowcount
        if self.pg:
            self.conn.execute(text("ANALYZE intake_stage"))  # temporary tables get no autovacuum statistics
        lap("check")
        updated = 0
        if existing:
            changed = " OR ".join(f"appeal.{c} IS DISTINCT FROM s.{c}" for c in UPDATED)
            sets = ", ".join(f"{c} = s.{c}" for c in UPDATED)
            updated = self.conn.execute(text(
                f"UPDATE appeal SET {sets}, "
                "due_date = CASE WHEN appeal.extended_days = 0 THEN s.due_date ELSE appeal.due_date END "
                f"FROM (SELECT appeal_id, {source} FROM intake_stage WHERE appeal_id IS NOT NULL) AS s "
                f"WHERE appeal.id = s.appeal_id AND appeal.tenant_id = :t AND ({changed})"
            ), {"t": tenant_id}).rowcount
        lap("update")
        inserted = 0
        if existing < total:
            inserted = self.conn.execute(text(
                f"INSERT INTO appeal (tenant_id, {', '.join(cols)}, extended_days, extension_reason, redirected_to, "
                f"summary, created_at) SELECT :t, {source}, 0, '', '', '', :now FROM intake_stage "
                "WHERE appeal_id IS NULL"
            ), {"t": tenant_id, "now": now if self.pg else now.strftime("%Y-%m-%d %H:%M:%S.%f")}).rowcount
        lap("insert")
        return ImportResult(total=total, inserted=inserted, updated=updated, unchanged=existing - updated)


APPEAL_COLUMNS = ("tenant_id", "external_id", "kind", "audience", "channel", "received_at", "registered_at",
                  "answered_at", "due_date", "topic_code", "reason", "segment", "client_type", "object", "outcome",
                  "date_only", "extended_days", "extension_reason", "redirected_to", "summary", "created_at")
APPEAL_TEXT = TEXT_COLUMNS + ("extension_reason", "redirected_to", "summary")


class _Duplicates(Exception):
    """The direct COPY met an id twice (or one stored meanwhile): redo the import the staged way, which names them."""


class _DirectCopy:
    """One COPY into `appeal` for the whole file, written by a thread so PostgreSQL inserts chunk k while Python
    reads and checks chunk k+1 (psycopg releases the GIL while it sends). Used only when the tenant has no appeal,
    so there is nothing to match or update."""

    def __init__(self, conn, tenant_id: int):
        import queue
        import threading

        self.tenant_id = str(tenant_id)
        self.now = datetime.now(UTC).isoformat()
        # a few slices waiting beside the one being sent: enough to overlap, and memory stays flat (a slice's CSV
        # is about 2.5 MB as UTF-8 bytes, two to four times that as a Python str, hence the bytes)
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.rows = 0
        raw = conn.connection.driver_connection
        self.cursor = raw.cursor()
        self.copy_cm = self.cursor.copy(
            f"COPY appeal ({', '.join(APPEAL_COLUMNS)}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({', '.join(APPEAL_TEXT)}))")
        self.copy = self.copy_cm.__enter__()
        self.thread = threading.Thread(target=self._send, name="intake-copy", daemon=True)
        self.thread.start()

    def _send(self) -> None:
        while (buf := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.copy.write(buf)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread in finish()
                    self.error = exc

    SLICE_ROWS = 10_000  # rows per CSV handed to the thread: a chunk's whole CSV would double its memory

    def write(self, frame: pd.DataFrame) -> None:
        for start in range(0, len(frame), self.SLICE_ROWS):
            if self.error is not None:
                return
            self._write(frame.iloc[start:start + self.SLICE_ROWS])

    def _write(self, df: pd.DataFrame) -> None:
        n = len(df)
        columns = []
        for c in APPEAL_COLUMNS:
            if c in ("received_at", "registered_at", "answered_at"):
                naive = df[c].dt.tz_convert(None).to_numpy().astype("datetime64[us]")
                stamps = np.datetime_as_string(naive, unit="us", timezone="UTC")  # ISO 8601 with Z
                columns.append(np.where(np.isnat(naive), "", stamps).tolist())
            elif c == "due_date":
                columns.append(np.datetime_as_string(df[c].to_numpy().astype("datetime64[D]")).tolist())
            elif c == "date_only":
                columns.append(df[c].astype("int64").tolist())
            elif c == "tenant_id":
                columns.append([self.tenant_id] * n)
            elif c == "extended_days":
                columns.append(["0"] * n)
            elif c in ("extension_reason", "redirected_to", "summary"):
                columns.append([""] * n)
            elif c == "created_at":
                columns.append([self.now] * n)
            else:
                columns.append(df[c].tolist())
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(zip(*columns, strict=True))
        del columns
        self.queue.put(out.getvalue().encode())
        self.rows += n

    def _stop_thread(self) -> None:
        self.queue.put(None)
        self.thread.join()

    def abandon(self) -> None:
        """Stop without storing (the file had errors): the COPY is cancelled; the caller rolls back."""
        self._stop_thread()
        try:
            self.copy_cm.__exit__(RuntimeError, RuntimeError("import refused"), None)
        except Exception:  # noqa: BLE001 - the cancelled COPY's own error; the savepoint is rolled back next
            pass
        self.cursor.close()

    def finish(self) -> int:
        """End the COPY; a unique-key failure (a duplicate id) becomes `_Duplicates`."""
        import psycopg

        self._stop_thread()
        try:
            if self.error is not None:
                raise self.error
            self.copy_cm.__exit__(None, None, None)
        except psycopg.errors.UniqueViolation as exc:
            raise _Duplicates() from exc
        finally:
            self.cursor.close()
        return self.rows


def _tenant_has_appeals(conn, tenant_id: int) -> bool:
    return conn.execute(text("SELECT 1 FROM appeal WHERE tenant_id = :t LIMIT 1"), {"t": tenant_id}).first() is not None


class _Laps:
    """Seconds spent per phase of an import (the bench reports them): `lap(phase)` books the time since the last."""

    def __init__(self):
        self.seconds = dict.fromkeys(("read", "validate", "stage", "check", "update", "insert"), 0.0)
        self.clock = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] += now - self.clock
        self.clock = now

    def rounded(self) -> dict:
        return {k: round(v, 2) for k, v in self.seconds.items()}


def _check_and_write(chunks: Iterator[pd.DataFrame], ctx: Context, columns: dict[str, str], errors: _Errors,
                     write: Callable[[pd.DataFrame], None], lap: _Laps, first_row: int,
                     progress: Callable[[int], None] | None) -> int:
    """Number, check and hand on every chunk (`write`, while no error was found); stop at MAX_ERRORS. The rows."""
    total = 0
    for chunk in chunks:
        lap("read")
        chunk = chunk.reset_index(drop=True)
        chunk["__row"] = np.arange(first_row + total, first_row + total + len(chunk))
        clean = validate(chunk, columns, ctx, errors)
        total += len(chunk)
        lap("validate")
        if not errors.count:
            write(clean)
            lap("stage")
        if progress:
            progress(total)
        if errors.count >= MAX_ERRORS:
            break
    return total


def _refuse(errors: _Errors, total: int) -> None:
    """Raise ImportRefused for the errors found, or for a file with no row."""
    if errors.count:
        raise ImportRefused(sorted(errors.items, key=lambda e: (e["row"] or 0)), errors.count)
    if total == 0:
        raise ImportRefused([error(None, "", "", "no_rows")])


def import_direct(conn, ctx: Context, chunks: Iterator[pd.DataFrame], columns: dict[str, str], *,
                  first_row: int = 2, progress: Callable[[int], None] | None = None) -> ImportResult:
    """A first import on PostgreSQL: check every chunk and COPY it straight into `appeal` (module docstring).

    Raises ImportRefused on any invalid row (the caller rolls back), `_Duplicates` when an id repeats."""
    errors = _Errors()
    writer = _DirectCopy(conn, ctx.tenant_id)
    lap = _Laps()
    try:
        total = _check_and_write(chunks, ctx, columns, errors, writer.write, lap, first_row, progress)
        _refuse(errors, total)
    except BaseException:
        writer.abandon()
        raise
    inserted = writer.finish()
    lap("insert")
    result = ImportResult(total=total, inserted=inserted, updated=0, unchanged=0)
    result.seconds = lap.rounded()
    return result


# ----------------------------------------------------------------------------------------------------------- entry

def import_frames(conn, ctx: Context, chunks: Iterator[pd.DataFrame], columns: dict[str, str], *,
                  first_row: int = 2, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate and stage every chunk, then merge; raises ImportRefused (the caller rolls back) on any error."""
    errors = _Errors()
    stage = _Stage(conn)
    lap = _Laps()
    total = _check_and_write(chunks, ctx, columns, errors, stage.write, lap, first_row, progress)
    if not errors.count and total:
        stage.duplicates(errors, columns.get("external_id", "external_id"))
        lap("check")
    _refuse(errors, total)
    result = stage.merge(ctx.tenant_id, total, lap)
    result.seconds = lap.rounded()
    return result


def read_chunks(source, filename: str = "", mapping: dict | None = None, *,
                preview: bool = False) -> tuple[Source, dict, Iterator]:
    """Sniff a file and check its header; the chunks come lazily. `preview`: chunks of PREVIEW_ROWS rows and no
    count of the rows (the preview reads the first chunk only, so a file of a million rows costs it nothing)."""
    src = sniff(source, filename, count=not preview)
    columns = header_map(src.header, mapping)
    size = PREVIEW_ROWS if preview else CHUNK_ROWS
    chunks = _xlsx_chunks(source, src, size) if src.kind == "xlsx" else _csv_chunks(source, src, size)
    return src, columns, chunks


def import_file(session, tenant, source: bytes | str | Path, filename: str = "", mapping: dict | None = None,
                progress: Callable[[int, int], None] | None = None, values: dict | None = None) -> ImportResult:
    """Import a file (bytes or a path) for a tenant in the session's transaction: committed, or rolled back and
    ImportRefused raised. `values`: the layout's value mapping (field -> {source value: code})."""
    ctx = Context.of(tenant, values)
    if isinstance(source, Path):
        source = str(source)
    try:
        src, columns, chunks = read_chunks(source, filename or str(source if isinstance(source, str) else ""),
                                           mapping)
        estimate = src.estimated_rows or 0  # 0: not known without reading the file (the bar shows no share)
        report = (lambda done: progress(done, max(estimate, done) if estimate else 0)) if progress else None
        if report:
            report(0)
        conn = session.connection()
        if conn.dialect.name == "postgresql" and not _tenant_has_appeals(conn, ctx.tenant_id):
            conn.execute(text("SAVEPOINT intake_direct"))
            try:
                result = import_direct(conn, ctx, chunks, columns, progress=report)
            except _Duplicates:
                conn.execute(text("ROLLBACK TO SAVEPOINT intake_direct"))
                _src, columns, chunks = read_chunks(source, filename or str(source if isinstance(source, str)
                                                                             else ""), mapping)
                result = import_frames(conn, ctx, chunks, columns, progress=report)
        else:
            result = import_frames(conn, ctx, chunks, columns, progress=report)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return result


def import_records(session, tenant, records: list, limit: int = 10_000) -> ImportResult:
    """The API's batch: JSON objects with the canonical keys, items numbered from 1."""
    if len(records) > limit:
        raise ImportRefused([error(None, "", len(records), "too_many_items", limit=limit)])
    bad = [i for i, r in enumerate(records, start=1) if not isinstance(r, dict)]
    if bad:
        raise ImportRefused([error(i, "", "", "not_an_object") for i in bad[:MAX_ERRORS]], len(bad))
    ctx = Context.of(tenant)
    names = [f for f in FIELDS if any(f in r for r in records)]
    frame = pd.DataFrame([{f: "" if r.get(f) is None else str(r.get(f)) for f in names} for r in records],
                         columns=names)
    try:
        columns = header_map(names or ["-"], None)
        result = import_frames(session.connection(), ctx, iter([frame]), columns, first_row=1)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return result


def report_csv(errors: list[dict], error_count: int) -> str:
    """The error report (row, column, value, reason) as CSV for Excel, through the one CSV writer (`;`, UTF-8 with
    BOM, formulas defused)."""
    rows = [[e.get("row") or "", e.get("column"), e.get("value"), e.get("reason")] for e in errors]
    if error_count > len(errors):
        rows.append(["", "", "", _translate("... and %(n)s more errors", n=error_count - len(errors))])
    header = [_translate("Row"), _translate("Column"), _translate("Value"), _translate("Reason")]
    return csvout.write_csv(rows, header)
