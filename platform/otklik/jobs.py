"""RQ jobs and the scheduler tick.

The database is the source of truth; Redis carries only work that can be recomputed. Jobs take ids, never ORM
objects, and travel as JSON. A job is retried (`Retry`) so that one whose worker was killed runs again.
The tick reads every tenant's schedule and, for each due (tenant, kind, period), inserts the Analysis row
first: the unique key decides, so a tick run twice, or two ticks at once, enqueue the analysis once. It also does
the capabilities' tick duties (`capabilities.add_tick_duty`), registered by the modules of CAPABILITY_TICK.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime

from flask import current_app
from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .capabilities import TICK_DUTIES
from .extensions import db

CAPABILITY_TICK = ("otklik.surveys.volume", "otklik.publishing.deadlines", "otklik.painmap.duties")
"""Capability modules with tick duties (answers in a period; publication deadline warnings), loaded by create_app."""

log = logging.getLogger(__name__)
RETRY = Retry(max=3, interval=[5, 30, 120])
JOB_TIMEOUT = 3600

_app = None


def redis_connection(app=None) -> Redis:
    app = app or current_app
    return Redis.from_url(app.config["REDIS_URL"])


def get_queue(app=None, name: str | None = None) -> Queue:
    app = app or current_app
    return Queue(name or app.config["RQ_QUEUE"], connection=redis_connection(app), serializer=JSONSerializer)


def job_app():
    """The Flask app a job runs in: the one in context, or one made once per worker process."""
    global _app
    try:
        return current_app._get_current_object()
    except RuntimeError:
        pass
    if _app is None:  # a worker process: made once, reused by every job it runs
        from . import create_app

        _app = create_app()
    return _app


def in_app(func):
    """Run a job function inside an app context; a forked work horse drops the parent's DB connections first."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        app = job_app()
        with app.app_context():
            if getattr(app, "_otklik_pid", os.getpid()) != os.getpid():
                db.engine.dispose(close=False)
                app._otklik_pid = os.getpid()
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper


def analysis_job_id(tenant_slug: str, kind: str, period: str) -> str:
    """Deterministic: `tenant__kind__period` (RQ ids take letters, digits, '_' and '-' only, not ':')."""
    return f"{tenant_slug}__{kind}__{period}"


def enqueue_analysis(analysis, tenant_slug: str, queue: Queue | None = None):
    """Put an Analysis row's work on the queue under its deterministic id."""
    queue = queue or get_queue()
    job_id = analysis_job_id(tenant_slug, analysis.kind, analysis.period)
    job = queue.enqueue(
        "otklik.jobs.run_analysis",
        analysis.id,
        job_id=job_id,
        retry=RETRY,
        job_timeout=JOB_TIMEOUT,
        result_ttl=86400,
        failure_ttl=7 * 86400,
        description=f"analysis {job_id}",
    )
    return job


def claim_analysis(tenant, kind: str, period: str, trigger: str = "schedule"):
    """Insert the (tenant, kind, period) row; None when another tick or person got there first."""
    from .models import Analysis

    analysis = Analysis(tenant_id=tenant.id, kind=kind, period=period, status="queued", trigger=trigger)
    analysis.job_id = analysis_job_id(tenant.slug, kind, period)
    try:
        with db.session.begin_nested():
            db.session.add(analysis)
    except IntegrityError:
        db.session.rollback()  # end the transaction: SQLite would stay locked, PostgreSQL aborted
        return None
    db.session.commit()
    return analysis


def tick(now: str | None = None) -> dict:
    """One scheduler pass over every tenant: enqueue what is due, once. Returns what it did."""
    return _tick(datetime.fromisoformat(now) if now else datetime.now(UTC))


@in_app
def _tick(now: datetime) -> dict:
    from .models import Tenant
    from .periods import local_today
    from .schedule import due_periods, tenant_schedule
    from .tenancy import across_tenants, tenant_scope

    queue = get_queue()
    enqueued, warnings = [], []
    tenant_ids = db.session.execute(across_tenants(select(Tenant.id).where(Tenant.active.is_(True)))).scalars().all()
    for tenant_id in tenant_ids:
        db.session.remove()  # a fresh session per tenant: nothing answers from another tenant's identity map
        tenant = db.session.get(Tenant, tenant_id)
        with tenant_scope(tenant):
            today = local_today(tenant.tz, now)
            for entry in tenant_schedule(tenant):
                volume = volume_counter(tenant, entry.kind)
                for period in due_periods(tenant, entry, today, volume):
                    analysis = claim_analysis(tenant, entry.kind, period.name)
                    if analysis is not None:
                        enqueue_analysis(analysis, tenant.slug, queue)
                        enqueued.append(analysis.job_id)
            warnings += duty_warnings(tenant, today)
    if enqueued:
        log.info("tick enqueued %s", ", ".join(enqueued))
    for warning in warnings:
        log.warning("deadline: %s", warning)
    return {"enqueued": enqueued, "warnings": warnings}


def volume_counter(tenant, kind: str):
    """period -> answers of `kind` in it, for the `month_or_quarter` rule: what the tick duties count, added up
    (None when no duty counts answers)."""
    counters = [duty.volume for duty in TICK_DUTIES if duty.volume is not None]
    if not counters:
        return None
    return lambda period: sum(count(tenant, kind, period) for count in counters)


def duty_warnings(tenant, today: date) -> list[str]:
    """The tick duties' warnings for one tenant (publication deadlines, overdue measures)."""
    return [w for duty in TICK_DUTIES if duty.warnings is not None for w in duty.warnings(tenant, today)]


def run_analysis(analysis_id: int) -> dict:
    return _run_analysis(analysis_id)


@in_app
def _run_analysis(analysis_id: int) -> dict:
    from .analysis.runner import run

    outcome = run(analysis_id)
    after_analysis(analysis_id)
    return outcome


def after_analysis(analysis_id: int) -> None:
    """The capabilities' duties on a finished analysis (the pain map's suggestions), each in the tenant's scope;
    the stored document stays whatever they do."""
    from .capabilities import TICK_DUTIES
    from .models import Analysis, Tenant
    from .tenancy import across_tenants, tenant_scope

    analysis = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
    if analysis.status != "done":
        return
    tenant = db.session.get(Tenant, analysis.tenant_id)
    for duty in TICK_DUTIES:
        if duty.after_analysis is None:
            continue
        with tenant_scope(tenant):
            try:
                duty.after_analysis(tenant, analysis)
            except Exception:  # noqa: BLE001 - a suggestion must not fail the analysis it follows
                db.session.rollback()
                log.exception("after-analysis duty %s failed for analysis %s", duty.name, analysis_id)
