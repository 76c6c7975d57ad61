"""Answer imports as jobs: the request stores the upload (a `survey_import` row) and queues it; the job checks every
row with the public form's engine and stores all of them or none.

Progress goes to the RQ job's meta, `{"phase": "check" | "store", "done", "total"}`, which the import page polls.
The store is guarded in the database: the transaction that inserts the answers first moves the row from `running`
to `done`, so two runs of one import (the tick re-enqueued it while a worker cut off from Redis still ran it)
store its answers once. The tick's recovery duty (`recover_imports`) re-enqueues imports whose job Redis lost.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale
from rq import get_current_job
from sqlalchemy import select, update

from ..capabilities import add_tick_duty
from ..channels import channel_codes
from ..extensions import db
from ..jobs import enqueue_once, give_up_import, in_app, recover_rows
from ..models import Survey, Tenant
from ..models.survey import SurveyImport
from ..tenancy import across_tenants, tenant_scope
from . import service
from .importer import parse_mapping, read_csv

FINAL = ("done", "refused")
MAX_ERRORS = 1000  # errors kept for the report; the count goes on


def import_job_id(tenant_slug: str, import_id: int) -> str:
    return f"{tenant_slug}__survey_import__{import_id}"


def enqueue_survey_import(batch: SurveyImport, tenant_slug: str, now: datetime | None = None):
    """Mark the import queued (committed first: the database is the truth) and put its job on the queue once.
    Raises jobs.QueueUnavailable when Redis is down: the row stays queued and the tick enqueues it later."""
    batch.job_id = batch.job_id or import_job_id(tenant_slug, batch.id)
    batch.status = "queued"
    db.session.commit()
    return enqueue_once("otklik.surveys.jobs.run_survey_import", batch.id, job_id=batch.job_id,
                        description=f"survey answers import {batch.job_id}", now=now)


def run_survey_import(import_id: int) -> dict:
    return _run(import_id)


@in_app
def _run(import_id: int) -> dict:
    batch = db.session.execute(across_tenants(select(SurveyImport).where(SurveyImport.id == import_id))).scalar_one()
    if batch.status in FINAL:  # a repeated job after the import ended: nothing to do twice
        return {"status": batch.status}
    tenant = db.session.get(Tenant, batch.tenant_id)
    with tenant_scope(tenant), force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return _import(tenant, batch)


def _import(tenant: Tenant, batch: SurveyImport) -> dict:
    job = get_current_job()

    def progress(phase: str):
        def report(done: int, total: int) -> None:
            if job is not None:
                job.meta["progress"] = {"phase": phase, "done": done, "total": total}
                job.save_meta()
        return report

    import_id, content, mapping = batch.id, batch.content or b"", batch.mapping
    survey = db.session.get(Survey, batch.survey_id)
    # Conditional, so a run that starts after another one ended the import (on PostgreSQL: waits for its commit,
    # then finds it ended) does nothing.
    claimed = db.session.execute(update(SurveyImport).where(
        SurveyImport.id == import_id, SurveyImport.status.in_(("queued", "running", "failed"))).values(
        status="running", message=""))
    db.session.commit()
    if claimed.rowcount != 1:
        return {"status": "ended"}
    codes = set(channel_codes(tenant)) or {"pos"}
    default = "pos" if "pos" in codes else sorted(codes)[0]
    try:
        result = read_csv(content, survey.version.questions, tenant, codes, parse_mapping(mapping),
                          default_channel=default, progress=progress("check"))
        if not result.ok:
            errors = [asdict(e) for e in result.errors[:MAX_ERRORS]]
            if _finish(import_id, status="refused", errors=errors, error_count=len(result.errors)):
                db.session.commit()
            return {"status": "refused", "errors": len(result.errors)}
        total = len(result.rows)
        if not _finish(import_id, status="done", total_rows=total, inserted=total):
            db.session.rollback()  # another run of this import got there first
            return {"status": "ended"}
        service.store_imported(survey, result.rows, progress=progress("store"))
        db.session.commit()  # the answers and the `done` row together: all or nothing
    except Exception as exc:
        db.session.rollback()
        db.session.execute(update(SurveyImport).where(SurveyImport.id == import_id).values(
            status="failed", message=f"{type(exc).__name__}: {exc}"[:2000]))
        db.session.commit()
        raise
    progress("store")(total, total)
    return {"status": "done", "total": total, "inserted": total}


def _finish(import_id: int, **values) -> bool:
    """Move the import from `running` to its end, in the open transaction; False when it is not `running` (another
    run ended it). On PostgreSQL a second run waits here until the first commits, then finds it ended."""
    done = db.session.execute(update(SurveyImport).where(
        SurveyImport.id == import_id, SurveyImport.status == "running").values(
        content=None, finished_at=datetime.now(UTC), **values))
    return done.rowcount == 1


def recover_imports(tenant: Tenant, now: datetime) -> list[str]:
    """The tick's duty: `jobs.recover_rows` for the tenant's queued and running answer imports."""
    rows = db.session.execute(select(SurveyImport).where(SurveyImport.status.in_(("queued", "running")))).scalars()
    rows = rows.all()
    for batch in rows:
        batch.job_id = batch.job_id or import_job_id(tenant.slug, batch.id)
    return recover_rows(rows, now, lambda b: enqueue_survey_import(b, tenant.slug, now),
                        lambda b: give_up_import(b, now))


def imports_pending(tenant: Tenant, today, now: datetime) -> datetime | None:
    """The next tick while an answer import is queued or running (its job may be lost), else None."""
    pending = db.session.execute(select(SurveyImport.id).where(SurveyImport.status.in_(("queued", "running")))
                                 .limit(1))
    return now if pending.first() is not None else None


add_tick_duty("surveys.imports", recover=recover_imports, next_due=imports_pending, watches=(SurveyImport,))
