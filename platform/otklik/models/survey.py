"""Questionnaires, their versions, surveys and anonymous answers.

Storage contract shared with the survey metrics (otklik.analysis.surveys):

- `questionnaire_version.questions` is a JSON list of questions:
  {"key", "number", "type" (single|multiple|scale|matrix|yesno|open|demographic), "text",
   "options": [{"value", "text", "goto"?}], "rows": [{"key", "text", "parameter"?}], "required", "parameter"?}
- `survey_response`: one submitted questionnaire; channel, audience, object, segment, submitted_at (UTC), source.
  No IP address, user agent, cookie id or account is ever stored (152-FZ; Omsk 10, Vladimir 11), and the
  submission time is kept to the hour (`submission_hour`).
- `survey_answer`: one row per answer; matrix rows carry `row_key`, scale and matrix answers `value_num`,
  choices `option` (one row per chosen option of a multiple choice), open answers `text`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..localtime import as_utc
from ..tenancy import TenantOwned
from .base import Timestamps, utcnow

QUESTION_TYPES = ("single", "multiple", "scale", "matrix", "yesno", "open", "demographic")
SURVEY_STATUSES = ("draft", "open", "closed")
SOURCES = ("web", "offline", "import")
IMPORT_STATUSES = ("queued", "running", "done", "refused", "failed")


def submission_hour(moment: datetime) -> datetime:
    """A submission time as stored: the start of its UTC hour. No analysis needs more (periods are local days, and
    a zone a whole number of hours off UTC keeps the local day), and a finer time could be matched with other
    records (a server's log, the time an operator entered a paper form) to tell who answered."""
    return as_utc(moment).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class PublishedVersionImmutable(RuntimeError):
    """A published questionnaire version was about to change: make a new draft version instead."""


def new_token() -> str:
    return secrets.token_urlsafe(12)


class Questionnaire(TenantOwned, Timestamps, db.Model):
    __tablename__ = "questionnaire"
    __table_args__ = (Index("ix_questionnaire_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    audience: Mapped[str] = mapped_column(String(20), nullable=False, default="external")
    template_key: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest(self) -> QuestionnaireVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def published(self) -> list[QuestionnaireVersion]:
        return [v for v in self.versions if v.status == "published"]


class QuestionnaireVersion(TenantOwned, Timestamps, db.Model):
    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("tenant_id", "questionnaire_id", "number"),
        Index("ix_questionnaire_version_tenant_questionnaire", "tenant_id", "questionnaire_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id", ondelete="CASCADE"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    questions: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class Survey(TenantOwned, Timestamps, db.Model):
    __tablename__ = "survey"
    __table_args__ = (
        UniqueConstraint("token"),
        Index("ix_survey_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="RESTRICT"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    object: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # service or process
    # the catalogue entry `object` names, when it is in the catalogue (painmap.catalogue.link_by_name)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("process.id"))
    audience: Mapped[str] = mapped_column(String(20), nullable=False, default="external")
    segment: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    channels: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # UTC
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # UTC
    token: Mapped[str] = mapped_column(String(40), nullable=False, default=new_token)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")

    version: Mapped[QuestionnaireVersion] = relationship()

    @property
    def last_moment(self) -> datetime | None:
        """The last instant answers are taken, for showing the last day: `closes_at` is exclusive (the midnight
        after the last day the officer chose), so its own date is the day after."""
        from datetime import timedelta

        return None if self.closes_at is None else as_utc(self.closes_at) - timedelta(microseconds=1)

    def days(self, tz) -> tuple[date | None, date | None]:
        """The survey's first and last day in zone `tz` (None where the period is open-ended)."""
        first = as_utc(self.opens_at).astimezone(tz).date() if self.opens_at is not None else None
        last = self.last_moment.astimezone(tz).date() if self.last_moment is not None else None
        return first, last

    def state(self, now: datetime | None = None) -> str:
        """`open`, `draft`, `closed`, `not_yet` (before opens_at) or `ended` (after closes_at)."""
        now = now or utcnow()
        if self.status != "open":
            return self.status
        if self.opens_at is not None and now < as_utc(self.opens_at):
            return "not_yet"
        if self.closes_at is not None and now >= as_utc(self.closes_at):
            return "ended"
        return "open"




RESPONSE_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite's INTEGER key is 64-bit already
RANDOM_RESPONSE_ID_SQL = "(floor(random() * 9007199254740990) + 1)::bigint"
"""PostgreSQL's default for survey_response.id (migration 0017), for the raw inserts that name no id."""


def random_response_id() -> int:
    """A response's id: random, so that ids tell nothing of the order of submissions within the hour their time
    is cut to, and the register or an export cannot be lined up with a respondent's known visit (issue 23, item
    5). Below 2**53, so it survives JSON readers that take numbers as doubles; a collision (2**-53 a pair) fails
    the insert, never mixes two responses."""
    return secrets.randbelow(2**53 - 1) + 1


class SurveyResponse(TenantOwned, db.Model):
    """One submitted questionnaire. Deliberately no IP, user agent, cookie id or user id; its id is random."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_tenant_survey", "tenant_id", "survey_id"),
        Index("ix_survey_response_tenant_submitted", "tenant_id", "audience", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(RESPONSE_ID, primary_key=True, autoincrement=False, default=random_response_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), nullable=False)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_version.id", ondelete="RESTRICT"), nullable=False
    )
    channel: Mapped[str] = mapped_column(String(40), nullable=False)
    audience: Mapped[str] = mapped_column(String(20), nullable=False, default="external")
    object: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    segment: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                   default=lambda: submission_hour(utcnow()))
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="web")

    @validates("submitted_at")
    def _to_the_hour(self, _key: str, moment: datetime | None) -> datetime | None:
        """Every ORM write keeps the hour only; Core inserts call `submission_hour` themselves."""
        return None if moment is None else submission_hour(moment)


class SurveyImport(TenantOwned, Timestamps, db.Model):
    """One uploaded file of answers, from upload to result. The request stores the bytes here (not in Redis) and
    queues the job; the job checks every row, stores all or nothing, and keeps the first errors for the report."""

    __tablename__ = "survey_import"
    __table_args__ = (Index("ix_survey_import_tenant_survey_created", "tenant_id", "survey_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # dropped when the import ends
    mapping: Mapped[str] = mapped_column(Text, nullable=False, default="")  # `column = question key` lines
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")  # IMPORT_STATUSES
    job_id: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    user_id: Mapped[int | None] = mapped_column(Integer)
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    inserted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    errors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)  # the first: row, column, value, reason
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SurveyAnswer(TenantOwned, db.Model):
    __tablename__ = "survey_answer"
    __table_args__ = (
        Index("ix_survey_answer_tenant_survey", "tenant_id", "survey_id"),
        Index("ix_survey_answer_tenant_question", "tenant_id", "question_key"),
        Index("ix_survey_answer_tenant_response", "tenant_id", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(RESPONSE_ID, ForeignKey("survey_response.id", ondelete="CASCADE"),
                                             nullable=False)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), nullable=False)
    question_key: Mapped[str] = mapped_column(String(40), nullable=False)
    row_key: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    value_num: Mapped[float | None] = mapped_column(Float)
    option: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str | None] = mapped_column(Text)


@event.listens_for(QuestionnaireVersion, "before_update")
def _refuse_published_changes(mapper, connection, target):
    """A published version never changes: its answers point at it. Edits go to a new draft version."""
    state = inspect(target)
    # The stored status, read from the database: an expired attribute has no history to tell it.
    table = QuestionnaireVersion.__table__
    old_status = connection.execute(select(table.c.status).where(table.c.id == target.id)).scalar()
    if old_status != "published":
        return
    for name in ("questions", "number", "status", "questionnaire_id", "published_at"):
        if state.attrs[name].history.has_changes():
            raise PublishedVersionImmutable(f"questionnaire version {target.id} is published; {name} cannot change")


@event.listens_for(QuestionnaireVersion, "before_delete")
def _refuse_published_delete(mapper, connection, target):
    if target.status == "published":
        raise PublishedVersionImmutable(f"questionnaire version {target.id} is published and cannot be deleted")
