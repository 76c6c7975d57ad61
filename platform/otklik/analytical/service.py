"""Drafting, editing and finalising analytical reports.

A draft is (re)built from the data on demand or when an analysis that ends in its month finishes; the officer edits
the main points and finalises it. Finalising renders the PDF from the draft's snapshot (what the officer saw is
what is signed) and stores its bytes; a final report never changes again.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from .models import AnalyticalReport
from .snapshot import build, digest, month_of

MAX_POINTS_CHARS = 20_000


class Refused(ValueError):
    """What the officer asked cannot be done; the message says why, in the user's language."""


def of_period(period: str) -> AnalyticalReport | None:
    return db.session.execute(select(AnalyticalReport).where(AnalyticalReport.period == period)).scalar_one_or_none()


def reports() -> list[AnalyticalReport]:
    """The tenant's reports, the latest month first."""
    return list(db.session.execute(select(AnalyticalReport).order_by(AnalyticalReport.period.desc())).scalars())


def _generated(snapshot: dict) -> str:
    return "\n".join(snapshot.get("main_points") or [])


def draft(tenant, period: str, user_id: int | None = None, base_url: str = "") -> AnalyticalReport:
    """Build (or rebuild) the month's draft from the stored analyses. The officer's main points stay when they
    edited them; otherwise they follow the new figures. A final report is refused."""
    month = month_of(period)
    report = of_period(month.name)
    if report is not None and report.final:
        raise Refused(_("The report of %(period)s is final and cannot be rebuilt.", period=month.name))
    snapshot = build(tenant, month.name, base_url)
    if report is None:
        report = AnalyticalReport(period=month.name, status="draft")
        db.session.add(report)
        edited = False
    else:
        edited = report.main_points.strip() != _generated(report.snapshot or {}).strip()
    report.snapshot, report.snapshot_sha256 = snapshot, digest(snapshot)
    if not edited:
        report.main_points = _generated(snapshot)
    report.built_at, report.built_by = datetime.now(UTC), user_id
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent draft of the same month won: rebuild that one (once)
        db.session.rollback()
        if of_period(month.name) is None:
            raise
        return draft(tenant, period, user_id, base_url)
    return report


def edit_points(report: AnalyticalReport, text: str) -> None:
    """The officer's main points, one per line; empty lines dropped."""
    if report.final:
        raise Refused(_("The report of %(period)s is final: its main points cannot change.", period=report.period))
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise Refused(_("Main points: the text holds a NUL character; remove it."))
    if len(text) > MAX_POINTS_CHARS:
        raise Refused(_("Main points: at most %(n)s characters, %(got)s given.", n=MAX_POINTS_CHARS, got=len(text)))
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        raise Refused(_("Main points: write at least one point (one per line)."))
    report.main_points = "\n".join(lines)
    db.session.commit()


def points(report: AnalyticalReport) -> list[str]:
    return [line for line in report.main_points.split("\n") if line.strip()]


def signer(report: AnalyticalReport) -> str:
    user = db.session.get(User, report.finalised_by) if report.finalised_by else None
    return (user.name or user.email) if user is not None else ""


def finalise(report: AnalyticalReport, user_id: int | None) -> AnalyticalReport:
    """Freeze the draft: render its PDF once, store the bytes and their SHA-256."""
    from .pdf import render_pdf

    if report.final:
        raise Refused(_("The report of %(period)s is already final.", period=report.period))
    if not report.snapshot:
        raise Refused(_("The report of %(period)s has no snapshot yet: build it first.", period=report.period))
    report.finalised_by, report.finalised_at = user_id, datetime.now(UTC)
    data = render_pdf(report, final=True)
    report.pdf, report.pdf_sha256, report.status = data, hashlib.sha256(data).hexdigest(), "final"
    db.session.commit()
    return report


