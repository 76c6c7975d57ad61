"""Standard survey indicators (issue 13, item 1): questions and matrix rows carry an `indicator` key of the
vocabulary, checked where questionnaires are validated; the built-in forms carry them."""

import copy

from otklik.surveys.engine import validate_questions
from otklik.surveys.templates import APPEALS_HANDLING, VLADIMIR
from otklik.vocabulary import SURVEY_INDICATORS


def _indicators(questions):
    found = {}
    for q in questions:
        if q.get("indicator"):
            found[q["key"]] = q["indicator"]
        for row in q.get("rows") or []:
            if row.get("indicator"):
                found[f"{q['key']}.{row['key']}"] = row["indicator"]
    return found


def test_the_vladimir_form_carries_all_nine_indicators():
    assert _indicators(VLADIMIR.questions) == {
        "q3": "overall", "q8": "informed", "q9.clarity": "clarity", "q9.status_info": "status_info",
        "q9.documents": "documents", "q9.speed": "speed", "q9.electronic": "electronic", "q10": "politeness",
        "q11": "deadlines"}
    assert set(_indicators(VLADIMIR.questions).values()) == set(SURVEY_INDICATORS)


def test_an_unknown_indicator_is_refused_with_the_allowed_ones(app):
    questions = copy.deepcopy(APPEALS_HANDLING.questions)
    questions[1]["indicator"] = "happiness"
    questions[3]["rows"][0]["indicator"] = "speedy"
    with app.test_request_context("/?lang=ru"):
        errors = validate_questions(questions)
    assert len(errors) == 2
    assert errors[0].startswith("Вопрос 2: неизвестный показатель happiness; допустимы: overall (Общая удовлетворенность)")
    assert "Вопрос 4: неизвестный показатель speedy" in errors[1]


def test_an_indicator_on_an_open_question_or_a_whole_matrix_is_refused(app):
    questions = copy.deepcopy(APPEALS_HANDLING.questions)
    questions[6]["indicator"] = "overall"  # q7, open
    questions[3]["indicator"] = "clarity"  # q4, the matrix itself
    with app.test_request_context("/?lang=ru"):
        errors = validate_questions(questions)
    assert [e.split(":")[0] for e in errors] == ["Вопрос 4", "Вопрос 7"]
    assert all("показатель указывается" in e for e in errors)
