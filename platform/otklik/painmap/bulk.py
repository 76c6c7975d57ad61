"""Bulk update of measures from a file (issue 11, item 9): the authority's measures as CSV or XLSX, changed in a
spreadsheet and uploaded back.

All or nothing: every row is checked before anything is written; one bad row (an unknown id, or another
authority's, which the tenant scope makes the same; a bad status, progress outside 0..100, a bad date, an owner
who is not a member) refuses the whole file with a report naming the row and the column. Otherwise each changed
field goes through `service.change`, so the history keeps who changed what, exactly as on the measure's page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import select

from .. import uploads
from ..csvout import FORMULA_START, write_csv
from ..extensions import db
from ..models import Measure
from ..models.painmap import MEASURE_STATUSES
from . import service, table
from .labels import MEASURE_STATUS_LABELS

# The file's columns, in order: the header row names them (codes, so a translated header cannot break a re-upload).
COLUMNS = ("id", "pain", "wording", "owner_email", "due_date", "status", "progress", "result")
EDITABLE = ("wording", "owner_email", "due_date", "status", "progress", "result")
MAX_ROWS = 5_000  # far more measures than an authority has; a bigger file is not a list of measures
MAX_ERRORS = 50  # the report lists this many problems at most
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")


class BulkRefused(ValueError):
    """The file is refused as a whole: `errors` are (row or None, column or None, message)."""

    def __init__(self, errors: list[tuple[int | None, str | None, str]]):
        self.errors = errors
        super().__init__("; ".join(m for _r, _c, m in errors))


@dataclass(frozen=True)
class Outcome:
    rows: int  # measures in the file
    changed: int  # measures with at least one field changed


# -- download --

def _rows(people) -> list[list]:
    emails = {uid: (u.email or "") for uid, u in people.items()}
    measures = db.session.execute(select(Measure).order_by(Measure.pain_id, Measure.id)).scalars().all()
    return [[m.id, m.pain.wording, m.wording, emails.get(m.owner_id, "") if m.owner_id else "",
             m.due_date.strftime("%d.%m.%Y") if m.due_date else "", m.status, m.progress, m.result]
            for m in measures]


def csv_text() -> str:
    """UTF-8 with a BOM and `;`, as Russian spreadsheets open it, through the one CSV writer (otklik.csvout): a text
    cell that a spreadsheet would take for a formula gets a leading quote (read back without it)."""
    return write_csv(_rows(table.members()), COLUMNS)


def xlsx() -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet(_("Measures")[:31])
    head = wb.add_format({"bold": True})
    for col, title in enumerate(COLUMNS):
        ws.write_string(0, col, title, head)
    ws.set_column(1, 2, 48)
    ws.set_column(3, 3, 28)
    ws.set_column(7, 7, 48)
    for r, row in enumerate(_rows(table.members()), 1):
        for col, value in enumerate(row):
            # typed text stays text: write() would take a wording that starts with "=" for a formula
            if isinstance(value, int):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, value)
    wb.close()
    return out.getvalue()


# -- upload --

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text


def _read_xlsx(data: bytes) -> list[list]:
    """The first sheet's rows (values as openpyxl gives them), through the upload reader's workbook guard."""
    wb = uploads.open_xlsx(data)  # UnreadableFile (caught by _read) when refused or unreadable
    try:
        out = []
        for row in wb.worksheets[0].iter_rows(values_only=True):
            out.append(list(row))
            if len(out) > MAX_ROWS + 1:
                raise BulkRefused([(None, None, _("The file has more than %(n)s rows.", n=MAX_ROWS))])
        return out
    finally:
        wb.close()


def _read(data: bytes, filename: str) -> list[list]:
    try:
        if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
            return _read_xlsx(data)
        upload = uploads.read_text(data)
        rows = []
        reader = upload.rows()
        for row in reader:
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise BulkRefused([(None, None, _("The file has more than %(n)s rows.", n=MAX_ROWS))])
        return rows
    except uploads.UnreadableFile as exc:
        raise BulkRefused([(getattr(exc, "row", None), None, exc.message)]) from None
    except csv.Error as exc:
        raise BulkRefused([(None, None, _("The file cannot be read as CSV: %(reason)s.", reason=str(exc)))]) from None


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _statuses() -> dict[str, str]:
    """A status by its code or its words (case aside)."""
    out = {code: code for code in MEASURE_STATUSES}
    out.update({str(label).lower(): code for code, label in MEASURE_STATUS_LABELS.items()})
    return out


def _parse(rows: list[list]) -> tuple[list[tuple[Measure, dict]], list]:
    """Each row's measure and the values it sets, and the problems found (row numbers as a spreadsheet shows)."""
    header = [_text(c).lower() for c in (rows[0] if rows else [])]
    missing = [c for c in ("id", *EDITABLE) if c not in header]
    if missing:
        return [], [(1, None, _("The first row must name the columns: %(columns)s; missing: %(missing)s.",
                                columns=", ".join(COLUMNS), missing=", ".join(missing)))]
    at = {name: header.index(name) for name in ("id", *EDITABLE)}
    ids = {}
    for number, row in enumerate(rows[1:], 2):
        raw = _text(row[at["id"]]) if at["id"] < len(row) else ""
        if raw.isdigit():
            ids.setdefault(int(raw), number)
    found = {m.id: m for m in db.session.execute(select(Measure).where(Measure.id.in_(list(ids)))).scalars()} \
        if ids else {}
    people = table.members()
    owners = {(u.email or "").strip().lower(): uid for uid, u in people.items()}
    statuses = _statuses()
    parsed, errors, seen = [], [], set()
    for number, row in enumerate(rows[1:], 2):
        cells = {name: (row[i] if i < len(row) else None) for name, i in at.items()}
        if not any(_text(v) for v in row):
            continue  # an empty line, as spreadsheets leave at the end
        problems = []

        def bad(column: str, message: str, row_number=number, into=problems) -> None:
            into.append((row_number, column, message))

        raw_id = _text(cells["id"])
        measure = found.get(int(raw_id)) if raw_id.isdigit() else None
        if measure is None:
            bad("id", _("no measure of this authority has the id «%(value)s».", value=raw_id))
        elif measure.id in seen:
            bad("id", _("the measure %(id)s is in the file twice.", id=measure.id))
        else:
            seen.add(measure.id)
        values = {}
        wording = _text(cells["wording"])
        if not wording:
            bad("wording", _("the wording is empty."))
        values["wording"] = wording
        email = _text(cells["owner_email"]).lower()
        if email and email not in owners:
            bad("owner_email", _("«%(value)s» is not a member of the authority.", value=email))
        values["owner_id"] = owners.get(email) if email else None
        try:
            values["due_date"] = _date(cells["due_date"])
        except ValueError:
            bad("due_date", _("«%(value)s» is not a date (DD.MM.YYYY).", value=_text(cells["due_date"])))
        status = statuses.get(_text(cells["status"]).lower())
        if status is None:
            bad("status", _("unknown status «%(value)s»; expected one of: %(codes)s.",
                            value=_text(cells["status"]), codes=", ".join(MEASURE_STATUSES)))
        values["status"] = status
        progress_text = _text(cells["progress"]) or "0"
        progress = int(progress_text) if progress_text.isdigit() else None
        if progress is None or not 0 <= progress <= 100:
            bad("progress", _("progress must be a whole number from 0 to 100, not «%(value)s».",
                              value=_text(cells["progress"])))
        values["progress"] = 100 if status == "done" else progress
        values["result"] = _text(cells["result"])
        errors += problems
        if not problems:
            parsed.append((measure, values))
    return parsed, errors


def apply(data: bytes, filename: str, user_id: int | None) -> Outcome:
    """Check the whole file, then change every measure it changes (history kept), in one transaction; BulkRefused
    names every problem (up to MAX_ERRORS) and nothing is changed."""
    rows = _read(data, filename)
    parsed, errors = _parse(rows)
    if errors:
        raise BulkRefused(errors[:MAX_ERRORS])
    if not parsed:
        raise BulkRefused([(None, None, _("The file has no measures."))])
    changed = 0
    for measure, values in parsed:
        before = {name: getattr(measure, name) for name in values}
        for name, value in values.items():
            service.change(measure, name, value, user_id)
        changed += any(before[name] != getattr(measure, name) for name in values)
    db.session.commit()
    return Outcome(len(parsed), changed)
