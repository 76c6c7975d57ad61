"""Survey metrics by hand: responses, CSAT, parameters, by object and segment, choices, informed, prevalence,
open-answer themes; employee results below the minimum group size are suppressed."""

import pytest

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Tenant
from otklik.tenancy import tenant_scope

from .helpers import local

QUESTIONS = [
    {"key": "q1", "number": 1, "type": "scale", "text": "Общая удовлетворенность", "parameter": "overall"},
    {"key": "q2", "number": 2, "type": "matrix", "text": "Оцените",
     "rows": [{"key": "r1", "text": "Понятность подачи", "parameter": "clarity"},
              {"key": "r2", "text": "Скорость", "parameter": "speed"}]},
    {"key": "q3", "number": 3, "type": "multiple", "text": "С какими проблемами столкнулись?",
     "options": [{"value": "queue", "text": "Очереди"}, {"value": "docs", "text": "Много документов"},
                 {"value": "rude", "text": "Грубость"}]},
    {"key": "q4", "number": 4, "type": "yesno", "text": "Вас информировали о сроках?", "parameter": "informed",
     "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]},
    {"key": "q5", "number": 5, "type": "open", "text": "Что улучшить?"},
]

# (local submitted, object, segment, audience, q1, (r1, r2), q3 options, q4, q5)
RESPONSES = [
    ("2025-03-01 09:00", "pension", "citizens", "external", 5, (4, 2), ["queue", "docs"], "yes", "Долгие очереди"),
    ("2025-03-10 09:00", "pension", "citizens", "external", 4, (5, 1), ["queue"], "no", "Очередь с утра"),
    ("2025-03-20 09:00", "subsidy", "business", "external", 2, (3, 2), ["queue", "rude"], "yes", "Хамство"),
    ("2025-03-31 23:30", "subsidy", "", "external", 1, (1, 1), [], "yes", ""),  # 23:30 local: still March
    ("2025-04-01 00:30", "subsidy", "", "external", 5, (5, 5), ["docs"], "yes", "Апрель"),  # April
]


def add_survey(tenant, responses, audience_override=None):
    from otklik.models.survey import (
        Questionnaire,
        QuestionnaireVersion,
        Survey,
        SurveyAnswer,
        SurveyResponse,
    )

    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        q = Questionnaire(title="Анкета")
        v = QuestionnaireVersion(questionnaire=q, number=1, status="published", questions=QUESTIONS)
        db.session.add_all([q, v])
        db.session.flush()
        s = Survey(questionnaire_version_id=v.id, title="Опрос", status="open")
        db.session.add(s)
        db.session.flush()
        for when, obj, seg, aud, q1, (r1, r2), q3, q4, q5 in responses:
            r = SurveyResponse(survey_id=s.id, questionnaire_version_id=v.id, channel="survey_online",
                               audience=audience_override or aud, object=obj, segment=seg,
                               submitted_at=local(t.timezone, when))
            db.session.add(r)
            db.session.flush()
            answers = [dict(question_key="q1", value_num=q1), dict(question_key="q2", row_key="r1", value_num=r1),
                       dict(question_key="q2", row_key="r2", value_num=r2), dict(question_key="q4", option=q4)]
            answers += [dict(question_key="q3", option=o) for o in q3]
            if q5:
                answers.append(dict(question_key="q5", text=q5))
            db.session.add_all(SurveyAnswer(response_id=r.id, survey_id=s.id, **a) for a in answers)
        db.session.commit()


def _compute(tenant, kind="surveys", period="2025-03"):
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        return compute(t, kind, period)


@pytest.fixture
def omsk(make_tenant, db_session):
    return make_tenant("omsk", slug="omsk-sv")


def test_survey_metrics_by_hand(omsk):
    add_survey(omsk, RESPONSES)
    doc = _compute(omsk)
    assert doc["responses"] == 4
    assert doc["survey"]["title"] == "Опрос" and doc["survey"]["link"].startswith("/omsk-sv/s/")
    assert doc["survey"]["instrument"] == "Анкета (версия 1)" and doc["survey"]["surveys"][0]["responses"] == 4
    assert doc["inputs"] == {"responses": 4, "open_answers": 3}
    assert doc["csat"]["q1"] == {"title": "1. Общая удовлетворенность", "parameter": "overall", "n": 4,
                                 "mean": 3.0, "share_4_5": 0.5}
    assert doc["parameters"]["clarity"] == {"title": "Понятность подачи", "n": 4, "mean": 3.25, "share_4_5": 0.5}
    assert doc["parameters"]["speed"] == {"title": "Скорость", "n": 4, "mean": 1.5, "share_4_5": 0.0}
    assert doc["by_object"] == {"pension": {"responses": 2, "csat_mean": 4.5, "share_4_5": 1.0},
                                "subsidy": {"responses": 2, "csat_mean": 1.5, "share_4_5": 0.0}}
    assert doc["by_segment"]["citizens"] == {"responses": 2, "csat_mean": 4.5, "share_4_5": 1.0}
    assert doc["by_segment"]["unspecified"]["responses"] == 1
    q3 = doc["choices"]["q3"]
    assert q3["respondents"] == 3  # the fourth chose nothing
    assert q3["options"]["queue"] == {"title": "Очереди", "count": 3, "share": 1.0}
    assert q3["options"]["docs"] == {"title": "Много документов", "count": 1, "share": 0.3333}
    assert doc["informed"] == {"answered": 4, "count": 3, "share": 0.75}
    # prevalence: 3 of 3 -> 100 high; 1 of 3 -> 33 medium
    prev = {p["option"]: (p["percent"], p["level"]) for p in doc["prevalence"]}
    assert prev == {"queue": (100, "high"), "docs": (33, "medium"), "rude": (33, "medium")}
    # negative answers: 1-2 of all 1-5 answers (q1 and matrix rows): 2,1 | 2,1 | 2,2 + q1: 2,1 -> 7 of 12
    assert doc["negative"] == {"answers": 12, "count": 7, "share": 0.5833}
    themes = {t["theme"]: t for t in doc["themes"]}
    assert themes["Сроки и очереди"]["count"] == 2
    assert themes["Сроки и очереди"]["examples"] == ["Долгие очереди", "Очередь с утра"]
    assert themes["Отношение сотрудников"]["count"] == 1
    # Omsk 20: high prevalence and negative answers -> additional collection, population = respondents
    codes = {s["metric"]: s for s in doc["signals"]}
    assert "prevalence" in codes and codes["prevalence"]["sample_size"] == 4


def test_other_audience_and_periods_do_not_count(omsk):
    add_survey(omsk, RESPONSES[:2], audience_override="internal")
    assert _compute(omsk)["responses"] == 0
    assert _compute(omsk, "employee_surveys")["responses"] == 2
    assert _compute(omsk, period="2025-04")["responses"] == 0


def test_employee_cells_below_the_minimum_group_are_suppressed(omsk):
    rows = [("2025-03-05 10:00", "hr", "staff", "internal", 4, (4, 4), ["queue"], "yes", "")] * 5
    rows += [("2025-03-06 10:00", "it", "staff", "internal", 1, (1, 1), ["docs"], "no", "")] * 2
    add_survey(omsk, rows)
    doc = _compute(omsk, "employee_surveys")
    assert doc["responses"] == 7
    assert doc["by_object"] == {"hr": {"responses": 5, "csat_mean": 4.0, "share_4_5": 1.0},
                                "it": {"suppressed": True}}
    assert doc["choices"]["q3"]["options"]["docs"] == {"suppressed": True}
    assert doc["choices"]["q3"]["options"]["queue"]["count"] == 5
    assert [p["option"] for p in doc["prevalence"]] == ["queue"]
    assert doc["csat"]["q1"]["n"] == 7


def test_no_answers_at_all(omsk):
    doc = _compute(omsk)
    assert doc["responses"] == 0 and doc["csat"] == {} and doc["themes"] == []
    assert doc["informed"] == {"answered": 0, "count": 0, "share": None}
    assert doc["negative"] == {"answers": 0, "count": 0, "share": None}
