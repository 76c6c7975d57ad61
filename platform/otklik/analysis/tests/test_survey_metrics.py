"""Survey metrics by hand: responses, CSAT, parameters, by object and segment, choices, informed, prevalence,
open-answer themes; employee results below the minimum group size are suppressed (keeping their titles); two
questionnaires answered in one period with the same question keys are kept apart."""

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
    {"key": "q3", "number": 3, "type": "multiple", "text": "С какими проблемами столкнулись?", "problems": True,
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


def add_survey(tenant, responses, audience_override=None, channel="survey_online"):
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
            r = SurveyResponse(survey_id=s.id, questionnaire_version_id=v.id, channel=channel,
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
    [form] = doc["questionnaires"]
    assert (form["title"], form["responses"]) == ("Анкета", 4)
    assert form["csat"] == {"q1": {"title": "1. Общая удовлетворенность", "parameter": "overall", "n": 4,
                                   "mean": 3.0, "share_4_5": 0.5, "share_1_2": 0.5}}
    # answers of 1-2 counted by hand: q1 5, 4, 2, 1; r1 4, 5, 3, 1; r2 2, 1, 2, 1
    assert doc["parameters"]["overall"] == {"title": "Общая удовлетворенность", "n": 4, "mean": 3.0,
                                            "share_4_5": 0.5, "share_1_2": 0.5}
    assert doc["parameters"]["clarity"] == {"title": "Понятность подачи", "n": 4, "mean": 3.25, "share_4_5": 0.5,
                                            "share_1_2": 0.25}
    assert doc["parameters"]["speed"] == {"title": "Скорость", "n": 4, "mean": 1.5, "share_4_5": 0.0,
                                          "share_1_2": 1.0}
    assert doc["by_object"] == {"pension": {"responses": 2, "csat_mean": 4.5, "share_4_5": 1.0},
                                "subsidy": {"responses": 2, "csat_mean": 1.5, "share_4_5": 0.0}}
    assert doc["by_segment"]["citizens"] == {"responses": 2, "csat_mean": 4.5, "share_4_5": 1.0}
    assert doc["by_segment"]["unspecified"]["responses"] == 1
    assert set(form["choices"]) == {"q3", "q4"}
    q3 = form["choices"]["q3"]
    assert q3["respondents"] == 3  # the fourth chose nothing
    assert q3["options"]["queue"] == {"title": "Очереди", "count": 3, "share": 1.0}
    assert q3["options"]["docs"] == {"title": "Много документов", "count": 1, "share": 0.3333}
    assert doc["informed"] == {"answered": 4, "count": 3, "share": 0.75}
    # prevalence: 3 of 3 -> 100 high; 1 of 3 -> 33 medium
    prev = {p["option"]: (p["percent"], p["level"]) for p in doc["prevalence"]}
    assert {(p["questionnaire"], p["questionnaire_title"], p["question"]) for p in doc["prevalence"]} == {
        (form["id"], "Анкета", "q3")}
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
    rows += [("2025-03-07 10:00", "legal", "staff", "internal", 3, (3, 3), ["queue", "rude"], "yes", "")] * 6
    add_survey(omsk, rows)
    doc = _compute(omsk, "employee_surveys")
    assert doc["responses"] == 13
    # "it" (2) is below the minimum; hiding it alone would leave it as 13 - 5 - 6, so the next smallest, "hr" (5),
    # is hidden too: the hidden cells hold 7 together
    assert doc["by_object"] == {"legal": {"responses": 6, "csat_mean": 3.0, "share_4_5": 0.0},
                                "hr": {"suppressed": "secondary"}, "it": {"suppressed": "primary"}}
    choices = doc["questionnaires"][0]["choices"]
    # the figures are hidden, the option's title (not personal data) is kept for the reader
    assert choices["q3"]["options"]["docs"] == {"title": "Много документов", "suppressed": "primary"}  # 2
    assert choices["q3"]["options"]["rude"] == {"title": "Грубость", "suppressed": "secondary"}  # 6
    assert choices["q3"]["options"]["queue"]["count"] == 11
    assert [p["option"] for p in doc["prevalence"]] == ["queue"]
    assert doc["questionnaires"][0]["csat"]["q1"]["n"] == 13
    assert doc["negative"]["answers"] == 39 and doc["negative"]["count"] == 2 * 3


def test_a_channel_is_not_given_back_by_the_total(omsk):
    """18 respondents, 14 online: showing the online figure alone would give the 4 offline answers back."""
    add_survey(omsk, [("2025-03-05 10:00", "hr", "staff", "internal", 4, (4, 4), ["queue"], "yes", "")] * 14)
    add_survey(omsk, [("2025-03-06 10:00", "hr", "staff", "internal", 2, (2, 2), ["docs"], "no", "")] * 4,
               channel="survey_offline")
    doc = _compute(omsk, "employee_surveys")
    assert doc["responses"] == 18
    assert doc["by_channel"] == {"survey_online": {"suppressed": "secondary"},
                                 "survey_offline": {"suppressed": "primary"}}


def test_employee_cells_of_a_tiny_group_keep_their_titles(omsk):
    add_survey(omsk, [("2025-03-05 10:00", "hr", "staff", "internal", 4, (4, 2), ["queue"], "yes", "")] * 2)
    doc = _compute(omsk, "employee_surveys")
    form = doc["questionnaires"][0]
    assert form["csat"] == {"q1": {"title": "1. Общая удовлетворенность", "suppressed": "primary"}}
    assert form["choices"]["q3"] == {"title": "3. С какими проблемами столкнулись?", "suppressed": "primary"}
    assert doc["parameters"] == {"overall": {"title": "Общая удовлетворенность", "suppressed": "primary"},
                                 "clarity": {"title": "Понятность подачи", "suppressed": "primary"},
                                 "speed": {"title": "Скорость", "suppressed": "primary"}}
    assert doc["by_channel"] == {"survey_online": {"suppressed": "primary"}}  # a channel's title is the office's
    assert doc["prevalence"] == []
    assert doc["negative"] == {"suppressed": "primary"}  # 2 respondents, though they gave 6 answers of 1-5


def test_no_answers_at_all(omsk):
    doc = _compute(omsk)
    assert doc["responses"] == 0 and doc["questionnaires"] == [] and doc["themes"] == []
    assert doc["parameters"] == {} and doc["prevalence"] == []
    assert doc["informed"] == {"answered": 0, "count": 0, "share": None}
    assert doc["negative"] == {"answers": 0, "count": 0, "share": None}


# Two questionnaires answered in one period, with the same keys asking different things (the demo's "handling of
# appeals" and "access to information" forms do this).
APPEALS_FORM = [
    {"key": "q1", "number": 1, "type": "scale", "text": "Удовлетворены рассмотрением?", "parameter": "overall"},
    {"key": "q2", "number": 2, "type": "multiple", "text": "Где узнали о приемной?",  # not about problems
     "options": [{"value": "site", "text": "Сайт"}, {"value": "media", "text": "СМИ"}]},
    {"key": "q3", "number": 3, "type": "single", "text": "Решен ли вопрос?",
     "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]},
    {"key": "q4", "number": 4, "type": "matrix", "text": "Оцените ответ",
     "rows": [{"key": "completeness", "text": "Полнота ответа"},
              {"key": "clarity", "text": "Понятность ответа", "parameter": "clarity"}]},
]
INFO_FORM = [
    {"key": "q1", "number": 1, "type": "multiple", "text": "Что помешало найти информацию?", "problems": True,
     "options": [{"value": "not_found", "text": "Информация отсутствует"},
                 {"value": "outdated", "text": "Информация устарела"},
                 {"value": "none", "text": "Ничего не мешало", "problem": False}]},
    {"key": "q2", "number": 2, "type": "scale", "text": "Удовлетворены доступностью информации?",
     "parameter": "overall"},
    {"key": "q3", "number": 3, "type": "scale", "text": "Оцените время поиска", "parameter": "search_time"},
    {"key": "q4", "number": 4, "type": "matrix", "text": "Оцените информацию",
     "rows": [{"key": "completeness", "text": "Полнота"},
              {"key": "clarity", "text": "Понятность изложения", "parameter": "clarity"}]},
]


def add_form(tenant, title, questions, obj, responses, audience="external"):
    """One questionnaire, one survey, and its responses: lists of answer dicts (SurveyAnswer fields)."""
    from otklik.models.survey import Questionnaire, QuestionnaireVersion, Survey, SurveyAnswer, SurveyResponse

    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        q = Questionnaire(title=title, audience=audience)
        v = QuestionnaireVersion(questionnaire=q, number=1, status="published", questions=questions)
        db.session.add_all([q, v])
        db.session.flush()
        s = Survey(questionnaire_version_id=v.id, title=f"Опрос: {title}", status="open", audience=audience)
        db.session.add(s)
        db.session.flush()
        for i, answers in enumerate(responses):
            r = SurveyResponse(survey_id=s.id, questionnaire_version_id=v.id, channel="survey_online",
                               audience=audience, object=obj, submitted_at=local(t.timezone, f"2025-03-1{i} 12:00"))
            db.session.add(r)
            db.session.flush()
            db.session.add_all(SurveyAnswer(response_id=r.id, survey_id=s.id, **a) for a in answers)
        db.session.commit()
        return q.id


def _appeals_answer(q1, where, solved, completeness, clarity):
    return ([dict(question_key="q1", value_num=q1), dict(question_key="q3", option=solved),
             dict(question_key="q4", row_key="completeness", value_num=completeness),
             dict(question_key="q4", row_key="clarity", value_num=clarity)]
            + [dict(question_key="q2", option=o) for o in where])


def _info_answer(problems, q2, q3, completeness, clarity):
    return ([dict(question_key="q2", value_num=q2), dict(question_key="q3", value_num=q3),
             dict(question_key="q4", row_key="completeness", value_num=completeness),
             dict(question_key="q4", row_key="clarity", value_num=clarity)]
            + [dict(question_key="q1", option=o) for o in problems])


def test_two_questionnaires_with_the_same_keys_are_kept_apart(omsk):
    a = add_form(omsk, "Рассмотрение обращений", APPEALS_FORM, "appeals", [
        _appeals_answer(5, ["site"], "yes", 5, 4),
        _appeals_answer(4, ["site", "media"], "no", 5, 2),
        _appeals_answer(1, [], "no", 5, 3),
    ])
    b = add_form(omsk, "Доступ к информации", INFO_FORM, "info", [
        _info_answer(["not_found"], 2, 5, 1, 1),
        _info_answer(["none"], 3, 4, 2, 5),
    ])
    doc = _compute(omsk)
    assert doc["responses"] == 5
    first, second = doc["questionnaires"]  # most answered first
    assert (first["id"], first["title"], first["responses"]) == (a, "Рассмотрение обращений", 3)
    assert (second["id"], second["title"], second["responses"]) == (b, "Доступ к информации", 2)
    # CSAT per questionnaire: A's q1 is its overall scale; B's q1 is a choice, its scales are q2 and q3
    assert first["csat"] == {"q1": {"title": "1. Удовлетворены рассмотрением?", "parameter": "overall", "n": 3,
                                    "mean": 3.33, "share_4_5": 0.6667, "share_1_2": 0.3333}}
    assert second["csat"] == {
        "q2": {"title": "2. Удовлетворены доступностью информации?", "parameter": "overall", "n": 2, "mean": 2.5,
               "share_4_5": 0.0, "share_1_2": 0.5},
        "q3": {"title": "3. Оцените время поиска", "parameter": "search_time", "n": 2, "mean": 4.5,
               "share_4_5": 1.0, "share_1_2": 0.0}}
    # choices per questionnaire, each with its own questions' titles and respondents
    assert first["choices"] == {
        "q2": {"title": "2. Где узнали о приемной?", "respondents": 2,
               "options": {"site": {"title": "Сайт", "count": 2, "share": 1.0},
                           "media": {"title": "СМИ", "count": 1, "share": 0.5}}},
        "q3": {"title": "3. Решен ли вопрос?", "respondents": 3,
               "options": {"no": {"title": "Нет", "count": 2, "share": 0.6667},
                           "yes": {"title": "Да", "count": 1, "share": 0.3333}}}}
    assert second["choices"]["q1"]["respondents"] == 2
    assert second["choices"]["q1"]["options"]["not_found"] == {"title": "Информация отсутствует", "count": 1,
                                                                "share": 0.5}
    # parameters with a code are comparable and aggregated: overall = A q1 (5, 4, 1) + B q2 (2, 3)
    params = doc["parameters"]
    assert params["overall"] == {"title": "Общая удовлетворенность", "n": 5, "mean": 3.0, "share_4_5": 0.4,
                                 "share_1_2": 0.4}
    assert params["clarity"] == {"title": "Понятность ответа", "n": 5, "mean": 3.0, "share_4_5": 0.4,
                                 "share_1_2": 0.4}  # 4, 2, 3 and 1, 5
    assert params["search_time"] == {"title": "Оцените время поиска", "n": 2, "mean": 4.5, "share_4_5": 1.0,
                                     "share_1_2": 0.0}
    # a matrix row without a parameter stays its questionnaire's own
    assert params[f"{a}.completeness"] == {"title": "Полнота ответа", "n": 3, "mean": 5.0, "share_4_5": 1.0,
                                           "share_1_2": 0.0}
    assert params[f"{b}.completeness"] == {"title": "Полнота", "n": 2, "mean": 1.5, "share_4_5": 0.0,
                                           "share_1_2": 1.0}
    assert "completeness" not in params
    # each object's satisfaction from its own questionnaire's overall question
    assert doc["by_object"] == {"appeals": {"responses": 3, "csat_mean": 3.33, "share_4_5": 0.6667},
                                "info": {"responses": 2, "csat_mean": 2.5, "share_4_5": 0.0}}
    # prevalence only of the question about problems; "where did you learn" and "nothing hindered" are no problems
    assert doc["prevalence"] == [{"questionnaire": b, "questionnaire_title": "Доступ к информации",
                                  "question": "q1", "option": "not_found", "title": "Информация отсутствует",
                                  "count": 1, "respondents": 2, "percent": 50, "level": "medium"}]
    # negative answers over every 1-5 answer of both: 17 answers, 6 of them 1 or 2
    assert doc["negative"] == {"answers": 17, "count": 6, "share": 0.3529}
    assert doc["informed"] == {"answered": 0, "count": 0, "share": None}
