"""The catalogue of processes (objects of feedback) of one authority: its entries, its life situations, the import
of a CSV file, and the links from appeals and surveys to the entries their `object` text names.

Appeals and surveys keep their free-text `object` (the importers and forms write it as before); `process_id` is
the link, set by `link_by_name` when the text names a catalogue entry, ignoring case and runs of spaces. Texts that
name no entry stay visible as "not in the catalogue" (`unlinked`), so the officer sees what to add.
Everything here runs inside the tenant's scope; raw statements name the tenant themselves.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Appeal, Process, Survey
from ..models.painmap import PROCESS_KINDS
from ..uploads import UnreadableFile, read_text

KIND_LABELS = {
    "service": _l("Service"),
    "support_measure": _l("Support measure"),
    "function": _l("Function"),
    "control": _l("Control (supervision)"),
    "appeals_handling": _l("Handling of appeals"),
    "information_access": _l("Access to information"),
    "internal": _l("Internal process"),
}
CSV_COLUMNS = ("kind", "name", "group", "touchpoints", "life_situations")
LIST_SEPARATOR = "|"
NAME_MAX = 500
GROUP_MAX = 300
ITEM_MAX = 200  # one touchpoint or life situation
MAX_ERRORS = 100  # a refused file reports at most this many problems


def normal(text: str | None) -> str:
    """The form two names are compared in: case and runs of spaces do not matter."""
    return " ".join((text or "").split()).casefold()


def split_list(text: str | None) -> list[str]:
    """`a | b` or one item a line -> ["a", "b"]; blanks and repeats (in any case) dropped, order kept."""
    out, seen = [], set()
    for part in (text or "").replace("\r", "\n").replace(LIST_SEPARATOR, "\n").split("\n"):
        item = " ".join(part.split())
        if item and normal(item) not in seen:
            seen.add(normal(item))
            out.append(item)
    return out


def kind_of(text: str) -> str | None:
    """A kind given as its code or its label, in either language ("service", "Услуга", "мера поддержки")."""
    wanted = normal(text)
    for code in PROCESS_KINDS:
        if wanted in (code, normal(str(KIND_LABELS[code]))):
            return code
    from flask_babel import force_locale

    for locale in ("ru", "en"):
        with force_locale(locale):
            for code in PROCESS_KINDS:
                if wanted == normal(str(KIND_LABELS[code])):
                    return code
    return None


def entries(active_only: bool = False) -> list[Process]:
    stmt = select(Process).order_by(Process.active.desc(), Process.name)
    if active_only:
        stmt = stmt.where(Process.active.is_(True))
    return list(db.session.execute(stmt).scalars())


def by_normal_name() -> dict[str, Process]:
    return {normal(p.name): p for p in entries()}


def life_situations() -> list[tuple[str, int]]:
    """The authority's life situations, each with the number of entries it groups, alphabetically."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for p in entries():
        for item in p.life_situations or []:
            key = normal(item)
            names.setdefault(key, item)
            counts[key] = counts.get(key, 0) + 1
    return sorted(((names[k], n) for k, n in counts.items()), key=lambda pair: pair[0].casefold())


def rename_life_situation(old: str, new: str) -> int:
    """Rename (or, with `new` empty, remove) a life situation in every entry; returns how many entries changed."""
    new = " ".join((new or "").split())[:ITEM_MAX]
    changed = 0
    for p in entries():
        items = list(p.life_situations or [])
        if not any(normal(i) == normal(old) for i in items):
            continue
        replaced = [new if normal(i) == normal(old) else i for i in items]
        p.life_situations = split_list(LIST_SEPARATOR.join(i for i in replaced if i))
        changed += 1
    db.session.commit()
    return changed


# Import from CSV: all or nothing.

@dataclass
class CatalogueRefused(Exception):
    """The file is refused as a whole; `errors` are (row number, message) pairs, row 1 being the header."""

    errors: list[tuple[int | None, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportOutcome:
    added: int
    updated: int


def _header(row: list[str]) -> dict[str, int] | None:
    names = [normal(c).lstrip("\ufeff") for c in row]
    if "name" not in names:
        return None
    return {c: names.index(c) for c in CSV_COLUMNS if c in names}


def import_csv(data: bytes) -> ImportOutcome:
    """Add or update entries from a CSV file with the columns kind, name, group, touchpoints, life_situations
    (`|` between list items). An entry of the same name (ignoring case and spaces) is updated and made active.
    Any bad row refuses the whole file with CatalogueRefused naming the row; nothing is stored then."""
    try:
        upload = read_text(data)
    except UnreadableFile as exc:
        raise CatalogueRefused([(None, exc.message)]) from None
    rows = upload.rows()
    try:
        header = next(rows, None)
        columns = _header(header or [])
        if columns is None:
            raise CatalogueRefused([(1, _("The first row must name the columns: %(columns)s.",
                                                 columns=", ".join(CSV_COLUMNS)))])
        parsed, errors = _parse_rows(rows, columns)
    except csv.Error as exc:
        raise CatalogueRefused([(rows.line_num or None, _("The file cannot be read as CSV: %(reason)s.",
                                                                reason=str(exc)))]) from None
    if errors:
        raise CatalogueRefused(errors[:MAX_ERRORS])
    if not parsed:
        raise CatalogueRefused([(None, _("The file has no entries."))])
    known = by_normal_name()
    added = updated = 0
    for values in parsed:
        existing = known.get(normal(values["name"]))
        if existing is None:
            db.session.add(Process(**values, active=True))
            added += 1
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.active = True
            updated += 1
    db.session.commit()
    return ImportOutcome(added, updated)


def _parse_rows(rows, columns: dict[str, int]) -> tuple[list[dict], list[tuple[int, str]]]:
    parsed, errors, seen = [], [], {}

    def cell(record, name):
        i = columns.get(name)
        return record[i].strip() if i is not None and i < len(record) else ""

    for number, record in enumerate(rows, start=2):
        if not any(c.strip() for c in record):
            continue
        name = " ".join(cell(record, "name").split())
        kind_text = cell(record, "kind")
        kind = kind_of(kind_text) if kind_text else "service"
        problems = []
        if not name:
            problems.append(_("the name is empty"))
        elif len(name) > NAME_MAX:
            problems.append(_("the name is longer than %(n)s characters", n=NAME_MAX))
        elif normal(name) in seen:
            problems.append(_("the name repeats row %(row)s", row=seen[normal(name)]))
        if kind is None:
            problems.append(_("unknown kind «%(kind)s»", kind=kind_text))
        group = " ".join(cell(record, "group").split())
        if len(group) > GROUP_MAX:
            problems.append(_("the group is longer than %(n)s characters", n=GROUP_MAX))
        touchpoints, situations = split_list(cell(record, "touchpoints")), split_list(cell(record, "life_situations"))
        if any(len(i) > ITEM_MAX for i in touchpoints + situations):
            problems.append(_("a list item is longer than %(n)s characters", n=ITEM_MAX))
        if problems:
            errors.append((number, "; ".join(problems)))
            continue
        seen[normal(name)] = number
        parsed.append({"kind": kind, "name": name, "group": group, "touchpoints": touchpoints,
                       "life_situations": situations})
    return parsed, errors


# Links from appeals and surveys.

@dataclass(frozen=True)
class LinkReport:
    appeals: int  # appeals linked by this run
    surveys: int
    unlinked: list[tuple[str, int]]  # object texts of appeals and surveys that name no entry, with their counts


def _link(model, tenant_id: int, known: dict[str, list[int]]) -> int:
    t = model.__table__
    texts = db.session.execute(select(t.c.object).where(t.c.tenant_id == tenant_id, t.c.process_id.is_(None),
                                                        t.c.object != "").group_by(t.c.object)).scalars().all()
    linked = 0
    for text in texts:
        found = known.get(normal(text), [])
        if len(found) == 1:  # a text two entries would answer stays unlinked
            linked += db.session.execute(update(t).where(t.c.tenant_id == tenant_id, t.c.object == text,
                                                         t.c.process_id.is_(None))
                                         .values(process_id=found[0])).rowcount
    return linked


def link_by_name(tenant_id: int) -> LinkReport:
    """Link the appeals and surveys whose `object` names a catalogue entry (and have no link yet), in one
    transaction; report how many were linked and which texts are not in the catalogue."""
    known: dict[str, list[int]] = {}
    for p in entries():
        known.setdefault(normal(p.name), []).append(p.id)
    appeals = _link(Appeal, tenant_id, known)
    surveys = _link(Survey, tenant_id, known)
    db.session.commit()
    return LinkReport(appeals, surveys, unlinked(tenant_id))


def unlinked(tenant_id: int) -> list[tuple[str, int]]:
    """Object texts of appeals and surveys with no catalogue entry, most frequent first (texts equal but for case
    and spaces counted together, under their most frequent spelling)."""
    counts: dict[str, int] = {}
    spelling: dict[str, tuple[int, str]] = {}
    for model in (Appeal, Survey):
        t = model.__table__
        rows = db.session.execute(select(t.c.object, func.count()).where(
            t.c.tenant_id == tenant_id, t.c.process_id.is_(None), t.c.object != "").group_by(t.c.object)).all()
        for text, n in rows:
            key = normal(text)
            if not key:
                continue
            counts[key] = counts.get(key, 0) + n
            if n > spelling.get(key, (0, ""))[0]:
                spelling[key] = (n, " ".join(text.split()))
    return sorted(((spelling[k][1], n) for k, n in counts.items()), key=lambda pair: (-pair[1], pair[0]))
