"""Publications as snapshots: the worker drafts, a person approves, the public reads what was published.

One row per (authority, artifact, period, version) (`otklik.models.Publication`), with the status machine

    draft -> approved -> scheduled -> published -> superseded | withdrawn
    draft -> rejected

Every step asks the tenant's policy again (`policy.decide`): what the act forbids is refused even by hand, and the
refusal names the clause. The payload is built by `builders` from the analysis through `otklik.results` and its
one disclosure control, and is frozen with its SHA-256 once drafted: approval approves exactly those bytes. A
correction is a new version with a note; publishing it supersedes the previous published version, which stays
readable in the history. A correction may not show a cell the published version hid (see `revealed_cells`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Analysis, Publication, Tenant
from ..models.publication import PUBLIC_STATUSES, PUBLICATION_ARTIFACTS
from ..results import linked
from ..tenancy import across_tenants, tenant_scope
from . import builders, policy
from .reading import current_version, payload_digest, public_versions

__all__ = ["Refused", "WorkflowError", "build_draft", "approve", "schedule", "reject", "publish", "withdraw",
           "correct", "publish_due", "diff", "public_versions", "current_version", "versions", "revealed_cells"]

EMPLOYEE_ARTIFACTS = ("employee_survey_summary", "employee_results", "employee_survey")

# The policy's reasons (plugins answer in English) as the officer reads them.
REASONS = {
    "the act keeps it internal": _l("the act keeps it internal"),
    "allowed by the act": _l("allowed by the act"),
    "no publication rule for this artifact": _l("no publication rule for this artifact"),
    "employee feedback stays inside the authority": _l("employee feedback stays inside the authority"),
}


class Refused(Exception):
    """The policy (or the disclosure rule of corrections) forbids this publication: nothing is written."""

    def __init__(self, clause: str, reason: str):
        super().__init__(f"{reason} ({clause})" if clause else reason)
        self.clause = clause
        self.reason = reason

    @property
    def message(self) -> str:
        """The refusal in the officer's language, naming the clause."""
        reason = str(REASONS.get(self.reason, self.reason))
        if self.clause:
            return _("Publication refused: %(reason)s. %(clause)s", reason=reason, clause=self.clause)
        return _("Publication refused: %(reason)s. No clause of the act allows it.", reason=reason)


class WorkflowError(ValueError):
    """A step the publication's status does not allow, or a missing reason, note or date (in Russian)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _user_id(user) -> int | None:
    return getattr(user, "id", user) if user is not None else None


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were stored in UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def settings(tenant) -> dict:
    return tenant.settings_of("publication") or {}


def allowed(tenant, artifact: str) -> policy.Decision:
    """The policy's answer, or Refused naming the clause. Employee results are never an artifact."""
    if artifact in EMPLOYEE_ARTIFACTS:
        decision = policy.decide(tenant, "employee_survey_summary")
        raise Refused(decision.clause or EMPLOYEE_CLAUSE, "employee feedback stays inside the authority")
    if artifact not in PUBLICATION_ARTIFACTS:
        raise WorkflowError(_("Unknown artifact %(artifact)s; expected one of: %(known)s.", artifact=artifact,
                              known=", ".join(PUBLICATION_ARTIFACTS)))
    decision = policy.decide(tenant, artifact)
    if not decision.allowed:
        raise Refused(decision.clause, decision.reason)
    return decision


def min_cell(tenant) -> int:
    """k of every published figure: the tenant's `publication.min_cell_size`, never below 5."""
    from ..results.disclosure import minimum_cell

    return minimum_cell(settings(tenant).get("min_cell_size"), outside_office=True)


def section_of(tenant, artifact: str) -> str:
    s = settings(tenant)
    if artifact == "survey_summary" and s.get("survey_section"):
        return s["survey_section"]
    return s.get("section") or ""


# -- reading the rows of one publication --

def versions(tenant, artifact: str, period: str) -> list[Publication]:
    """Every version of one publication, newest first (the office's history; drafts and rejected included)."""
    return list(db.session.execute(
        select(Publication).where(Publication.tenant_id == tenant.id, Publication.artifact == artifact,
                                  Publication.period == period).order_by(Publication.version.desc())
    ).scalars())


def last_published(tenant, artifact: str, period: str, *, before: int | None = None) -> Publication | None:
    """The version the public reads now (or, with `before`, the newest published or superseded one older than
    that version): what a draft is compared with."""
    for pub in versions(tenant, artifact, period):
        if before is not None and pub.version >= before:
            continue
        if pub.status == "published" or (before is not None and pub.status == "superseded"):
            return pub
    return None


def last_released(tenant, artifact: str, period: str) -> Publication | None:
    """The newest version that was ever public (published, superseded or withdrawn): what a correction may not
    reveal against, since a withdrawn version may have been read or downloaded."""
    return next((p for p in versions(tenant, artifact, period) if p.status in PUBLIC_STATUSES), None)


# -- building drafts --

def _periods_allow(tenant, analysis_id: int | None, *, release: bool) -> None:
    """A publication shows its analysis's period on its own: refused unless that period may leave the office on
    its own beside the authority's other released periods, published or shown by the Centre (results.linked;
    Vladimir's quarters against any month or year out); `release` records it as released (approval)."""
    analysis = db.session.get(Analysis, analysis_id) if analysis_id else None
    if analysis is None or analysis.period_start is None:
        return
    decide = linked.claim_one if release else (lambda t, kind, period, _via: linked.decide(t, kind, period))
    decision = decide(tenant, analysis.kind, analysis.period, "publication")
    if decision.mode == linked.OWN_PERIOD:
        return
    if decision.reason == linked.OTHER_CADENCE:
        reason = _("%(p)s is not a period of the authority's own cadence of analysis", p=analysis.period)
    else:
        reason = _("%(p)s overlaps periods whose figures are already out (%(others)s): its figures would give back "
                   "their hidden cells", p=analysis.period,
                   others=", ".join(decision.overlapping or decision.parts))
    raise Refused(_("Disclosure control across periods (docs/RESULTS.md)"), reason)


def build_draft(tenant, artifact: str, period: str, *, user=None, note: str = "") -> Publication:
    """A draft of `artifact` for `period` from the period's analysis (or the pain map), if the policy allows it.

    Raises Refused (naming the clause) when the act forbids it or when the draft would reveal, against the published
    version, a cell that version hid; `builders.NothingToPublish` when there is no finished analysis. A draft of
    the same publication that nobody approved yet is rebuilt in place; otherwise a new version is added (a
    correction: it needs a note before it is approved). When the figures did not change, the published version is
    returned as it is."""
    decision = allowed(tenant, artifact)
    built = builders.build(tenant, artifact, period, k=min_cell(tenant), section=section_of(tenant, artifact),
                           clause=decision.clause)
    _periods_allow(tenant, built.source_analysis_id, release=False)
    digest = payload_digest(built.payload)
    published = last_published(tenant, artifact, period)
    if published is not None and published.payload_sha256 == digest:
        return published
    released = last_released(tenant, artifact, period)
    if released is not None:
        _refuse_revealing(released, built.payload)
    latest = next(iter(versions(tenant, artifact, period)), None)
    if latest is not None and latest.status == "draft":
        pub = latest
    else:
        pub = Publication(artifact=artifact, period=period, version=(latest.version + 1) if latest else 1,
                          status="draft")
        db.session.add(pub)
    pub.title = built.payload.get("title", "")
    pub.section = built.payload.get("section", "")
    pub.clause = decision.clause
    pub.payload = built.payload
    pub.payload_sha256 = digest
    pub.suppressed = built.suppressed
    pub.source_analysis_id = built.source_analysis_id
    pub.created_by = _user_id(user)
    if note:
        pub.note = note.strip()
    db.session.commit()
    return pub


def correct(pub: Publication, user, note: str) -> Publication:
    """A correction of a published version: a new version drafted from the current figures, with a note that
    says what changed (required)."""
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("A correction needs a note saying what it changes."))
    if pub.status != "published":
        raise WorkflowError(_("Only a published version can be corrected (this one is %(status)s).",
                              status=status_title(pub.status)))
    tenant = _tenant(pub)
    draft = build_draft(tenant, pub.artifact, pub.period, user=user, note=note)
    if draft.id == pub.id:
        raise WorkflowError(_("The figures did not change since version %(version)s was published: there is "
                              "nothing to correct.", version=pub.version))
    return draft


# -- the steps a person takes --

def _tenant(pub: Publication) -> Tenant:
    return db.session.get(Tenant, pub.tenant_id)


def _expect(pub: Publication, *statuses: str) -> None:
    if pub.status not in statuses:
        raise WorkflowError(_("Version %(version)s is %(status)s: this step is not possible.",
                              version=pub.version, status=status_title(pub.status)))


def _check(pub: Publication) -> None:
    """Before approving or publishing: the act still allows it and the payload is the one drafted."""
    allowed(_tenant(pub), pub.artifact)
    if payload_digest(pub.payload) != pub.payload_sha256:
        raise WorkflowError(_("The payload of version %(version)s changed after it was drafted; build it again.",
                              version=pub.version))
    _periods_allow(_tenant(pub), pub.source_analysis_id, release=True)


def approve(pub: Publication, user, note: str | None = None) -> Publication:
    """An officer approves exactly the drafted payload (a correction must say what it changes)."""
    _expect(pub, "draft")
    _check(pub)
    if note is not None and note.strip():
        pub.note = note.strip()
    if pub.version > 1 and not pub.note:
        raise WorkflowError(_("Version %(version)s corrects an earlier one: write a note saying what it changes.",
                              version=pub.version))
    pub.status, pub.approved_by, pub.approved_at = "approved", _user_id(user), _now()
    db.session.commit()
    return pub


def schedule(pub: Publication, user, when: datetime) -> Publication:
    """Publish an approved version at `when` (the tick publishes it, `publish_due`); a draft is approved by the
    same person first."""
    if when is None:
        raise WorkflowError(_("Give the date and time of publication."))
    when = _aware(when)
    if when <= _now():
        raise WorkflowError(_("The publication date must be in the future."))
    if pub.status == "draft":
        approve(pub, user)
    _expect(pub, "approved", "scheduled")
    pub.status, pub.scheduled_for = "scheduled", when
    db.session.commit()
    return pub


def reject(pub: Publication, user, reason: str) -> Publication:
    _expect(pub, "draft", "approved", "scheduled")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the draft is rejected."))
    pub.status, pub.status_reason = "rejected", reason
    pub.approved_by = pub.approved_by or None
    db.session.commit()
    return pub


def publish(pub: Publication, user=None) -> Publication:
    """Publish now: an approved or scheduled version, or a draft when the tenant's setting
    `publication.publish_without_approval` says drafts go out at once. The previous published version is
    superseded. The act is asked again, and a correction that would reveal a hidden cell is refused."""
    tenant = _tenant(pub)
    if pub.status == "draft" and settings(tenant).get("publish_without_approval"):
        pass
    elif pub.status == "draft":
        raise WorkflowError(_("Version %(version)s is a draft: an officer approves it first.", version=pub.version))
    else:
        _expect(pub, "approved", "scheduled")
    _check(pub)
    previous = last_published(tenant, pub.artifact, pub.period)
    if previous is not None and previous.version > pub.version:
        raise WorkflowError(_("Version %(newer)s is already published: an older version cannot replace it.",
                              newer=previous.version))
    released = last_released(tenant, pub.artifact, pub.period)
    if released is not None and released.id != pub.id:
        _refuse_revealing(released, pub.payload)
    if previous is not None and previous.id != pub.id:
        previous.status = "superseded"
    pub.status, pub.published_at = "published", _now()
    if pub.approved_by is None and user is not None:
        pub.approved_by, pub.approved_at = _user_id(user), pub.approved_at or pub.published_at
    db.session.commit()
    return pub


def withdraw(pub: Publication, user, reason: str) -> Publication:
    """Take a published version off the site: its address answers 410 with the reason."""
    _expect(pub, "published")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Say why the publication is withdrawn: citizens read it on its page."))
    pub.status, pub.status_reason, pub.withdrawn_at = "withdrawn", reason, _now()
    db.session.commit()
    return pub


def publish_due(now: datetime | None = None) -> list[Publication]:
    """The tick: every scheduled version whose time came is published, each in its tenant's scope; one that the
    act now forbids stays scheduled (and the refusal is returned in the log by the duty)."""
    now = _aware(now) or _now()
    due = db.session.execute(across_tenants(
        select(Publication).where(Publication.status == "scheduled", Publication.scheduled_for <= now)
        .order_by(Publication.scheduled_for, Publication.id))).scalars().all()
    out = []
    for pub in due:
        tenant = db.session.get(Tenant, pub.tenant_id)
        with tenant_scope(tenant):
            try:
                out.append(publish(pub))
            except (Refused, WorkflowError):
                db.session.rollback()
    return out


def after_analysis(tenant, analysis) -> list[Publication]:
    """After each analysis, the drafts the tenant's policy allows for its kind and period (no answer: nothing);
    with `publish_without_approval` they are published at once."""
    out = []
    for artifact in builders.artifacts_after(analysis.kind):
        try:
            pub = build_draft(tenant, artifact, analysis.period)
        except (Refused, builders.NothingToPublish):
            db.session.rollback()
            continue
        if pub.status == "draft" and settings(tenant).get("publish_without_approval"):
            try:
                pub = publish(pub)
            except (Refused, WorkflowError):
                db.session.rollback()
        out.append(pub)
    return out


# -- what changed, and what a correction may not reveal --

def _row_key(block: dict, row: dict):
    first = (block.get("columns") or [{}])[0].get("key")
    return row.get(first) if first else None


def _cells(payload: dict) -> dict:
    """{(block id, row key, column key): value} of a payload; the row key is its first column (the label)."""
    out = {}
    for block in payload.get("blocks") or []:
        for row in block.get("rows") or []:
            key = _row_key(block, row)
            for column in block.get("columns") or []:
                out[(block.get("id"), key, column.get("key"))] = row.get(column.get("key"))
    return out


def revealed_cells(published: Publication, payload: dict) -> list[tuple]:
    """The cells `published` hid (its `suppressed` list) that `payload`, a correction, would show or drop:
    (block, row label, column).

    The rule (docs/PUBLISHING.md, "Corrections"): a cell hidden in the published version stays hidden, in the same
    block, row and column, in every correction that keeps the block. Showing it would give its value, or its value
    to within what the correction changed; dropping its row would give it back by difference with the shown
    total."""
    new = _cells(payload)
    blocks = {b.get("id") for b in payload.get("blocks") or []}
    out = []
    for s in published.suppressed or []:
        cell = (s.get("block"), s.get("label"), s.get("column"))
        if cell[0] in blocks and (cell not in new or new[cell] is not None) and cell not in out:
            out.append(cell)
    return out


def _refuse_revealing(published: Publication, payload: dict) -> None:
    cells = revealed_cells(published, payload)
    if cells:
        block, row, column = cells[0]
        raise Refused(_("Disclosure control of corrections (docs/PUBLISHING.md), against version %(version)s",
                        version=published.version),
                      _("the correction would show the cell «%(row)s» / %(column)s of block %(block)s, hidden in "
                        "the published version (%(n)s such cells)", row=row, column=column, block=block,
                        n=len(cells)))


def diff(pub: Publication) -> list[dict]:
    """Per block, what `pub` changes against the last published version before it: `status` is `new`,
    `removed`, `changed` or `same`, `changes` the cells that differ ({row, column, before, after}; None is a hidden
    or absent value). Empty when nothing was published before."""
    tenant = _tenant(pub)
    base = last_published(tenant, pub.artifact, pub.period, before=pub.version)
    if base is None:
        return []
    before = {b.get("id"): b for b in base.payload.get("blocks") or []}
    after = {b.get("id"): b for b in pub.payload.get("blocks") or []}
    out = []
    for block_id in list(after) + [b for b in before if b not in after]:
        a, b = after.get(block_id), before.get(block_id)
        title = (a or b or {}).get("title", block_id)
        if b is None or a is None:
            out.append({"block": block_id, "title": title, "status": "new" if b is None else "removed",
                        "changes": [], "against": base.version})
            continue
        old = {k: v for k, v in _cells({"blocks": [b]}).items()}
        new = {k: v for k, v in _cells({"blocks": [a]}).items()}
        changes = [{"row": cell[1], "column": cell[2], "before": old.get(cell), "after": new.get(cell)}
                   for cell in list(new) + [c for c in old if c not in new] if old.get(cell) != new.get(cell)
                   or (cell in old) != (cell in new)]
        if a.get("summary") != b.get("summary") and not changes:
            changes.append({"row": "", "column": "summary", "before": b.get("summary"), "after": a.get("summary")})
        out.append({"block": block_id, "title": title, "status": "changed" if changes else "same",
                    "changes": changes, "against": base.version})
    return out


STATUS_TITLES = {
    "draft": _l("draft"), "approved": _l("approved"), "scheduled": _l("scheduled"), "published": _l("published"),
    "superseded": _l("superseded"), "withdrawn": _l("withdrawn"), "rejected": _l("rejected"),
}


def status_title(status: str) -> str:
    return str(STATUS_TITLES.get(status, status))


@dataclass(frozen=True)
class Row:
    """One line of the office list: a publication (artifact, period) with its newest version."""

    artifact: str
    period: str
    latest: Publication
    current: Publication | None


def office_list(tenant) -> list[Row]:
    """Every publication of the tenant by period, latest period first (by its end: 2026-Q3 after 2026-08), each
    with its newest version and the one the public reads."""
    from ..periods import BadPeriod, parse_period

    rows = db.session.execute(select(Publication).where(Publication.tenant_id == tenant.id)
                              .order_by(Publication.artifact, Publication.version.desc())).scalars().all()
    seen: dict[tuple, Row] = {}
    for pub in rows:
        key = (pub.artifact, pub.period)
        if key not in seen:
            seen[key] = Row(pub.artifact, pub.period, pub, current_version(tenant, pub.artifact, pub.period))

    def order(row: Row):
        try:
            period = parse_period(row.period)
            return (-period.end.toordinal(), period.start.toordinal(), row.artifact)
        except BadPeriod:
            return (1, 0, row.artifact)

    return sorted(seen.values(), key=order)


EMPLOYEE_CLAUSE = "Результаты опросов сотрудников (внутренних клиентов) не публикуются (DOMAIN.md, «Publication and disclosure»)"
