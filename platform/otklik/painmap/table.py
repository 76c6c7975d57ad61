"""The map as rows (Astrakhan appendix): one reading shared by the office page, the XLSX and CSV exports and the
API, so the page and the files never disagree. Figures come from `service.measured`, never recomputed here."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Membership, Pain, Process, User
from . import service
from .labels import MEASURE_STATUS_LABELS, PRIORITY_LABELS

GROUPINGS = ("process", "touchpoint", "process_group", "life_situation")
HIDDEN_BY_DEFAULT = ("merged", "rejected")  # shown only when the status filter asks for them
PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}


@dataclass
class Row:
    pain: Pain
    measured: service.Measured
    progress: int
    number: int = 0


@dataclass
class Group:
    title: str
    rows: list[Row] = field(default_factory=list)


def percent_text(value: float) -> str:
    """A fraction as a percent with one decimal and a comma (Russian): 0.1812 -> "18,1"."""
    return f"{value * 100:.1f}".replace(".", ",")


def prevalence_text(m: service.Measured) -> str:
    """"30 % (18,1–45,4 %)", the DOMAIN.md example 12 of 40; "—" without figures."""
    if not m.known:
        return "—"
    return f"{m.percent} % ({percent_text(m.low)}–{percent_text(m.high)} %)"


def prevalence_cell(m: service.Measured) -> str:
    """The prevalence as a file writes it: the figure, its n of N and period, and the "too few answers" flag."""
    if not m.known:
        return "—"
    text = f"{prevalence_text(m)}; {_('%(n)s of %(total)s', n=m.n, total=m.total)}, {m.period}"
    return f"{text}; {_('too few answers')}" if m.too_few else text


def members() -> dict[int, User]:
    """The authority's members by user id (owners of measures are chosen among them)."""
    rows = db.session.execute(select(Membership).order_by(Membership.id)).scalars().all()
    return {m.user_id: m.user for m in rows}


def person(user: User | None) -> str:
    return (user.name or user.email) if user is not None else ""


def responsible(measure, people: dict[int, User]) -> str:
    """"Unit — name of the owner", as the Astrakhan column «Ответственный» reads."""
    owner = person(people.get(measure.owner_id)) if measure.owner_id else ""
    return " — ".join(p for p in (measure.unit, owner) if p)


def pains(filters: dict | None = None) -> list[Pain]:
    """The authority's pains after the page's filters (status, audience, process); priority is filtered in `rows`
    since it is computed."""
    filters = filters or {}
    stmt = select(Pain).order_by(Pain.id)
    status = filters.get("status") or ""
    if status:
        stmt = stmt.where(Pain.status == status)
    else:
        stmt = stmt.where(Pain.status.not_in(HIDDEN_BY_DEFAULT))
    if filters.get("audience"):
        stmt = stmt.where(Pain.audience == filters["audience"])
    if filters.get("process"):
        try:
            stmt = stmt.where(Pain.process_id == int(filters["process"]))
        except (TypeError, ValueError):
            pass
    return list(db.session.execute(stmt).unique().scalars())


def rows(tenant, filters: dict | None = None) -> list[Row]:
    filters = filters or {}
    out = [Row(p, service.measured(tenant, p), service.progress(p)) for p in pains(filters)]
    if filters.get("priority"):
        out = [r for r in out if r.measured.priority == filters["priority"]]
    return out


def _keys(pain: Pain, grouping: str) -> list[str]:
    process: Process | None = pain.process
    if grouping == "process":
        return [process.name] if process else []
    if grouping == "touchpoint":
        if pain.touchpoint:
            return [pain.touchpoint]
        return list(process.touchpoints or []) if process else []
    if grouping == "process_group":
        return [process.group] if process and process.group else []
    return list(process.life_situations or []) if process else []


def none_title(grouping: str) -> str:
    return {
        "process": _("No process from the catalogue"),
        "touchpoint": _("No touchpoint"),
        "process_group": _("No process group"),
        "life_situation": _("No life situation"),
    }[grouping]


def grouped(tenant, grouping: str = "process", filters: dict | None = None) -> list[Group]:
    """The map in groups (Nenets 11): a pain of a process with two life situations appears under both. Groups are
    in alphabetical order with the "none" group last; in a group, higher priority first; rows numbered through."""
    if grouping not in GROUPINGS:
        grouping = "process"
    groups: dict[str, Group] = {}
    for row in rows(tenant, filters):
        for key in _keys(row.pain, grouping) or [""]:
            groups.setdefault(key, Group(key or none_title(grouping))).rows.append(row)
    ordered = [groups[k] for k in sorted(k for k in groups if k)] + ([groups[""]] if "" in groups else [])
    number = 0
    out = []
    for g in ordered:
        g.rows = [Row(r.pain, r.measured, r.progress) for r in
                  sorted(g.rows, key=lambda r: (PRIORITY_ORDER.get(r.measured.priority, 3), r.pain.id))]
        for r in g.rows:
            number += 1
            r.number = number
        out.append(g)
    return out


def measure_lines(pain: Pain, people: dict[int, User]) -> tuple[str, str, str]:
    """The three measure columns of the Astrakhan appendix, one line per measure (cancelled ones left out)."""
    active = [m for m in pain.measures if m.status != "cancelled"]
    wording = "\n".join(f"{i}. {m.wording} ({MEASURE_STATUS_LABELS.get(m.status, m.status)}, {m.progress} %)"
                        for i, m in enumerate(active, 1))
    owners = "\n".join(f"{i}. {responsible(m, people) or '—'}" for i, m in enumerate(active, 1))
    dates = "\n".join(f"{i}. {m.due_date.strftime('%d.%m.%Y') if m.due_date else '—'}" for i, m in enumerate(active, 1))
    return wording, owners, dates


def priority_text(row: Row) -> str:
    label = PRIORITY_LABELS.get(row.measured.priority)
    return str(label) if label else "—"
