"""The one CSV writer for every CSV the platform gives people (the Centre's comparison, import error reports, and
what comes later: exports, open data of publications).

A spreadsheet program takes a cell that starts with `=`, `+`, `-` or `@` for a formula (and one that starts with
tab or CR for one too, after it trims the cell): an authority named `=cmd|' /C calc'!A0` would run as one on the
analyst's computer. Such a text cell gets a leading `'`, which Excel and LibreOffice show as nothing and read as
"this is text" (OWASP's advice for CSV injection). Numbers (int, float, Decimal) are written as they are, so a
negative figure stays a number. Russian spreadsheet users' defaults: `;` between cells and a UTF-8 BOM (without it
Excel reads UTF-8 as Windows-1251); a CSV keeps the delimiter and header it always had.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value) -> str:
    """A text cell that starts like a formula gets a leading quote, so it stays text; None is empty."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def cell(value):
    """What the writer puts in a cell: a number as it is, anything else as safe text."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    return safe_cell(value)


def write_csv(rows: Iterable[Iterable], header: Iterable | None = None, *, delimiter: str = ";",
              bom: bool = True, escape_formulas: bool = True) -> str:
    """The whole CSV as text: `header` (escaped like any cell), then `rows`; `;` and a BOM unless told.

    `escape_formulas=False` is for files read by machines under a standard that fixes their values (an open-data
    passport's phone `+7 …`): cells are then written as they are, None as empty."""
    return "".join(iter_csv(rows, header, delimiter=delimiter, bom=bom, escape_formulas=escape_formulas))


def iter_csv(rows: Iterable[Iterable], header: Iterable | None = None, *, delimiter: str = ";", bom: bool = True,
             escape_formulas: bool = True, chunk_rows: int = 2000) -> Iterator[str]:
    """The same CSV as `write_csv`, as text chunks of `chunk_rows` rows: a streamed response or a file job holds
    one chunk at a time, whatever the number of rows (docs/PERFORMANCE.md, "Exports")."""
    out = io.StringIO()
    convert = cell if escape_formulas else _plain
    writer = csv.writer(out, delimiter=delimiter)
    if bom:
        out.write(BOM)
    if header is not None:
        writer.writerow([convert(v) for v in header])
    for n, row in enumerate(rows, 1):
        writer.writerow([convert(v) for v in row])
        if n % chunk_rows == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _plain(value):
    return "" if value is None else value
