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


add_tick_duty("mail", recover=recover)
