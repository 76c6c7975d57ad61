"""The outbox: every e-mail the platform sends is a row here first (otklik.mail sends them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import Timestamps, utcnow

OUTBOX_STATUSES = ("queued", "sent", "failed")


class OutboundMessage(Timestamps, db.Model):
    """One e-mail: queued until the sending job hands it to the relay (`sent`) or the relay refuses it for good
    (`failed`, with the reply). Not tenant-scoped: the one sending job reads every authority's queue; `tenant_id`
    says whose name signs it. A row queued with `erase_address_after_send` loses its address and bodies once it is
    sent or refused (an invitation's address and one-use link are kept no longer than needed, 152-FZ art. 5 p. 7)."""

    __tablename__ = "outbound_message"
    __table_args__ = (Index("ix_outbound_message_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40), nullable=False)
    to_address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    text_body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    html_body: Mapped[str | None] = mapped_column(Text)
    list_unsubscribe: Mapped[str | None] = mapped_column(String(1000))
    erase_address_after_send: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
