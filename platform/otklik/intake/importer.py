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

The phases live in their own modules: `import_read` (format, encoding, chunks of text), `import_check` (the header,
then each chunk's values) and `import_write` (the stage and merge, or the direct COPY); `import_base` holds what
they share. This module runs them in order and keeps the names callers import.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

from .. import csvout
from .import_base import (  # noqa: F401 - the names callers import from here
    CANONICAL,
    CHUNK_ROWS,
    DEFAULTS,
    EXTRA,
    FIELDS,
    MAX_ERRORS,
    PREVIEW_ROWS,
    REASONS,
    REQUIRED,
    Context,
    ImportRefused,
    ImportResult,
    _translate,
    default_locale,
    error,
    reason_text,
)
from .import_check import _Errors, header_map, parse_dates, validate  # noqa: F401
from .import_read import Source, _csv_chunks, _has_lone_cr, _xlsx_chunks, sniff  # noqa: F401
from .import_write import _DirectCopy, _Duplicates, _Stage, _tenant_has_appeals  # noqa: F401


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
