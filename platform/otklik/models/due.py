"""What the scheduler tick has to do next, per tenant and duty (issue 21, item 1).

The tick used to ask every duty of every authority at every pass; at 182,000 authorities a pass took longer than the
five minutes between two. Each duty now leaves, after it ran for a tenant, the moment it next has something to do
(`due_at`: the end of the current analysis period, a publication deadline's warning day, a measure's due-soon day,
a scheduled publication; the next tick while jobs are queued; NULL when only a change can give it work), and a change
of what the duty watches (a setting, an analysis, a publication, a measure, an import) marks the row due again
(`otklik.jobs.mark_due`). The tick finds the due rows with one query on the `due_at` index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DueWork(db.Model):
    __tablename__ = "due_work"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True)
    duty: Mapped[str] = mapped_column(String(80), primary_key=True)
    # When the duty next has work for the tenant (UTC); NULL: only a change of what it watches gives it work.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The tick's `now` when it last ran the duty: a tick for an earlier moment (a replayed calendar) runs it again.
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # When a change last marked the row due: a tick that started before it keeps the mark instead of overwriting it.
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_due_work_due_at", "due_at"), Index("ix_due_work_checked_at", "checked_at"))
