"""Additional collections (issue 11, item 11): started from a pain or from a signal, with the sample n worked out by
hand from Cochran's formula (DOMAIN.md), responses counted against n, the signal shown as answered, officers only
and another authority's collection a 404."""

import re

import pytest
from sqlalchemy import func, select

from otklik.extensions import db
from otklik.models import Analysis, Pain, Questionnaire, QuestionnaireVersion, Survey, SurveyResponse
from otklik.models.painmap import AdditionalCollection
from otklik.periods import local_today, period_containing
from otklik.testing import login

from .test_views import _in

SIGNAL = {"code": "additional_collection", "metric": "complaints.unsatisfied_share", "level": "warning",
          "message": "Рекомендован дополнительный сбор обратной связи", "value": 0.4, "threshold": 0.3,
          "population": 1000, "sample_size": 278, "details": {"reason": "Неудовлетворённые жалобы: 40 %"}}


@pytest.fixture
def setup(app, make_user, make_tenant):
    tenant = make_tenant("omsk", slug="omsk-extra")
    other = make_tenant("omsk", slug="omsk-else")
    for role in ("officer", "operator", "viewer"):
        make_user(f"{role}@extra.example", tenant=tenant, role=role)
    make_user("officer@else.example", tenant=other, role="officer")
    with _in(app, tenant):
        q = Questionnaire(title="Анкета удовлетворённости")
        v = QuestionnaireVersion(questionnaire=q, number=1, status="published", questions=[])
        draft = QuestionnaireVersion(questionnaire=Questionnaire(title="Черновик"), number=1, status="draft",
                                     questions=[])
        pain = Pain(wording="Долгое ожидание в очереди", status="confirmed", segment="граждане")
        analysis = Analysis(kind="appeals", period="2025-Q1", status="done",
                            result={"kind": "appeals", "signals": [SIGNAL]})
        db.session.add_all([q, v, draft, pain, analysis])
        db.session.commit()
        ids = {"version": v.id, "draft": draft.id, "pain": pain.id, "analysis": analysis.id}
    return tenant, other, ids


BASE = "/omsk-extra/office/painmap/collections"


def _form(version, **extra):
    return {"version": str(version), "title": "Дополнительный опрос об очередях", "population": "1000",
            "population_source": "Реестр получателей услуги за 2024 год", **extra}


def _count(app, tenant):
    with _in(app, tenant):
        return db.session.execute(select(func.count(AdditionalCollection.id))).scalar()


def test_from_a_pain_the_sample_is_shown_then_saved_and_responses_count_against_it(app, client, setup):
    tenant, _other, ids = setup
    login(client, "officer@extra.example")
    # n0 = 1.959964^2 * 0.5 * 0.5 / 0.05^2 = 384.146; n = 384.146 / (1 + 383.146 / 1000) = 277.74 -> 278
    shown = client.post(f"{BASE}/new?pain={ids['pain']}", data=_form(ids["version"], action="preview"))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Выборка n = 278 респондентов" in html
    assert _count(app, tenant) == 0  # shown, not saved
    saved = client.post(f"{BASE}/new?pain={ids['pain']}", data=_form(ids["version"], action="save", shown_n="278"))
    assert saved.status_code == 302
    cid = int(saved.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with _in(app, tenant) as t:
        c = db.session.get(AdditionalCollection, cid)
        assert (c.population, c.sample_size, c.pain_id, c.analysis_id, c.signal_code) == (1000, 278, ids["pain"],
                                                                                       None, None)
        assert c.population_source == "Реестр получателей услуги за 2024 год"
        survey = db.session.get(Survey, c.survey_id)
        quarter = period_containing(local_today(t.tz), "quarter").next()
        assert survey.days(t.tz) == (quarter.start, quarter.last_day)  # the next quarter in the tenant's zone
        assert survey.questionnaire_version_id == ids["version"] and survey.segment == "граждане"
        for _i in range(3):
            db.session.add(SurveyResponse(survey_id=survey.id, questionnaire_version_id=ids["version"],
                                          channel="survey_online"))
        db.session.commit()
    page = client.get(f"{BASE}/{cid}").get_data(as_text=True)
    assert "3 из 278 ответов" in page and '<progress value="3" max="278"' in page
    assert "Реестр получателей услуги за 2024 год" in page
    pain_page = client.get(f"/omsk-extra/office/painmap/pains/{ids['pain']}").get_data(as_text=True)
    assert "3 из 278 ответов" in pain_page and f"{BASE}/{cid}" in pain_page


def test_a_changed_population_is_shown_again_before_saving(app, client, setup):
    tenant, _other, ids = setup
    login(client, "officer@extra.example")
    # n shown for N = 1000 was 278; N = 100 asks 384.146 / (1 + 383.146 / 100) = 79.5 -> 80
    r = client.post(f"{BASE}/new?pain={ids['pain']}",
                    data=_form(ids["version"], action="save", shown_n="278", population="100"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Выборка n = 80 респондентов" in html
    assert _count(app, tenant) == 0


@pytest.mark.parametrize("change, message", [
    ({"population": "0"}, "Генеральная совокупность"),
    ({"population": ""}, "Укажите генеральную совокупность"),
    ({"population_source": " "}, "Источник генеральной совокупности"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(app, client, setup, change, message):
    tenant, _other, ids = setup
    login(client, "officer@extra.example")
    r = client.post(f"{BASE}/new?pain={ids['pain']}", data=_form(ids["version"], action="save", shown_n="278",
                                                                 **change))
    assert r.status_code == 200 and message in r.get_data(as_text=True)
    assert _count(app, tenant) == 0
    with _in(app, tenant):
        assert db.session.execute(select(func.count(Survey.id))).scalar() == 0


def test_a_draft_questionnaire_cannot_be_chosen(app, client, setup):
    tenant, _other, ids = setup
    login(client, "officer@extra.example")
    r = client.post(f"{BASE}/new?pain={ids['pain']}", data=_form(ids["draft"], action="save", shown_n="278"))
    html = r.get_data(as_text=True)
    assert f'value="{ids["draft"]}"' not in html  # not offered
    assert 'class="error">Неверный вариант.<' in html
    assert r.status_code == 200 and _count(app, tenant) == 0


def test_from_a_signal_the_analysis_shows_it_answered(app, client, setup):
    tenant, _other, ids = setup
    login(client, "officer@extra.example")
    analysis_url = f"/omsk-extra/office/analyses/{ids['analysis']}"
    before = client.get(analysis_url).get_data(as_text=True)
    key = "additional_collection:complaints.unsatisfied_share"
    assert "Начать дополнительный сбор" in before and "Отвечен" not in before
    form = client.get(f"{BASE}/new?analysis={ids['analysis']}&signal={key}").get_data(as_text=True)
    assert 'value="1000"' in form  # N proposed from the signal
    r = client.post(f"{BASE}/new", data=_form(ids["version"], action="save", shown_n="278",
                                              analysis=str(ids["analysis"]), signal=key))
    assert r.status_code == 302
    with _in(app, tenant):
        c = db.session.execute(select(AdditionalCollection)).scalar_one()
        assert (c.analysis_id, c.signal_code, c.pain_id, c.sample_size) == (ids["analysis"], key, None, 278)
    after = client.get(analysis_url).get_data(as_text=True)
    assert "Отвечен" in after and f"{BASE}/{c.id}" in after and "Начать дополнительный сбор" not in after
    # an unknown signal starts nothing
    bad = client.get(f"{BASE}/new?analysis={ids['analysis']}&signal=nothing")
    assert bad.status_code == 302 and _count(app, tenant) == 1


def test_officers_only_and_another_authority_gets_404(app, client, setup):
    tenant, _other, ids = setup
    login(client, "officer@extra.example")
    r = client.post(f"{BASE}/new?pain={ids['pain']}", data=_form(ids["version"], action="save", shown_n="278"))
    cid = int(re.search(r"/(\d+)$", r.headers["Location"]).group(1))
    for role in ("operator", "viewer"):
        client.get("/logout")
        login(client, f"{role}@extra.example")
        assert client.get(f"{BASE}/{cid}").status_code == 403, role
        assert client.get(f"{BASE}/new?pain={ids['pain']}").status_code == 403, role
        page = client.get(f"/omsk-extra/office/painmap/pains/{ids['pain']}").get_data(as_text=True)
        assert "Начать дополнительный сбор" not in page
    client.get("/logout")
    login(client, "officer@else.example")
    assert client.get(f"{BASE}/{cid}").status_code == 404  # not a member of omsk-extra
    assert client.get(f"/omsk-else/office/painmap/collections/{cid}").status_code == 404  # not its collection
    assert client.get(f"/omsk-else/office/painmap/collections/new?pain={ids['pain']}").status_code == 404
    assert _count(app, tenant) == 1
