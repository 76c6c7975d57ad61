"""The authority's public «Опросы» (choose a service, then answer; Vladimir 12, 14.2, 17) and the anonymous opinion
form (Nenets 18.2): what a visitor sees, what is stored (and that nothing about the visitor is), and the public
form's refusals (honeypot, empty or over-long text, rate limit) storing nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Questionnaire, Survey, SurveyAnswer, SurveyResponse, Tenant
from otklik.tenancy import tenant_scope

from .conftest import make_survey


def code(name: str) -> str:
    return "s" + hashlib.sha256(name.encode()).hexdigest()[:10]


def opinions(app, tenant_id):
    """(survey status, channel, source, q1 option, q2 text) of every stored opinion, and the opinion surveys."""
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant_id)):
        rows = db.session.execute(
            select(SurveyResponse.id, SurveyResponse.channel, SurveyResponse.source, SurveyResponse.survey_id)
            .order_by(SurveyResponse.survey_id)).all()  # response ids are random: no order of submission
        answers = {(a.response_id, a.question_key): a.option or a.text
                   for a in db.session.execute(select(SurveyAnswer)).scalars()}
        surveys = db.session.execute(select(Survey.id, Survey.status).join(Survey.version).join(Questionnaire)
                                     .where(Questionnaire.template_key == "opinion").order_by(Survey.id)).all()
        return ([(r.channel, r.source, r.survey_id, answers.get((r.id, "q1")), answers.get((r.id, "q2")))
                 for r in rows], [tuple(s) for s in surveys])


def test_surveys_page_lists_open_external_surveys_by_service(app, client, vladimir, make_tenant):
    make_survey(app, vladimir, title="Оценка выплаты на ребенка", object="Ежемесячная выплата на ребенка")
    make_survey(app, vladimir, title="Оценка субсидии", object="Субсидия на оплату ЖКУ")
    make_survey(app, vladimir, title="Черновик опроса", object="Черновая услуга", status="draft")
    make_survey(app, vladimir, title="Закрытый опрос", object="Закрытая услуга", status="closed")
    make_survey(app, vladimir, title="Истекший опрос", object="Истекшая услуга",
                closes_at=datetime.now(UTC) - timedelta(days=1))
    other = make_tenant("vladimir", slug="vladimir-other")
    make_survey(app, other, title="Опрос другого ведомства", object="Чужая услуга")

    html = client.get("/vladimir/surveys/").get_data(as_text=True)
    assert '<option value="Ежемесячная выплата на ребенка">' in html
    assert '<option value="Субсидия на оплату ЖКУ">' in html
    assert "Оценка выплаты на ребенка" in html and "Оценка субсидии" in html
    for hidden in ("Черновая услуга", "Закрытая услуга", "Истекшая услуга", "Чужая услуга"):
        assert hidden not in html
    # choosing a service (a plain GET form, no JavaScript) shows its surveys only, each linking to its form
    chosen = client.get("/vladimir/surveys/", query_string={"service": "Субсидия на оплату ЖКУ"})
    html = chosen.get_data(as_text=True)
    assert "Оценка субсидии" in html and "Оценка выплаты на ребенка" not in html
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        token = db.session.execute(select(Survey.token).where(Survey.title == "Оценка субсидии")).scalar_one()
    assert f'href="/vladimir/s/{token}"' in html
    assert client.get(f"/vladimir/s/{token}").status_code == 200


def test_employee_surveys_are_not_listed(app, client, make_tenant):
    omsk = make_tenant("omsk", slug="omsk")
    make_survey(app, omsk, template_key="employee_omsk_areas", title="Опрос сотрудников", object="Работа в министерстве")
    html = client.get("/omsk/surveys/").get_data(as_text=True)
    assert "Опрос сотрудников" not in html and "Сейчас открытых опросов нет." in html


def test_opinion_is_stored_anonymously_with_its_service(app, client, vladimir):
    make_survey(app, vladimir, title="Оценка субсидии", object="Субсидия на оплату ЖКУ")
    html = client.get("/vladimir/opinion").get_data(as_text=True)
    assert f'value="{code("Субсидия на оплату ЖКУ")}"' in html and 'value="general"' in html
    assert "анонимн" in html
    assert opinions(app, vladimir.id) == ([], [])  # a GET writes nothing

    response = client.post("/vladimir/opinion", data={"q1": code("Субсидия на оплату ЖКУ"),
                                                      "q2": "  Долго ждать ответа по субсидии.  "},
                           headers={"User-Agent": "CitizenPhone/1.0", "X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 303 and response.headers["Location"] == "/vladimir/opinion?sent=1"
    assert "Спасибо: ваше мнение получено." in client.get("/vladimir/opinion?sent=1").get_data(as_text=True)
    stored, surveys = opinions(app, vladimir.id)
    assert len(surveys) == 1 and surveys[0][1] == "open"
    assert stored == [("website", "web", surveys[0][0], code("Субсидия на оплату ЖКУ"),
                       "Долго ждать ответа по субсидии.")]
    # nothing about the visitor is kept anywhere in the response's row
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        row = db.session.execute(select(SurveyResponse)).scalar_one()
        values = " ".join(str(getattr(row, c.key)) for c in SurveyResponse.__table__.columns)
        assert "203.0.113.7" not in values and "CitizenPhone" not in values
        assert row.submitted_at.minute == 0 and row.submitted_at.second == 0  # the hour only

    # a second opinion goes to the same standing survey; a new service makes a new one and closes the old
    client.post("/vladimir/opinion", data={"q1": "general", "q2": "Спасибо за работу."})
    make_survey(app, vladimir, title="Оценка выплаты", object="Ежемесячная выплата на ребенка")
    client.post("/vladimir/opinion", data={"q1": code("Ежемесячная выплата на ребенка"), "q2": "Всё понятно."})
    stored, surveys = opinions(app, vladimir.id)
    assert [s[1] for s in surveys] == ["closed", "open"]
    assert [s[2] for s in stored] == [surveys[0][0], surveys[0][0], surveys[1][0]]


def test_opinion_refusals_store_nothing(app, client, vladimir):
    spam = client.post("/vladimir/opinion", data={"q1": "general", "q2": "text", "website_url": "http://spam"})
    assert spam.status_code == 400 and "спам" in spam.get_data(as_text=True)
    empty = client.post("/vladimir/opinion", data={"q1": "general", "q2": "   "})
    assert empty.status_code == 422 and "ответьте на этот вопрос" in empty.get_data(as_text=True)
    unknown = client.post("/vladimir/opinion", data={"q1": "no-such-service", "q2": "Мнение"})
    assert unknown.status_code == 422
    long = client.post("/vladimir/opinion", data={"q1": "general", "q2": "я" * 2001})
    assert long.status_code == 422 and "2000" in long.get_data(as_text=True)
    assert opinions(app, vladimir.id) == ([], [])


def test_opinion_form_has_the_public_forms_rate_limit(app, client, vladimir):
    codes = [client.post("/vladimir/opinion", data={"q1": "general", "q2": f"Мнение {i}"}).status_code
             for i in range(21)]
    assert codes[:20] == [303] * 20 and codes[20] == 429
    assert "Слишком много" in client.post("/vladimir/opinion", data={"q1": "general", "q2": "x"}) \
        .get_data(as_text=True)
    assert len(opinions(app, vladimir.id)[0]) == 20
