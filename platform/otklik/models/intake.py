"""Intake's own tables: the tenant's loaded classifier, saved column mappings and import batches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy import TenantOwned
from .base import Timestamps


class ClassifierEntry(TenantOwned, Timestamps, db.Model):
    """One code of the thematic classifier loaded by a tenant (a fuller list than the five shipped sections)."""

    __tablename__ = "classifier_entry"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class ImportMapping(TenantOwned, Timestamps, db.Model):
    """A saved column layout: canonical field -> column header of another system's export, and the export's own
    words for the coded columns (field -> {source value: code}; intake.values reads them)."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    columns: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    values: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict, server_default="{}")


class ImportBatch(TenantOwned, Timestamps, db.Model):
    """One uploaded file from preview to result. The bytes live here (not in Redis) until the import ends."""

    __tablename__ = "import_batch"
    __table_args__ = (Index("ix_import_batch_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    mapping_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="preview")
    job_id: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    user_id: Mapped[int | None] = mapped_column(Integer)
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    inserted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    errors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # the first errors: row, column, ...
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
