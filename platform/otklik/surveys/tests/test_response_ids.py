"""A response's id is no ordered trail (issue 23, item 5): submissions within one hour, whose stored time is cut to
the hour, cannot be put back in the order they came in by their ids, through the public form (PostgreSQL: one
statement with the database's random default; SQLite: the ORM's) as through any other way in."""

from sqlalchemy import select

from otklik.extensions import db
from otklik.models import SurveyAnswer, SurveyResponse, Tenant
from otklik.tenancy import tenant_scope

from .conftest import VLADIMIR_FORM


def test_ids_of_submissions_in_one_hour_are_not_in_their_order(app, client, open_survey):
    tenant, _survey_id, token = open_survey
    for _ in range(12):
        assert client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM).status_code == 303
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        rows = db.session.execute(select(SurveyResponse.id, SurveyResponse.submitted_at)).all()
        answered = set(db.session.execute(select(SurveyAnswer.response_id)).scalars())
    ids = [r.id for r in rows]
    assert len(set(ids)) == 12 and answered == set(ids)  # every answer still belongs to its response
    assert len({r.submitted_at for r in rows}) <= 2  # the time says the hour (two if the test crossed one)
    # 12 random ids are in their submission order with probability 1/12! (2e-9); sequential ids always are, and
    # sit next to each other
    assert ids != sorted(ids) or max(ids) - min(ids) > 10**9
    assert max(ids) - min(ids) > 10**6 and max(ids) < 2**53
