"""The standard survey indicators of an analysis (issue 13, item 1): per indicator key, answers and answers of 4-5
(yes for a yes/no question), counted by hand; the document passes its declared shape."""

import copy

import pytest

from otklik.results.document import check

from . import test_survey_metrics as sm

QUESTIONS = copy.deepcopy(sm.QUESTIONS)
QUESTIONS[0]["indicator"] = "overall"
QUESTIONS[1]["rows"][0]["indicator"] = "clarity"
QUESTIONS[1]["rows"][1]["indicator"] = "speed"
QUESTIONS[3]["indicator"] = "informed"


@pytest.fixture
def omsk(make_tenant, db_session, monkeypatch):
    monkeypatch.setattr(sm, "QUESTIONS", QUESTIONS)
    return make_tenant("omsk", slug="omsk-ind")


def test_indicators_by_hand(omsk):
    sm.add_survey(omsk, sm.RESPONSES)
    doc = sm._compute(omsk)
    # March: q1 5, 4, 2, 1 -> 2 of 4; r1 4, 5, 3, 1 -> 2 of 4; r2 2, 1, 2, 1 -> 0 of 4; q4 yes, no, yes, yes -> 3 of 4
    assert doc["indicators"] == {"overall": {"count": 2, "of": 4, "share": 0.5},
                                 "clarity": {"count": 2, "of": 4, "share": 0.5},
                                 "speed": {"count": 0, "of": 4, "share": 0.0},
                                 "informed": {"count": 3, "of": 4, "share": 0.75}}
    assert list(doc["indicators"]) == ["overall", "clarity", "speed", "informed"]  # the vocabulary's order
    check(doc)


def test_employee_indicators_below_the_minimum_group_are_suppressed(omsk):
    sm.add_survey(omsk, sm.RESPONSES, audience_override="internal")
    doc = sm._compute(omsk, kind="employee_surveys")
    assert doc["indicators"]["overall"] == {"suppressed": "primary"}  # 4 answers < 5
    check(doc)


def test_no_indicator_no_figures(make_tenant, db_session):
    tenant = make_tenant("omsk", slug="omsk-noind")
    sm.add_survey(tenant, sm.RESPONSES)  # the questions without indicators
    assert sm._compute(tenant)["indicators"] == {}
