"""The federal thematic classifier of citizens' appeals (Presidential Administration, 30.11.2017 No. 104).

A code is `XXXX.XXXX.XXXX.XXXX` with an optional fifth block (a sub-question). Acceptance rule: the format must be
valid, and then
- when the tenant has loaded no classifier, the first block must be one of the five shipped sections;
- when it has loaded one, the code (its first four blocks, so a sub-question of a known question passes) must be
  in it. A loaded list is the authority's own, fuller truth, so it is the stricter check.
"""

from __future__ import annotations

import io
import re

import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..models.intake import ClassifierEntry

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
    """`code;title` lines (UTF-8 or Windows-1251, an optional header). Refuses the whole file on any bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", errors="replace")
    entries, errors, seen = [], [], set()
    for number, line in enumerate(io.StringIO(text), start=1):
        line = line.strip()
        if not line:
            continue
        code, _, title = line.partition(";")
        code, title = code.strip().strip('"'), title.strip().strip('"')
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
