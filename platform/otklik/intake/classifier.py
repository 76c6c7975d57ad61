"""The federal thematic classifier of citizens' appeals (Presidential Administration, 30.11.2017 No. 104).

A code is `XXXX.XXXX.XXXX.XXXX` with an optional fifth block (a sub-question). Acceptance rule: the format must be
valid, and then
- when the tenant has loaded no classifier, the first block must be one of the five shipped sections;
- when it has loaded one, the code (its first four blocks, so a sub-question of a known question passes) must be
  in it. A loaded list is the authority's own, fuller truth, so it is the stricter check.
"""

from __future__ import annotations

import csv
import re

import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..models.intake import ClassifierEntry
from ..uploads import UnreadableFile, read_text

CODE_RE = r"\d{4}\.\d{4}\.\d{4}\.\d{4}(?:\.\d{4})?"
_CODE = re.compile(CODE_RE)

SECTIONS = {
    "0001": _l("State, society, politics"),
    "0002": _l("Social sphere"),
    "0003": _l("Economy"),
    "0004": _l("Defence, security, law"),
    "0005": _l("Housing and utilities"),
}


class ClassifierError(ValueError):
    """A classifier file that cannot be loaded; `errors` lists (line, value, reason)."""

    def __init__(self, message: str, errors: list | None = None):
        super().__init__(message)
        self.errors = errors or []


def loaded_codes(tenant_id: int) -> set[str]:
    """Codes of the tenant's loaded classifier (empty: only the section rule applies)."""
    return set(db.session.execute(
        select(ClassifierEntry.code).where(ClassifierEntry.tenant_id == tenant_id)
    ).scalars())


def check_codes(codes: pd.Series, known: set[str]) -> pd.Series:
    """Vectorised: the reason code per value ('' when accepted); empty values are accepted (topic unknown)."""
    codes = codes.fillna("")
    uniques = pd.Series(pd.unique(codes.to_numpy()))
    if len(uniques) < len(codes) // 2:  # decide once per distinct code, then spread by a hash lookup
        reasons = _check_codes(uniques, known)
        return codes.map(dict(zip(uniques, reasons, strict=True)))
    return _check_codes(codes, known)


def _check_codes(codes: pd.Series, known: set[str]) -> pd.Series:
    present = codes != ""
    well_formed = codes.str.fullmatch(CODE_RE)
    reasons = pd.Series("", index=codes.index, dtype=object)
    reasons[present & ~well_formed] = "topic_malformed"
    ok_format = present & well_formed
    if known:
        in_list = codes.str.slice(0, 19).isin(known) | codes.isin(known)
        reasons[ok_format & ~in_list] = "topic_unknown"
    else:
        reasons[ok_format & ~codes.str.slice(0, 4).isin(SECTIONS.keys())] = "topic_unknown_section"
    return reasons


def check_code(code: str, known: set[str]) -> str:
    return check_codes(pd.Series([code]), known).iloc[0]


def parse_classifier(data: bytes) -> list[tuple[str, str]]:
    """`code;title` records (the shared upload reader's encodings and delimiters, an optional header; a quoted
    title keeps its delimiters). Refuses the whole file on any bad line, or on an encoding it does not accept."""
    try:
        upload = read_text(data)
    except UnreadableFile as exc:
        raise ClassifierError(exc.message) from None
    entries, errors, seen = [], [], set()
    rows = upload.rows()
    end = 0
    while True:
        try:
            record = next(rows, None)
        except csv.Error:  # a quote left open ran past the csv module's field limit
            errors.append((end + 1, "", "unclosed quote"))
            break
        if record is None:
            break
        number, end = end + 1, rows.line_num  # the record's first and last lines
        if not any(cell.strip() for cell in record):
            continue
        if end > number:  # titles are one line: a quote left open swallowed the lines after it
            errors.append((number, record[0].strip(), "unclosed quote"))
            continue
        code = record[0].strip()
        title = upload.delimiter.join(record[1:]).strip()  # an unquoted delimiter in the title stays in it
        if number == 1 and not _CODE.fullmatch(code) and code.lower() in ("code", "код"):
            continue
        if not _CODE.fullmatch(code):
            errors.append((number, code, "malformed code"))
        elif code in seen:
            errors.append((number, code, "duplicate code"))
        else:
            seen.add(code)
            entries.append((code, title[:500]))
    if errors:
        raise ClassifierError(f"{len(errors)} bad line(s)", errors)
    if not entries:
        raise ClassifierError("no codes in the file")
    return entries


def load_classifier(tenant_id: int, data: bytes) -> int:
    """Replace the tenant's classifier with the file's codes, in one transaction; returns how many."""
    entries = parse_classifier(data)
    db.session.execute(delete(ClassifierEntry).where(ClassifierEntry.tenant_id == tenant_id))
    db.session.execute(ClassifierEntry.__table__.insert(), [
        {"tenant_id": tenant_id, "code": c, "title": t, "created_at": pd.Timestamp.now(tz="UTC").to_pydatetime()}
        for c, t in entries
    ])
    db.session.commit()
    return len(entries)


def section_title(code: str) -> str:
    return str(SECTIONS.get((code or "")[:4], ""))


def topic_titles(codes) -> dict[str, str]:
    """Words for classifier codes, so no page, note or workbook lists a topic as a bare number: the title in the
    authority's loaded classifier (the code, or a sub-question's first four blocks), else its section's title
    (a section code is titled by it, a longer code reads «section «…»»). A code of no known section gets none."""
    codes = {str(c) for c in codes if c}
    if not codes:
        return {}
    wanted = codes | {c[:19] for c in codes}
    loaded = dict(db.session.execute(select(ClassifierEntry.code, ClassifierEntry.title)
                                     .where(ClassifierEntry.code.in_(sorted(wanted)))).all())
    out = {}
    for code in codes:
        title = loaded.get(code) or loaded.get(code[:19])
        if not title and section_title(code):
            title = section_title(code) if len(code) == 4 else str(_l("section «%(title)s»",
                                                                     title=section_title(code)))
        if title:
            out[code] = title
    return out


def name_topics(document):
    """A read result document (`results.document.Document`) with words for its classifier codes."""
    document.code_titles = topic_titles(document.codes("code"))
    return document
