"""Office pages of analyses: the history per tenant, one analysis with its figures, charts and signals, and an
officer's run of an analysis for any period with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from ..access import office_required, tenant_role
from ..capabilities import add_home_panel, add_office_nav
from ..channels import tenant_channels
from ..extensions import db
from ..intake.classifier import name_topics
from ..jobs import QUEUE_DOWN, QueueUnavailable
from ..models import Analysis
from ..periods import BadPeriod, local_today, parse_period
from ..results.document import read
from ..schedule import tenant_schedule
from ..tenancy import get_or_404, register_tenant_blueprint
from ..vocabulary import KIND_LABELS, KINDS, STATUS_LABELS
from .jobs import request_analysis

bp = Blueprint("analyses", __name__, url_prefix="/<tenant_slug>/office/analyses")
register_tenant_blueprint(bp)
add_office_nav("analyses.index", _l("Analyses"), order=50)

TRIGGER_LABELS = {"schedule": _l("on schedule"), "manual": _l("by hand"), "demo": _l("demo"),
                  "centre": _l("for the Analytical Centre")}
PER_PAGE = 25


def _kinds(tenant) -> list[str]:
    """The kinds the tenant's act schedules first, then the rest (an officer may analyse any by hand)."""
    scheduled = [e.kind for e in tenant_schedule(tenant)]
    return list(dict.fromkeys(scheduled + [k for k in KINDS if k not in scheduled]))


@bp.route("/")
@office_required()
def index():
    kind = request.args.get("kind", "")
    page = db.paginate(history(kind), per_page=PER_PAGE, error_out=False)
    return render_template(
        "office/analyses/index.html",
        page=page,
        kind=kind,
        kinds=_kinds(g.tenant),
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        trigger_labels=TRIGGER_LABELS,
        headline=lambda doc: read(doc).headline(),
        signals_of=lambda doc: read(doc).signals(),
        can_run=tenant_role() == "officer",
    )


def history(kind: str = ""):
    """The tenant's analyses in the history's order (`Analysis.latest_first`), of one kind if `kind` is one: the
    history pages through it in the database, the office home takes its first rows."""
    stmt = select(Analysis).order_by(*Analysis.latest_first())
    return stmt.where(Analysis.kind == kind) if kind in KINDS else stmt


def _home_panel() -> dict:
    """The office home's "Latest analyses" panel."""
    return {"recent": db.session.execute(history().limit(8)).scalars().all(), "kind_labels": KIND_LABELS}


add_home_panel("office/analyses/_home_panel.html", _home_panel, order=50)


@bp.route("/<analysis_id>")
@office_required()
def detail(analysis_id):
    analysis = get_or_404(Analysis, analysis_id)
    document = name_topics(read(analysis.result, {c.code: c.title for c in tenant_channels(g.tenant)}))
    sections = document.sections()
    charts = [
        {"id": f"chart-{s.key}", "kind": s.chart.kind, "title": str(s.chart.title), "labels": s.chart.labels,
         "values": s.chart.values, "fmt": s.chart.fmt, "series": str(s.chart.series)}
        for s in sections if s.chart is not None
    ]
    return render_template(
        "office/analyses/detail.html",
        analysis=analysis,
        doc=document.raw,
        inputs=document.inputs(),
        sections=sections,
        charts=charts,
        headline=document.headline(),
        signals=document.signals(),
        surveys=document.survey_items(),
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        trigger_labels=TRIGGER_LABELS,
        progress=_progress_of(analysis),
        can_run=tenant_role() == "officer",
        has_reports="reports.xlsx" in current_app.view_functions,
    )


def _job(analysis):
    """The RQ job of an analysis, if Redis still has it (None otherwise: Redis holds only recomputable work)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from ..jobs import redis_connection

    if not analysis.job_id:
        return None
    try:
        return Job.fetch(analysis.job_id, connection=redis_connection(), serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    except Exception:  # noqa: BLE001 - Redis down: the page still shows what the database knows
        current_app.logger.warning("could not read job %s", analysis.job_id, exc_info=True)
        return None


STALLED = _l("Stopped: the worker running it was lost. The scheduler will start it again within a few minutes.")
QUEUE_UNREACHABLE = _l("Queued: the job queue is not reachable right now; it will start when the queue is back.")


def _job_state(analysis) -> str:
    """What Redis says of the analysis's job (jobs.job_state), or `unreachable`."""
    from redis.exceptions import RedisError

    from ..jobs import job_state

    try:
        return job_state(analysis.job_id) if analysis.job_id else "missing"
    except RedisError:
        return "unreachable"


def _progress_of(analysis) -> dict:
    """The row's status, the job's progress, and what is honest to say of a job that cannot be running: its worker
    was lost (no heartbeat for jobs.STALE_AFTER) or Redis lost it, until the tick puts it back; Redis is down."""
    done, total = 0, 0
    label = STATUS_LABELS.get(analysis.status, analysis.status)
    if analysis.status == "done":
        done = total = 1
    elif analysis.status in ("queued", "running"):
        state = _job_state(analysis)
        if state == "unreachable":
            label = QUEUE_UNREACHABLE
        elif analysis.status == "running" and state in ("lost", "missing"):
            label = STALLED
        job = _job(analysis) if state != "unreachable" else None
        meta = (job.meta or {}).get("progress") if job is not None else None
        if isinstance(meta, dict):
            done, total = int(meta.get("done") or 0), int(meta.get("total") or 0)
    percent = round(100 * done / total) if total else (100 if analysis.status == "done" else 0)
    return {
        "id": analysis.id,
        "status": analysis.status,
        "status_label": str(label),
        "done": done,
        "total": total,
        "percent": percent,
        "finished": analysis.status in ("done", "failed"),
        "error": analysis.error or None,
    }


@bp.route("/<analysis_id>/progress")
@office_required()
def progress(analysis_id):
    """JSON for the progress bar: the row's status and the job's meta["progress"]."""
    analysis = get_or_404(Analysis, analysis_id)
    response = jsonify(_progress_of(analysis))
    response.headers["Cache-Control"] = "no-store"
    return response


class RunForm(FlaskForm):
    kind = SelectField(_l("Analysis"), validators=[DataRequired()])
    period = StringField(
        _l("Period"),
        validators=[DataRequired()],
        description=_l("2025-03 for a month, 2025-Q1 for a quarter, 2025-H1 for a half-year, 2025 for a year"),
    )

    def validate_period(self, field):
        try:
            period = parse_period(field.data)
        except BadPeriod as exc:
            raise ValidationError(_("Write the period as 2025-03, 2025-Q1, 2025-H1 or 2025.")) from exc
        if period.start > local_today(g.tenant.tz):
            raise ValidationError(_("This period has not begun yet."))
        field.data = period.name


@bp.route("/run", methods=["GET", "POST"])
@office_required("officer")
def run():
    form = RunForm()
    form.kind.choices = [(k, str(KIND_LABELS.get(k, k))) for k in _kinds(g.tenant)]
    if request.method == "GET":
        form.kind.data = request.args.get("kind") or form.kind.choices[0][0]
        form.period.data = request.args.get("period", "")
    if form.validate_on_submit():
        try:
            analysis = request_analysis(g.tenant, form.kind.data, form.period.data, trigger="manual")
            flash(_("The analysis for %(period)s is queued.", period=analysis.period), "success")
        except QueueUnavailable:  # the row is queued; the scheduler tick enqueues its job when Redis is back
            current_app.logger.warning("analysis %s %s stays queued: Redis is unreachable", form.kind.data,
                                       form.period.data)
            analysis = db.session.execute(select(Analysis).where(
                Analysis.kind == form.kind.data, Analysis.period == form.period.data)).scalar_one()
            flash(QUEUE_DOWN, "warning")
        return redirect(url_for(".detail", analysis_id=analysis.id))
    return render_template("office/analyses/run.html", form=form, now=datetime.now(UTC))
