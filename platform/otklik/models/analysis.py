"""One analysis of one tenant, kind and period: the scheduler's unique key and the stored result."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, String, Text, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..extensions import db
from ..periods import BadPeriod, parse_period
from ..tenancy import TenantOwned
from ..vocabulary import KINDS
from .base import Timestamps


class Analysis(TenantOwned, Timestamps, db.Model):
    """The row that makes a scheduled analysis happen once: unique (tenant, kind, period).

    `result` is the structured document reports and publications are rendered from; it is replaced in one
    transaction when the analysis runs again.

    `period_start` and `period_end` are the period's first and last local day, set whenever `period` is (so no
    caller can forget them): lists sort by them, which the names alone do not (2025-Q1 ends after 2025-02).
    A name that is not a period leaves them empty; running such an analysis fails and says why.
    """

    __tablename__ = "analysis"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "period"),
        Index("ix_analysis_tenant_kind_created", "tenant_id", "kind", "created_at"),
        Index("ix_analysis_tenant_kind_period_end", "tenant_id", "kind", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    trigger: Mapped[str] = mapped_column(String(20), nullable=False, default="schedule")
    job_id: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @classmethod
    def latest_first(cls) -> tuple:
        """The order of lists of analyses: latest period first, by its end (2025-Q1 after 2025-02, a year after its
        December), a longer period before a shorter one ending with it, then by kind; a name that is no period last."""
        kind_order = case({k: i for i, k in enumerate(KINDS)}, value=cls.kind, else_=len(KINDS))
        return cls.period_end.desc().nulls_last(), cls.period_start, kind_order, cls.id.desc()

    @validates("period")
    def _set_period_bounds(self, _key: str, name: str) -> str:
        try:
            period = parse_period(name)
        except BadPeriod:
            self.period_start = self.period_end = None
        else:
            self.period_start, self.period_end = period.start, period.last_day
        return name


class ReleasedPeriod(TenantOwned, db.Model):
    """A period whose figures of one kind have left the authority's office on their own (the Centre, a
    publication, an analytical report): `otklik.results.linked` keeps the released periods of a tenant and kind
    pairwise disjoint, so no released figure can be worked out from another period's (issue 23).

    Written once, the first time a period's figures are shown outside, and never removed: what was once out stays
    out. `period_start` and `period_end` are its first and last local day, as in `Analysis`."""

    __tablename__ = "released_period"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "period"),
        Index("ix_released_period_tenant_kind_start", "tenant_id", "kind", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    via: Mapped[str] = mapped_column(String(20), nullable=False)  # centre | publication | analytical
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # the Centre's figures of the period as last shown, with what they hid ({"shown", "hidden", "audit"}): a re-run
    # analysis that would show a cell hidden before is not shown, these are (results.linked.Held)
    figures: Mapped[dict | None] = mapped_column(JSON)
