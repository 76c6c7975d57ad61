"""Office pages of the appeals register (list, register, answer, redirect, extend, import with preview and progress,
column mappings, classifier, API tokens) and the appeals API under /api/v1/<tenant>/appeals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, or_, select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..access import office_required
from ..api import api_auth, documented, tenant_api
from ..capabilities import add_home_panel, add_office_nav
from ..channels import tenant_channels
from ..extensions import db
from ..localtime import as_utc, local_date, local_time_text
from ..models import ApiToken, Appeal
from ..models.appeal import CLIENT_TYPES, DATE_ONLY, KINDS, OUTCOMES
from ..models.intake import ClassifierEntry, ImportBatch, ImportMapping
from ..tenancy import get_or_404, register_tenant_blueprint
from ..vocabulary import APPEAL_KIND_LABELS, AUDIENCE_LABELS, AUDIENCES, CLIENT_TYPE_LABELS
from ..vocabulary import OUTCOME_LABELS as VOCABULARY_OUTCOMES
from . import deadlines
from .blank import blank_csv, blank_xlsx, column_notes
from .classifier import SECTIONS, ClassifierError, check_code, load_classifier, loaded_codes
from .importer import FIELDS, ImportRefused, import_records, read_chunks, report_csv
from .importers import layouts, resolve
from .values import CODED, OTHER_WORDS, parse_value_lines, vocabulary

bp = Blueprint("intake", __name__, url_prefix="/<tenant_slug>/office/appeals")
register_tenant_blueprint(bp)
add_office_nav("intake.index", _l("Appeals"), order=10)
add_office_nav("intake.upload", _l("Import"), min_role="operator", order=11)

KIND_LABELS, OUTCOME_LABELS, CLIENT_LABELS = APPEAL_KIND_LABELS, VOCABULARY_OUTCOMES, CLIENT_TYPE_LABELS
BATCH_STATUS = {"preview": _l("Preview"), "queued": _l("Queued"), "running": _l("Running"), "done": _l("Imported"),
                "refused": _l("Refused: nothing stored"), "failed": _l("Failed"),
                "cancelled": _l("Cancelled: nothing stored")}
PER_PAGE = 50


def _today():
    return datetime.now(g.tenant.tz).date()


def _local(moment):
    return local_date(moment, g.tenant.tz)


def _home_panel():
    from flask import has_request_context

    if not has_request_context() or getattr(g, "tenant", None) is None:
        return {}
    return {"appeal_counts": deadlines.counts(db.session, _today())}


add_home_panel("office/intake/_home_panel.html", _home_panel, order=5)


# ------------------------------------------------------------------------------------------------------------- list

def _filtered(args):
    """The register's filters, shared by the office list and the API: period, channel, kind, topic, outcome, overdue."""
    stmt = select(Appeal)
    tz = g.tenant.tz
    errors = {}

    def day(name):
        value = args.get(name, "").strip()
        if not value:
            return None
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                pass
        errors[name] = _("Not a date: use DD.MM.YYYY or YYYY-MM-DD.")
        return None

    start, end = day("from"), day("to")
    if start:
        stmt = stmt.where(Appeal.registered_at >= datetime.combine(start, datetime.min.time(), tz).astimezone(UTC))
    if end:
        stmt = stmt.where(Appeal.registered_at < datetime.combine(end + timedelta(days=1), datetime.min.time(),
                                                                  tz).astimezone(UTC))
    for name in ("channel", "kind", "outcome"):
        if args.get(name):
            stmt = stmt.where(getattr(Appeal, name) == args[name])
    if args.get("topic"):
        stmt = stmt.where(Appeal.topic_code.startswith(args["topic"].strip()))
    number = " ".join(args.get("number", "").split())
    if number:  # the registration number, or a part of it, in any case
        # SQLite's lower() knows ASCII only: the typed text, its upper and lower case cover the usual ОГ-12/2025
        stmt = stmt.where(or_(*(Appeal.external_id.contains(v, autoescape=True)
                                for v in {number, number.upper(), number.lower()}),
                              func.lower(Appeal.external_id).contains(number.lower(), autoescape=True)))
    if args.get("overdue") in ("1", "true", "on"):
        stmt = stmt.where(deadlines.overdue_clause(_today()))
    return stmt.order_by(Appeal.registered_at.desc(), Appeal.id.desc()), errors


@bp.route("/")
@office_required()
def index():
    stmt, errors = _filtered(request.args)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    today = _today()
    return render_template(
        "office/intake/index.html", page=page, errors=errors, today=today,
        states={a.id: deadlines.state(a, g.tenant.tz, today) for a in page.items},
        late_registration={a.id for a in page.items if deadlines.registered_late(a, g.tenant.tz)},
        channels=tenant_channels(g.tenant), kinds=KIND_LABELS, outcomes=OUTCOME_LABELS,
        channel_titles={c.code: c.title for c in tenant_channels(g.tenant)},
        state_labels=deadlines.STATES, sections=SECTIONS, when=when,
    )


# ------------------------------------------------------------------------------------------------- register, record

def _choices(labels):
    return [(k, str(v)) for k, v in labels.items()]


class AppealForm(FlaskForm):
    external_id = StringField(_l("Registration number"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=[])
    audience = SelectField(_l("Audience"), choices=[])
    channel = SelectField(_l("Channel"), choices=[])
    received_on = DateField(_l("Received on"), validators=[Optional()])
    registered_on = DateField(_l("Registered on"), validators=[InputRequired()])
    topic_code = StringField(_l("Topic code"), validators=[Optional(), Length(max=30)],
                             description=_l("XXXX.XXXX.XXXX.XXXX, an optional fifth block"))
    reason = StringField(_l("Reason"), validators=[Length(max=300)])
    segment = StringField(_l("Segment"), validators=[Length(max=100)])
    client_type = SelectField(_l("Client type"), choices=[])
    object = StringField(_l("Object (service or process)"), validators=[Length(max=300)])
    summary = TextAreaField(_l("Short internal summary"), validators=[Length(max=1000)],
                            description=_l("No name, address or contact of the applicant."))

    def fill_choices(self, tenant):
        self.kind.choices = _choices(KIND_LABELS)
        self.audience.choices = _choices(AUDIENCE_LABELS)
        self.client_type.choices = _choices(CLIENT_LABELS)
        self.channel.choices = [(c.code, c.title) for c in tenant_channels(tenant)]


def _moment(day: date) -> datetime:
    """A date entered on a form: noon of that day in the tenant's zone (stays the same day in any zone); the caller
    marks it `date_only`, so pages show the date alone."""
    return datetime.combine(day, datetime.min.time().replace(hour=12), g.tenant.tz).astimezone(UTC)


def when(appeal: Appeal, name: str) -> str:
    """An instant of the appeal as given: 30.11.2026 09:37, or 30.11.2026 when it was given without a time."""
    moment = getattr(appeal, name)
    if moment is None:
        return "—"
    if appeal.without_time(name):
        return _local(moment).strftime("%d.%m.%Y")
    return local_time_text(moment, g.tenant.tz)


def actions(appeal: Appeal) -> set[str]:
    """What can still be recorded: an answered appeal takes nothing more; a redirected one is no longer this
    authority's to answer or extend; the deadline is extended once (59-FZ)."""
    if appeal.answered_at is not None or appeal.redirected_at is not None or appeal.outcome == "redirected":
        return set()
    out = {"answer", "redirect"}
    if not appeal.extended_days:
        out.add("extend")
    return out


@bp.route("/new", methods=["GET", "POST"])
@office_required("operator")
def new():
    form = AppealForm()
    form.fill_choices(g.tenant)
    if form.validate_on_submit():
        problems = []
        reason = check_code((form.topic_code.data or "").strip(), loaded_codes(g.tenant.id)) if form.topic_code.data else ""
        if reason:
            form.topic_code.errors.append(_("The topic code is refused: %(reason)s", reason=_reason(reason)))
            problems.append(reason)
        if form.received_on.data and form.received_on.data > form.registered_on.data:
            form.received_on.errors.append(_("The receipt must not be after the registration."))
            problems.append("received")
        if form.registered_on.data > _today():
            form.registered_on.errors.append(_("The date must not be in the future."))
            problems.append("future")
        exists = db.session.execute(select(Appeal.id).where(Appeal.external_id == (form.external_id.data or "").strip()))
        if exists.first():
            form.external_id.errors.append(_("An appeal with this number is already registered."))
            problems.append("dup")
        if not problems:
            registered = _moment(form.registered_on.data)
            appeal = Appeal(
                external_id=(form.external_id.data or "").strip(), kind=form.kind.data, audience=form.audience.data,
                channel=form.channel.data, registered_at=registered,
                received_at=_moment(form.received_on.data) if form.received_on.data else None,
                due_date=deadlines.due_date_for(registered, g.tenant.tz), topic_code=(form.topic_code.data or "").strip(),
                reason=(form.reason.data or "").strip(), segment=(form.segment.data or "").strip(),
                client_type=form.client_type.data, object=(form.object.data or "").strip(), outcome="pending",
                summary=(form.summary.data or "").strip(), extended_days=0, extension_reason="", redirected_to="",
                date_only=DATE_ONLY["registered_at"] | (DATE_ONLY["received_at"] if form.received_on.data else 0),
            )
            db.session.add(appeal)
            db.session.commit()
            flash(_("Appeal %(n)s registered; answer due by %(d)s.", n=appeal.external_id,
                    d=appeal.due_date.strftime("%d.%m.%Y")), "success")
            return redirect(url_for(".detail", appeal_id=appeal.id))
    return render_template("office/intake/new.html", form=form)


def _reason(code: str) -> str:
    from .importer import reason_text

    return reason_text(code)


class AnswerForm(FlaskForm):
    answered_on = DateField(_l("Answered on"), validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), choices=[], validators=[DataRequired(message=_l("Choose the outcome."))])


class RedirectForm(FlaskForm):
    redirected_on = DateField(_l("Redirected on"), validators=[InputRequired()])
    redirected_to = StringField(_l("Competent body"), validators=[DataRequired(), Length(max=300)])


class ExtendForm(FlaskForm):
    days = IntegerField(_l("Extension, days"), validators=[InputRequired(), NumberRange(1, deadlines.MAX_EXTENSION_DAYS)])
    extension_reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=1000)])


def _forms():
    answer = AnswerForm(prefix="answer")
    # no outcome is chosen for the officer: the select starts empty and the form requires a choice
    answer.outcome.choices = [("", str(_l("— choose —")))] + [
        (k, str(v)) for k, v in OUTCOME_LABELS.items() if k not in ("pending", "redirected")]
    return answer, RedirectForm(prefix="redirect"), ExtendForm(prefix="extend")


@bp.route("/<appeal_id>", methods=["GET", "POST"])
@office_required()
def detail(appeal_id):
    appeal = get_or_404(Appeal, appeal_id)
    answer, redirect_form, extend = _forms()
    if request.method == "POST":
        from ..access import ROLE_RANK, tenant_role

        if ROLE_RANK[tenant_role()] < ROLE_RANK["operator"]:
            abort(403)
        registered = _local(appeal.registered_at)
        action = request.form.get("action")
        if action not in actions(appeal):
            flash(_("This action does not apply to the appeal any more; nothing was changed."), "error")
            return redirect(url_for(".detail", appeal_id=appeal.id))
        if action == "answer" and answer.validate_on_submit():
            if answer.answered_on.data < registered:
                answer.answered_on.errors.append(_("The answer must not be dated before the registration."))
            elif answer.answered_on.data > _today():
                answer.answered_on.errors.append(_("The date must not be in the future."))
            else:
                appeal.answered_at, appeal.outcome = _moment(answer.answered_on.data), answer.outcome.data
                appeal.mark_date_only("answered_at")
                db.session.commit()
                flash(_("The answer is recorded."), "success")
                return redirect(url_for(".detail", appeal_id=appeal.id))
        elif action == "redirect" and redirect_form.validate_on_submit():
            if redirect_form.redirected_on.data < registered:
                redirect_form.redirected_on.errors.append(_("The redirect must not be dated before the registration."))
            elif redirect_form.redirected_on.data > _today():
                redirect_form.redirected_on.errors.append(_("The date must not be in the future."))
            else:
                appeal.redirected_at = _moment(redirect_form.redirected_on.data)
                appeal.mark_date_only("redirected_at")
                appeal.redirected_to = (redirect_form.redirected_to.data or "").strip()
                appeal.outcome = "redirected"
                db.session.commit()
                flash(_("The redirect is recorded."), "success")
                return redirect(url_for(".detail", appeal_id=appeal.id))
        elif action == "extend" and extend.validate_on_submit():
            if appeal.extended_days:
                extend.days.errors.append(_("The deadline was already extended once."))
            else:
                appeal.extended_days = extend.days.data
                appeal.extension_reason = (extend.extension_reason.data or "").strip()
                appeal.due_date = appeal.due_date + timedelta(days=extend.days.data)
                db.session.commit()
                flash(_("The deadline is extended to %(d)s.", d=appeal.due_date.strftime("%d.%m.%Y")), "success")
                return redirect(url_for(".detail", appeal_id=appeal.id))
    return render_template(
        "office/intake/detail.html", appeal=appeal, answer=answer, redirect_form=redirect_form, extend=extend,
        state=deadlines.state(appeal, g.tenant.tz, _today()), state_labels=deadlines.STATES,
        registered_late=deadlines.registered_late(appeal, g.tenant.tz), kinds=KIND_LABELS,
        outcomes=OUTCOME_LABELS, audiences=AUDIENCE_LABELS, clients=CLIENT_LABELS,
        channel_titles={c.code: c.title for c in tenant_channels(g.tenant)}, when=when, actions=actions(appeal),
    )


# ----------------------------------------------------------------------------------------------------------- import

class UploadForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])
    mapping = SelectField(_l("Column layout"), choices=[])


def _mappings():
    return db.session.execute(select(ImportMapping).order_by(ImportMapping.name)).scalars().all()


@bp.route("/import", methods=["GET", "POST"])
@office_required("operator")
def upload():
    form = UploadForm()
    form.mapping.choices = [("", str(_l("Canonical layout")))] + layouts(g.tenant)
    if form.validate_on_submit():
        data = form.file.data.read()
        batch = ImportBatch(filename=(form.file.data.filename or "upload")[:255], content=data,
                            mapping_name=form.mapping.data or "", status="preview", user_id=current_user.id,
                            errors=[])
        db.session.add(batch)
        db.session.commit()
        return redirect(url_for(".batch", batch_id=batch.id))
    recent = db.session.execute(select(ImportBatch).order_by(ImportBatch.created_at.desc()).limit(10)).scalars().all()
    return render_template("office/intake/upload.html", form=form, recent=recent, status_labels=BATCH_STATUS,
                           fields=FIELDS, allowed=vocabulary(g.tenant).allowed, notes=column_notes(),
                           other_words=OTHER_WORDS)


@bp.route("/import/template.csv")
@office_required("operator")
def import_template_csv():
    """The blank file: the canonical header."""
    return Response(blank_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="appeals-template.csv"'})


@bp.route("/import/template.xlsx")
@office_required("operator")
def import_template_xlsx():
    """The blank workbook: the canonical header, and a sheet of the allowed values of the coded columns."""
    return Response(blank_xlsx(g.tenant),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="appeals-template.xlsx"'})


def _mapping_of(batch):
    try:
        return resolve(g.tenant, batch.mapping_name)
    except KeyError:
        return None


def _preview(batch) -> dict:
    """Encoding, delimiter, columns and the first rows, or the refusal of the header."""
    try:
        src, columns, chunks = read_chunks(batch.content or b"", batch.filename, _mapping_of(batch), preview=True)
        first = next(iter(chunks), None)  # the first rows only: the job reads (and counts) the rest
    except ImportRefused as refused:
        return {"errors": refused.errors}
    rows = [] if first is None else first.fillna("").to_dict("records")
    return {"source": src, "columns": columns, "rows": rows, "errors": []}


def _progress(batch) -> dict:
    done, total = 0, batch.total_rows
    if batch.status in ("queued", "running") and batch.job_id:
        from flask import current_app
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job
        from rq.serializers import JSONSerializer

        from ..jobs import redis_connection

        try:
            job = Job.fetch(batch.job_id, connection=redis_connection(), serializer=JSONSerializer)
            meta = (job.meta or {}).get("progress") or {}
            done, total = int(meta.get("done") or 0), int(meta.get("total") or 0)
        except NoSuchJobError:
            pass
        except RedisError:  # Redis down: the page shows what the database knows
            current_app.logger.warning("progress of import %s unknown: Redis is unreachable", batch.id)
    elif batch.status == "done":
        done = total = batch.total_rows
    finished = batch.status in ("done", "refused", "failed")
    # a known total gives a share (below 100 until the rows are stored); an unknown one an indeterminate bar
    percent = 100 if finished else (min(round(100 * done / total), 99) if total else None)
    label = str(BATCH_STATUS.get(batch.status, ""))
    if total and batch.status in ("running", "done"):
        text = _("%(status)s: %(done)s of %(total)s rows", status=label, done=done, total=total)
    elif done:
        text = _("%(status)s: %(done)s rows read", status=label, done=done)
    else:
        text = label
    return {"id": batch.id, "status": batch.status, "status_label": label, "text": text,
            "done": done, "total": total, "percent": percent, "finished": finished,
            "inserted": batch.inserted, "updated": batch.updated, "unchanged": batch.unchanged,
            "errors": batch.error_count}


@bp.route("/import/<batch_id>", methods=["GET", "POST"])
@office_required("operator")
def batch(batch_id):
    b = get_or_404(ImportBatch, batch_id)
    if request.method == "POST":
        FlaskForm().validate_on_submit() or abort(400)
        if b.status == "preview" and request.form.get("action") == "cancel":
            b.status, b.content = "cancelled", None  # the uploaded file is not kept
            db.session.commit()
            flash(_("The import of %(f)s is cancelled; nothing was stored.", f=b.filename), "success")
            return redirect(url_for(".upload"))
        if b.status == "preview":
            from flask import current_app

            from ..jobs import QUEUE_DOWN, QueueUnavailable
            from .jobs import enqueue_import

            try:
                enqueue_import(b, g.tenant.slug)
            except QueueUnavailable:  # the batch stays queued; the scheduler tick enqueues it when Redis is back
                current_app.logger.warning("import %s stays queued: Redis is unreachable", b.id)
                flash(QUEUE_DOWN, "warning")
        return redirect(url_for(".batch", batch_id=b.id))
    preview = _preview(b) if b.status == "preview" else None
    return render_template("office/intake/batch.html", batch=b, preview=preview, progress=_progress(b),
                           status_labels=BATCH_STATUS, form=FlaskForm())


@bp.route("/import/<batch_id>/progress")
@office_required("operator")
def batch_progress(batch_id):
    response = jsonify(_progress(get_or_404(ImportBatch, batch_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import/<batch_id>/report.csv")
@office_required("operator")
def batch_report(batch_id):
    b = get_or_404(ImportBatch, batch_id)
    return Response(report_csv(b.errors or [], b.error_count), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="import-{b.id}-errors.csv"'})


# ----------------------------------------------------------------------------------------------- mappings, classifier

MAPPING_NAME_MAX = 100  # import_mapping.name
MAPPING_COLUMN_MAX = 200  # longer than any real header


@bp.route("/mappings", methods=["GET", "POST"])
@office_required("officer")
def mappings():
    form = FlaskForm()
    vocab = vocabulary(g.tenant)
    value_errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        name = request.form.get("name", "").strip()
        columns = {f: request.form.get(f"col_{f}", "").strip() for f in FIELDS if request.form.get(f"col_{f}", "").strip()}
        values = {}
        for fname in CODED:
            mapped, bad = parse_value_lines(fname, request.form.get(f"val_{fname}", ""), vocab)
            if bad:
                value_errors[fname] = _("Not understood: %(lines)s. Write one per line: the value in the file = "
                                        "a code or its name. Allowed: %(allowed)s.",
                                        lines="; ".join(f"«{line}»" for line in bad[:5]),
                                        allowed=vocab.allowed_text(fname))
            elif mapped:
                values[fname] = mapped
        if not name or not (columns or values):
            flash(_("Give the mapping a name and at least one column."), "error")
        elif len(name) > MAPPING_NAME_MAX or any(len(c) > MAPPING_COLUMN_MAX for c in columns.values()):
            # refused, not cut: a cut name could silently overwrite another saved mapping
            flash(_("A mapping's name is at most %(name)s characters and a column's at most %(column)s.",
                    name=MAPPING_NAME_MAX, column=MAPPING_COLUMN_MAX), "error")
        elif value_errors:
            flash(_("The mapping is not saved: some values are not understood."), "error")
        else:
            m = db.session.execute(select(ImportMapping).where(ImportMapping.name == name)).scalar_one_or_none()
            if m is None:
                db.session.add(ImportMapping(name=name, columns=columns, values=values))
            else:
                m.columns, m.values = columns, values
            db.session.commit()
            flash(_("Mapping %(name)s saved.", name=name), "success")
            return redirect(url_for(".mappings"))
    return render_template("office/intake/mappings.html", form=form, mappings=_mappings(), fields=FIELDS,
                           coded=CODED, allowed=vocab.allowed, value_errors=value_errors, notes=column_notes())


class ClassifierForm(FlaskForm):
    file = FileField(_l("Classifier file (code;title)"), validators=[FileRequired()])


CLASSIFIER_REASONS = {  # parse_classifier's reasons, in the reader's language
    "malformed code": _l("the code is malformed: four or five groups of four digits, such as 0002.0007.0073.0510"),
    "duplicate code": _l("the code repeats an earlier line"),
    "no codes in the file": _l("there are no codes in the file"),
    "unclosed quote": _l("a quote opened here is not closed, so the title runs over the next lines"),
}


@bp.route("/classifier", methods=["GET", "POST"])
@office_required("officer")
def classifier():
    form = ClassifierForm()
    problems = []
    if form.validate_on_submit():
        try:
            n = load_classifier(g.tenant.id, form.file.data.read())
            flash(_("%(n)s codes loaded.", n=n), "success")
            return redirect(url_for(".classifier"))
        except ClassifierError as exc:
            db.session.rollback()
            problems = [(line, value, CLASSIFIER_REASONS.get(reason, reason))
                        for line, value, reason in exc.errors or [(None, "", str(exc))]]
            flash(_("The classifier file is refused; the loaded classifier is unchanged."), "error")
    count = db.session.execute(select(func.count(ClassifierEntry.id)).where(
        ClassifierEntry.tenant_id == g.tenant.id)).scalar()
    sample = db.session.execute(select(ClassifierEntry).order_by(ClassifierEntry.code).limit(20)).scalars().all()
    return render_template("office/intake/classifier.html", form=form, count=count, sample=sample,
                           sections=SECTIONS, problems=problems[:100])


# -------------------------------------------------------------------------------------------------------- API tokens

@bp.route("/tokens", methods=["GET", "POST"])
@office_required("officer")
def tokens():
    form = FlaskForm()
    clear = None
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("revoke"):
            token = get_or_404(ApiToken, request.form["revoke"])
            token.revoked_at = token.revoked_at or datetime.now(UTC)
            db.session.commit()
            flash(_("Token %(p)s… revoked.", p=token.prefix), "success")
            return redirect(url_for(".tokens"))
        name = request.form.get("name", "").strip()[:100]
        if not name:
            flash(_("Name the token (for example, the system that will use it)."), "error")
        else:
            token, clear = ApiToken.issue(name)
            db.session.add(token)
            db.session.commit()
    rows = db.session.execute(select(ApiToken).order_by(ApiToken.created_at.desc())).scalars().all()
    return render_template("office/intake/tokens.html", form=form, tokens=rows, clear=clear)


# --------------------------------------------------------------------------------------------------------------- API

APPEAL_SCHEMA = {
    "type": "object",
    "required": ["external_id", "kind", "channel", "registered_at"],
    "properties": {
        "external_id": {"type": "string", "maxLength": 100},
        "kind": {"enum": list(KINDS)}, "audience": {"enum": list(AUDIENCES)},
        "channel": {"type": "string", "description": "a channel code of the authority"},
        "received_at": {"type": "string", "description": "YYYY-MM-DD, YYYY-MM-DD HH:MM or DD.MM.YYYY, local time"},
        "registered_at": {"type": "string", "description": "YYYY-MM-DD, YYYY-MM-DD HH:MM or DD.MM.YYYY, local time"},
        "answered_at": {"type": ["string", "null"]},
        "topic_code": {"type": "string", "pattern": r"^\d{4}\.\d{4}\.\d{4}\.\d{4}(\.\d{4})?$"},
        "reason": {"type": "string"}, "segment": {"type": "string"},
        "client_type": {"enum": list(CLIENT_TYPES)}, "object": {"type": "string"},
        "outcome": {"enum": list(OUTCOMES)},
    },
}
FILTER_PARAMS = [
    {"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
    for n, t, d in (("from", "string", "registered on or after (YYYY-MM-DD)"),
                    ("to", "string", "registered on or before (YYYY-MM-DD)"), ("channel", "string", ""),
                    ("kind", "string", ""), ("topic", "string", "code prefix"), ("outcome", "string", ""),
                    ("number", "string", "the registration number, or a part of it (any case)"),
                    ("overdue", "boolean", "past the deadline in force, unanswered"),
                    ("page", "integer", ""), ("per_page", "integer", "at most 500"))
]


def _iso(moment):
    if moment is None:
        return None
    return as_utc(moment).isoformat()


def appeal_json(a: Appeal, today: date) -> dict:
    return {
        "id": a.id, "external_id": a.external_id, "kind": a.kind, "audience": a.audience, "channel": a.channel,
        "received_at": _iso(a.received_at), "registered_at": _iso(a.registered_at),
        "answered_at": _iso(a.answered_at), "due_date": a.due_date.isoformat(), "extended_days": a.extended_days,
        "redirected_at": _iso(a.redirected_at), "redirected_to": a.redirected_to, "topic_code": a.topic_code,
        "reason": a.reason, "segment": a.segment, "client_type": a.client_type, "object": a.object,
        "outcome": a.outcome, "deadline_state": deadlines.state(a, g.tenant.tz, today),
    }


@tenant_api.route("/appeals", methods=["GET"])
@documented("/{tenant}/appeals", "get", "Appeals of the register, filtered and paginated", tags=("appeals",),
            parameters=FILTER_PARAMS,
            response={"type": "object", "properties": {"items": {"type": "array", "items": APPEAL_SCHEMA},
                                                       "total": {"type": "integer"}, "page": {"type": "integer"},
                                                       "pages": {"type": "integer"}}})
@api_auth()
def api_list():
    stmt, errors = _filtered(request.args)
    if errors:
        return jsonify(error="invalid filter", errors=errors), 422
    try:
        per_page = min(max(int(request.args.get("per_page", 100)), 1), 500)
    except ValueError:
        per_page = 100
    page = db.paginate(stmt, per_page=per_page, max_per_page=500, error_out=False)
    today = _today()
    return jsonify(items=[appeal_json(a, today) for a in page.items], total=page.total, page=page.page,
                   pages=page.pages)


@tenant_api.route("/appeals", methods=["POST"])
@documented("/{tenant}/appeals", "post", "Register or update a batch of appeals, all or nothing",
            tags=("appeals",),
            body={"type": "object", "properties": {"appeals": {"type": "array", "items": APPEAL_SCHEMA}},
                  "required": ["appeals"]},
            response={"type": "object", "properties": {k: {"type": "integer"} for k in
                                                       ("total", "inserted", "updated", "unchanged")}})
@api_auth("operator", write=True)
def api_post():
    payload = request.get_json(silent=True)
    records = payload.get("appeals") if isinstance(payload, dict) else payload
    if not isinstance(records, list):
        return jsonify(error="the body must be {\"appeals\": [...]}", errors=[]), 422
    db.session.commit()  # the token's last use: kept even when the batch is refused
    try:
        result = import_records(db.session, g.tenant, records)
    except ImportRefused as refused:
        return jsonify(error="nothing stored", error_count=refused.error_count, errors=refused.errors), 422
    return jsonify(total=result.total, inserted=result.inserted, updated=result.updated,
                   unchanged=result.unchanged), 200


__all__ = ["bp"]
