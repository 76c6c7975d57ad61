"""Surveys on an authority's public site: the open surveys by service («Опросы»: choose a service, then answer;
Vladimir 12, 14.2, 17; Nenets 18.1) and the opinion form (Nenets 18.2, «получение мнений»; Vladimir 12.2).

The opinion form is a standing anonymous questionnaire of two questions: which service the opinion is about (the
services of the authority's open surveys, and "the authority's work in general") and the opinion in the
respondent's own words. It is stored as a survey like any other (so the office reads opinions where it reads
answers), under the public form's rules: CSRF, honeypot, the same rate limits, nothing about the respondent
stored. Its survey is made on the first opinion sent, and made anew when the list of services changes (a
published questionnaire never changes); a GET writes nothing.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, g, redirect, render_template, request, url_for
from sqlalchemy import select

from ..channels import channel_codes
from ..extensions import db, limiter
from ..models.survey import Questionnaire, QuestionnaireVersion, Survey
from ..tenancy import register_tenant_blueprint
from . import service
from .engine import check_answers, read_form
from .templates import Template
from .views import HONEYPOT, PUBLIC_GET_LIMIT, PUBLIC_POST_LIMIT, _too_many, honeypot_refusal

bp = Blueprint("surveys_public", __name__, url_prefix="/<tenant_slug>")
register_tenant_blueprint(bp)
bp.register_error_handler(429, _too_many)

OPINION_KEY = "opinion"  # Questionnaire.template_key of the standing opinion questionnaire
GENERAL = "general"  # the option "the authority's work in general"
OPINION_TITLE = "Мнение о работе ведомства"


def _open_surveys() -> list[Survey]:
    """The authority's surveys open to the public now: external, open, not the opinion form."""
    surveys = db.session.execute(
        select(Survey).join(QuestionnaireVersion, QuestionnaireVersion.id == Survey.questionnaire_version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Survey.status == "open", Survey.audience == "external", Questionnaire.template_key != OPINION_KEY)
        .order_by(Survey.object, Survey.title)).scalars().all()
    return [s for s in surveys if s.state() == "open"]


def _service_of(survey: Survey) -> str:
    return (survey.object or survey.title).strip()


def _services() -> list[str]:
    return sorted({_service_of(s) for s in _open_surveys()})


def _code(name: str) -> str:
    """A stable option value for a service name (the answer stores it; the text is in the version)."""
    return "s" + hashlib.sha256(name.encode()).hexdigest()[:10]


def opinion_questions(services: list[str]) -> list[dict]:
    options = [{"value": _code(name), "text": name} for name in services]
    options.append({"value": GENERAL, "text": "Работа ведомства в целом, другая услуга"})
    return [
        {"key": "q1", "number": 1, "type": "single", "required": True, "options": options,
         "text": "О какой услуге или мере поддержки Ваше мнение?"},
        {"key": "q2", "number": 2, "type": "open", "required": True,
         "text": "Ваше мнение: что хорошо, что мешает, что стоит изменить?"},
    ]


def _standing_survey(questions: list[dict]) -> Survey:
    """The open opinion survey whose questions are these; made (and the older ones closed) when there is none."""
    standing = db.session.execute(
        select(Survey).join(QuestionnaireVersion, QuestionnaireVersion.id == Survey.questionnaire_version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.template_key == OPINION_KEY, Survey.status == "open")
        .order_by(Survey.id.desc())).scalars().all()
    for survey in standing:
        if survey.version.questions == questions:
            return survey
    for survey in standing:
        survey.status = "closed"
    template = Template(key=OPINION_KEY, title=OPINION_TITLE, audience="external", questions=questions,
                        description="Постоянная анонимная форма «Оставить мнение» на сайте ведомства.")
    questionnaire = service.create_from_template(template)
    service.publish(questionnaire.latest)
    survey = Survey(questionnaire_version_id=questionnaire.latest.id, title=OPINION_TITLE, object="",
                    audience="external", channels=[_online_channel()], status="open")
    db.session.add(survey)
    db.session.flush()
    return survey


def _online_channel() -> str:
    codes = channel_codes(g.tenant)
    if "website" in codes:
        return "website"
    return "survey_online" if "survey_online" in codes or not codes else next(iter(codes))


@bp.route("/surveys/")
@limiter.limit(PUBLIC_GET_LIMIT)
def surveys():
    """«Опросы»: the services with an open survey; choosing one (a plain GET form) lists its surveys."""
    by_service: dict[str, list[Survey]] = {}
    for survey in _open_surveys():
        by_service.setdefault(_service_of(survey), []).append(survey)
    chosen = request.args.get("service", "")
    shown = {chosen: by_service[chosen]} if chosen in by_service else by_service
    return render_template("public/surveys.html", tenant=g.tenant, services=sorted(by_service), chosen=chosen,
                           shown=shown)


@bp.route("/opinion", methods=["GET", "POST"])
@limiter.limit(PUBLIC_POST_LIMIT, methods=["POST"])
@limiter.limit(PUBLIC_GET_LIMIT, methods=["GET"])
def opinion():
    questions = opinion_questions(_services())
    raw, errors = {}, {}
    if request.method == "POST":
        if request.form.get(HONEYPOT, "").strip():
            return honeypot_refusal()
        raw = read_form(questions, request.form)
        parsed = check_answers(questions, raw)
        if parsed.ok:
            thanks = url_for("surveys_public.opinion", sent=1)
            survey = _standing_survey(questions)
            service.store_response(survey, parsed.answers, channel=survey.channels[0], source="web")
            db.session.commit()
            return redirect(thanks, 303)
        errors = parsed.errors
    return render_template("public/opinion.html", tenant=g.tenant, questions=questions, answers=raw, errors=errors,
                           honeypot=HONEYPOT, sent=request.args.get("sent") == "1"), (422 if errors else 200)
