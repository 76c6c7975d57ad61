"""The questionnaire engine: branching paths of the Vladimir form, validation of jumps, templates."""

import copy
from datetime import datetime

import pytest

from otklik.surveys.engine import answer_rows, check_answers, path, read_form, skipped, validate_questions
from otklik.surveys.templates import BUILTIN, VLADIMIR

from .conftest import VLADIMIR_FORM

QUESTIONS = VLADIMIR.questions


def keys(questions):
    return [q["key"] for q in questions]


def test_vladimir_form_is_complete():
    assert len(QUESTIONS) == 15
    assert [q["number"] for q in QUESTIONS] == list(range(1, 16))
    assert len(QUESTIONS[1]["options"]) == 6  # q2: where did you learn
    assert len(QUESTIONS[8]["rows"]) == 5  # q9: five parameters
    assert len(QUESTIONS[9]["options"]) == 4  # q10
    assert len(QUESTIONS[14]["options"]) == 5  # q15: education
    q4 = {o["value"]: o.get("goto") for o in QUESTIONS[3]["options"]}
    assert q4 == {"gosuslugi": None, "institution": 6, "mfc": 6}
    assert {o["value"]: o.get("goto") for o in QUESTIONS[6]["options"]} == {"yes": 9, "no": None}


@pytest.mark.parametrize("template", list(BUILTIN.values()), ids=list(BUILTIN))
def test_every_template_is_valid(template):
    assert validate_questions(template.questions) == []


def test_gosuslugi_path_goes_through_q5():
    assert "q5" in keys(path(QUESTIONS, {"q4": "gosuslugi", "q7": "no"}))
    assert skipped(QUESTIONS, {"q4": "gosuslugi", "q7": "no"}) == []


@pytest.mark.parametrize("how", ["institution", "mfc"])
def test_in_person_and_mfc_skip_to_q6(how):
    assert skipped(QUESTIONS, {"q4": how, "q7": "no"}) == ["q5"]


def test_q7_yes_skips_q8():
    assert skipped(QUESTIONS, {"q4": "gosuslugi", "q7": "yes"}) == ["q8"]
    assert skipped(QUESTIONS, {"q4": "mfc", "q7": "yes"}) == ["q5", "q8"]


def test_answers_of_skipped_questions_are_dropped_and_not_required():
    form = dict(VLADIMIR_FORM, q4="mfc", q8="no")  # q5 and q8 answered although skipped
    parsed = check_answers(QUESTIONS, form | {"q9": {k.split(".")[1]: v for k, v in form.items() if "." in k}})
    assert parsed.ok, parsed.errors
    assert "q5" not in parsed.answers and "q8" not in parsed.answers
    form.pop("q5")
    parsed = check_answers(QUESTIONS, read_form(QUESTIONS, form))
    assert parsed.ok and "q5" not in parsed.answers


def test_required_questions_on_the_path_are_required():
    form = dict(VLADIMIR_FORM)
    form.pop("q5")  # gosuslugi path: q5 is on it
    form.pop("q9.speed")
    parsed = check_answers(QUESTIONS, read_form(QUESTIONS, form))
    assert set(parsed.errors) == {"q5", "q9"}


def test_unknown_values_are_refused():
    parsed = check_answers(QUESTIONS, read_form(QUESTIONS, dict(VLADIMIR_FORM, q3="7", q13="other")))
    assert set(parsed.errors) == {"q3", "q13"}


def test_rows_follow_the_storage_contract():
    parsed = check_answers(QUESTIONS, read_form(QUESTIONS, VLADIMIR_FORM))
    rows = answer_rows(QUESTIONS, parsed.answers)
    q2 = [r["option"] for r in rows if r["question_key"] == "q2"]
    assert q2 == ["gosuslugi", "mfc"]
    q9 = {r["row_key"]: r["value_num"] for r in rows if r["question_key"] == "q9"}
    assert q9 == {"clarity": 4.0, "status_info": 3.0, "documents": 5.0, "speed": 4.0, "electronic": 5.0}
    q3 = [r for r in rows if r["question_key"] == "q3"][0]
    assert q3["value_num"] == 4.0 and q3["row_key"] == ""
    assert [r["option"] for r in rows if r["question_key"] == "q7"] == ["yes"]
    assert not any(r["question_key"] == "q8" for r in rows)


def test_backward_jump_is_refused():
    questions = copy.deepcopy(QUESTIONS)
    questions[6]["options"][1]["goto"] = 3  # q7 "no" -> q3: would loop
    errors = validate_questions(questions)
    assert len(errors) == 1 and "jumps back to question 3" in errors[0]


def test_jump_to_itself_is_refused():
    questions = copy.deepcopy(QUESTIONS)
    questions[3]["options"][0]["goto"] = 4
    assert any("jumps back to question 4" in e for e in validate_questions(questions))


def test_jump_to_a_missing_question_is_refused():
    questions = copy.deepcopy(QUESTIONS)
    questions[3]["options"][1]["goto"] = 42
    assert any("question 42, which does not exist" in e for e in validate_questions(questions))


def test_other_structural_errors():
    assert validate_questions([]) != []
    bad = [{"key": "a", "number": 1, "type": "single", "text": "x", "options": []},
           {"key": "a", "number": 1, "type": "weird", "text": ""},
           {"key": "m", "number": 3, "type": "matrix", "text": "m", "rows": []}]
    errors = " | ".join(validate_questions(bad))
    for fragment in ("needs options", "used twice", "must increase", "unknown type", "text is empty",
                     "a matrix needs rows"):
        assert fragment in errors


def test_synthetic_responses_follow_the_branching(app, open_survey):
    from datetime import date

    from sqlalchemy import func, select

    from otklik.extensions import db
    from otklik.models import Survey, SurveyAnswer, SurveyResponse, Tenant
    from otklik.surveys.synthetic import generate_responses
    from otklik.tenancy import tenant_scope

    tenant, survey_id, _ = open_survey
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        survey = db.session.get(Survey, survey_id)
        assert generate_responses(survey, 300, date(2026, 1, 1), date(2026, 4, 1), seed=7) == 300
        db.session.commit()
        assert db.session.execute(select(func.count(SurveyResponse.id))).scalar_one() == 300
        answers = db.session.execute(select(SurveyAnswer)).scalars().all()
        by_response: dict = {}
        for a in answers:
            by_response.setdefault(a.response_id, {})[a.question_key] = a.option
        for given in by_response.values():
            if given.get("q4") in ("institution", "mfc"):
                assert "q5" not in given
            if given.get("q7") == "yes":
                assert "q8" not in given
        means = [a.value_num for a in answers if a.question_key == "q3"]
        assert 3.3 < sum(means) / len(means) < 4.5
        first = db.session.execute(select(SurveyResponse).order_by(SurveyResponse.submitted_at)).scalars().first()
        assert first.submitted_at.replace(tzinfo=None) >= datetime(2025, 12, 31, 21, 0)


def test_the_problems_marker_is_checked():
    """`"problems": true` marks a choice question whose options are problems met (prevalence bands count them)."""
    questions = copy.deepcopy(QUESTIONS)
    questions[1]["problems"] = True  # q2, a multiple choice
    assert validate_questions(questions) == []
    questions[1]["problems"] = "yes"
    assert any('"problems" is true or false' in e for e in validate_questions(questions))
    questions[1]["problems"] = False
    questions[2]["problems"] = True  # q3, a 1-5 scale: not a list of problems
    assert ['Question 3: "problems" is true or false, and true only on a choice question (its options are the '
            'problems met).'] == validate_questions(questions)
