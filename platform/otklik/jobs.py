"""RQ jobs and the scheduler tick.

The database is the source of truth; Redis carries only work that can be recomputed. Jobs take ids, never ORM
objects, and travel as JSON. A job is retried (`Retry`) so that one whose worker was killed runs again.
The tick reads every tenant's schedule and, for each due (tenant, kind, period), inserts the Analysis row
first: the unique key decides, so a tick run twice, or two ticks at once, enqueue the analysis once. It also does
the capabilities' tick duties (`capabilities.add_tick_duty`), registered by the modules of CAPABILITY_TICK.

The tick also keeps the rows honest about their jobs (`recover_job`): a `queued` row whose job Redis lost (it
restarted empty, or was down when the page enqueued) is enqueued again, and a `running` row whose worker is gone
(no heartbeat for STALE_AFTER, or the job left RQ's started registry) is put back in the queue; RQ's own clean-up
of abandoned jobs runs first, so a lost job keeps its `Retry` count and a job that kills every worker ends
`failed`. Every enqueue goes through `enqueue_once` (a short Redis lock, deterministic ids), so a page and the
tick, or two ticks, never put the same job on the queue twice. A page that cannot reach Redis keeps its row
`queued` and says so (`QueueUnavailable`, `QUEUE_DOWN`) instead of failing.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .capabilities import TICK_DUTIES
from .extensions import db

CAPABILITY_TICK = ("otklik.surveys.volume", "otklik.publishing.deadlines", "otklik.painmap.duties",
                   "otklik.analytical.duties", "otklik.intake.jobs", "otklik.surveys.jobs",
                   "otklik.publishing.duties", "otklik.mail.duties")
"""Capability modules with tick duties (answers in a period; publication deadline warnings; suggestions after an
analysis; recovery of import jobs Redis lost), loaded by create_app."""

log = logging.getLogger(__name__)
RETRY = Retry(max=3, interval=[5, 30, 120])
JOB_TIMEOUT = 3600
STALE_AFTER = timedelta(seconds=90)
"""A started job whose worker has not beaten for this long is lost: RQ's worker beats every 30 s (its
job_monitoring_interval) and gives each beat 60 s more, so 90 s is what RQ itself would wait before calling the job
abandoned (its own clean-up runs only every ten minutes or so)."""

QUEUE_DOWN = _l("The job queue is not reachable right now. The job is saved and will start by itself a few minutes "
                "after the queue is back; this page will show its progress.")


class QueueUnavailable(RuntimeError):
    """Redis could not be reached to enqueue a job. The row stays `queued` in the database, and the scheduler tick
    enqueues it when Redis is back; pages show QUEUE_DOWN instead of an error."""

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


def enqueue_analysis(analysis, tenant_slug: str, queue: Queue | None = None, now: datetime | None = None):
    """Put an Analysis row's work on the queue under its deterministic id (once: `enqueue_once`)."""
    job_id = analysis_job_id(tenant_slug, analysis.kind, analysis.period)
    return enqueue_once("otklik.jobs.run_analysis", analysis.id, job_id=job_id, description=f"analysis {job_id}",
                        queue=queue, now=now)


def job_state(job_id: str, now: datetime | None = None, connection: Redis | None = None) -> str:
    """What Redis says of a job: `waiting` (queued, or scheduled for a retry), `running`, `lost` (started, but its
    worker has not beaten for STALE_AFTER or the job left RQ's started registry), `missing` (Redis does not know
    it), `finished`, `failed` (RQ gave up on it) or `stopped`. Raises RedisError when Redis cannot be reached."""
    connection = connection or redis_connection()
    try:
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        status = job.get_status(refresh=False)
    except NoSuchJobError:
        return "missing"
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
        return "waiting"
    if status == JobStatus.STARTED:
        now = now or datetime.now(UTC)
        beat = job.last_heartbeat
        registry = StartedJobRegistry(job.origin, connection=connection, serializer=JSONSerializer)
        if beat is None or now - beat > STALE_AFTER or job_id not in registry:
            return "lost"
        return "running"
    return {JobStatus.FINISHED: "finished", JobStatus.FAILED: "failed"}.get(status, "stopped" if status else "missing")


def enqueue_once(func: str, *args, job_id: str, description: str, queue: Queue | None = None,
                 now: datetime | None = None) -> Job:
    """Put `func(*args)` on the queue under its deterministic id, unless that job already waits or runs; a job that
    ended, failed or was lost is replaced. Decided under a short Redis lock per id, so a page's request and the
    tick's recovery never enqueue the same job twice. QueueUnavailable when Redis cannot be reached."""
    queue = queue or get_queue()
    try:
        with queue.connection.lock(f"otklik:enqueue:{job_id}", timeout=30, blocking_timeout=10):
            state = job_state(job_id, now, queue.connection)
            if state in ("waiting", "running"):
                return Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer)
            if state != "missing":
                Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer).delete()
            return queue.enqueue(func, *args, job_id=job_id, retry=RETRY, job_timeout=JOB_TIMEOUT,
                                 result_ttl=86400, failure_ttl=7 * 86400, description=description)
    except RedisError as exc:
        raise QueueUnavailable(f"Redis unreachable, {job_id} stays queued: {exc}") from exc


def recover_job(row, now: datetime, enqueue, connection: Redis | None = None) -> str | None:
    """Make a `queued` or `running` row's work exist, once; `row` has `status` and `job_id`, `enqueue(row)` puts it
    on the queue (through `enqueue_once`). Returns what was done, for the tick's log:

    - `enqueued`: Redis lost the job, its worker is gone, or it ended while the row still waits; the row is
      `queued` again and its job is on the queue;
    - `waiting`: RQ put a lost job back for a retry; the `running` row says `queued` again;
    - `failed`: RQ used every retry of a job whose workers kept dying; the row says `failed`;
    - None: the job waits or runs, nothing to do.
    The caller commits. `connection`: the tick's Redis connection (one for the pass, not a new one per row)."""
    state = job_state(row.job_id, now, connection)
    if state == "running" or (state == "waiting" and row.status == "queued"):
        return None
    if state == "waiting":
        row.status = "queued"
        return "waiting"
    if state == "failed" and row.status == "running":
        row.status = "failed"
        return "failed"
    row.status = "queued"
    db.session.commit()  # the row says queued before its job exists: a worker that takes it sees a queued row
    enqueue(row)
    return "enqueued"


def abandoned_jobs(queue: Queue, now: datetime) -> None:
    """RQ's own clean-up of started jobs whose worker stopped beating (retried if retries are left, else failed);
    RQ's workers run it only every ten minutes or so, the tick runs it on each pass."""
    StartedJobRegistry(queue=queue).cleanup(timestamp=now.timestamp())


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


def claim_due(tenant, due: list[tuple[str, str]], trigger: str = "schedule") -> list[tuple[int, str, str]]:
    """Insert the tenant's (kind, period) rows in one statement; returns (id, kind, period) of those it inserted.
    The unique key decides (ON CONFLICT DO NOTHING): what another tick or a person claimed first is skipped, so
    two ticks at once enqueue each analysis once. One round trip per tenant instead of four per period."""
    from sqlalchemy.dialects import postgresql, sqlite

    from .models import Analysis
    from .models.base import utcnow
    from .periods import parse_period

    if not due:
        return []
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    created = utcnow()
    rows = []
    for kind, name in due:
        period = parse_period(name)  # the bounds the model's validator would set
        rows.append({"tenant_id": tenant.id, "kind": kind, "period": name, "period_start": period.start,
                     "period_end": period.last_day, "status": "queued", "trigger": trigger, "error": "",
                     "job_id": analysis_job_id(tenant.slug, kind, name), "created_at": created})
    table = Analysis.__table__
    stmt = (insert(table).values(rows).on_conflict_do_nothing(index_elements=["tenant_id", "kind", "period"])
            .returning(table.c.id, table.c.kind, table.c.period))
    claimed = [tuple(row) for row in db.session.execute(stmt).all()]
    db.session.commit()  # the rows exist before their jobs: a worker that takes one finds it queued
    return claimed


def tick(now: str | None = None) -> dict:
    """One scheduler pass over the tenants with due work: enqueue what is due, once. Returns what it did."""
    return _tick(datetime.fromisoformat(now) if now else datetime.now(UTC))


ANALYSES = "analyses"
"""The due-work duty of the schedule: claim and enqueue the analyses whose periods ended."""
ANALYSES_RECOVER = "analyses.recover"
"""The due-work duty that keeps queued and running analyses honest about their jobs (`recover_analyses`)."""
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""`due_at` of a row a change marked due: before any tick's `now`."""
CORE_WATCHES = {ANALYSES: ("Tenant", "Analysis"), ANALYSES_RECOVER: ("Tenant", "Analysis")}
"""The models whose change makes the core duties due: a tenant's settings (its schedule), an analysis (deleted, so
its period is due again; queued again by a person)."""


def tick_duties() -> list[tuple[str, object]]:
    """The duties the tick runs per tenant, in the order data flows: (name, TickDuty or None for the core ones).
    Capabilities' imports are recovered before the analyses, as before."""
    out = [(ANALYSES, None)]
    out += [(duty.name, duty) for duty in TICK_DUTIES if duty.warnings is not None]
    out += [(duty.name, duty) for duty in TICK_DUTIES if duty.recover is not None and duty.warnings is None]
    return out + [(ANALYSES_RECOVER, None)]


def due_tenants(now: datetime, names: list[str]) -> dict[int, set[str] | None]:
    """{tenant id: its due duties, None for all of them}: the rows due at `now` (the due_at index), those a tick
    for a later moment wrote (a replayed calendar: the checked_at index), and active tenants lacking a row of some
    duty (new tenants, a duty added since)."""
    from sqlalchemy import func, or_

    from .models import DueWork, Tenant
    from .tenancy import across_tenants

    due: dict[int, set[str] | None] = {}
    rows = db.session.execute(select(DueWork.tenant_id, DueWork.duty).join(Tenant, Tenant.id == DueWork.tenant_id)
                              .where(or_(DueWork.due_at <= now, DueWork.checked_at > now), Tenant.active.is_(True),
                                     DueWork.duty.in_(names)))
    for tenant_id, duty in rows:
        due.setdefault(tenant_id, set()).add(duty)
    have = (select(func.count()).select_from(DueWork)
            .where(DueWork.tenant_id == Tenant.id, DueWork.duty.in_(names)).scalar_subquery())
    lacking = db.session.execute(across_tenants(
        select(Tenant.id).where(Tenant.active.is_(True), have < len(names)))).scalars()
    for tenant_id in lacking:
        due[tenant_id] = None
    return due


def _instant(tenant, when) -> datetime | None:
    """A duty's answer as a UTC instant: a local day starts at the tenant's midnight."""
    from datetime import time

    if when is None:
        return None
    if isinstance(when, datetime):  # SQLite gives its stored UTC instants back without a zone
        return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return datetime.combine(when, time(), tenant.tz).astimezone(UTC)


def next_analyses_due(tenant, today: date) -> datetime | None:
    """When the tenant's next period ends (its current month, quarter, ... in its zone): the next claim."""
    from .periods import period_containing
    from .schedule import tenant_schedule

    ends = [period_containing(today, "month" if entry.cadence == "month_or_quarter" else entry.cadence)
            .utc_bounds(tenant.tz)[1] for entry in tenant_schedule(tenant)]
    return min(ends, default=None)


def analyses_pending(now: datetime) -> datetime | None:
    """`now` (every tick) while the tenant has queued or running analyses, else None."""
    from .models import Analysis

    pending = db.session.execute(select(Analysis.id).where(Analysis.status.in_(("queued", "running"))).limit(1))
    return now if pending.first() is not None else None


def write_due(tenant_id: int, due: dict[str, datetime | None], now: datetime, started: datetime) -> None:
    """Store when each duty that ran is next due; a row a change marked after this pass `started` keeps its mark."""
    from sqlalchemy.dialects import postgresql, sqlite

    from .models import DueWork

    if not due:
        return
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = DueWork.__table__
    stmt = insert(table).values([{"tenant_id": tenant_id, "duty": name, "due_at": at, "checked_at": now,
                                  "changed_at": None} for name, at in due.items()])
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "duty"], set_={"due_at": stmt.excluded.due_at, "checked_at": now},
        where=(table.c.changed_at.is_(None)) | (table.c.changed_at < started))
    db.session.execute(stmt)
    db.session.commit()


def mark_due(session, flush_context) -> None:
    """After a flush: the due-work rows of the duties watching what changed are due at the next tick. Only ORM
    changes are seen; Core statements that change what a duty watches call `mark_tenants_due` themselves."""
    from .models import Tenant

    watched = watched_models()
    if not watched:
        return
    marks: dict[int, set[str]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        duties = watched.get(type(obj).__name__)
        if not duties or (isinstance(obj, Tenant) and obj in session.new):  # a new tenant has no rows yet
            continue
        tenant_id = obj.id if isinstance(obj, Tenant) else getattr(obj, "tenant_id", None)
        if tenant_id is not None:
            marks.setdefault(tenant_id, set()).update(duties)
    for tenant_id, duties in marks.items():
        mark_tenants_due([tenant_id], sorted(duties), session.connection())


def mark_tenants_due(tenant_ids, duties, connection=None) -> None:
    """Mark the tenants' rows of `duties` due (in the caller's transaction)."""
    from sqlalchemy import update

    from .models import DueWork
    from .models.base import utcnow

    stmt = (update(DueWork).where(DueWork.tenant_id.in_(list(tenant_ids)), DueWork.duty.in_(list(duties)))
            .values(due_at=EPOCH, changed_at=utcnow()))
    (connection or db.session.connection()).execute(stmt)


_watched: dict[int, dict[str, list[str]]] = {}


def watched_models() -> dict[str, list[str]]:
    """{model class name: the duties it makes due}: the core's and what each tick duty `watches` (made again when
    a capability registered another duty)."""
    if len(TICK_DUTIES) not in _watched:
        watched: dict[str, list[str]] = {}
        for name, models in CORE_WATCHES.items():
            for model in models:
                watched.setdefault(model, []).append(name)
        for name, duty in tick_duties():
            if duty is None:
                continue
            for model in ("Tenant", *(m if isinstance(m, str) else m.__name__ for m in duty.watches)):
                watched.setdefault(model, []).append(name)
        _watched.clear()
        _watched[len(TICK_DUTIES)] = watched
    return _watched[len(TICK_DUTIES)]


@in_app
def _tick(now: datetime) -> dict:
    from .models import Analysis, Tenant
    from .periods import local_today
    from .schedule import due_periods, tenant_schedule
    from .tenancy import tenant_scope

    now = now.astimezone(UTC)
    queue = get_queue()
    enqueued, recovered, warnings = [], [], []
    abandoned_jobs(queue, now)
    duties = tick_duties()
    names = [name for name, _ in duties]
    due = due_tenants(now, names)
    for tenant_id in sorted(due):
        db.session.remove()  # a fresh session per tenant: nothing answers from another tenant's identity map
        started = datetime.now(UTC)
        tenant = db.session.get(Tenant, tenant_id)
        wanted = due[tenant_id]
        next_due: dict[str, datetime | None] = {}
        with tenant_scope(tenant):
            today = local_today(tenant.tz, now)
            for name, duty in duties:
                if wanted is not None and name not in wanted:
                    continue
                if name == ANALYSES:
                    enqueued += claim_scheduled(tenant, today, queue, due_periods, tenant_schedule, Analysis)
                    next_due[name] = next_analyses_due(tenant, today)
                elif name == ANALYSES_RECOVER:
                    recovered += recover_analyses(tenant, now, queue)
                    next_due[name] = analyses_pending(now)
                else:
                    if duty.warnings is not None:
                        warnings += duty.warnings(tenant, today)
                    if duty.recover is not None:
                        recovered += duty.recover(tenant, now)
                    next_due[name] = (_instant(tenant, duty.next_due(tenant, today, now))
                                      if duty.next_due is not None else now)
            write_due(tenant_id, next_due, now, started)
    if enqueued:
        log.info("tick enqueued %s", ", ".join(enqueued))
    for line in recovered:
        log.warning("recovered: %s", line)
    for warning in warnings:
        log.warning("deadline: %s", warning)
    return {"enqueued": enqueued, "recovered": recovered, "warnings": warnings}


def claim_scheduled(tenant, today: date, queue: Queue, due_periods, tenant_schedule, analysis_model) -> list[str]:
    """Claim the tenant's due periods it has not analysed yet and enqueue them; returns the job ids."""
    # what the tenant already has is not claimed again (one query instead of a failed INSERT per period)
    have = {(kind, period) for kind, period in db.session.execute(select(analysis_model.kind,
                                                                         analysis_model.period))}
    due = [(entry.kind, period.name) for entry in tenant_schedule(tenant)
           for period in due_periods(tenant, entry, today, volume_counter(tenant, entry.kind))]
    out = []
    for analysis_id, kind, period in claim_due(tenant, [d for d in dict.fromkeys(due) if d not in have]):
        job_id = analysis_job_id(tenant.slug, kind, period)
        enqueue_once("otklik.jobs.run_analysis", analysis_id, job_id=job_id, description=f"analysis {job_id}",
                     queue=queue)
        out.append(job_id)
    return out


GAVE_UP = _l("The worker running this job stopped at every attempt, so the queue gave it up. Run it again; if it "
             "stops again, tell the administrator.")


def recover_rows(rows, now: datetime, enqueue, give_up, connection: Redis | None = None) -> list[str]:
    """`recover_job` for each queued or running row (an analysis, an import batch); `give_up(row)` records that
    the queue gave the job up. Returns `job id: what was done` lines."""
    done = []
    for row in rows:
        action = recover_job(row, now, enqueue, connection)
        if action == "failed":
            give_up(row)
        if action is not None:
            done.append(f"{row.job_id}: {action}")
            db.session.commit()  # only a changed row: a commit per waiting row would expire and reload every row
    return done


def recover_analyses(tenant, now: datetime, queue: Queue) -> list[str]:
    """`recover_rows` for the tenant's queued and running analyses."""
    from .models import Analysis

    rows = db.session.execute(select(Analysis).where(Analysis.status.in_(("queued", "running")))).scalars().all()
    for analysis in rows:
        analysis.job_id = analysis.job_id or analysis_job_id(tenant.slug, analysis.kind, analysis.period)

    def give_up(analysis):
        analysis.error, analysis.finished_at = str(GAVE_UP), now

    return recover_rows(rows, now, lambda a: enqueue_analysis(a, tenant.slug, queue, now), give_up,
                        queue.connection)


def give_up_import(batch, now: datetime) -> None:
    """An import batch (appeals or survey answers) the queue gave up: say why and drop the stored upload."""
    batch.message, batch.finished_at, batch.content = str(GAVE_UP), now, None


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


event.listen(Session, "after_flush", mark_due)
