"""The pain map's tables: the catalogue of processes, pains with their evidence, measures, suggestions, history.

Definitions are in DOMAIN.md (pain map section); the Astrakhan appendix gives the map's columns. A pain rests on
evidence, each a link to a stored figure (a survey option of an analysis, appeals of a topic, an open-answer theme)
or a manual source with its method; its prevalence, interval, band and priority are computed from that evidence,
never typed in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy import TenantOwned
from .base import Timestamps

PROCESS_KINDS = ("service", "support_measure", "function", "control", "appeals_handling", "information_access",
                 "internal")
PAIN_KINDS = ("problem", "need")
PAIN_STATUSES = ("new", "confirmed", "in_work", "resolved", "verified", "rejected", "merged")
EVIDENCE_SOURCES = ("survey_option", "appeals_topic", "appeals_reason", "appeals_process", "open_theme", "manual")
MEASURE_USES = ("reengineering", "digital_services", "federal_portals", "regulation", "own_acts",
                "interdepartmental", "staff_instructions", "applicant_explanations",
                "internal_processes", "methodical_materials")  # the last two: Omsk 17.5 and 17.6
MEASURE_STATUSES = ("planned", "in_progress", "on_hold", "done", "cancelled")
SUGGESTION_STATUSES = ("open", "accepted", "dismissed")


class Process(TenantOwned, Timestamps, db.Model):
    """One object of feedback in the authority's catalogue: a service, a support measure, a function, control or
    supervision, handling of appeals, access to information, or an internal process (Omsk 6, Astrakhan 4.2)."""

    __tablename__ = "process"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default="service")
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    group: Mapped[str] = mapped_column("process_group", String(300), nullable=False, default="")
    touchpoints: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    life_situations: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class Pain(TenantOwned, Timestamps, db.Model):
    """A client's problem or potential need (Nenets 11, Astrakhan 2, Omsk 2.5): one row of the map."""

    __tablename__ = "pain"
    __table_args__ = (Index("ix_pain_tenant_status", "tenant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="problem")
    audience: Mapped[str] = mapped_column(String(20), nullable=False, default="external")
    segment: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    touchpoint: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    wording: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="new")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("pain.id"))
    priority_override: Mapped[str | None] = mapped_column(String(10))
    priority_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by_id: Mapped[int | None] = mapped_column(Integer)

    process = relationship(Process, lazy="joined")
    evidence = relationship("Evidence", back_populates="pain", order_by="Evidence.id", cascade="all, delete-orphan")
    measures = relationship("Measure", back_populates="pain", order_by="Measure.id", cascade="all, delete-orphan")


class Evidence(TenantOwned, Timestamps, db.Model):
    """A link from a pain to the figure it rests on, with the figure's numbers as read when linked: n of N in a
    period. `figure` is the stable id of the figure in its analysis (`results.document.Document.figure`)."""

    __tablename__ = "pain_evidence"
    __table_args__ = (Index("ix_pain_evidence_tenant_pain", "tenant_id", "pain_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pain_id: Mapped[int] = mapped_column(ForeignKey("pain.id"), nullable=False)
    source: Mapped[str] = mapped_column(String(30), nullable=False)
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id"))
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="")  # the analysis kind
    period: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    figure: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    title: Mapped[str] = mapped_column(Text, nullable=False, default="")
    n: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(Text, nullable=False, default="")  # a manual source: its unit and method
    examples: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    pain = relationship(Pain, back_populates="evidence")


class Measure(TenantOwned, Timestamps, db.Model):
    """A measure taken on a pain, with its use of the results (Nenets 15, Omsk 17, Astrakhan 5.10), its owner and
    dates. `public_wording` is what may one day be published as "we did"; the internal wording never is."""

    __tablename__ = "pain_measure"
    __table_args__ = (Index("ix_pain_measure_tenant_due", "tenant_id", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pain_id: Mapped[int] = mapped_column(ForeignKey("pain.id"), nullable=False)
    wording: Mapped[str] = mapped_column(Text, nullable=False)
    public_wording: Mapped[str] = mapped_column(Text, nullable=False, default="")
    use: Mapped[str] = mapped_column(String(40), nullable=False, default="reengineering")
    unit: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    owner_id: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    weight: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    result: Mapped[str] = mapped_column(Text, nullable=False, default="")
    overdue_marked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pain = relationship(Pain, back_populates="measures")


class PainEvent(TenantOwned, db.Model):
    """One change of a pain or of one of its measures: who, when, which field, old -> new (kept for ever)."""

    __tablename__ = "pain_event"
    __table_args__ = (Index("ix_pain_event_tenant_pain", "tenant_id", "pain_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pain_id: Mapped[int] = mapped_column(ForeignKey("pain.id"), nullable=False)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("pain_measure.id"))
    user_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    field: Mapped[str] = mapped_column(String(60), nullable=False)
    old: Mapped[str] = mapped_column(Text, nullable=False, default="")
    new: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Suggestion(TenantOwned, Timestamps, db.Model):
    """A candidate pain the worker proposed from an analysis; a person accepts or dismisses it. A dismissed one
    does not come back for that period: (tenant, kind, period, figure) is unique."""

    __tablename__ = "pain_suggestion"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "period", "figure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id"))
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    source: Mapped[str] = mapped_column(String(30), nullable=False)
    figure: Mapped[str] = mapped_column(String(500), nullable=False)
    wording: Mapped[str] = mapped_column(Text, nullable=False)
    process: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    n: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pain_id: Mapped[int | None] = mapped_column(ForeignKey("pain.id"))


class PainmapVersion(TenantOwned, Timestamps, db.Model):
    """The map frozen with an analysis period (issue 11, item 6): each pain's figures, status and measures as they
    stood when the period's analysis finished, so the next period can say what changed. One per (tenant, period):
    re-running the period's analysis replaces it. `sha256` is the digest of `rows` as canonical JSON, so a
    version later quoted in a report can be checked against what was frozen."""

    __tablename__ = "painmap_version"
    __table_args__ = (UniqueConstraint("tenant_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)  # the kind of the analysis that froze it
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id", ondelete="SET NULL"))
    rows: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class AdditionalCollection(TenantOwned, Timestamps, db.Model):
    """An extra survey an officer started from an escalation signal or a pain (Nenets 7, Astrakhan 5.4, Vladimir 5,
    Omsk 20): the general population N with where it comes from, and the sample n Cochran asks of it
    (`prevalence.sample_size`), stored as computed when started so a later change of the formula's defaults does
    not move the target the officer planned for."""

    __tablename__ = "additional_collection"
    __table_args__ = (
        Index("ix_additional_collection_tenant_analysis", "tenant_id", "analysis_id"),
        Index("ix_additional_collection_tenant_pain", "tenant_id", "pain_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), nullable=False)
    pain_id: Mapped[int | None] = mapped_column(ForeignKey("pain.id"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analysis.id"))
    signal_code: Mapped[str | None] = mapped_column(String(200))  # `collection.signal_key`
    population: Mapped[int] = mapped_column(Integer, nullable=False)
    population_source: Mapped[str] = mapped_column(Text, nullable=False)
    sample_size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[int | None] = mapped_column(Integer)

    survey = relationship("Survey", lazy="joined")
    pain = relationship(Pain)
