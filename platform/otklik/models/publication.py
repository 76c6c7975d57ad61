"""Publications: versioned snapshots of what an authority's act lets it publish (DESIGN.md, Publishing).

A row is one version of one artifact for one period. Its `payload` holds only aggregates that passed the policy
and the one disclosure control (`otklik.results.disclosure`); the public side renders the payload and nothing
else, so the payload is frozen once approved (its SHA-256 is stored beside it). A correction is a new version;
the earlier one becomes `superseded` and stays readable in the history.

Statuses: draft -> approved -> scheduled -> published -> superseded | withdrawn; a rejected draft is `rejected`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy import TenantOwned
from .base import Timestamps

PUBLICATION_ARTIFACTS = ("appeals_analysis", "survey_summary", "you_said_we_did")
PUBLICATION_STATUSES = ("draft", "approved", "scheduled", "published", "superseded", "withdrawn", "rejected")
PUBLIC_STATUSES = ("published", "superseded", "withdrawn")  # what the public side may open (withdrawn -> 410)


class Publication(TenantOwned, Timestamps, db.Model):
    __tablename__ = "publication"
    __table_args__ = (
        UniqueConstraint("tenant_id", "artifact", "period", "version"),
        Index("ix_publication_tenant_status_published", "tenant_id", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artifact: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    title: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The website section the act names («Аналитические материалы …», «Клиентоцентричность», «Опросы»).
    section: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The clause of the act that allows the publication (or, on a refusal, keeps it internal).
    clause: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The snapshot: only disclosed aggregates (docs/PUBLISHING.md, "Payload"). Never edited after approval.
    payload: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    payload_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # The hidden cells of the payload with their reasons (Suppressed.path/cell/reason): shown to the officer only.
    suppressed: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    source_analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    # What a correction changed, written by the officer (empty for version 1).
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why it was withdrawn or rejected: shown on the 410 page (withdrawn) or to the officer (rejected).
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")

    def __repr__(self) -> str:
        return f"<Publication {self.artifact} {self.period} v{self.version} {self.status}>"
