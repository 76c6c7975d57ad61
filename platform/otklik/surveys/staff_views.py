"""The standing anonymous channel of employees (Astrakhan 4.5: employees may leave feedback on their own
initiative, anonymously; Omsk 7.3, 9.2): a per-authority link and QR code for the notice board or the intranet, and
the office page where the officer reads the remarks.

The form asks for a topic of the authority's internal list (the `internal_feedback` plugin's `topics`) and one
open question, under the public survey form's rules: no sign-in, CSRF, honeypot, the same rate limits, nothing
about the respondent stored (`service.store_response`). The remarks are stored as the answers of a standing
internal survey (made on the first remark, made anew when the list or the question changes), so the employee
survey analysis reads them under the employee rule too. The office page lists the texts in alphabetical order (not
by time, so that no remark is tied to a moment) and shows the topic counts only under the employee rule: none
below five remarks in all, then a topic of 1-4 hidden with as many more as would give it back. Nothing of it is
published. The whole channel is 404 unless the profile turns `standing_form` on.
"""

from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..access import office_required
from ..capabilities import add_home_panel
from ..channels import channel_codes
from ..extensions import db, limiter
from ..models.survey import Questionnaire, QuestionnaireVersion, Survey, SurveyAnswer, SurveyResponse
from ..results.disclosure import PUBLIC_MINIMUM, suppress_breakdown
from ..tenancy import register_tenant_blueprint
from . import service
from .engine import check_answers, read_form
from .templates import INTERNAL_FEEDBACK, Template, staff_questions
from .views import HONEYPOT, PUBLIC_GET_LIMIT, PUBLIC_POST_LIMIT, _too_many, honeypot_refusal

bp = Blueprint("surveys_staff", __name__, url_prefix="/<tenant_slug>")
register_tenant_blueprint(bp)
bp.register_error_handler(429, _too_many)

STAFF_KEY = "staff_channel"  # Questionnaire.template_key of the standing employees' form
STAFF_TITLE = "Инициативная обратная связь сотрудников"


def enabled(tenant) -> bool:
    return bool(tenant.settings_of(INTERNAL_FEEDBACK).get("standing_form"))


def _require_enabled() -> None:
    if not enabled(g.tenant):
        abort(404)


def _standing_surveys() -> list[Survey]:
    return db.session.execute(
        select(Survey).join(QuestionnaireVersion, QuestionnaireVersion.id == Survey.questionnaire_version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.template_key == STAFF_KEY).order_by(Survey.id.desc())).scalars().all()


def _channel() -> str:
    codes = channel_codes(g.tenant)
    return "survey_online" if "survey_online" in codes or not codes else next(iter(codes))


def _standing_survey(questions: list[dict]) -> Survey:
    """The open standing survey whose questions are these; made (and the older ones closed) when there is none."""
    standing = [s for s in _standing_surveys() if s.status == "open"]
    for survey in standing:
        if survey.version.questions == questions:
            return survey
    for survey in standing:
        survey.status = "closed"
    template = Template(key=STAFF_KEY, title=STAFF_TITLE, audience="internal", questions=questions,
                        description="Постоянная анонимная форма для сотрудников (п. 4.5 Порядка Астраханской "
                        "области): тематика и одно открытое замечание.")
    questionnaire = service.create_from_template(template)
    service.publish(questionnaire.latest)
    survey = Survey(questionnaire_version_id=questionnaire.latest.id, title=STAFF_TITLE,
                    object="Внутренние процессы", audience="internal", channels=[_channel()], status="open")
    db.session.add(survey)
    db.session.flush()
    return survey


def _link() -> str:
    return url_for("surveys_staff.form", tenant_slug=g.tenant.slug, _external=True)


@bp.route("/staff-feedback", methods=["GET", "POST"])
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
@limiter.limit(PUBLIC_GET_LIMIT, methods=["GET"])
def form():
    _require_enabled()
    questions = staff_questions(g.tenant)
    raw, errors = {}, {}
    if request.method == "POST":
        if request.form.get(HONEYPOT, "").strip():
            return honeypot_refusal()
        raw = read_form(questions, request.form)
        parsed = check_answers(questions, raw)
        errors = dict(parsed.errors)
        topics = {o["value"] for o in questions[0]["options"]}
        if raw.get("q1") and raw["q1"] not in topics:
            errors["q1"] = _("The topic «%(topic)s» is not in the authority's list: choose one of the topics below.",
                             topic=str(raw["q1"])[:60])
        if not errors:
            survey = _standing_survey(questions)
            service.store_response(survey, parsed.answers, channel=survey.channels[0], source="web")
            db.session.commit()
            return redirect(url_for("surveys_staff.form", tenant_slug=g.tenant.slug, sent=1), 303)
    return render_template("public/staff_feedback.html", tenant=g.tenant, questions=questions, answers=raw,
                           errors=errors, honeypot=HONEYPOT, sent=request.args.get("sent") == "1"), (
        422 if errors else 200)


def employee_minimum() -> int:
    """The employee rule's group size: the configured minimum, never below five (DESIGN.md)."""
    return max(int(current_app.config.get("MIN_CELL_SIZE", 5)), PUBLIC_MINIMUM)


def remarks() -> dict:
    """What the office reads: the count of remarks, the texts in alphabetical order, the topic counts under the
    employee rule ({code: count or None when hidden}; None as a whole below the minimum)."""
    surveys = [s.id for s in _standing_surveys()]
    total = db.session.execute(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id.in_(surveys))).scalar_one() if surveys else 0
    texts = db.session.execute(select(SurveyAnswer.text).where(
        SurveyAnswer.survey_id.in_(surveys), SurveyAnswer.question_key == "q2", SurveyAnswer.text.is_not(None))
        .order_by(SurveyAnswer.text)).scalars().all() if surveys else []
    counted = dict(db.session.execute(select(SurveyAnswer.option, func.count()).where(
        SurveyAnswer.survey_id.in_(surveys), SurveyAnswer.question_key == "q1", SurveyAnswer.option.is_not(None))
        .group_by(SurveyAnswer.option)).all()) if surveys else {}
    topics = staff_questions(g.tenant)[0]["options"]
    k = employee_minimum()
    by_topic = None
    if total >= k:
        counts = {o["value"]: int(counted.get(o["value"], 0)) for o in topics}
        hidden = suppress_breakdown(counts, k)
        by_topic = [{"text": o["text"], "count": None if o["value"] in hidden else counts[o["value"]]}
                    for o in topics]
    return {"total": total, "texts": texts, "by_topic": by_topic, "minimum": k}


OFFICE = "/office/surveys/staff-feedback"


@bp.route(OFFICE)
@office_required("officer")
def office():
    _require_enabled()
    return render_template("office/surveys/staff_feedback.html", link=_link(), **remarks())


@bp.route(f"{OFFICE}/qr.<fmt>")
@office_required()
def qr(fmt: str):
    _require_enabled()
    if fmt not in ("png", "svg"):
        abort(404)
    code = segno.make(_link(), error="m")
    buffer = io.BytesIO()
    if fmt == "png":
        code.save(buffer, kind="png", scale=12, border=4)
    else:
        code.save(buffer, kind="svg", scale=10, border=4, xmldecl=True, title=STAFF_TITLE)
    headers = {"Content-Disposition": f'attachment; filename="staff-feedback-qr.{fmt}"'} \
        if request.args.get("download") == "1" else {}
    return Response(buffer.getvalue(), mimetype="image/png" if fmt == "png" else "image/svg+xml", headers=headers)


@bp.route(f"{OFFICE}/poster")
@office_required()
def poster():
    _require_enabled()
    return render_template("office/surveys/staff_poster.html", link=_link())


def _home_panel():
    tenant = getattr(g, "tenant", None)
    if tenant is None or not enabled(tenant):
        return {}
    return {"staff_channel": True}


add_home_panel("office/surveys/_staff_panel.html", _home_panel, order=21)
