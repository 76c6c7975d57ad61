"""Fixtures of the survey tests: a Vladimir tenant with an open survey of the Vladimir form."""

from __future__ import annotations

import pytest

from otklik.extensions import db
from otklik.models import Tenant
from otklik.surveys import service
from otklik.surveys.templates import BUILTIN
from otklik.tenancy import tenant_scope

# A complete path through the Vladimir form for the Gosuslugi branch (q4 = gosuslugi answers q5; q7 = yes -> q9).
VLADIMIR_FORM = {
    "q1": "child_allowance", "q2": ["gosuslugi", "mfc"], "q3": "4", "q4": "gosuslugi", "q5": "5", "q6": "self",
    "q7": "yes", "q9.clarity": "4", "q9.status_info": "3", "q9.documents": "5", "q9.speed": "4",
    "q9.electronic": "5", "q10": "yes", "q11": "yes", "q12": "hard", "q13": "female", "q14": "30-44",
    "q15": "higher",
}


def make_survey(app, tenant, template_key="vladimir_appendix", status="open", **fields):
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            questionnaire = service.create_from_template(BUILTIN[template_key])
            service.publish(questionnaire.latest)
            from otklik.models import Survey

            survey = Survey(questionnaire_version_id=questionnaire.latest.id, title=fields.pop("title", "Опрос"),
                            object=fields.pop("object", "Ежемесячная выплата на ребенка"),
                            audience=questionnaire.audience, channels=["survey_online", "survey_offline"],
                            status=status, **fields)
            db.session.add(survey)
            db.session.commit()
            return survey.id, survey.token


@pytest.fixture
def vladimir(make_tenant):
    return make_tenant("vladimir", slug="vladimir")


@pytest.fixture
def open_survey(app, vladimir):
    survey_id, token = make_survey(app, vladimir)
    return vladimir, survey_id, token
