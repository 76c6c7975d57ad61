"""The import job: reads the batch's bytes from the database, imports them all or nothing, reports progress.

The tick's duty `recover_imports` re-enqueues batches that are `queued` or `running` while Redis lost their job
(`jobs.recover_job`)."""

from __future__ import annotations

from datetime import UTC, datetime

from rq import get_current_job
from sqlalchemy import select

from ..capabilities import add_tick_duty
from ..extensions import db
from ..jobs import enqueue_once, give_up_import, in_app, recover_rows
from ..models import Tenant
from ..models.intake import ImportBatch
from ..tenancy import across_tenants, tenant_scope
from .importer import ImportRefused, import_file

FINAL = ("done", "refused")


def import_job_id(tenant_slug: str, batch_id: int) -> str:
    return f"{tenant_slug}__import__{batch_id}"


def enqueue_import(batch: ImportBatch, tenant_slug: str, now: datetime | None = None):
    """Mark the batch queued (committed first: the database is the truth) and put its job on the queue once.
    Raises jobs.QueueUnavailable when Redis is down: the batch stays queued and the tick enqueues it later."""
    batch.job_id = import_job_id(tenant_slug, batch.id)
    batch.status = "queued"
    db.session.commit()
    return enqueue_once("otklik.intake.jobs.run_import", batch.id, job_id=batch.job_id,
                        description=f"appeals import {batch.job_id}", now=now)


def recover_imports(tenant: Tenant, now: datetime) -> list[str]:
    """The tick's duty: `jobs.recover_rows` for the tenant's queued and running appeal imports."""
    rows = db.session.execute(select(ImportBatch).where(ImportBatch.status.in_(("queued", "running")))).scalars()
    return recover_rows(rows.all(), now, lambda b: enqueue_import(b, tenant.slug, now),
                        lambda b: give_up_import(b, now))


def imports_pending(tenant: Tenant, today, now: datetime) -> datetime | None:
    """The next tick while an appeal import is queued or running (its job may be lost), else None."""
    pending = db.session.execute(select(ImportBatch.id).where(ImportBatch.status.in_(("queued", "running"))).limit(1))
    return now if pending.first() is not None else None


add_tick_duty("intake.imports", recover=recover_imports, next_due=imports_pending, watches=(ImportBatch,))


def run_import(batch_id: int) -> dict:
    return _run_import(batch_id)


@in_app
def _run_import(batch_id: int) -> dict:
    batch = db.session.execute(across_tenants(select(ImportBatch).where(ImportBatch.id == batch_id))).scalar_one()
    if batch.status in FINAL:  # a retried job after the import finished: nothing to do twice
        return {"status": batch.status}
    tenant = db.session.get(Tenant, batch.tenant_id)
    with tenant_scope(tenant):
        return _import_batch(tenant, batch)


def _import_batch(tenant, batch: ImportBatch) -> dict:
    job = get_current_job()
    from .importers import resolve, resolve_values

    mapping = resolve(tenant, batch.mapping_name)
    values = resolve_values(tenant, batch.mapping_name)
    content, filename, batch_id = batch.content, batch.filename, batch.id
    batch.status = "running"
    db.session.commit()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"done": done, "total": total}
            job.save_meta()

    try:
        result = import_file(db.session, tenant, content or b"", filename, mapping, progress, values)
    except ImportRefused as refused:
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.errors, batch.error_count = "refused", refused.errors, refused.error_count
        batch.content, batch.finished_at = None, datetime.now(UTC)
        db.session.commit()
        return {"status": "refused", "errors": refused.error_count}
    except Exception as exc:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.message = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        raise
    batch = db.session.get(ImportBatch, batch_id)
    batch.status, batch.content, batch.finished_at = "done", None, datetime.now(UTC)
    batch.total_rows, batch.inserted = result.total, result.inserted
    batch.updated, batch.unchanged = result.updated, result.unchanged
    db.session.commit()
    progress(result.total, result.total)
    return {"status": "done", "total": result.total, "inserted": result.inserted, "updated": result.updated}
