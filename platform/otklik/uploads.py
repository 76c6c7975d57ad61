"""One reader for every uploaded text file (appeals, survey answers, the classifier): its encoding and delimiter.

Encodings: UTF-8 (a BOM is honoured and stripped), Windows-1251 and KOI8-R, nothing else. Bytes that decode as
UTF-8 are UTF-8; otherwise `charset-normalizer`, limited to those three, chooses between the two Cyrillic code
pages, and the text it gives must read as Cyrillic (a Latin-1 file "decodes" as either of them, into words that
mix Latin and Cyrillic letters). Any other file (UTF-16, binary data, Latin-1, DOS 866...) is refused with
`UnreadableFile`, whose message says what is expected; each importer shows it as its other errors.

Delimiter: `csv.Sniffer` over the first lines (quotes respected: a quoted `;` stays in its field), among `,` `;`
and tab; when it cannot tell, the one that splits the header into the most fields (`,` when none does).

Characters: a cell may hold tab and line feed; any other C0 control (NUL included) or a lone UTF-16 surrogate is
refused with the row named (`CONTROL`). Carriage returns: CRLF and a CR inside a quoted cell become LF; a CR
outside quotes in a file whose lines end with LF or CRLF would split its row, so it is refused with the row named
(a file whose every line ends with CR alone, as old Macintosh programs write, reads as lines).

XLSX files are not text and do not come here, but their zip directory does: `check_xlsx` refuses a workbook whose
parts unpack too big or too compressed before any XML is parsed, and `count_xlsx_rows` counts a sheet's rows from
its raw XML at C speed (see "XLSX" below for the limits and why).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50  # lines the delimiter is chosen from
SNIFF_CHARS = 65536
CHECK_BYTES = 1 << 18  # the beginning whose letters are looked at (case, scripts): enough text, bounded time
# charset-normalizer's names -> Python codecs (pandas and `bytes.decode` take these)
CANDIDATES = {"utf_8": "utf-8", "cp1251": "cp1251", "koi8_r": "koi8-r"}
LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1251": "Windows-1251", "koi8-r": "KOI8-R"}

MESSAGES = {
    "binary": _l("The file is not text (binary data or UTF-16): save it as CSV in UTF-8, Windows-1251 or KOI8-R."),
    "unknown": _l("Could not determine the file's encoding: UTF-8, Windows-1251 or KOI8-R is expected."),
    "control": _l("Row %(row)s holds a character that cannot be in text (%(char)s): remove it and upload the file "
                  "again."),
    "carriage_return": _l("Row %(row)s holds a carriage return (CR) outside quotes, which splits the row in two: "
                          "remove it, or put the cell in quotes, and upload the file again."),
    "not_xlsx": _l("The file is not a readable XLSX workbook."),
    "xlsx_parts": _l("The workbook holds %(count)s parts, more than %(limit)s: it is not an ordinary spreadsheet. "
                     "Save it as CSV and upload that."),
    "xlsx_part": _l("The workbook's part %(part)s unpacks to %(size)s MB, more than the %(limit)s MB allowed: save "
                    "the sheet as CSV or split it."),
    "xlsx_total": _l("The workbook unpacks to %(size)s MB, more than the %(limit)s MB allowed: save the sheet as "
                     "CSV or split it."),
    "xlsx_ratio": _l("The workbook's part %(part)s is compressed %(ratio)s times, more than the %(limit)s times an "
                     "ordinary spreadsheet reaches: open it in a spreadsheet program and save it again, or save it "
                     "as CSV."),
    "xlsx_rows": _l("The sheet has more than %(limit)s rows: split it, or save it as CSV (read much faster)."),
}

# Russian letters by frequency in running text, per cent (other Cyrillic letters count as rare)
FREQUENCY = dict(zip("оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё", (
    10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62, 2.01, 1.90, 1.74,
    1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32, 0.26, 0.04, 0.04), strict=True))
RARE = 0.04
_WORD = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


class UnreadableFile(ValueError):
    """The upload cannot be read as it is. `code` is a key of MESSAGES (binary | unknown: its encoding; control |
    carriage_return: a character of a row; not_xlsx | xlsx_*: a workbook refused before parsing), `params` fill
    its message; `message` is the reason in the current language (read it where it is shown: in a request, a job
    or a command). `row` is the row it names, if any (the header is row 1)."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        self.row = params.get("row")
        super().__init__(code)

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message


def label(encoding: str) -> str:
    """The encoding as people name it: UTF-8, Windows-1251, KOI8-R."""
    return LABELS.get(encoding, encoding)


def _is_utf8(data: bytes, complete: bool) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)  # a cut-off sample may end mid-character
    except UnicodeDecodeError:
        return False
    return True


def _russian_likeness(text: str) -> float:
    """The mean log frequency of the text's Cyrillic letters: each code page decodes the other's Russian into
    letters that are rarer (case aside: one decodes the other's lower case as upper case)."""
    letters = _CYRILLIC.findall(text.lower())
    return sum(math.log(FREQUENCY.get(c, RARE)) for c in letters) / len(letters) if letters else 0.0


def _reads_as_cyrillic(text: str) -> bool:
    """Most Cyrillic letters stand in all-Cyrillic words of two letters or more. Latin-1 text decoded as a
    Cyrillic code page has its accented letters inside Latin words instead ("Cafй", "йlиve")."""
    total = pure = 0
    for word in _WORD.findall(text):
        cyrillic = len(_CYRILLIC.findall(word))
        if not cyrillic:
            continue
        total += cyrillic
        if cyrillic == len(word) and len(word) > 1:
            pure += cyrillic
    return total == 0 or pure >= total / 2


def detect_encoding(data: bytes, *, complete: bool = True) -> str:
    """The Python codec of `data`: utf-8-sig (a BOM), utf-8, cp1251 or koi8-r; UnreadableFile otherwise.

    `complete=False` says `data` is the beginning of a longer file (its last character may be cut)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile("binary")
    if b"\x00" in data:
        if data.count(b"\x00") * 100 > len(data):
            raise UnreadableFile("binary")  # UTF-16 and UTF-32 text and binary data hold NUL bytes everywhere
        # a few stray NULs in text: name the row of the first (read in the encoding of the text around them)
        encoding = detect_encoding(data.replace(b"\x00", b""), complete=complete)
        text = data.decode(encoding, errors="replace")
        at = text.index("\x00")
        raise UnreadableFile("control", row=row_at(text, sniff_delimiter(text, complete=complete), at),
                             char=char_code("\x00"))
    if data.startswith(codecs.BOM_UTF8):
        if not _is_utf8(data[3:], complete):
            raise UnreadableFile("unknown")
        return "utf-8-sig"
    if _is_utf8(data, complete):
        return "utf-8"
    from charset_normalizer import from_bytes

    matches = [m for m in from_bytes(data, cp_isolation=list(CANDIDATES)) if m.encoding in ("cp1251", "koi8_r")]
    if not matches:
        raise UnreadableFile("unknown")
    head = data[:CHECK_BYTES]
    best = matches[0]
    if len(matches) > 1 and round(matches[1].chaos, 2) == round(best.chaos, 2):
        # both read as clean text: charset-normalizer's coherence then misjudges a few lines of lower-case words
        # (KOI8-R Russian read as Windows-1251 is upper-case Russian, and the other way round); the decoding
        # whose letters are the more frequent in Russian decides
        best = max(matches[:2], key=lambda m: _russian_likeness(head.decode(m.encoding, errors="replace")))
    if not _reads_as_cyrillic(head.decode(best.encoding, errors="replace")):
        raise UnreadableFile("unknown")
    return CANDIDATES[best.encoding]


def _width(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def sniff_delimiter(text: str, *, complete: bool = True) -> str:
    """`,`, `;` or tab, chosen by csv.Sniffer over the first lines; `complete=False`: the text is a file's beginning
    (its last line may be cut, so it is left out)."""
    lines = [line for line in text[:SNIFF_CHARS].splitlines() if line.strip()]
    if (not complete or len(text) > SNIFF_CHARS) and len(lines) > 1:
        lines.pop()
    if not lines:
        return ","
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines[:SNIFF_LINES]), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        delimiter = ""
    widths = {d: _width(lines[0], d) for d in DELIMITERS}
    if delimiter not in DELIMITERS or (widths[delimiter] == 1 and max(widths.values()) > 1):
        # the header decides: the delimiter that splits it most (ties: the order of DELIMITERS)
        delimiter = max(DELIMITERS, key=lambda d: widths[d])
    return delimiter


@dataclass(frozen=True)
class TextFile:
    """An upload read whole: its text (BOM stripped), encoding (a Python codec) and delimiter."""

    text: str
    encoding: str
    delimiter: str

    @property
    def label(self) -> str:
        return label(self.encoding)

    def rows(self) -> Iterator[list[str]]:
        """The records, quotes respected (a quoted delimiter or line break stays in its field, its CRLF or CR
        read as LF)."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        return _Normalised(reader) if "\r" in self.text else reader


class _Normalised:
    """A csv reader whose cells have their line breaks as LF; `line_num` as the reader's."""

    def __init__(self, reader):
        self._reader = reader

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        return [normalise_breaks(cell) for cell in next(self._reader)]

    @property
    def line_num(self) -> int:
        return self._reader.line_num


def read_text(data: bytes) -> TextFile:
    """Decode a whole upload and choose its delimiter; UnreadableFile when its encoding is not accepted, or a row
    holds a control character or a carriage return outside quotes (the row is named)."""
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    delimiter = sniff_delimiter(text)
    check_text(text, delimiter)
    return TextFile(text, encoding, delimiter)


# ----------------------------------------------------------------------------------------------- characters, rows

# Characters no text field or cell may hold: C0 controls but tab, LF and CR (NUL among them: PostgreSQL cannot
# store it), and lone UTF-16 surrogates (JSON can spell them; they cannot be encoded to UTF-8).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
LONE_CR = re.compile(r"\r(?!\n)")
_LINE_TOKENS = re.compile(r'"|\r\n?|\n')


def char_code(char: str) -> str:
    """A character as people can read it in a message: U+0000."""
    return f"U+{ord(char):04X}"


def refused_character(value: str, *, lone_cr: bool = True) -> str | None:
    """The code (U+0000) of the first character a text field may not hold, or None. With `lone_cr`, a carriage
    return not followed by a line feed counts too: browsers send a textarea's line breaks as CRLF, so a lone CR
    is no line break a person typed."""
    match = CONTROL.search(value)
    if match is None and lone_cr:
        match = LONE_CR.search(value)
    return char_code(match.group()[0]) if match else None


def normalise_breaks(value: str) -> str:
    """CRLF and CR as LF: one line break, whatever system wrote the cell."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def visible(value: str) -> str:
    """A value for an error report: each refused character spelled as [U+0000], so the report can be stored
    (PostgreSQL keeps no NUL, not even in JSON) and the officer sees where it was."""
    return CONTROL.sub(lambda m: f"[{char_code(m.group())}]", value)


def _walk(text: str, delimiter: str, stop: int | None, blank_lines: bool) -> tuple[int, int | None]:
    """(row of the character at `stop`, row of the first CR outside quotes in a file of LF or CRLF lines), rows
    counted as the readers count records: a quoted line break stays in its row; `blank_lines=False` leaves empty
    lines uncounted (pandas skips them). A quote opens a quoted cell only at the cell's start (or doubled, inside
    one), as the csv module and pandas read it. Stops at `stop` or at the first stray CR."""
    row, begun, in_quote, closed_at, line_start, ending = 0, False, False, -2, 0, None
    for m in _LINE_TOKENS.finditer(text):
        at = m.start()
        if stop is not None and at > stop:
            break
        if at > line_start and not begun:  # the row has content before this token
            begun, row = True, row + 1
        token = m.group()
        if token == '"':
            if not begun:
                begun, row = True, row + 1
            if in_quote:
                in_quote, closed_at = False, at
            elif at == closed_at + 1 or at == line_start or text[at - 1] == delimiter:
                in_quote = True
            continue
        if in_quote:
            continue
        if ending is None:
            ending = token  # the first line end outside quotes says how this file ends its lines
        if token == "\r" and ending != "\r":
            return row, (row if begun else row + 1)
        if not begun and blank_lines:
            row += 1
        begun, line_start = False, m.end()
    if stop is not None and not begun and stop >= line_start:
        row += 1
    return row, None


def row_at(text: str, delimiter: str, position: int, *, blank_lines: bool = True) -> int:
    """The row (from 1) the character at `position` belongs to."""
    return _walk(text, delimiter, position, blank_lines)[0]


def stray_carriage_return(text: str, delimiter: str, *, blank_lines: bool = True) -> int | None:
    """The row of the first carriage return outside quotes in a file whose lines end with LF or CRLF (it would
    split its row), or None."""
    if LONE_CR.search(text) is None:
        return None
    return _walk(text, delimiter, None, blank_lines)[1]


def check_text(text: str, delimiter: str, *, blank_lines: bool = True) -> None:
    """Refuse a refused character (CONTROL) or a stray carriage return, naming the first one's row. A regular
    expression looks first (C speed); the rows are walked only when it finds something."""
    control = CONTROL.search(text)
    if control is None and LONE_CR.search(text) is None:
        return
    at, stray = _walk(text, delimiter, control.start() if control else None, blank_lines)
    if stray is not None:
        raise UnreadableFile("carriage_return", row=stray)
    if control is not None:
        raise UnreadableFile("control", row=at, char=char_code(control.group()))


# ------------------------------------------------------------------------------------------------------------ XLSX
# An XLSX file is a zip of XML parts. openpyxl reads the shared strings whole when it opens a workbook, and a
# sheet as it goes, so a few hundred kilobytes that unpack to gigabytes would take a worker's memory (a 300 KB
# file whose shared strings unpack to 314 MB took a worker to 1.57 GB). The zip directory declares each part's
# packed and unpacked size, and Python's zipfile never unpacks more than a part declares (a part that holds more
# fails its CRC check), so the directory is checked before any XML is parsed. The limits, in bytes unpacked:

XLSX_MAX_PARTS = 1_000  # entries of the zip directory: a one-sheet workbook has about ten
XLSX_MAX_PART_BYTES = 160 << 20  # a sheet or the shared strings: a 300,000-row appeals export's sheet is ~130 MB
XLSX_MAX_OTHER_PART_BYTES = 16 << 20  # any other part (styles, workbook, relations), parsed whole: well under 1 MB
XLSX_MAX_TOTAL_BYTES = 256 << 20  # all parts together
XLSX_MAX_RATIO = 100  # unpacked / packed size of a part: real sheets and shared strings reach 10-20
XLSX_RATIO_FLOOR = 1 << 20  # parts smaller than this unpacked are not held to the ratio (styles compress well)
XLSX_MAX_ROWS = 300_000  # rows of a sheet (header included): openpyxl streams about 8,000 a second
_EOCD = b"PK\x05\x06"
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?row[\s/>]")
_ROW_TAG_MAX = 40  # longer than any match of _ROW_TAG


def _open_binary(source):
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else open(source, "rb")


def _zip_entries(f) -> int | None:
    """The entry count the end-of-central-directory record declares (read before zipfile builds the directory),
    or None when there is no such record (not a zip). 0xFFFF stands for "more" (zip64): above any limit here."""
    size = f.seek(0, os.SEEK_END)
    tail_size = min(size, 22 + 0xFFFF)  # the record and the longest comment
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    return struct.unpack("<H", tail[at + 10:at + 12])[0]


def check_xlsx(source: bytes | str) -> None:
    """Refuse (UnreadableFile) a workbook whose zip directory declares too many parts, a part or a total that
    unpacks beyond the limits above, or a part compressed beyond XLSX_MAX_RATIO; reads the directory only."""
    mb = lambda n: max(1, round(n / (1 << 20)))  # noqa: E731
    with _open_binary(source) as f:
        entries = _zip_entries(f)
        if entries is None:
            raise UnreadableFile("not_xlsx")
        if entries > XLSX_MAX_PARTS:
            raise UnreadableFile("xlsx_parts", count=entries, limit=XLSX_MAX_PARTS)
        try:
            infos = zipfile.ZipFile(f).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
            raise UnreadableFile("not_xlsx") from None
        if len(infos) > XLSX_MAX_PARTS:
            raise UnreadableFile("xlsx_parts", count=len(infos), limit=XLSX_MAX_PARTS)
        total = 0
        for info in infos:
            big = info.filename.startswith("xl/worksheets/") or info.filename.lower().endswith("sharedstrings.xml")
            limit = XLSX_MAX_PART_BYTES if big else XLSX_MAX_OTHER_PART_BYTES
            if info.file_size > limit:
                raise UnreadableFile("xlsx_part", part=info.filename[:100], size=mb(info.file_size), limit=mb(limit))
            if info.file_size > XLSX_RATIO_FLOOR and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
                raise UnreadableFile("xlsx_ratio", part=info.filename[:100],
                                     ratio=info.file_size // max(info.compress_size, 1), limit=XLSX_MAX_RATIO)
            total += info.file_size
        if total > XLSX_MAX_TOTAL_BYTES:
            raise UnreadableFile("xlsx_total", size=mb(total), limit=mb(XLSX_MAX_TOTAL_BYTES))


def open_xlsx(source: bytes | str, *, data_only: bool = False):
    """The workbook (openpyxl, read-only) with its first worksheet only, after check_xlsx; UnreadableFile when the
    directory is refused or the workbook does not open. Read its rows with `worksheets[0].iter_rows()` (streamed)
    and close it. `data_only`: a formula cell gives its cached value (as openpyxl's option).

    openpyxl's own load_workbook(read_only=True) opens every sheet and looks for each one's <dimension> with
    `iterparse`'s end events, which arrive for <sheetData> only once all of it is parsed: a sheet that declares no
    dimension was parsed whole when the workbook opened (a 1.5 MB file of a million rows: 20 s and 90 MB, in the
    preview, on every reload). Here only the first worksheet is opened, and its dimension is looked for up to the
    start of <sheetData>."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.xml.functions import iterparse

    class FirstSheet(ReadOnlyWorksheet):
        def _get_size(self):
            with self._get_source() as xml:
                for _event, element in iterparse(xml, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        ref = element.get("ref") or ""
                        try:
                            bounds = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
                        except (TypeError, ValueError):
                            return
                        if all(b is not None for b in bounds):
                            self._min_column, self._min_row, self._max_column, self._max_row = bounds
                        return
                    if element.tag == DATA_TAG:
                        return

    class FirstSheetReader(ExcelReader):
        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    self.wb._sheets.append(FirstSheet(self.wb, sheet.name, rel.target, self.shared_strings))
                    return

    check_xlsx(source)
    try:
        reader = FirstSheetReader(_open_binary(source), read_only=True, data_only=data_only)
        reader.read()
    except Exception:  # noqa: BLE001 - zip, XML or openpyxl errors all mean the same to the person
        raise UnreadableFile("not_xlsx") from None
    if not reader.wb.worksheets:
        reader.wb.close()
        raise UnreadableFile("not_xlsx")
    return reader.wb


def count_xlsx_rows(source: bytes | str, part: str, limit: int = XLSX_MAX_ROWS) -> int:
    """The rows (`<row>` elements) of a sheet's part, counted in its raw XML as zipfile unpacks it, a megabyte at
    a time (C speed: about 0.1 s for 100,000 rows; openpyxl would take 12 s); UnreadableFile("xlsx_rows") as soon
    as there are more than `limit`. Check the directory first (check_xlsx): this unpacks the whole part."""
    count, tail = 0, b""
    with _open_binary(source) as f, zipfile.ZipFile(f) as archive, archive.open(part) as xml:
        while block := xml.read(1 << 20):
            buffer = tail + block
            cut = buffer.rfind(b"<")
            if cut < 0 or len(buffer) - cut > _ROW_TAG_MAX:
                cut = len(buffer)  # no tag can start in the last bytes and end in the next block
            count += len(_ROW_TAG.findall(buffer, 0, cut))
            tail = buffer[cut:]
            if count > limit:
                raise UnreadableFile("xlsx_rows", limit=limit)
        count += len(_ROW_TAG.findall(tail))
    if count > limit:
        raise UnreadableFile("xlsx_rows", limit=limit)
    return count
