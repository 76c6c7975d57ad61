"""Questionnaires, versions and surveys: what the office pages, the public form and the import do with them."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import bindparam, func, insert, select, text

from ..extensions import db
from ..models import Tenant
from ..models.survey import (
    PublishedVersionImmutable,
    Questionnaire,
    QuestionnaireVersion,
    Survey,
    SurveyAnswer,
    SurveyResponse,
    submission_hour,
)
from ..tenancy import across_tenants
from .engine import answer_rows, check_questions


def create_from_template(template, title: str | None = None) -> Questionnaire:
    """A questionnaire with one draft version holding a copy of the template's questions."""
    check_questions(template.questions)
    questionnaire = Questionnaire(title=title or template.title, audience=template.audience,
                                  template_key=template.key, description=template.description)
    questionnaire.versions.append(QuestionnaireVersion(number=1, status="draft",
                                                       questions=copy.deepcopy(template.questions)))
    db.session.add(questionnaire)
    db.session.flush()
    return questionnaire


def save_draft(version: QuestionnaireVersion, questions: list) -> None:
    """Replace a draft's questions after validation; a published version is refused."""
    if version.is_published:
        raise PublishedVersionImmutable(f"questionnaire version {version.id} is published")
    check_questions(questions)
    version.questions = copy.deepcopy(questions)


def publish(version: QuestionnaireVersion) -> None:
    if version.is_published:
        return
    check_questions(version.questions)
    version.status = "published"
    version.published_at = datetime.now(UTC)


def new_draft(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """A new draft version copied from the latest one (the way to change a published questionnaire)."""
    latest = questionnaire.latest
    if latest is not None and not latest.is_published:
        return latest
    draft = QuestionnaireVersion(number=(latest.number + 1) if latest else 1, status="draft",
                                 questions=copy.deepcopy(latest.questions if latest else []))
    questionnaire.versions.append(draft)
    db.session.flush()
    return draft


def store_response(survey: Survey, answers: dict, *, channel: str, source: str,
                   submitted_at: datetime | None = None, segment: str | None = None) -> SurveyResponse:
    """One anonymous response with its answers (already checked by engine.check_answers). Nothing identifies the
    respondent: no address, browser, cookie or account is passed in, so none can be stored, and the time is kept
    to the hour (the model's validator)."""
    version = survey.version
    response = SurveyResponse(
        tenant_id=survey.tenant_id, survey_id=survey.id, questionnaire_version_id=version.id, channel=channel,
        audience=survey.audience, object=survey.object, segment=survey.segment if segment is None else segment,
        submitted_at=submitted_at or datetime.now(UTC), source=source,
    )
    db.session.add(response)
    db.session.flush()
    rows = [{"tenant_id": survey.tenant_id, "response_id": response.id, "survey_id": survey.id, **row}
            for row in answer_rows(version.questions, answers)]
    if rows:  # one multi-row INSERT (ORM bulk insert): the public form's hot path. render_nulls: the ORM drops
        # None values and batches only rows with the same keys, so without it a response takes several statements
        db.session.execute(insert(SurveyAnswer).execution_options(render_nulls=True), rows)
    return response


_ANSWERS_PG = text(
    "INSERT INTO survey_answer (tenant_id, response_id, survey_id, question_key, row_key, value_num, option, text) "
    "SELECT :tenant_id, a.response_id, :survey_id, a.question_key, a.row_key, a.value_num, a.option, a.text FROM "
    "unnest(CAST(:responses AS bigint[]), CAST(:keys AS varchar[]), CAST(:rows AS varchar[]), "
    "CAST(:nums AS float8[]), CAST(:options AS varchar[]), CAST(:texts AS text[])) "
    "AS a(response_id, question_key, row_key, value_num, option, text)"
)
_ANSWER_ARRAYS = {"responses": "response_id", "keys": "question_key", "rows": "row_key", "nums": "value_num",
                  "options": "option", "texts": "text"}


def store_imported(survey: Survey, rows: list, progress=None, chunk: int = 1000) -> int:
    """An import's checked rows, `(answers, meta)` each (see importer.read_csv), stored a chunk at a time: the
    responses in one batched INSERT returning their ids, then their answers in one statement (PostgreSQL: arrays
    through unnest, as the public form; elsewhere a multi-row INSERT). The caller commits, once, so the import is
    all or nothing; `progress(done, total)` after each chunk."""
    version = survey.version
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        responses = [SurveyResponse(
            tenant_id=survey.tenant_id, survey_id=survey.id, questionnaire_version_id=version.id,
            channel=meta["channel"], audience=survey.audience, object=survey.object,
            segment=survey.segment if meta["segment"] is None else meta["segment"],
            source="import", **({"submitted_at": meta["submitted_at"]} if meta["submitted_at"] else {}),
        ) for _answers, meta in part]
        db.session.add_all(responses)
        db.session.flush()
        answers = [{"tenant_id": survey.tenant_id, "response_id": response.id, "survey_id": survey.id, **row}
                   for response, (checked, _meta) in zip(responses, part, strict=True)
                   for row in answer_rows(version.questions, checked)]
        if answers and db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(_ANSWERS_PG, {  # one statement for the chunk's answers (the public form's way)
                "tenant_id": survey.tenant_id, "survey_id": survey.id,
                **{name: [a[column] for a in answers] for name, column in _ANSWER_ARRAYS.items()}})
        elif answers:  # render_nulls: one batch, not one per run of rows with the same non-null keys
            db.session.execute(insert(SurveyAnswer).execution_options(render_nulls=True), answers)
        for response in responses:  # stored (not yet committed): the session need not keep 20,000 of them
            db.session.expunge(response)
        if progress is not None:
            progress(start + len(part), len(rows))
    return len(rows)


_SUBMIT_PG = text(
    "WITH r AS (INSERT INTO survey_response (tenant_id, survey_id, questionnaire_version_id, channel, audience, "
    "object, segment, submitted_at, source) VALUES (:tenant_id, :survey_id, :version_id, :channel, :audience, "
    ":object, :segment, :submitted_at, :source) RETURNING id) "
    "INSERT INTO survey_answer (tenant_id, response_id, survey_id, question_key, row_key, value_num, option, text) "
    "SELECT :tenant_id, r.id, :survey_id, a.question_key, a.row_key, a.value_num, a.option, a.text FROM r, "
    "unnest(CAST(:keys AS varchar[]), CAST(:rows AS varchar[]), CAST(:nums AS float8[]), CAST(:options AS varchar[]), "
    "CAST(:texts AS text[])) AS a(question_key, row_key, value_num, option, text)"
)


def submit_response(survey: Survey, answers: dict, *, channel: str, source: str) -> None:
    """The public form's hot path: the response and all its answers in one statement on PostgreSQL (Core SQL, so
    the tenant is given explicitly); elsewhere the ORM path of `store_response`. Stores exactly the same rows."""
    if db.session.get_bind().dialect.name != "postgresql":
        store_response(survey, answers, channel=channel, source=source)
        return
    rows = answer_rows(survey.version.questions, answers)
    db.session.execute(_SUBMIT_PG, {
        "tenant_id": survey.tenant_id, "survey_id": survey.id, "version_id": survey.questionnaire_version_id,
        "channel": channel, "audience": survey.audience, "object": survey.object, "segment": survey.segment,
        "submitted_at": submission_hour(datetime.now(UTC)), "source": source,
        "keys": [r["question_key"] for r in rows], "rows": [r["row_key"] for r in rows],
        "nums": [r["value_num"] for r in rows], "options": [r["option"] for r in rows],
        "texts": [r["text"] for r in rows]})


def response_counts() -> dict[int, int]:
    """Responses per survey of the current tenant."""
    rows = db.session.execute(select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
                              .group_by(SurveyResponse.survey_id)).all()
    return {survey_id: n for survey_id, n in rows}


_PUBLISHED: dict[tuple, list] = {}
"""Questions of published versions by (version id, published_at), per process: a published version never changes,
and the publication instant keeps a reused id (a restored or reset database) from matching a stale entry."""


def use_autocommit_for_public_form() -> None:
    """On PostgreSQL the public form runs its statements in autocommit: it reads one row and stores an answer with
    one INSERT statement, each atomic by itself, so BEGIN and COMMIT would add two round trips and nothing else.
    Elsewhere (SQLite, where a response takes two statements) and inside an open transaction nothing changes."""
    if not db.session().in_transaction() and db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@cache
def _public_survey_query():
    """Built once: the public form runs it on every request. Before any tenant is known, the slug scopes it."""
    tt, table, vt = Tenant.__table__, Survey.__table__, QuestionnaireVersion.__table__
    return across_tenants(
        select(*[c.label(f"tenant__{c.name}") for c in tt.c], table, vt.c.status.label("version_status"),
               vt.c.published_at.label("version_published_at"))
        .join(tt, tt.c.id == table.c.tenant_id)
        .join(vt, (vt.c.id == table.c.questionnaire_version_id) & (vt.c.tenant_id == table.c.tenant_id))
        .where(tt.c.slug == bindparam("slug"), tt.c.active.is_(True), table.c.token == bindparam("token")))


def public_survey(tenant_slug: str, token: str) -> tuple[Tenant, Survey] | None:
    """The tenant and survey of a public link, for the public form (the platform's busiest page): one query of the
    active tenant's row, the survey's row and its version's publication, filtered on the slug and token explicitly
    (Core); the published questions from a per-process cache. Returns detached objects, the survey carrying its
    `version`; never add them to a session. None when the tenant or the survey does not exist."""
    tt, vt = Tenant.__table__, QuestionnaireVersion.__table__
    row = db.session.execute(_public_survey_query(), {"slug": tenant_slug, "token": token}).mappings().first()
    if row is None:
        return None
    values = dict(row)
    tenant = Tenant(**{c.name: values.pop(f"tenant__{c.name}") for c in tt.c})
    status, published_at = values.pop("version_status"), values.pop("version_published_at")
    survey = Survey(**values)
    version_id = values["questionnaire_version_id"]
    key = (version_id, str(published_at))
    questions = _PUBLISHED.get(key) if status == "published" else None
    if questions is None:
        questions = db.session.execute(across_tenants(select(vt.c.questions).where(
            vt.c.tenant_id == tenant.id, vt.c.id == version_id))).scalar_one()
        if status == "published":
            if len(_PUBLISHED) > 2000:
                _PUBLISHED.clear()
            _PUBLISHED[key] = questions
    survey.version = QuestionnaireVersion(id=version_id, tenant_id=tenant.id, questions=questions, status=status,
                                          published_at=published_at)
    return tenant, survey
