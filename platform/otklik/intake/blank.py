"""The blank import file an officer downloads: the canonical header, and (XLSX) a sheet of the values each coded
column accepts, with drop-down lists of them in the first sheet. The allowed values come from `values.vocabulary`,
the same words the import accepts, so the blank and the import cannot disagree."""

from __future__ import annotations

import io

import xlsxwriter
from flask_babel import gettext as _

from .. import csvout
from .importer import CANONICAL, REQUIRED
from .values import CODED, OTHER_WORDS, vocabulary

COLUMNS = (*CANONICAL, "received_at")
DATE_COLUMNS = ("registered_at", "answered_at", "received_at")
EXAMPLE_ROWS = 1000  # the first sheet's rows (header included) that get the drop-down lists


def column_notes() -> dict[str, str]:
    """What each column holds, in the request's language (the blank's second row is not data: it is a comment)."""
    return {
        "external_id": _("Registration number (unique)"),
        "kind": _("Kind of appeal"),
        "audience": _("Audience"),
        "channel": _("Channel"),
        "registered_at": _("Registered on: DD.MM.YYYY or DD.MM.YYYY HH:MM"),
        "answered_at": _("Answered on (empty if not yet)"),
        "topic_code": _("Topic code XXXX.XXXX.XXXX.XXXX"),
        "reason": _("Reason"),
        "segment": _("Segment"),
        "client_type": _("Client type"),
        "object": _("Object (service or process)"),
        "outcome": _("Outcome"),
        "received_at": _("Received on (for the 3-day registration rule)"),
    }


def allowed_rows(tenant) -> list[list[str]]:
    """Column, code, title, other accepted words: one row per allowed code."""
    vocab = vocabulary(tenant)
    out = []
    for fname in CODED:
        for code, title in vocab.allowed[fname]:
            others = OTHER_WORDS.get(fname, {}).get(code, ())
            out.append([fname, code, title, ", ".join(others)])
    return out


def blank_csv() -> str:
    """The header alone, through the one CSV writer (`;`, UTF-8 with BOM): a file Excel opens as Russian text."""
    return csvout.write_csv([], COLUMNS)


def blank_xlsx(tenant) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False})
    head = wb.add_format({"bold": True, "bg_color": "#E8F1FB", "border": 1})
    required = wb.add_format({"bold": True, "bg_color": "#FFE9C7", "border": 1})
    text = wb.add_format({"num_format": "@"})  # numbers and dates typed stay as typed, not Excel serials
    data = wb.add_worksheet(_("Appeals")[:31])
    values = wb.add_worksheet(_("Allowed values")[:31])
    notes = column_notes()
    for j, name in enumerate(COLUMNS):
        data.write_string(0, j, name, required if name in REQUIRED else head)
        data.write_comment(0, j, notes[name])
        data.set_column(j, j, 22, text)
    data.freeze_panes(1, 0)

    values.write_row(0, 0, [_("Column"), _("Code"), _("Value"), _("Also accepted")], head)
    values.set_column(0, 1, 16)
    values.set_column(2, 3, 48)
    rows = allowed_rows(tenant)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for i, row in enumerate(rows, start=1):
        values.write_row(i, 0, row)
        first.setdefault(row[0], i)
        last[row[0]] = i
    note_row = len(rows) + 2
    values.write_string(note_row, 0, _("Any of these may be written in a cell: the code, the value or another "
                                       "accepted word; case and extra spaces do not matter."))
    sheet = _("Allowed values")[:31].replace("'", "''")
    for j, name in enumerate(COLUMNS):
        if name in first:  # a drop-down of the titles; the import takes the titles as well as the codes
            data.data_validation(1, j, EXAMPLE_ROWS - 1, j, {
                "validate": "list", "source": f"='{sheet}'!$C${first[name] + 1}:$C${last[name] + 1}",
                "error_type": "information", "show_error": False})
    wb.close()
    return buffer.getvalue()
