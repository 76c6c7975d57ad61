"""The tick's duty for mail: ask for the sending job while due messages wait (after a Redis outage, a retry's
delay, or a commit whose request for the job was lost)."""

from __future__ import annotations

from datetime import datetime

from ..capabilities import add_tick_duty


def recover(tenant, now: datetime) -> list[str]:
    from . import SEND_JOB_ID, request_sending
    from .sending import due_count

    if due_count(now) and request_sending():
        return [f"{SEND_JOB_ID}: requested"]
    return []


def next_attempt(tenant, today, now=None) -> datetime | None:
    """When a queued message is next due (None: nothing queued), so that an authority with no mail waiting costs
    the tick nothing (issue 21, the tick follows due work)."""
    from sqlalchemy import func, select

    from ..extensions import db
    from ..models import OutboundMessage
    from ..tenancy import across_tenants

    return db.session.execute(across_tenants(select(func.min(OutboundMessage.next_attempt_at))
                                             .where(OutboundMessage.status == "queued"))).scalar()


def _watched():
    from ..models import OutboundMessage

    return (OutboundMessage,)


add_tick_duty("mail", recover=recover, next_due=next_attempt, watches=_watched())
