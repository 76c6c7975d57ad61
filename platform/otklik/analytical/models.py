"""An analytical report (recommendations 5.1.6 p. 4): one per authority and month.

`snapshot` is the JSON of every figure the report shows, already through the disclosure control, with its SHA-256;
the page and the PDF render it and nothing else. A draft's snapshot is rebuilt on demand; finalising stores the
PDF bytes beside it, and from then on neither changes (`ReportFinal`): data that change later do not reach a
finalised report.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.base import Timestamps
from ..tenancy import TenantOwned

REPORT_STATUSES = ("draft", "final")


class ReportFinal(RuntimeError):
    """A finalised report was about to change: it is immutable."""


class AnalyticalReport(TenantOwned, Timestamps, db.Model):
    __tablename__ = "analytical_report"
    __table_args__ = (UniqueConstraint("tenant_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(20), nullable=False)  # a month, `2025-03`
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    snapshot: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    snapshot_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # The main points as the officer left them, one per line (generated from the figures when the draft is built).
    main_points: Mapped[str] = mapped_column(Text, nullable=False, default="")
    built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    built_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    finalised_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")

    @property
    def final(self) -> bool:
        return self.status == "final"

    def __repr__(self) -> str:
        return f"<AnalyticalReport {self.period} {self.status}>"


FROZEN = ("period", "snapshot", "snapshot_sha256", "main_points", "pdf", "pdf_sha256", "finalised_by",
          "finalised_at", "status")


@event.listens_for(AnalyticalReport, "before_update")
def _refuse_change_of_final(mapper, connection, target: AnalyticalReport) -> None:
    """A report that was final before this flush keeps every frozen field: the last line of defence (the service
    never tries)."""
    from sqlalchemy import inspect

    state = inspect(target)
    status = state.attrs.status.history
    if "final" in (status.unchanged or ()) or "final" in (status.deleted or ()):
        changed = [name for name in FROZEN if state.attrs[name].history.has_changes()]
        if changed:
            raise ReportFinal(f"analytical report {target.id} is final: {', '.join(changed)} cannot change")
