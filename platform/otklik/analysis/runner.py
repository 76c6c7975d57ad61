"""Runs one analysis: computes its metrics and replaces its stored result in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Analysis, Tenant
from ..plugins import get_plugin_manager
from ..tenancy import across_tenants, tenant_scope
from .metrics import MetricContext
from .periods import parse_period


def _progress(done: int, total: int) -> None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - outside a worker there is no job to report to
        job = None
    if job is not None:
        job.meta["progress"] = {"done": done, "total": total}
        job.save_meta()


def compute(tenant: Tenant, kind: str, period_name: str) -> dict:
    """The result document of one analysis, computed from the metrics the tenant's plugins define."""
    pm = get_plugin_manager()
    period = parse_period(period_name)
    metrics = sorted(
        (m for m in pm.call_flat(tenant, "otklik_metrics", kind=kind) if kind in m.kinds), key=lambda m: m.order
    )
    ctx = MetricContext(tenant=tenant, kind=kind, period=period)
    from . import loaders  # noqa: F401 - registers the frame loaders of each kind

    ctx.loaders.update(loaders.LOADERS)
    start, end = period.utc_bounds(tenant.tz)
    doc = {
        "tenant": tenant.slug,
        "kind": kind,
        "period": period.name,
        "period_start": period.start.isoformat(),
        "period_end": period.last_day.isoformat(),
        "timezone": tenant.timezone,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for i, metric in enumerate(metrics):
        doc[metric.key] = metric.compute(ctx)
        _progress(i + 1, len(metrics))
    doc["inputs"] = ctx.inputs
    doc["signals"] = [
        s.as_dict() if hasattr(s, "as_dict") else s
        for s in pm.call_flat(tenant, "otklik_escalation_signals", analysis=doc)
    ]
    del start, end
    return doc


def run(analysis_id: int) -> dict:
    analysis = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
    tenant = db.session.get(Tenant, analysis.tenant_id)
    with tenant_scope(tenant):
        analysis.status = "running"
        analysis.started_at = datetime.now(UTC)
        db.session.commit()
        try:
            doc = compute(tenant, analysis.kind, analysis.period)
        except Exception as exc:
            db.session.rollback()
            analysis.status = "failed"
            analysis.error = f"{type(exc).__name__}: {exc}"
            db.session.commit()
            raise
        # One transaction: the new document replaces the old one whole, or not at all.
        analysis.result = doc
        analysis.status = "done"
        analysis.error = ""
        analysis.finished_at = datetime.now(UTC)
        db.session.commit()
        return {"analysis_id": analysis.id, "status": analysis.status}
