"""One analysis of one tenant, kind and period: the scheduler's unique key and the stored result."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy import TenantOwned
from .base import Timestamps


class Analysis(TenantOwned, Timestamps, db.Model):
    """The row that makes a scheduled analysis happen once: unique (tenant, kind, period).

    `result` is the structured document reports and publications are rendered from; it is replaced in one
    transaction when the analysis runs again.
    """

    __tablename__ = "analysis"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "period"),
        Index("ix_analysis_tenant_kind_created", "tenant_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    trigger: Mapped[str] = mapped_column(String(20), nullable=False, default="schedule")
    job_id: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, nullable=False, default="")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
