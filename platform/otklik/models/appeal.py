"""The appeals register: metadata of appeals and complaints only, no applicant's name, address or contact
(152-FZ: the analytics need dates, channel, topic, reason, segment and outcome, nothing more)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy import TenantOwned
from ..vocabulary import AUDIENCES  # noqa: F401 - the register's audiences (the importer checks against them)
from .base import Timestamps

KINDS = ("appeal", "complaint", "request", "proposal", "memo")  # memo: an employee's служебная записка (Astrakhan 4.6)
CLIENT_TYPES = ("individual", "legal_entity", "employee")
OUTCOMES = ("pending", "supported", "measures_taken", "explained", "not_supported", "redirected",
            "left_without_answer")

DATE_ONLY = {"received_at": 1, "registered_at": 2, "answered_at": 4, "redirected_at": 8}
"""Bits of `Appeal.date_only`: a date typed or imported without a time is stored at an instant of its day (the form
takes noon, the import midnight, both in the authority's zone), and this says the time was not given."""

class Appeal(TenantOwned, Timestamps, db.Model):
    __tablename__ = "appeal"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_appeal_tenant_registered", "tenant_id", "registered_at"),
        Index("ix_appeal_tenant_topic", "tenant_id", "topic_code"),
        Index("ix_appeal_tenant_process", "tenant_id", "process_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    audience: Mapped[str] = mapped_column(String(20), nullable=False, default="external")
    channel: Mapped[str] = mapped_column(String(40), nullable=False)
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # UTC; 59-FZ: register in 3 days
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)  # UTC
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # UTC
    due_date: Mapped[date] = mapped_column(Date, nullable=False)  # local date: the answer deadline in force (registration + 30 days + extended_days)
    extended_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # at most 30 (59-FZ)
    extension_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    redirected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # which of the instants above were given as a date alone (sum of DATE_ONLY's bits): the page shows the date
    date_only: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    redirected_to: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    topic_code: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    segment: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    client_type: Mapped[str] = mapped_column(String(20), nullable=False, default="individual")
    object: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # the catalogue entry `object` names, when it is in the catalogue (painmap.catalogue.link_by_name)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"))
    outcome: Mapped[str] = mapped_column(String(30), nullable=False, default="pending")
    summary: Mapped[str] = mapped_column(String(1000), nullable=False, default="")  # short internal note

    def without_time(self, name: str) -> bool:
        """Whether the instant `name` (received_at, ...) was given as a date alone."""
        return bool((self.date_only or 0) & DATE_ONLY[name])

    def mark_date_only(self, name: str, date_only: bool = True) -> None:
        self.date_only = ((self.date_only or 0) & ~DATE_ONLY[name]) | (DATE_ONLY[name] if date_only else 0)
