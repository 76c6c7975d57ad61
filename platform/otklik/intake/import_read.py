"""Reading a file for the import (the first phase): its format, encoding and delimiter, then its rows in chunks of
text (pandas' C parser for CSV, openpyxl's read-only mode for XLSX). Whatever the file cannot be read as refuses it
whole, naming the row where that is known."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from .. import uploads
from .import_base import CHUNK_ROWS, HEAD_BYTES, MAX_ERRORS, ImportRefused, error, unreadable


def xlsx_broken() -> tuple[type[BaseException], ...]:
    """What reading a damaged workbook raises (zipfile, the XML parser, openpyxl): each means to the officer only
    that the file is not a readable XLSX workbook. Anything else is a fault of ours and is not hidden. (openpyxl is
    imported here, not at start-up, as everywhere else.)"""
    from openpyxl.utils.exceptions import CellCoordinatesException, InvalidFileException

    return (
        zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError,  # the zip and its parts
        NotImplementedError, RuntimeError,  # a compression method zipfile lacks, an encrypted member
        SyntaxError,  # XML that does not parse (ElementTree's ParseError and lxml's XMLSyntaxError derive from it)
        ValueError, TypeError, IndexError, AttributeError,  # cells openpyxl cannot convert, a missing shared string
        CellCoordinatesException, InvalidFileException,  # openpyxl's own
    )


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
    except xlsx_broken():
        raise ImportRefused([error(None, "", "", "not_xlsx")]) from None
    if not header:
        raise ImportRefused([error(1, "", "", "no_header")])
    rows = max(declared - 1, 0) if declared else None
    if count and part:
        try:
            rows = max(uploads.count_xlsx_rows(source, part, uploads.XLSX_MAX_ROWS) - 1, 0)
        except uploads.UnreadableFile as exc:
            raise ImportRefused([unreadable(exc)]) from None
        except xlsx_broken():  # a part that does not unpack
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

