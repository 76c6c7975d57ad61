"""The acts' instruments (issue 19, item 1): each built-in form cites its clauses, each profile offers the forms its
act demands (Nenets' employee form cites Nenets, not Omsk), and answers to a new form reach the survey analysis
with figures worked out by hand, standard indicators included (the Centre compares those)."""

from datetime import UTC, datetime

import pytest

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Tenant
from otklik.models.survey import Survey
from otklik.plugins import get_plugin_manager
from otklik.results.document import check
from otklik.surveys import service
from otklik.surveys.engine import check_answers, path
from otklik.surveys.templates import BUILTIN, CONTROL_EVENT
from otklik.tenancy import tenant_scope


def _offered(app, tenant) -> dict:
    with app.app_context():
        found = get_plugin_manager().call_flat(db.session.get(Tenant, tenant.id), "otklik_questionnaire_templates")
    return {t.key: t for t in found}


def test_every_builtin_form_cites_its_clauses():
    for key, template in BUILTIN.items():
        assert template.clause and template.clauses, key
        assert template.object, key  # a survey made from it measures a named object of feedback
        assert template.audience in ("external", "internal"), key


def test_profiles_offer_the_forms_their_acts_demand(app, make_tenant):
    demanded = {
        # Astrakhan 3.2.1 (control, services and support, appeals, information), 4.2, 4.3, 4.6
        "astrakhan": {"control_event", "control_prevention", "service_satisfaction", "support_measures",
                      "appeals_handling", "information_access", "employee_astrakhan_aspects",
                      "employee_astrakhan_services", "employee_internal_appeals"},
        # Omsk 4 (six directions), 6 (ten areas: 7 HR requests, 8 rule-making and contracts), 13.1
        "omsk": {"service_satisfaction", "support_measures", "control_event", "control_prevention",
                 "appeals_handling", "information_access", "employee_omsk_areas", "employee_rulemaking",
                 "employee_internal_appeals"},
        "nenets": {"service_satisfaction", "appeals_handling", "information_access", "employee_nenets"},  # 2, 5
        "vladimir": {"vladimir_appendix", "appeals_handling", "information_access"},  # external only
    }
    for profile, keys in demanded.items():
        offered = _offered(app, make_tenant(profile, slug=f"{profile}-instr"))
        assert set(offered) == keys, profile


def test_nenets_employee_form_cites_nenets_not_omsk(app, make_tenant):
    offered = _offered(app, make_tenant("nenets", slug="nenets-emp"))
    internal = [t for t in offered.values() if t.audience == "internal"]
    assert [t.key for t in internal] == ["employee_nenets"]
    assert "Ненецкого автономного округа" in internal[0].clause and "Омск" not in internal[0].clause
    assert all(c.startswith(("Ненецкий АО", "Рекомендации")) for c in internal[0].clauses)


def _rows(template, question: int) -> dict:
    return {r["key"]: r for r in template.questions[question - 1]["rows"]}


def test_omsk_service_form_has_the_parameters_of_13_1():
    matrix = _rows(BUILTIN["service_satisfaction"], 4)
    assert matrix["availability"]["text"].startswith("Доступность услуги")
    assert matrix["booking"]["text"] == "Возможность записи на прием"
    assert matrix["clarity"]["text"] == "Понятность и удобство подачи заявления"
    assert matrix["speed"]["text"] == "Оперативность получения результата"
    assert "Омск п. 13.1" in BUILTIN["service_satisfaction"].clauses


def test_control_event_form_asks_the_topics_of_6_3_3():
    form = BUILTIN["control_event"]
    texts = " ".join(q["text"] for q in form.questions) + " ".join(r["text"] for r in _rows(form, 4).values())
    for words in ("обязательных требований", "инспектора", "Компетентность", "сроки", "нагрузка",
                  "разъяснили результаты", "досудебного"):
        assert words in texts, words
    prevention = " ".join(o["text"] for o in BUILTIN["control_prevention"].questions[0]["options"])
    for words in ("Консультирование", "Информирование", "Профилактический визит"):
        assert words in prevention
    assert {"Астрахань п. 3.2.1", "Рекомендации п. 6.3.3"} <= set(form.clauses)


def test_service_form_branches_past_the_electronic_question():
    questions = BUILTIN["service_satisfaction"].questions
    assert [q["number"] for q in path(questions, {"q1": "mfc"})][:2] == [1, 3]
    assert [q["number"] for q in path(questions, {"q1": "epgu"})][:3] == [1, 2, 3]


# (event, who, q3 overall, (requirements, conduct, competence, burden), q5 terms, q6 explained, q7 appeal, q8)
ANSWERS = [
    ("onsite", "legal_entity", 5, (5, 5, 4, 4), "yes", "yes", "yes", ["none"]),
    ("documentary", "legal_entity", 4, (4, 5, 5, 3), "yes", "yes", "no", ["documents"]),
    ("onsite", "entrepreneur", 2, (2, 3, 3, 1), "no", "no", "no", ["documents", "result", "appeal"]),
    ("raid", "individual", 3, (3, 4, 4, 2), "yes", "hard", "yes", ["documents"]),
    ("onsite", "legal_entity", 1, (1, 2, 2, 1), "no", "no", "hard", ["requirements", "documents", "conduct"]),
]


@pytest.fixture
def supervision(make_tenant, db_session):
    tenant = make_tenant("astrakhan", slug="astrakhan-control")
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        questionnaire = service.create_from_template(CONTROL_EVENT)
        service.publish(questionnaire.latest)
        survey = Survey(questionnaire_version_id=questionnaire.latest.id, title="Проверки 2025",
                        object=CONTROL_EVENT.object, audience="external", status="open")
        db.session.add(survey)
        db.session.flush()
        for i, (event, who, overall, rows, terms, explained, appeal, problems) in enumerate(ANSWERS):
            raw = {"q1": event, "q2": who, "q3": str(overall),
                   "q4": dict(zip(("requirements", "conduct", "competence", "burden"), map(str, rows), strict=True)),
                   "q5": terms, "q6": explained, "q7": appeal, "q8": problems}
            checked = check_answers(survey.version.questions, raw)
            assert checked.ok, checked.errors
            service.store_response(survey, checked.answers, channel="survey_online", source="web",
                                   submitted_at=datetime(2025, 3, 1 + i, 9, tzinfo=UTC))
        db.session.commit()
    return t


def test_control_event_answers_reach_the_analysis_by_hand(supervision):
    with tenant_scope(supervision):
        doc = compute(supervision, "surveys", "2025-H1")
    check(doc)
    assert doc["responses"] == 5
    # standard indicators: q3 5,4,2,3,1 -> 2 of 5 at 4-5; conduct row 5,5,3,4,2 -> 3 of 5;
    # q5 yes,yes,no,yes,no -> 3 of 5; q7 (pre-trial appeal known) yes,no,no,yes,hard -> 2 of 5
    assert doc["indicators"] == {"overall": {"count": 2, "of": 5, "share": 0.4},
                                 "politeness": {"count": 3, "of": 5, "share": 0.6},
                                 "deadlines": {"count": 3, "of": 5, "share": 0.6},
                                 "informed": {"count": 2, "of": 5, "share": 0.4}}
    params = doc["parameters"]
    assert params["overall"] == {"title": "Общая удовлетворенность", "n": 5, "mean": 3.0, "share_4_5": 0.4,
                                 "share_1_2": 0.4}
    # requirements 5,4,2,3,1: mean 15/5; competence 4,5,3,4,2: mean 18/5, 3 of 5 at 4-5, 1 at 1-2
    assert params["requirements_clarity"] == {"title": "Понятность проверяемых обязательных требований", "n": 5,
                                              "mean": 3.0, "share_4_5": 0.4, "share_1_2": 0.4}
    assert params["politeness"]["mean"] == 3.8 and params["politeness"]["share_1_2"] == 0.2
    assert params["competence"] == {"title": "Компетентность инспектора", "n": 5, "mean": 3.6, "share_4_5": 0.6,
                                    "share_1_2": 0.2}
    # burden 4,3,1,2,1: mean 11/5, one at 4-5, three at 1-2
    assert params["burden"]["mean"] == 2.2 and (params["burden"]["share_4_5"], params["burden"]["share_1_2"]) == (
        0.2, 0.6)
    assert doc["informed"] == {"answered": 5, "count": 2, "share": 0.4}
    [form] = doc["questionnaires"]
    explained = form["choices"]["q6"]
    assert explained["respondents"] == 5
    assert {k: v["count"] for k, v in explained["options"].items()} == {"yes": 2, "no": 2, "hard": 1}
    # difficulties of q8 among the 5 who answered it: documents 4 -> 80 % (high by Astrakhan's own bands, high from 67 %), each other 1 -> 20 % (low);
    # «no difficulties» is not a problem
    prevalence = {p["option"]: (p["count"], p["percent"], p["level"]) for p in doc["prevalence"]}
    assert prevalence == {"documents": (4, 80, "high"), "result": (1, 20, "low"), "appeal": (1, 20, "low"),
                          "requirements": (1, 20, "low"), "conduct": (1, 20, "low")}
    # 1-2 marks among the 25 marks (q3 and four rows): q3 2 + requirements 2 + conduct 1 + competence 1 + burden 3
    assert doc["negative"] == {"answers": 25, "count": 9, "share": 0.36}
