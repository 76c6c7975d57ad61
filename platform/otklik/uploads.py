"""One reader for every uploaded text file (appeals, survey answers, the classifier): its encoding and delimiter.

Encodings: UTF-8 (a BOM is honoured and stripped), Windows-1251 and KOI8-R, nothing else. Bytes that decode as
UTF-8 are UTF-8; otherwise `charset-normalizer`, limited to those three, chooses between the two Cyrillic code
pages, and the text it gives must read as Cyrillic (a Latin-1 file "decodes" as either of them, into words that
mix Latin and Cyrillic letters). Any other file (UTF-16, binary data, Latin-1, DOS 866...) is refused with
`UnreadableFile`, whose message says what is expected; each importer shows it as its other errors.

Delimiter: `csv.Sniffer` over the first lines (quotes respected: a quoted `;` stays in its field), among `,` `;`
and tab; when it cannot tell, the one that splits the header into the most fields (`,` when none does).

XLSX files are not text and do not come here.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
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
    """The file is not text in an accepted encoding. `code` is binary | unknown; `message` is the reason in the
    current language (read it where it is shown: in a request, a job or a command)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code])

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
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        raise UnreadableFile("binary")  # UTF-16 and UTF-32 (their BOMs included) hold NUL bytes; text never does
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
        """The records, quotes respected (a quoted delimiter or line break stays in its field)."""
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)


def read_text(data: bytes) -> TextFile:
    """Decode a whole upload and choose its delimiter; UnreadableFile when its encoding is not accepted."""
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    return TextFile(text, encoding, sniff_delimiter(text))
