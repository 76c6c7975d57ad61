"""What publishing asks of the jobs: after each analysis the drafts the tenant's policy allows (the worker drafts, a
person approves), and at every tick the scheduled publications whose time came."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from ..capabilities import add_tick_duty
from ..extensions import db
from ..models import Publication
from . import service


def draft_after_analysis(tenant, analysis) -> None:
    """Drafts of the artifacts this analysis feeds, when the act allows them (no policy answer: nothing)."""
    if analysis.result:
        service.after_analysis(tenant, analysis)


def publish_scheduled(tenant, today: date) -> list[str]:
    """The tenant's scheduled versions whose time came are published; one the act now forbids is said so. The tick
    gives the tenant's local day: what was scheduled before that day began is due too (a tick run late, or for a
    later day, catches up), and otherwise the clock decides."""
    day_start = datetime.combine(today, time.min, tenant.tz).astimezone(UTC)
    now = max(datetime.now(UTC), day_start)
    due = db.session.execute(select(Publication).where(Publication.status == "scheduled",
                                                       Publication.scheduled_for <= now)).scalars().all()
    out = []
    for pub in due:
        try:
            service.publish(pub)
            out.append(f"{tenant.slug}: published {pub.artifact} {pub.period} v{pub.version}")
        except (service.Refused, service.WorkflowError) as exc:
            db.session.rollback()
            out.append(f"{tenant.slug}: {pub.artifact} {pub.period} v{pub.version} not published: {exc}")
    return out


def next_scheduled(tenant, today: date, now=None) -> datetime | None:
    """The moment the tenant's first scheduled version is due (None: nothing scheduled)."""
    return db.session.execute(select(Publication.scheduled_for).where(Publication.status == "scheduled")
                              .order_by(Publication.scheduled_for).limit(1)).scalar()


add_tick_duty("publishing.drafts", warnings=publish_scheduled, after_analysis=draft_after_analysis,
              next_due=next_scheduled, watches=(Publication,))
