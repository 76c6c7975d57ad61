"""Office pages: questionnaires from templates, immutability of published versions, surveys with link and QR,
offline entry, CSV import (all or nothing), results with the small-group rule, answers per period."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from otklik.extensions import db
from otklik.models import Questionnaire, QuestionnaireVersion, Survey, SurveyAnswer, SurveyResponse, Tenant
from otklik.models.survey import PublishedVersionImmutable
from otklik.periods import period_containing
from otklik.surveys import service
from otklik.surveys.results import survey_results
from otklik.surveys.templates import BUILTIN
from otklik.surveys.volume import answers_in_period
from otklik.tenancy import tenant_scope

from .conftest import VLADIMIR_FORM, make_survey


@pytest.fixture
def officer(vladimir, make_user, login_as):
    make_user("officer@example.org", tenant=vladimir, role="officer")
    login_as("officer@example.org")
    return vladimir


def count(app, tenant, model=SurveyResponse, **where):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        stmt = select(func.count(model.id))
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return db.session.execute(stmt).scalar_one()


def test_officer_creates_publishes_and_opens_a_survey(app, client, officer):
    base = f"/{officer.slug}/office/surveys"
    page = client.get(f"{base}/questionnaires/new").get_data(as_text=True)
    assert "Оценка удовлетворенности внешних клиентов" in page
    assert "employee_omsk_areas" not in page  # Vladimir offers only the templates its profile lists
    response = client.post(f"{base}/questionnaires/new", data={"template": "vladimir_appendix", "title": ""})
    assert response.status_code == 302
    qid = int(response.headers["Location"].rstrip("/").split("/")[-1])
    questionnaire = client.get(f"{base}/questionnaires/{qid}").get_data(as_text=True)
    assert "перейдите к вопросу 6" in questionnaire
    assert "(один ответ)" in questionnaire and "(оценки 1-5 по строкам)" in questionnaire and "[single]" not in questionnaire
    client.post(f"{base}/questionnaires/{qid}/publish")
    with app.app_context(), tenant_scope(db.session.get(Tenant, officer.id)):
        version = db.session.execute(select(QuestionnaireVersion)).scalar_one()
        assert version.status == "published" and len(version.questions) == 15
        version_id = version.id
    response = client.post(f"{base}/new", data={
        "version": str(version_id), "title": "Оценка выплаты на ребенка", "object": "Ежемесячная выплата на ребенка",
        "channels": ["survey_online", "survey_offline"], "opens_on": "", "closes_on": ""})
    assert response.status_code == 302
    survey_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"{base}/{survey_id}/status", data={"action": "open"})
    page = client.get(f"{base}/{survey_id}").get_data(as_text=True)
    assert "Открыт" in page and f"/{officer.slug}/s/" in page
    png = client.get(f"{base}/{survey_id}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"{base}/{survey_id}/qr.svg?download=1")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data and "attachment" in svg.headers[
        "Content-Disposition"]
    assert client.get(f"{base}/{survey_id}/poster").status_code == 200
    assert client.get(f"{base}/").status_code == 200


def test_a_surveys_period_reads_as_chosen(app, client, make_tenant, make_user, login_as):
    """An Omsk survey for 30.11-31.12.2026 (inclusive) reads so, though it stops taking answers at the next midnight."""
    omsk = make_tenant("omsk", slug="omsk")
    make_user("officer@example.org", tenant=omsk, role="officer")
    login_as("officer@example.org")
    with app.app_context(), tenant_scope(db.session.get(Tenant, omsk.id)):
        questionnaire = service.create_from_template(BUILTIN["employee_omsk_areas"])
        service.publish(questionnaire.latest)
        db.session.commit()
        version_id = questionnaire.latest.id
    base = f"/{omsk.slug}/office/surveys"
    response = client.post(f"{base}/new", data={
        "version": str(version_id), "title": "Опрос сотрудников", "object": "Внутренние процессы",
        "channels": ["survey_online"], "opens_on": "2026-11-30", "closes_on": "2026-12-31"})
    survey_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(f"{base}/{survey_id}").get_data(as_text=True)
    assert "30.11.2026 — 31.12.2026" in page and "01.01.2027" not in page
    with app.app_context(), tenant_scope(db.session.get(Tenant, omsk.id)):
        survey = db.session.get(Survey, survey_id)
        assert survey.state(datetime(2026, 12, 31, 17, 59, tzinfo=UTC)) == "draft"  # not opened by hand yet
        survey.status = "open"
        assert survey.state(datetime(2026, 12, 31, 17, 59, tzinfo=UTC)) == "open"  # 23:59 in Omsk
        assert survey.state(datetime(2026, 12, 31, 18, 0, tzinfo=UTC)) == "ended"  # midnight in Omsk


def test_draft_is_validated_on_save(app, client, officer):
    base = f"/{officer.slug}/office/surveys"
    response = client.post(f"{base}/questionnaires/new", data={"template": "vladimir_appendix"})
    qid = int(response.headers["Location"].rstrip("/").split("/")[-1])
    questions = BUILTIN["vladimir_appendix"].questions
    looping = json.loads(json.dumps(questions))
    looping[6]["options"][1]["goto"] = 2
    html = client.post(f"{base}/questionnaires/{qid}", data={"title": "x", "questions": json.dumps(looping)}) \
        .get_data(as_text=True)
    assert "возвращает к вопросу 2" in html
    missing = json.loads(json.dumps(questions))
    missing[3]["options"][1]["goto"] = 99
    html = client.post(f"{base}/questionnaires/{qid}", data={"title": "x", "questions": json.dumps(missing)}) \
        .get_data(as_text=True)
    assert "к вопросу 99, которого нет" in html
    shorter = json.loads(json.dumps(questions))[:14]
    assert client.post(f"{base}/questionnaires/{qid}", data={"title": "Короче", "questions": json.dumps(shorter)}) \
        .status_code == 302
    with app.app_context(), tenant_scope(db.session.get(Tenant, officer.id)):
        assert len(db.session.execute(select(QuestionnaireVersion)).scalar_one().questions) == 14


def test_published_version_is_immutable(app, vladimir):
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"])
        version = questionnaire.latest
        service.publish(version)
        db.session.commit()
        with pytest.raises(PublishedVersionImmutable):
            service.save_draft(version, version.questions[:3])
        version.questions = version.questions[:3]  # even a direct write is refused at flush
        with pytest.raises(PublishedVersionImmutable):
            db.session.commit()
        db.session.rollback()
        version.status = "draft"
        with pytest.raises(PublishedVersionImmutable):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(PublishedVersionImmutable):
            db.session.delete(version)
            db.session.flush()
        db.session.rollback()
        draft = service.new_draft(questionnaire)
        assert (draft.number, draft.status, len(draft.questions)) == (2, "draft", 15)
        service.save_draft(draft, draft.questions[:3])
        db.session.commit()
        versions = db.session.execute(select(QuestionnaireVersion).order_by(QuestionnaireVersion.number)).scalars()
        assert [(v.number, v.status, len(v.questions)) for v in versions] == [(1, "published", 15),
                                                                              (2, "draft", 3)]


def test_published_version_edit_refused_in_office(app, client, officer):
    make_survey(app, officer)
    with app.app_context(), tenant_scope(db.session.get(Tenant, officer.id)):
        qid = db.session.execute(select(Questionnaire.id)).scalar_one()
    html = client.post(f"/{officer.slug}/office/surveys/questionnaires/{qid}",
                       data={"title": "x", "questions": "[]"}).get_data(as_text=True)
    assert "Опубликованную версию изменить нельзя" in html


def test_answers_point_to_the_version_they_answered(app, client, open_survey):
    tenant, survey_id, token = open_survey
    client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM)
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        response = db.session.execute(select(SurveyResponse)).scalar_one()
        assert response.questionnaire_version_id == db.session.get(Survey, survey_id).questionnaire_version_id


def test_operator_enters_a_paper_questionnaire(app, client, open_survey, make_user, login_as):
    tenant, survey_id, _ = open_survey
    make_user("operator@example.org", tenant=tenant, role="operator")
    login_as("operator@example.org")
    url = f"/{tenant.slug}/office/surveys/{survey_id}/offline"
    bad = dict(VLADIMIR_FORM, q4="gosuslugi")
    bad.pop("q5")
    response = client.post(url, data=bad)
    assert response.status_code == 422 and "Пожалуйста, ответьте на этот вопрос" in response.get_data(as_text=True)
    assert count(app, tenant) == 0
    paper = dict(VLADIMIR_FORM, q4="institution", filled_on="2026-03-05")
    assert client.post(url, data=paper).status_code == 302
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        response = db.session.execute(select(SurveyResponse)).scalar_one()
        assert (response.channel, response.source) == ("survey_offline", "offline")
        assert response.submitted_at.date() == date(2026, 3, 5)
        assert count(app, tenant, SurveyAnswer, question_key="q5") == 0


def test_a_paper_questionnaire_is_dated_within_the_survey(app, client, vladimir, make_user, login_as):
    survey_id, _ = make_survey(app, vladimir, opens_at=datetime(2026, 2, 28, 21, 0, tzinfo=UTC),  # 1 March, Moscow
                               closes_at=datetime(2026, 3, 31, 21, 0, tzinfo=UTC))  # after 31 March
    make_user("operator@example.org", tenant=vladimir, role="operator")
    login_as("operator@example.org")
    url = f"/{vladimir.slug}/office/surveys/{survey_id}/offline"
    for day in ("2026-02-28", "2026-04-01"):
        refused = client.post(url, data=dict(VLADIMIR_FORM, filled_on=day))
        assert refused.status_code == 422
        assert "Дата вне периода опроса (01.03.2026 — 31.03.2026)" in refused.get_data(as_text=True)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    open_ended, _ = make_survey(app, vladimir)
    refused = client.post(f"/{vladimir.slug}/office/surveys/{open_ended}/offline",
                          data=dict(VLADIMIR_FORM, filled_on=tomorrow))
    assert refused.status_code == 422 and "Дата не может быть в будущем" in refused.get_data(as_text=True)
    assert count(app, vladimir) == 0
    assert client.post(url, data=dict(VLADIMIR_FORM, filled_on="2026-03-31")).status_code == 302
    assert count(app, vladimir) == 1


def test_viewer_cannot_enter_paper_questionnaires(client, open_survey, make_user, login_as):
    tenant, survey_id, _ = open_survey
    make_user("viewer@example.org", tenant=tenant, role="viewer")
    login_as("viewer@example.org")
    assert client.get(f"/{tenant.slug}/office/surveys/{survey_id}/offline").status_code == 403


CSV_GOOD = (
    "submitted_at;channel;q1;q2;3;q4;q5;q6;q7;q8;q9.clarity;q9.status_info;q9.documents;q9.speed;q9.electronic;"
    "q10;q11;q12;q13;q14;q15\n"
    "2026-02-01;pos;child_allowance;На портале Госуслуги|mfc;5 баллов;gosuslugi;4;self;yes;;5;4;4;5;5;yes;yes;;"
    "Женский;30-44;higher\n"
    "03.02.2026 10:30;pos;other;media;2;mfc;;offered;no;no;2;1;3;2;1;no;no;no;male;61+;secondary\n"
)


def upload_answers(client, tenant, survey_id, data: bytes, run_jobs, mapping: str = "") -> str:
    """Upload a file of answers, run the queued import on a real RQ worker, return the import's page."""
    from io import BytesIO

    response = client.post(f"/{tenant.slug}/office/surveys/{survey_id}/import",
                           data={"file": (BytesIO(data), "pos.csv"), "mapping": mapping},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    run_jobs()
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_csv_import_stores_every_row(app, client, open_survey, make_user, login_as, run_jobs):
    tenant, survey_id, _ = open_survey
    make_user("officer@example.org", tenant=tenant, role="officer")
    login_as("officer@example.org")
    html = upload_answers(client, tenant, survey_id, CSV_GOOD.encode("cp1251"), run_jobs)
    assert "Импортировано анкет: 2." in html, html
    assert count(app, tenant, source="import") == 2
    assert count(app, tenant, SurveyAnswer, question_key="q2") == 3
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        first = db.session.execute(select(SurveyResponse).order_by(SurveyResponse.submitted_at)).scalars().first()
        assert first.channel == "pos" and first.submitted_at.astimezone(UTC).date() == date(2026, 1, 31)
        # 03.02.2026 10:30 in Vladimir (Moscow time) is 07:30 UTC, kept to the hour (issue 15)
        second = db.session.execute(select(SurveyResponse).order_by(SurveyResponse.submitted_at)).scalars().all()[1]
        assert second.submitted_at.replace(tzinfo=None) == datetime(2026, 2, 3, 7, 0)


def test_csv_import_is_all_or_nothing_with_a_report(app, client, open_survey, make_user, login_as, run_jobs):
    tenant, survey_id, _ = open_survey
    make_user("officer@example.org", tenant=tenant, role="officer")
    login_as("officer@example.org")
    bad = CSV_GOOD + "2026-02-04;fax;child_allowance;gosuslugi;9;gosuslugi;5;self;yes;;5;5;5;5;5;yes;yes;;male;30-44;higher\n"
    html = upload_answers(client, tenant, survey_id, bad.encode(), run_jobs)
    assert "Ничего не импортировано" in html
    assert "<td>4</td><td>channel</td><td>fax</td>" in html
    assert "<td>4</td><td>3</td><td>9</td><td>Выберите оценку от 1 до 5.</td>" in html
    assert count(app, tenant) == 0


@pytest.mark.parametrize("encoding, delimiter", [("koi8-r", ";"), ("utf-8-sig", "\t"), ("cp1251", ",")])
def test_csv_import_reads_koi8_r_and_tab_or_comma_files(app, client, open_survey, make_user, login_as, encoding,
                                                       delimiter, run_jobs):
    tenant, survey_id, _ = open_survey
    make_user("officer@example.org", tenant=tenant, role="officer")
    login_as("officer@example.org")
    import csv
    from io import StringIO

    rows = list(csv.reader(StringIO(CSV_GOOD), delimiter=";"))
    rows[1][3] = "На портале Госуслуги;mfc"  # choices separated by ';': quoted in a ';' file, one cell
    out = StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    html = upload_answers(client, tenant, survey_id, text.encode(encoding), run_jobs)
    assert "Импортировано анкет: 2." in html, html
    assert count(app, tenant, source="import") == 2
    assert count(app, tenant, SurveyAnswer, question_key="q2") == 3


def test_csv_import_refuses_a_file_of_another_encoding(app, client, open_survey, make_user, login_as, run_jobs):
    tenant, survey_id, _ = open_survey
    make_user("officer@example.org", tenant=tenant, role="officer")
    login_as("officer@example.org")
    data = "submitted_at;q1;q5\n2026-02-01;other;Très satisfait, à bientôt\n".encode("latin-1")
    html = upload_answers(client, tenant, survey_id, data, run_jobs)
    assert "Не удалось определить кодировку файла: ожидается UTF-8, Windows-1251 или KOI8-R." in html
    assert count(app, tenant) == 0


def _employee_answers(app, tenant, survey_id, n, segment):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        survey = db.session.get(Survey, survey_id)
        for i in range(n):
            answers = {"q1": str(1 + i % 5), "q2": {r["key"]: "4" for r in survey.version.questions[1]["rows"]},
                       "q3": ["it_support"], "q4": "yes", "q5": f"предложение {segment} {i}"}
            service.store_response(survey, answers, channel="survey_online", source="web", segment=segment)
        db.session.commit()


def test_employee_results_hide_groups_smaller_than_five(app, client, make_tenant, make_user, login_as):
    omsk = make_tenant("omsk", slug="omsk")
    survey_id, _ = make_survey(app, omsk, "employee_omsk_areas")
    make_user("officer@example.org", tenant=omsk, role="officer")
    login_as("officer@example.org")
    url = f"/{omsk.slug}/office/surveys/{survey_id}/results"
    _employee_answers(app, omsk, survey_id, 4, "finance")
    html = client.get(url).get_data(as_text=True)
    assert 'id="suppressed"' in html and "предложение" not in html
    _employee_answers(app, omsk, survey_id, 6, "hr")
    html = client.get(url).get_data(as_text=True)
    assert "Респондентов: 10" in html and "предложение hr" in html
    assert "меньше 5" in html  # options chosen by fewer than five are hidden even in the whole group
    filtered = client.get(url + "?segment=finance").get_data(as_text=True)  # 4 after the filter: hidden
    assert 'id="suppressed"' in filtered and "предложение" not in filtered
    assert 'id="suppressed"' not in client.get(url + "?segment=hr").get_data(as_text=True)


def test_employee_results_do_not_give_a_small_option_back_through_the_total(app, client, make_tenant, make_user,
                                                                          login_as):
    """9 answered "were you informed": 6 yes, 3 no. Hiding "no" alone would leave it as 9 - 6: "yes" goes too."""
    omsk = make_tenant("omsk", slug="omsk")
    survey_id, _ = make_survey(app, omsk, "employee_omsk_areas")
    make_user("officer@example.org", tenant=omsk, role="officer")
    login_as("officer@example.org")
    with app.app_context(), tenant_scope(db.session.get(Tenant, omsk.id)):
        survey = db.session.get(Survey, survey_id)
        q4 = survey.version.questions[3]
        assert q4["type"] == "yesno"
        for i in range(9):
            answers = {"q1": "4", "q2": {r["key"]: "4" for r in survey.version.questions[1]["rows"]},
                       "q3": ["it_support"], "q4": "yes" if i < 6 else "no"}
            service.store_response(survey, answers, channel="survey_online", source="web")
        db.session.commit()
        results = survey_results(db.session.get(Survey, survey_id))
    informed = next(q for q in results.questions if q["question"]["key"] == "q4")
    assert informed["answered"] == 9 and not informed["suppressed"]
    assert [(o["value"], o["count"], o["share"]) for o in informed["options"]] == [
        ("yes", None, None), ("no", None, None), ("hard", None, None)]
    support = next(q for q in results.questions if q["question"]["key"] == "q3")
    assert {o["value"]: o["count"] for o in support["options"]}["it_support"] == 9  # the rest chose nothing: 0s hidden
    html = client.get(f"/{omsk.slug}/office/surveys/{survey_id}/results").get_data(as_text=True)
    assert "Респондентов: 9" in html and ">6<" not in html


def test_external_results_show_small_groups(app, client, officer):
    survey_id, token = make_survey(app, officer)
    client.post(f"/{officer.slug}/s/{token}", data=VLADIMIR_FORM)
    client.post(f"/{officer.slug}/s/{token}", data=dict(VLADIMIR_FORM, q3="5"))
    html = client.get(f"/{officer.slug}/office/surveys/{survey_id}/results").get_data(as_text=True)
    assert "Респондентов: 2" in html and 'id="suppressed"' not in html
    assert '<option value="survey_online" >Онлайн-опрос (ссылка, QR-код)</option>' in html  # named, not coded
    assert ">4,5<" in html  # a mean in Russian style (marks 4 and 5)


def test_answers_in_period_counts_by_audience(app, make_tenant):
    nenets = make_tenant("nenets", slug="nenets")
    external, _ = make_survey(app, nenets)
    internal, _ = make_survey(app, nenets, "employee_omsk_areas")
    with app.app_context():
        tenant = db.session.get(Tenant, nenets.id)
        with tenant_scope(tenant):
            for survey_id, moment in ((external, datetime(2026, 2, 28, 20, 59, tzinfo=UTC)),  # 23:59 Moscow
                                      (external, datetime(2026, 2, 28, 21, 0, tzinfo=UTC)),  # March in Moscow
                                      (internal, datetime(2026, 2, 10, tzinfo=UTC))):
                survey = db.session.get(Survey, survey_id)
                service.store_response(survey, {}, channel="survey_online", source="web", submitted_at=moment)
            db.session.commit()
        february = period_containing(date(2026, 2, 1), "month")
        assert answers_in_period(tenant, "surveys", february) == 1
        assert answers_in_period(tenant, "employee_surveys", february) == 1
        assert answers_in_period(tenant, "surveys", period_containing(date(2026, 3, 1), "month")) == 1
        assert answers_in_period(tenant, "appeals", february) == 0


def test_otklik_questionnaire_templates_follow_each_profile(app, make_tenant):
    from otklik.plugins import get_plugin_manager

    expected = {"vladimir": "vladimir_appendix", "omsk": "employee_omsk_areas",
                "astrakhan": "employee_astrakhan_aspects", "nenets": "employee_nenets"}
    for profile, own in expected.items():
        tenant = make_tenant(profile, slug=f"{profile}-templates")
        with app.app_context():
            offered = get_plugin_manager().call_flat(db.session.get(Tenant, tenant.id),
                                                     "otklik_questionnaire_templates")
        keys = [t.key for t in offered]
        assert own in keys and "appeals_handling" in keys and "information_access" in keys
        assert tenant.plugins["questionnaires"]["clauses"]["templates"]
        if profile == "vladimir":  # external clients only (Vladimir 1, 6): no employee form offered
            assert not [t for t in offered if t.audience == "internal"]


def test_questionnaires_plugin_refuses_unknown_templates():
    from otklik.plugins import SettingsError, get_plugin_manager

    with pytest.raises(SettingsError, match="unknown 'nope'"):
        get_plugin_manager().validate("questionnaires", {"templates": ["nope"]})
    with pytest.raises(SettingsError, match="at least one"):
        get_plugin_manager().validate("questionnaires", {"templates": []})
