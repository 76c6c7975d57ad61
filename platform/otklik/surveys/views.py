"""Survey pages: the office (questionnaires, surveys, QR codes, offline entry, import, results) and the public
anonymous form at /<tenant_slug>/s/<token>.

The public form is one page with every question, as on the paper form, with the jumps written next to the
answers that cause them ("→ go to question 6"). It needs no JavaScript: on submission the server walks the
questionnaire, follows the jumps of the answers given and keeps only the answers on that path, so a skipped
question is neither required nor stored. It is CSRF-protected, carries a honeypot field, and is rate-limited
per tenant and client (a hashed key in Redis that expires with its window). Nothing about the respondent (IP
address, user agent, cookie, account) is stored with an answer or logged.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from redis.exceptions import RedisError
from sqlalchemy import select
from wtforms import DateField, FileField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import office_required
from ..capabilities import add_home_panel, add_office_nav
from ..channels import channel_codes, tenant_channels
from ..extensions import db, limiter
from ..jobs import QUEUE_DOWN, QueueUnavailable
from ..models.survey import (
    PublishedVersionImmutable,
    Questionnaire,
    QuestionnaireVersion,
    Survey,
    SurveyImport,
)
from ..periods import local_today
from ..tenancy import enter_tenant, enter_tenant_of, finds_own_tenant, get_or_404, register_tenant_blueprint
from ..vocabulary import AUDIENCE_LABELS
from . import service
from .editor import PARAMETER_LABELS
from .engine import QuestionnaireInvalid, check_answers, read_form
from .jobs import enqueue_survey_import
from .results import FILTERS, charts, filter_values, survey_results
from .templates import tenant_templates

bp = Blueprint("surveys", __name__)
register_tenant_blueprint(bp)
OFFICE = "/<tenant_slug>/office/surveys"
add_office_nav("surveys.index", _l("Surveys"), order=20)

HONEYPOT = "website_url"
PUBLIC_POST_LIMIT = "20 per minute;200 per hour"
PUBLIC_GET_LIMIT = "120 per minute"
STATE_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed"), "not_yet": _l("Not yet open"),
                "ended": _l("Ended")}
SOURCE_LABELS = {"web": _l("Online form"), "offline": _l("Paper (entered by an operator)"), "import": _l("Import")}
TYPE_LABELS = {"single": _l("one answer"), "multiple": _l("several answers"), "scale": _l("mark 1-5"),
               "matrix": _l("marks 1-5 by rows"), "yesno": _l("yes / no / hard to say"), "open": _l("own words"),
               "demographic": _l("about the respondent")}


def _labels():
    return {"audience_labels": AUDIENCE_LABELS, "state_labels": STATE_LABELS, "source_labels": SOURCE_LABELS,
            "type_labels": TYPE_LABELS, "parameter_labels": PARAMETER_LABELS,
            "channel_titles": {code: c.title for code, c in channel_codes(g.tenant).items()}}


# ---------------------------------------------------------------- public form


def _refusal(code: int, title, message):
    return render_template("public/survey_refused.html", title=title, message=message, tenant=g.tenant), code


def honeypot_refusal():
    """The answer of a public form whose hidden field was filled: a bot, most likely; a person is told what to do."""
    return _refusal(400, _("The answers were not accepted"),
                    _("The form was filled in automatically (a hidden field was filled), so it looks like "
                      "spam and was not accepted. If you are a person, reload the page and answer again."))


@bp.errorhandler(429)
def _too_many(exc):
    if g.get("tenant") is None:  # the limit refused before the view found its tenant (finds_own_tenant)
        enter_tenant_of((request.view_args or {}).get("tenant_slug", ""))
    return _refusal(429, _("Too many submissions"),
                    _("Too many answers were sent from your connection in a short time. Please wait a few minutes "
                      "and try again."))


def _public_survey(tenant_slug: str, token: str) -> Survey:
    """The tenant and survey of the link in one query (see `finds_own_tenant`); 404 for a draft or unknown one."""
    service.use_autocommit_for_public_form()
    found = service.public_survey(tenant_slug, token)
    if found is None or found[1].status == "draft":
        abort(404)
    tenant, survey = found
    enter_tenant(tenant)
    return survey


def _closed_reason(survey: Survey):
    state = survey.state()
    if state in ("closed", "ended"):
        return _refusal(410, _("The survey is closed"),
                        _("This survey is closed and no longer accepts answers. Thank you for your interest."))
    if state == "not_yet":
        opens = format_datetime(survey.opens_at, "d MMMM yyyy, HH:mm")
        return _refusal(403, _("The survey has not started yet"),
                        _("This survey opens on %(when)s. Please come back then.", when=opens))
    return None


@bp.route("/<tenant_slug>/s/<token>", methods=["GET", "POST"])
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
@limiter.limit(PUBLIC_GET_LIMIT, methods=["GET"])
@finds_own_tenant
def public_form(tenant_slug: str, token: str):
    survey = _public_survey(tenant_slug, token)
    refused = _closed_reason(survey)
    if refused is not None:
        return refused
    questions = survey.version.questions
    raw, errors = {}, {}
    if request.method == "POST":
        if request.form.get(HONEYPOT, "").strip():
            return honeypot_refusal()
        raw = read_form(questions, request.form)
        parsed = check_answers(questions, raw)
        if parsed.ok:
            thanks = url_for("surveys.public_thanks", token=token)  # before the commit expires the tenant
            service.submit_response(survey, parsed.answers, channel=_online_channel(), source="web")
            db.session.commit()
            return redirect(thanks, 303)
        errors = parsed.errors
    return render_template("public/survey_form.html", survey=survey, questions=questions, answers=raw,
                           errors=errors, honeypot=HONEYPOT, tenant=g.tenant), (422 if errors else 200)


def _online_channel() -> str:
    codes = channel_codes(g.tenant)
    return "survey_online" if "survey_online" in codes or not codes else next(
        (c.code for c in codes.values() if c.standard == "survey_online"), "survey_online")


@bp.route("/<tenant_slug>/s/<token>/thanks")
@finds_own_tenant
def public_thanks(tenant_slug: str, token: str):
    survey = _public_survey(tenant_slug, token)
    return render_template("public/survey_thanks.html", survey=survey, tenant=g.tenant)


# ---------------------------------------------------------------- office: questionnaires


class FromTemplateForm(FlaskForm):
    template = SelectField(_l("Template"), validators=[DataRequired()])
    title = StringField(_l("Title (leave empty to keep the template's)"), validators=[Optional(), Length(max=500)])


class DraftForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    questions = TextAreaField(_l("Questions (JSON)"), validators=[DataRequired()])


class SurveyForm(FlaskForm):
    version = SelectField(_l("Questionnaire (published version)"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    object = StringField(_l("Object: service, support measure or process"), validators=[DataRequired(),
                                                                                        Length(max=300)])
    segment = StringField(_l("Client segment (optional)"), validators=[Optional(), Length(max=100)])
    channels = SelectMultipleField(_l("Channels"), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes after"), validators=[Optional()])


class OfflineForm(FlaskForm):
    filled_on = DateField(_l("Date on the paper questionnaire"), validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[DataRequired()])
    mapping = TextAreaField(_l("Column mapping (optional, one 'column = question key' a line)"),
                            validators=[Optional()])


def _home_panel():
    from flask import g as _g

    if not getattr(_g, "tenant", None):
        return {}
    surveys = db.session.execute(select(Survey).where(Survey.status == "open")).scalars().all()
    return {"open_surveys": surveys, "survey_counts": service.response_counts()}


add_home_panel("office/surveys/_panel.html", _home_panel, order=20)


@bp.route(f"{OFFICE}/")
@office_required()
def index():
    questionnaires = db.session.execute(select(Questionnaire).order_by(Questionnaire.created_at.desc())) \
        .scalars().all()
    surveys = db.session.execute(select(Survey).order_by(Survey.created_at.desc())).scalars().all()
    return render_template("office/surveys/index.html", questionnaires=questionnaires, surveys=surveys,
                           counts=service.response_counts(), **_labels())


@bp.route(f"{OFFICE}/questionnaires/new", methods=["GET", "POST"])
@office_required("officer")
def questionnaire_new():
    templates = tenant_templates(g.tenant)
    form = FromTemplateForm()
    form.template.choices = [SelectChoice(k, f"{t.title} ({AUDIENCE_LABELS[t.audience]})")
                             for k, t in templates.items()]
    if form.validate_on_submit():
        questionnaire = service.create_from_template(templates[form.template.data], form.title.data or None)
        db.session.commit()
        flash(_("The questionnaire was created as a draft: check it, then publish it."), "success")
        return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))
    return render_template("office/surveys/questionnaire_new.html", form=form, templates=templates, **_labels())


@bp.route(f"{OFFICE}/questionnaires/<int:questionnaire_id>", methods=["GET", "POST"])
@office_required()
def questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    version = questionnaire.latest
    form = DraftForm(obj=None)
    errors: list[str] = []
    if request.method == "GET":
        form.title.data = questionnaire.title
        form.questions.data = json.dumps(version.questions, ensure_ascii=False, indent=2)
    elif _require_role("officer") and form.validate_on_submit():
        try:
            questions = json.loads(form.questions.data)
            service.save_draft(version, questions)
            questionnaire.title = form.title.data
            db.session.commit()
            flash(_("The draft was saved."), "success")
            return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))
        except json.JSONDecodeError as exc:
            errors = [_("The questions are not valid JSON: %(error)s", error=str(exc))]
        except QuestionnaireInvalid as exc:
            errors = exc.errors
        except PublishedVersionImmutable:
            errors = [_("A published version cannot change: make a new draft version.")]
        db.session.rollback()
    return render_template("office/surveys/questionnaire.html", questionnaire=questionnaire, version=version,
                           form=form, errors=errors, **_labels())


def _require_role(role: str) -> bool:
    from ..access import ROLE_RANK, tenant_role

    if ROLE_RANK[tenant_role()] < ROLE_RANK[role]:
        abort(403)
    return True


@bp.route(f"{OFFICE}/questionnaires/<int:questionnaire_id>/publish", methods=["POST"])
@office_required("officer")
def questionnaire_publish(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        service.publish(questionnaire.latest)
        db.session.commit()
        flash(_("Version %(n)s was published; it can no longer change.", n=questionnaire.latest.number), "success")
    except QuestionnaireInvalid as exc:
        db.session.rollback()
        flash(_("Not published: %(errors)s", errors="; ".join(exc.errors)), "error")
    return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))


@bp.route(f"{OFFICE}/questionnaires/<int:questionnaire_id>/draft", methods=["POST"])
@office_required("officer")
def questionnaire_draft(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    draft = service.new_draft(questionnaire)
    db.session.commit()
    flash(_("Draft version %(n)s was made from the latest version.", n=draft.number), "success")
    return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))


# ---------------------------------------------------------------- office: surveys


def _published_versions():
    return db.session.execute(select(QuestionnaireVersion).where(QuestionnaireVersion.status == "published")
                              .order_by(QuestionnaireVersion.id.desc())).scalars().all()


def _utc(day: date | None, end: bool = False) -> datetime | None:
    if day is None:
        return None
    from datetime import timedelta

    local = datetime.combine(day + timedelta(days=1) if end else day, time(), g.tenant.tz)
    return local.astimezone(UTC)


@bp.route(f"{OFFICE}/new", methods=["GET", "POST"])
@office_required("officer")
def survey_new():
    versions = _published_versions()
    form = SurveyForm()
    form.version.choices = [SelectChoice(str(v.id), f"{v.questionnaire.title} — v{v.number}") for v in versions]
    channels = [c for c in tenant_channels(g.tenant) if c.standard in ("survey_online", "survey_offline", "pos")]
    form.channels.choices = [SelectChoice(c.code, c.title) for c in channels]
    if request.method == "GET":
        form.channels.data = [c.code for c in channels if c.standard in ("survey_online", "survey_offline")]
        if request.args.get("version"):
            form.version.data = request.args["version"]
    if form.validate_on_submit():
        version = get_or_404(QuestionnaireVersion, form.version.data)
        if form.opens_on.data and form.closes_on.data and form.closes_on.data < form.opens_on.data:
            form.closes_on.errors.append(_("The survey cannot close before it opens."))
        else:
            survey = Survey(questionnaire_version_id=version.id, title=form.title.data, object=form.object.data,
                            segment=form.segment.data or "", audience=version.questionnaire.audience,
                            channels=list(form.channels.data or []), opens_at=_utc(form.opens_on.data),
                            closes_at=_utc(form.closes_on.data, end=True), status="draft")
            db.session.add(survey)
            db.session.commit()
            flash(_("The survey was created. Open it to start collecting answers."), "success")
            return redirect(url_for("surveys.survey", survey_id=survey.id))
    return render_template("office/surveys/survey_new.html", form=form, versions=versions, **_labels())


@bp.route(f"{OFFICE}/<int:survey_id>")
@office_required()
def survey(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    return render_template("office/surveys/survey.html", survey=survey, link=_public_link(survey),
                           count=service.response_counts().get(survey.id, 0), **_labels())


def _public_link(survey: Survey) -> str:
    return url_for("surveys.public_form", token=survey.token, _external=True)


@bp.route(f"{OFFICE}/<int:survey_id>/status", methods=["POST"])
@office_required("officer")
def survey_status(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    action = request.form.get("action")
    if action == "open":
        survey.status = "open"
        flash(_("The survey is open: the link and the QR code accept answers."), "success")
    elif action == "close":
        survey.status = "closed"
        flash(_("The survey is closed: the link answers that it no longer accepts answers."), "success")
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for("surveys.survey", survey_id=survey.id))


@bp.route(f"{OFFICE}/<int:survey_id>/qr.<fmt>")
@office_required()
def survey_qr(survey_id: int, fmt: str):
    survey = get_or_404(Survey, survey_id)
    if fmt not in ("png", "svg"):
        abort(404)
    qr = segno.make(_public_link(survey), error="m")
    import io

    buffer = io.BytesIO()
    if fmt == "png":
        qr.save(buffer, kind="png", scale=12, border=4)
        mimetype = "image/png"
    else:
        qr.save(buffer, kind="svg", scale=10, border=4, xmldecl=True, title=survey.title)
        mimetype = "image/svg+xml"
    download = request.args.get("download") == "1"
    headers = {"Content-Disposition": f'attachment; filename="survey-{survey.id}-qr.{fmt}"'} if download else {}
    return Response(buffer.getvalue(), mimetype=mimetype, headers=headers)


@bp.route(f"{OFFICE}/<int:survey_id>/poster")
@office_required()
def survey_poster(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    return render_template("office/surveys/poster.html", survey=survey, link=_public_link(survey))


@bp.route(f"{OFFICE}/<int:survey_id>/offline", methods=["GET", "POST"])
@office_required("operator")
def survey_offline(survey_id: int):
    """An operator enters a paper questionnaire (channel survey_offline), checked like the public form."""
    survey = get_or_404(Survey, survey_id)
    form = OfflineForm()
    questions = survey.version.questions
    raw, errors = {}, {}
    if request.method == "POST" and form.validate_on_submit():
        raw = read_form(questions, request.form)
        parsed = check_answers(questions, raw)
        date_refused = _paper_date_refused(survey, form.filled_on.data)
        if date_refused:
            form.filled_on.errors.append(date_refused)
        if parsed.ok and not date_refused:
            day = form.filled_on.data
            submitted = datetime.combine(day, time(12), g.tenant.tz).astimezone(UTC) if day else None
            service.store_response(survey, parsed.answers, channel=_offline_channel(), source="offline",
                                   submitted_at=submitted)
            db.session.commit()
            flash(_("The paper questionnaire was saved. You can enter the next one."), "success")
            return redirect(url_for("surveys.survey_offline", survey_id=survey.id))
        errors = parsed.errors
    return render_template("office/surveys/offline.html", survey=survey, questions=questions, answers=raw,
                           errors=errors, form=form, **_labels()), (422 if errors or form.errors else 200)


def _paper_date_refused(survey: Survey, day: date | None) -> str | None:
    """Why the date written on a paper questionnaire is refused: in the future, or outside the survey's period (the
    answer would be counted in a period the survey did not run in). None when it is fine or not given."""
    if day is None:
        return None
    if day > local_today(g.tenant.tz):
        return _("The date must not be in the future.")
    first, last = survey.days(g.tenant.tz)
    if (first and day < first) or (last and day > last):
        return _("The date is outside the survey's period (%(first)s — %(last)s).",
                 first=format_date(first, "short") if first else "…", last=format_date(last, "short") if last else "…")
    return None


def _offline_channel() -> str:
    codes = channel_codes(g.tenant)
    return "survey_offline" if "survey_offline" in codes or not codes else next(
        (c.code for c in codes.values() if c.standard == "survey_offline"), "survey_offline")


IMPORT_STATUS = {"queued": _l("Queued"), "running": _l("Running"), "done": _l("Imported"),
                 "refused": _l("Refused: nothing stored"), "failed": _l("Failed")}
IMPORT_PHASE = {"check": _l("Checking the rows"), "store": _l("Storing the answers")}


@bp.route(f"{OFFICE}/<int:survey_id>/import", methods=["GET", "POST"])
@office_required("operator")
def survey_import(survey_id: int):
    """The upload only: the file is stored and its import queued (surveys.jobs), so even the largest file
    (importer.MAX_ROWS rows) never holds the request; the import's page follows the job."""
    survey = get_or_404(Survey, survey_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = request.files["file"]
        batch = SurveyImport(survey_id=survey.id, filename=(upload.filename or "answers.csv")[:255],
                             content=upload.read(), mapping=form.mapping.data or "", status="queued",
                             user_id=current_user.id, errors=[])
        db.session.add(batch)
        db.session.commit()
        try:
            enqueue_survey_import(batch, g.tenant.slug)
        except QueueUnavailable:
            current_app.logger.warning("survey import %s stays queued: Redis is unreachable", batch.id)
            flash(QUEUE_DOWN, "warning")
        return redirect(url_for("surveys.survey_import_batch", survey_id=survey.id, import_id=batch.id), 303)
    recent = db.session.execute(select(SurveyImport).where(SurveyImport.survey_id == survey.id)
                                .order_by(SurveyImport.created_at.desc()).limit(10)).scalars().all()
    return render_template("office/surveys/import.html", survey=survey, form=form, recent=recent,
                           import_status=IMPORT_STATUS, **_labels())


def _import_progress(batch: SurveyImport) -> dict:
    """The import's row status and, while it waits or runs, its job's progress (nothing when Redis is down)."""
    phase, done, total = "", 0, 0
    if batch.status in ("queued", "running") and batch.job_id:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job
        from rq.serializers import JSONSerializer

        from ..jobs import redis_connection

        try:
            job = Job.fetch(batch.job_id, connection=redis_connection(), serializer=JSONSerializer)
            meta = (job.meta or {}).get("progress") or {}
            phase, done, total = meta.get("phase", ""), int(meta.get("done") or 0), int(meta.get("total") or 0)
        except NoSuchJobError:
            pass
        except RedisError:
            current_app.logger.warning("progress of survey import %s unknown: Redis is unreachable", batch.id)
    finished = batch.status in ("done", "refused", "failed")
    if batch.status == "done":
        done = total = batch.total_rows
    # two phases, checking then storing: half of the bar each
    share = (done / total if total else 0) / 2 + (0.5 if phase == "store" else 0)
    label = IMPORT_PHASE.get(phase) if batch.status == "running" and phase else IMPORT_STATUS.get(batch.status)
    return {"id": batch.id, "status": batch.status, "status_label": str(label or batch.status), "phase": phase,
            "done": done, "total": total, "percent": 100 if finished else min(round(100 * share), 99),
            "finished": finished, "inserted": batch.inserted, "errors": batch.error_count}


@bp.route(f"{OFFICE}/<int:survey_id>/import/<int:import_id>")
@office_required("operator")
def survey_import_batch(survey_id: int, import_id: int):
    survey = get_or_404(Survey, survey_id)
    batch = get_or_404(SurveyImport, import_id)
    if batch.survey_id != survey.id:
        abort(404)
    return render_template("office/surveys/import_batch.html", survey=survey, batch=batch,
                           progress=_import_progress(batch), import_status=IMPORT_STATUS, **_labels())


@bp.route(f"{OFFICE}/<int:survey_id>/import/<int:import_id>/progress")
@office_required("operator")
def survey_import_progress(survey_id: int, import_id: int):
    batch = get_or_404(SurveyImport, import_id)
    if batch.survey_id != survey_id:
        abort(404)
    response = jsonify(_import_progress(batch))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{OFFICE}/<int:survey_id>/results")
@office_required()
def survey_results_page(survey_id: int):
    survey = get_or_404(Survey, survey_id)
    results, filters = _filtered_results(survey)
    specs = charts(results)
    return render_template("office/surveys/results.html", survey=survey, results=results, filters=filters,
                           values=filter_values(survey), start=request.args.get("start", ""),
                           end=request.args.get("end", ""), charts=specs, chart_of={c["question"]: c for c in specs},
                           export_args={k: v for k, v in request.args.items() if k in (*FILTERS, "start", "end")},
                           **_labels())


def _filtered_results(survey: Survey):
    filters = {name: request.args.get(name, "") for name in FILTERS}
    start = _parse_day(request.args.get("start"))
    end = _parse_day(request.args.get("end"))
    return survey_results(survey, filters, _utc(start), _utc(end, end=True)), filters


@bp.route(f"{OFFICE}/<int:survey_id>/results.xlsx")
@office_required()
def survey_results_xlsx(survey_id: int):
    return _results_file(survey_id, "xlsx")


@bp.route(f"{OFFICE}/<int:survey_id>/results.csv")
@office_required()
def survey_results_csv(survey_id: int):
    return _results_file(survey_id, "csv")


def _results_file(survey_id: int, fmt: str):
    """The results with the page's filters, as a file (the small-group rule holds: `export` writes what
    `survey_results` shows)."""
    from . import export

    survey = get_or_404(Survey, survey_id)
    results, filters = _filtered_results(survey)
    stem = f"survey-{survey.id}-results"
    if fmt == "csv":
        return Response(export.to_csv(results), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'})
    names = {"channel": _("Channel"), "segment": _("Segment"), "source": _("Source"), "start": _("From"),
             "end": _("To")}
    shown = "; ".join(f"{names[k]}: {v}" for k, v in (*filters.items(), ("start", request.args.get("start", "")),
                                                         ("end", request.args.get("end", ""))) if v)
    return Response(export.to_xlsx(results, survey.title, shown or _("All answers")),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.xlsx"'})


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def min_cell_size() -> int:
    return int(current_app.config.get("MIN_CELL_SIZE", 5))
