"""Analyses run by hand: an officer (or the CLI) asks for any (kind, period) of their tenant.

`request_analysis` claims the (tenant, kind, period) row, or re-queues the existing one, and enqueues the
deterministic job `tenant__kind__period`; the progress is in that job's `meta["progress"]`
({"done": n, "total": m}), see `progress_of`. When Redis is down the row is still claimed (`queued`) and
`jobs.QueueUnavailable` is raised: the page says so, and the scheduler tick enqueues the job when Redis is back.
"""

from __future__ import annotations

from redis.exceptions import RedisError
from sqlalchemy import select

from ..extensions import db
from ..jobs import (
    QueueUnavailable,
    analysis_job_id,
    claim_analysis,
    enqueue_analysis,
    get_queue,
    job_state,
    redis_connection,
)
from ..models import Analysis
from ..periods import parse_period
from ..vocabulary import KINDS
from .runner import BadKind


def _job(job_id: str):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    try:
        return Job.fetch(job_id, connection=redis_connection(), serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def request_analysis(tenant, kind: str, period: str, trigger: str = "manual") -> Analysis:
    """Queue the analysis of (tenant, kind, period) now; call inside `tenant_scope(tenant)` or a tenant request.

    A period or kind that does not parse raises BadPeriod / BadKind. When the same job is already queued or
    running, nothing is enqueued twice: the row is returned as it is. When Redis cannot be reached, the row is
    left (or made) `queued` and QueueUnavailable is raised; the tick enqueues it later.
    """
    if kind not in KINDS:
        raise BadKind(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    period = parse_period(period).name
    analysis = claim_analysis(tenant, kind, period, trigger=trigger)
    if analysis is None:
        analysis = db.session.execute(
            select(Analysis).where(Analysis.tenant_id == tenant.id, Analysis.kind == kind, Analysis.period == period)
        ).scalar_one()
        try:
            state = job_state(analysis_job_id(tenant.slug, kind, period))
        except RedisError as exc:
            state = "unknown"
            if analysis.status in ("queued", "running"):  # asked before; the tick keeps its job alive
                db.session.commit()
                raise QueueUnavailable(f"Redis unreachable: {exc}") from exc
        if state in ("waiting", "running"):
            db.session.commit()  # end the transaction of the refused insert (SQLite would stay locked)
            return analysis
        analysis.status = "queued"
        analysis.trigger = trigger
        analysis.error = ""
        analysis.job_id = analysis_job_id(tenant.slug, kind, period)
        db.session.commit()
    enqueue_analysis(analysis, tenant.slug, get_queue())  # replaces a finished, failed or lost job of the same id
    return analysis


def progress_of(analysis: Analysis) -> dict:
    """{"status", "done", "total"} of an analysis: the row's status and its job's meta["progress"]."""
    done = total = 0
    if analysis.status in ("queued", "running") and analysis.job_id:
        try:
            job = _job(analysis.job_id)
        except RedisError:
            job = None  # Redis down: the row's status is what is known
        meta = (job.meta or {}).get("progress") if job is not None else None
        if isinstance(meta, dict):
            done, total = int(meta.get("done") or 0), int(meta.get("total") or 0)
    elif analysis.status == "done":
        done = total = 1
    return {"status": analysis.status, "done": done, "total": total}
