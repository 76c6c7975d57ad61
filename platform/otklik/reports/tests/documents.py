"""What the report tests read: registers and survey answers put in the database, analysed by the engine, and one
hand-made document of schema 1 (as documents stored before schema 2 look) for the versioned reader.

The expected figures are worked out by hand in the tests, from the rows below.
"""

from __future__ import annotations

from datetime import date, timedelta

from otklik.analysis.runner import run
from otklik.analysis.tests.helpers import add_appeals, local
from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.tenancy import tenant_scope

PAYMENT = "Назначение ежемесячной выплаты"
UTILITIES = "Компенсация ЖКУ"
FORMULA = '=HYPERLINK("http://evil")'  # a reason typed as a formula: stays text in every report
TOPIC_PAYMENT = "0002.0014.0146.0466"
TOPIC_UTILITIES = "0003.0008.0086.0543"

# Vladimir's first quarter of 2025: 1 000 appeals registered on 10 February (Moscow time), answered (or not) after
# so many days. (count, channel, kind, reason, topic, outcome, days to the answer or None)
QUARTER = [
    (400, "website", "appeal", PAYMENT, TOPIC_PAYMENT, "explained", 10),
    (5, "website", "complaint", PAYMENT, TOPIC_PAYMENT, "supported", 20),
    (8, "website", "complaint", PAYMENT, TOPIC_PAYMENT, "not_supported", 20),
    (2, "website", "complaint", PAYMENT, TOPIC_PAYMENT, "pending", None),
    (5, "email", "appeal", PAYMENT, TOPIC_PAYMENT, "explained", 20),
    (265, "email", "appeal", UTILITIES, TOPIC_UTILITIES, "explained", 20),
    (30, "email", "appeal", "", TOPIC_UTILITIES, "redirected", 30),
    (17, "post", "appeal", UTILITIES, TOPIC_UTILITIES, "explained", 20),
    (29, "post", "appeal", UTILITIES, TOPIC_UTILITIES, "pending", None),
    (3, "post", "appeal", FORMULA, TOPIC_UTILITIES, "pending", None),
    (5, "post", "complaint", "", TOPIC_PAYMENT, "pending", None),
    (20, "post", "appeal", "", TOPIC_UTILITIES, "redirected", 30),
    (10, "post", "appeal", "", TOPIC_PAYMENT, "explained", 30),
    (101, "post", "appeal", "", TOPIC_PAYMENT, "pending", None),
    (40, "reception", "appeal", "", TOPIC_PAYMENT, "explained", 40),
    (60, "reception", "appeal", "", TOPIC_UTILITIES, "pending", None),
]
REGISTERED = date(2025, 2, 10)


def add_quarter(tenant) -> None:
    """QUARTER into the register, and one appeal of 1 April 00:10 in Moscow (still 31 March in UTC): the second
    quarter's, counted nowhere in the first."""
    rows = []
    for count, channel, kind, reason, topic, outcome, days in QUARTER:
        answered = None if days is None else f"{REGISTERED + timedelta(days=days)} 10:00"
        rows += [dict(channel=channel, kind=kind, reason=reason, topic_code=topic, outcome=outcome,
                      registered_at=f"{REGISTERED} 10:00", answered_at=answered)] * count
    rows.append(dict(channel="website", kind="complaint", reason=PAYMENT, topic_code=TOPIC_PAYMENT,
                     outcome="not_supported", registered_at="2025-04-01 00:10"))
    add_appeals(tenant, rows)


def analysed(tenant, kind: str, period: str) -> int:
    """An analysis of the period run through the engine (`runner.run`), as a worker runs it; its id."""
    with tenant_scope(db.session.get(Tenant, tenant.id)):
        row = Analysis(kind=kind, period=period, status="queued")
        db.session.add(row)
        db.session.commit()
        analysis_id = row.id
    run(analysis_id)
    return analysis_id


# Omsk's March of 2025: two questionnaires whose question keys overlap (q1 is a different question in each).
FORM_1 = [
    {"key": "q1", "number": 1, "type": "scale", "text": "Насколько Вы в целом удовлетворены?", "parameter": "overall"},
    {"key": "q2", "number": 2, "type": "matrix", "text": "Оцените",
     "rows": [{"key": "clarity", "text": "Понятность и удобство подачи заявления", "parameter": "clarity"},
              {"key": "status_info", "text": "Информирование о статусе услуги", "parameter": "status_info"}]},
    {"key": "q3", "number": 3, "type": "yesno", "text": "Вас информировали о сроках предоставления услуги?",
     "parameter": "informed", "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]},
    {"key": "q4", "number": 4, "type": "multiple", "text": "С какими трудностями Вы столкнулись?", "problems": True,
     "options": [{"value": "queue", "text": "Очереди"}, {"value": "docs", "text": "Много документов"},
                 {"value": "none", "text": "Трудностей не было", "problem": False}]},
    {"key": "q5", "number": 5, "type": "open", "text": "Что улучшить?"},
]
FORM_2 = [
    {"key": "q1", "number": 1, "type": "scale", "text": "Удовлетворены ли Вы доступностью информации?",
     "parameter": "overall"},
    {"key": "q2", "number": 2, "type": "single", "text": "Удалось ли Вам найти нужную информацию?",
     "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]},
    {"key": "q3", "number": 3, "type": "multiple", "text": "Что помешало найти информацию?", "problems": True,
     "options": [{"value": "not_found", "text": "Информация отсутствует"},
                 {"value": "outdated", "text": "Информация устарела"}]},
]
# (local submitted, channel, q1, clarity, status_info, q3, q4 options, q5)
ANSWERS_1 = [
    ("2025-03-03 10:00", "survey_online", 5, 5, 4, "yes", [], ""),
    ("2025-03-04 10:00", "survey_online", 4, 4, 3, "yes", ["queue"], "Долго ждать в очереди"),
    ("2025-03-05 10:00", "survey_online", 4, 5, 2, "no", ["queue", "docs"], "Очередь с утра"),
    ("2025-03-06 10:00", "survey_online", 5, 4, 4, "yes", ["none"], ""),
    ("2025-03-07 10:00", "survey_online", 3, 3, 2, "no", ["queue"], ""),
    ("2025-03-10 10:00", "survey_online", 2, 4, 3, "yes", ["docs"], ""),
    ("2025-03-11 10:00", "survey_offline", 4, 5, 4, "yes", ["none"], ""),
    ("2025-03-31 23:30", "survey_offline", 5, 4, 4, "no", ["queue"], ""),  # 23:30 in Omsk: still March
    ("2025-04-01 00:30", "survey_online", 1, 1, 1, "no", ["queue"], "Апрель"),  # April in Omsk: not counted
]
# (local submitted, channel, q1, q2, q3 options)
ANSWERS_2 = [
    ("2025-03-12 10:00", "survey_online", 3, "yes", []),
    ("2025-03-13 10:00", "survey_online", 2, "no", ["not_found"]),
    ("2025-03-14 10:00", "survey_offline", 4, "yes", ["outdated"]),
    ("2025-03-17 10:00", "survey_offline", 3, "no", ["not_found", "outdated"]),
]


def _questionnaire(t, title: str, questions: list, versions: int):
    from otklik.models.survey import Questionnaire, QuestionnaireVersion

    q = Questionnaire(title=title, audience="external")
    db.session.add(q)
    for number in range(1, versions + 1):
        v = QuestionnaireVersion(questionnaire=q, number=number, status="published", questions=questions)
        db.session.add(v)
    db.session.flush()
    return v


def _survey(t, version, title: str, obj: str, token: str, answers: list[tuple[str, str, list[dict]]]) -> None:
    from otklik.models.survey import Survey, SurveyAnswer, SurveyResponse

    s = Survey(questionnaire_version_id=version.id, title=title, object=obj, token=token, status="open",
               audience="external", channels=["survey_online", "survey_offline"])
    db.session.add(s)
    db.session.flush()
    for when, channel, values in answers:
        r = SurveyResponse(survey_id=s.id, questionnaire_version_id=version.id, channel=channel,
                           audience="external", object=obj, submitted_at=local(t.timezone, when))
        db.session.add(r)
        db.session.flush()
        db.session.add_all(SurveyAnswer(response_id=r.id, survey_id=s.id, **a) for a in values)


def add_month(tenant) -> None:
    """The two surveys of the month: «Опрос получателей услуги» (form no. 1, version 1; token `form-1`) and
    «Опрос о доступе к информации» (its questionnaire's version 2; token `info-2`)."""
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        first = _questionnaire(t, "Анкета получателя государственной услуги (форма № 1)", FORM_1, versions=1)
        _survey(t, first, "Опрос получателей услуги", "Меры социальной поддержки", "form-1", [
            (when, channel, [dict(question_key="q1", value_num=q1),
                             dict(question_key="q2", row_key="clarity", value_num=clarity),
                             dict(question_key="q2", row_key="status_info", value_num=status),
                             dict(question_key="q3", option=q3)]
             + [dict(question_key="q4", option=o) for o in q4] + ([dict(question_key="q5", text=q5)] if q5 else []))
            for when, channel, q1, clarity, status, q3, q4, q5 in ANSWERS_1])
        second = _questionnaire(t, "Анкета о доступе к информации", FORM_2, versions=2)
        _survey(t, second, "Опрос о доступе к информации", "Доступ к информации", "info-2", [
            (when, channel, [dict(question_key="q1", value_num=q1), dict(question_key="q2", option=q2)]
             + [dict(question_key="q3", option=o) for o in q3])
            for when, channel, q1, q2, q3 in ANSWERS_2])
        db.session.commit()


def schema_1_survey_document(tenant_slug: str) -> dict:
    """A survey document as schema 1 stored it (before the engine wrote schema 2): CSAT and choices at the top
    level, no questionnaires, open answers under `open_answers`, a hidden cell as `true`."""
    return {
        "schema": 1,
        "tenant": tenant_slug,
        "kind": "surveys",
        "period": "2024-12",
        "cadence": "month",
        "period_start": "2024-12-01",
        "period_end": "2024-12-31",
        "timezone": "Asia/Omsk",
        "computed_at": "2025-01-01T03:00:00+00:00",
        "responses": {"count": 40},
        "survey": {"title": "Опрос получателей услуги", "link": f"/{tenant_slug}/s/old-form",
                   "instrument": "Анкета получателя государственной услуги (форма № 1) (версия 1)",
                   "surveys": [{"id": 1, "title": "Опрос получателей услуги", "link": f"/{tenant_slug}/s/old-form",
                                "object": "Меры социальной поддержки",
                                "instrument": "Анкета получателя государственной услуги (форма № 1) (версия 1)",
                                "responses": 40}]},
        "by_channel": {"survey_online": {"count": 37, "share": 0.925}, "survey_offline": {"suppressed": True}},
        "csat": {"q1": {"title": "1. Насколько Вы в целом удовлетворены?", "parameter": "overall", "n": 40,
                        "mean": 4.25, "share_4_5": 0.8}},
        "choices": {"q3": {"title": "3. Удалось ли Вам найти нужную информацию?", "respondents": 40,
                           "options": {"yes": {"title": "Да", "count": 30, "share": 0.75},
                                       "no": {"title": "Нет", "count": 10, "share": 0.25}}}},
        "open_answers": [{"theme": "очередь", "count": 6, "share": 0.15, "examples": ["Долго ждать в очереди"],
                          "lemmas": ["очередь"]}],
        "inputs": {"responses": 40, "open_answers": 6},
        "signals": [],
    }
