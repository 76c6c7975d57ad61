"""Runs one analysis: computes its metrics and replaces its stored result in one transaction.

A worker killed in the middle leaves the row's previous `result` untouched (nothing is written until the new
document is complete); the job's `Retry` runs it again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..models import Analysis, Tenant
from ..periods import parse_period
from ..plugins import get_plugin_manager
from ..results.document import SCHEMA_VERSION, check
from ..tenancy import across_tenants, tenant_scope
from ..vocabulary import KINDS
from .frames import json_clean
from .metrics import MetricContext


class BadKind(ValueError):
    pass


def _progress(done: int, total: int) -> None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:  # noqa: BLE001 - outside a worker there is no job to report to
        job = None
    if job is not None:
        job.meta["progress"] = {"done": done, "total": total}
        job.save_meta()


def metrics_of(tenant: Tenant, kind: str) -> list:
    pm = get_plugin_manager()
    found = [m for m in pm.call_flat(tenant, "otklik_metrics", kind=kind) if kind in m.kinds]
    unique = {}
    for m in sorted(found, key=lambda m: m.order):
        unique.setdefault(m.key, m)  # the first definition of a key wins (by order)
    return list(unique.values())


def compute(tenant: Tenant, kind: str, period_name: str) -> dict:
    """The result document of one analysis, computed from the metrics the tenant's plugins define.

    Runs inside `tenant_scope(tenant)`; the document is JSON-clean (see docs/ANALYSIS.md).
    """
    if kind not in KINDS:
        raise BadKind(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    period = parse_period(period_name)
    metrics = metrics_of(tenant, kind)
    from . import loaders

    ctx = MetricContext(tenant=tenant, kind=kind, period=period, loaders=dict(loaders.LOADERS))
    ctx.settings = {"min_cell_size": current_app.config.get("MIN_CELL_SIZE", 5)}
    doc = {
        "schema": SCHEMA_VERSION,
        "tenant": tenant.slug,
        "kind": kind,
        "period": period.name,
        "cadence": period.cadence,
        "period_start": period.start.isoformat(),
        "period_end": period.last_day.isoformat(),
        "timezone": tenant.timezone,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    total = len(metrics) + 1
    _progress(0, total)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        for i, metric in enumerate(metrics):
            doc[metric.key] = json_clean(metric.compute(ctx))
            _progress(i + 1, total)
        doc["inputs"] = json_clean(ctx.inputs)
        doc["signals"] = json_clean([
            s.as_dict() if hasattr(s, "as_dict") else s
            for s in get_plugin_manager().call_flat(tenant, "otklik_escalation_signals", analysis=doc)
        ])
    _progress(total, total)
    return check(doc)  # a document that does not match its declarations is not stored


def run(analysis_id: int) -> dict:
    """Compute the analysis of an Analysis row and store it: the new document replaces the old whole or not at all."""
    analysis = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
    tenant = db.session.get(Tenant, analysis.tenant_id)
    with tenant_scope(tenant):
        analysis.status = "running"
        analysis.started_at = datetime.now(UTC)
        analysis.error = ""
        db.session.commit()
        try:
            doc = compute(tenant, analysis.kind, analysis.period)
        except Exception as exc:
            db.session.rollback()
            analysis.status = "failed"
            analysis.error = f"{type(exc).__name__}: {exc}"[:2000]
            analysis.finished_at = datetime.now(UTC)
            db.session.commit()
            raise
        # One transaction: the new document replaces the old one whole, or not at all.
        analysis.result = doc
        analysis.status = "done"
        analysis.error = ""
        analysis.finished_at = datetime.now(UTC)
        db.session.commit()
        return {"analysis_id": analysis.id, "status": analysis.status}
