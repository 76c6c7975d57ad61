"""Survey answers keep their submission time to the hour (issue 15, finding 9): a finer time could be matched with
other records to tell who answered. The public form, the paper entry and imports all store the start of the UTC
hour, and the analyses still count each answer in the local period it was given in."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from otklik.extensions import db
from otklik.localtime import as_utc
from otklik.models import Survey, SurveyResponse, Tenant
from otklik.periods import parse_period
from otklik.surveys import service
from otklik.surveys.volume import answers_in_period
from otklik.tenancy import tenant_scope

from .conftest import VLADIMIR_FORM, make_survey


def _stored_times(app, tenant_id) -> list[datetime]:
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant_id)):
        rows = db.session.execute(select(SurveyResponse.submitted_at).order_by(SurveyResponse.submitted_at)).scalars().all()
        return [as_utc(t) for t in rows]


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def test_public_form_stores_the_hour_only(app, client, open_survey):
    tenant, _, token = open_survey
    before = datetime.now(UTC)
    response = client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM)
    after = datetime.now(UTC)
    assert response.status_code == 303
    [stored] = _stored_times(app, tenant.id)
    assert (stored.minute, stored.second, stored.microsecond) == (0, 0, 0)
    assert stored in {_hour(before), _hour(after)}  # the hour it was sent in (the two differ only across an hour)


def test_paper_entry_stores_the_hour_only(app, client, open_survey, make_user, login_as):
    tenant, survey_id, _ = open_survey
    make_user("operator@example.org", tenant=tenant, role="operator")
    login_as("operator@example.org")
    response = client.post(f"/{tenant.slug}/office/surveys/{survey_id}/offline", data=VLADIMIR_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    [stored] = _stored_times(app, tenant.id)
    assert (stored.minute, stored.second, stored.microsecond) == (0, 0, 0)


def test_an_answer_keeps_its_local_period_when_cut_to_the_hour(app, make_tenant, run_jobs):
    """Omsk is UTC+6. 23:59:59 on 31 January in Omsk is 17:59:59 UTC, kept as 17:00 UTC = 23:00 in Omsk: still
    January. 00:00:30 on 1 February in Omsk is 18:00:30 UTC, kept as 18:00 UTC = 00:00 in Omsk: February.
    So the January analysis counts one response and the February one counts one."""
    omsk = make_tenant("omsk", slug="omsk-hour")
    survey_id, _ = make_survey(app, omsk, template_key="vladimir_appendix")
    zone = ZoneInfo("Asia/Omsk")
    late = datetime(2025, 1, 31, 23, 59, 59, 999999, tzinfo=zone)
    early = datetime(2025, 2, 1, 0, 0, 30, 123456, tzinfo=zone)
    with app.app_context():
        tenant = db.session.get(Tenant, omsk.id)
        with tenant_scope(tenant):
            survey = db.session.get(Survey, survey_id)
            for moment in (late, early):
                service.store_response(survey, {"q1": "child_allowance", "q3": "4"}, channel="survey_online",
                                       source="web", submitted_at=moment)
            db.session.commit()
            assert answers_in_period(tenant, "surveys", parse_period("2025-01")) == 1
            assert answers_in_period(tenant, "surveys", parse_period("2025-02")) == 1
    assert _stored_times(app, omsk.id) == [datetime(2025, 1, 31, 17, tzinfo=UTC), datetime(2025, 1, 31, 18, tzinfo=UTC)]

    from otklik.analysis.jobs import request_analysis
    from otklik.models import Analysis

    with app.app_context():
        tenant = db.session.get(Tenant, omsk.id)
        with tenant_scope(tenant):
            ids = [request_analysis(tenant, "surveys", p).id for p in ("2025-01", "2025-02")]
    run_jobs()
    with app.app_context():
        tenant = db.session.get(Tenant, omsk.id)
        with tenant_scope(tenant):
            docs = [db.session.get(Analysis, i) for i in ids]
            assert [d.status for d in docs] == ["done", "done"], [d.error for d in docs]
            assert [d.result["inputs"]["responses"] for d in docs] == [1, 1]


def test_russian_zones_are_whole_hours_off_utc(app):
    """The hour cut keeps the local day only in zones a whole number of hours off UTC: every Russian zone is, and
    so is every shipped profile's zone."""
    from pathlib import Path

    from otklik.profiles import load_profile

    russian = ["Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
               "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
               "Asia/Kamchatka", "Europe/Astrakhan", "Europe/Volgograd", "Asia/Novosibirsk"]
    profiles = [load_profile(p).timezone for p in Path(app.config["TENANTS_DIR"]).glob("*.toml")
                if not p.name.startswith("_")]
    for name in russian + profiles:
        for month in (1, 7):
            offset = datetime(2025, month, 15, tzinfo=ZoneInfo(name)).utcoffset()
            assert offset % timedelta(hours=1) == timedelta(0), name
