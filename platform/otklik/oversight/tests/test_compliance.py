"""The compliance calendar on a fixture calendar, states computed by hand (docs/OVERSIGHT.md).

Vladimir (Moscow time) tracked from 1 January 2025, seen on 20 May 2025:
- appeals 2025-Q1: the act's deadline (п. 21) is the 45th day after the quarter, 1 April + 44 = 15.05.2025;
  finished 01.04.2025 -> on time;
- surveys 2025-Q1: no deadline in the act, so 30 days after the quarter: 1 April + 29 = 30.04.2025; finished
  03.05.2025 -> late by 3 days;
- publication of the Q1 appeals analysis: due 15.05.2025, not published -> missing, 5 days overdue;
- 2025-Q2 (current): appeals and its publication due 1 July + 44 = 14.08.2025, 86 days from 20 May
  (11 + 30 + 31 + 14); surveys 1 July + 29 = 30.07.2025, 71 days -> not due;
- measures: one due 20.03.2025 done 18.03 (Q1: 1 of 1 on time); Q2: one due 10.05 done 13.05 (late by 3), one due
  15.05 still open (missing, 5 days) -> the quarter is missing, 5 days, 0 of 2 on time;
- additional collections: Q1's survey (1 Jan - 31 Mar) asked for 2 answers, got them on 01.02 and 05.02 -> on
  time; Q2's survey (1 Apr - 30 Jun) asked for 3 and has 2 -> not due, 41 days left (11 + 30).
"""

from datetime import UTC, date, datetime

import pytest

from otklik.extensions import db
from otklik.models import Analysis, Measure, Pain, PainEvent, Publication, Tenant
from otklik.models.painmap import AdditionalCollection
from otklik.models.survey import Questionnaire, QuestionnaireVersion, Survey, SurveyResponse
from otklik.oversight.compliance import calendar
from otklik.tenancy import tenant_scope

NOW = datetime(2025, 5, 20, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def msk(day: str, hour: int = 12) -> datetime:
    """Noon (or `hour`) of a Moscow day, as UTC."""
    from zoneinfo import ZoneInfo

    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, 0, tzinfo=ZoneInfo("Europe/Moscow")).astimezone(UTC)


def _survey(version, opens: str, closes: str, target: int, answers: list[str]):
    s = Survey(questionnaire_version_id=version.id, title="Доп. сбор", status="open", opens_at=msk(opens, 0),
               closes_at=msk(closes, 0))
    db.session.add(s)
    db.session.flush()
    db.session.add(AdditionalCollection(survey_id=s.id, population=1000, population_source="реестр",
                                        sample_size=target))
    db.session.add_all(SurveyResponse(survey_id=s.id, questionnaire_version_id=version.id, channel="survey_online",
                                      audience="external", submitted_at=msk(day)) for day in answers)


@pytest.fixture
def vladimir(app, make_tenant):
    v = make_tenant("vladimir", slug="vl-compliance", tracking_since=date(2025, 1, 1))
    with app.app_context():
        t = db.session.get(Tenant, v.id)
        with tenant_scope(t):
            db.session.add_all([
                Analysis(kind="appeals", period="2025-Q1", status="done", finished_at=msk("2025-04-01", 9)),
                Analysis(kind="surveys", period="2025-Q1", status="done", finished_at=msk("2025-05-03")),
                # a draft of the publication does not meet the deadline
                Publication(artifact="appeals_analysis", period="2025-Q1", version=1, status="draft"),
            ])
            pain = Pain(wording="Очередь")
            db.session.add(pain)
            db.session.flush()
            measures = [Measure(pain_id=pain.id, wording="A", due_date=date(2025, 3, 20), status="done"),
                        Measure(pain_id=pain.id, wording="B", due_date=date(2025, 5, 10), status="done"),
                        Measure(pain_id=pain.id, wording="C", due_date=date(2025, 5, 15), status="in_progress"),
                        Measure(pain_id=pain.id, wording="D", due_date=date(2025, 5, 1), status="cancelled")]
            db.session.add_all(measures)
            db.session.flush()
            for m, day in ((measures[0], "2025-03-18"), (measures[1], "2025-05-13")):
                db.session.add(PainEvent(pain_id=pain.id, measure_id=m.id, at=msk(day), field="status",
                                         old="in_progress", new="done"))
            q = Questionnaire(title="Анкета")
            version = QuestionnaireVersion(questionnaire=q, number=1, status="published", questions=[])
            db.session.add_all([q, version])
            db.session.flush()
            _survey(version, "2025-01-01", "2025-04-01", 2, ["2025-02-01", "2025-02-05"])
            _survey(version, "2025-04-01", "2025-07-01", 3, ["2025-04-10", "2025-04-11"])
            db.session.commit()
    return v


def _rows(app, **filters):
    with app.app_context():
        tenants = db.session.query(Tenant).all()
        return {(r.obligation, r.subject, r.period): (r.state, r.days, r.deadline, r.met_on, r.met, r.total)
                for r in calendar(tenants, NOW, **filters)}


def test_states_on_the_fixture_calendar(app, vladimir):
    rows = _rows(app)
    assert rows == {
        ("analysis", "appeals", "2025-Q1"): ("on_time", 0, date(2025, 5, 15), date(2025, 4, 1), 1, 1),
        ("analysis", "surveys", "2025-Q1"): ("late", 3, date(2025, 4, 30), date(2025, 5, 3), 1, 1),
        ("analysis", "appeals", "2025-Q2"): ("not_due", 86, date(2025, 8, 14), None, 1, 1),
        ("analysis", "surveys", "2025-Q2"): ("not_due", 71, date(2025, 7, 30), None, 1, 1),
        ("publication", "appeals_analysis", "2025-Q1"): ("missing", 5, date(2025, 5, 15), None, 1, 1),
        ("publication", "appeals_analysis", "2025-Q2"): ("not_due", 86, date(2025, 8, 14), None, 1, 1),
        ("measures", "", "2025-Q1"): ("on_time", 0, date(2025, 3, 31), date(2025, 3, 18), 1, 1),
        ("measures", "", "2025-Q2"): ("missing", 5, date(2025, 6, 30), date(2025, 5, 13), 0, 2),
        ("collections", "", "2025-Q1"): ("on_time", 0, date(2025, 3, 31), date(2025, 2, 5), 1, 1),
        ("collections", "", "2025-Q2"): ("not_due", 41, date(2025, 6, 30), None, 0, 1),
    }


def test_a_publication_three_days_late_and_one_due(app, vladimir):
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        db.session.add(Publication(artifact="appeals_analysis", period="2025-Q1", version=2, status="published",
                                   published_at=msk("2025-05-18", 23)))  # 23:00 in Moscow, 20:00 UTC: the 18th
        db.session.commit()
    assert _rows(app, obligation="publication")[("publication", "appeals_analysis", "2025-Q1")][:2] == ("late", 3)
    with app.app_context():
        early = calendar(db.session.query(Tenant).all(), datetime(2025, 5, 10, 9, tzinfo=UTC), obligation="publication")
    # on 10 May the deadline of 15 May is 5 days ahead, within the 10-day warning: due (the later version counts
    # from 18 May, so on 10 May nothing was out yet)
    assert [(r.period, r.state, r.days) for r in early] == [("2025-Q2", "not_due", 96), ("2025-Q1", "due", 5)]


def test_a_superseded_version_meets_the_deadline_a_withdrawn_one_does_not(app, vladimir):
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        db.session.add(Publication(artifact="appeals_analysis", period="2025-Q1", version=2, status="withdrawn",
                                   published_at=msk("2025-05-02")))
        db.session.commit()
    assert _rows(app)[("publication", "appeals_analysis", "2025-Q1")][:2] == ("missing", 5)
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        db.session.add(Publication(artifact="appeals_analysis", period="2025-Q1", version=3, status="superseded",
                                   published_at=msk("2025-05-14")))
        db.session.commit()
    assert _rows(app)[("publication", "appeals_analysis", "2025-Q1")][:4] == (
        "on_time", 0, date(2025, 5, 15), date(2025, 5, 14))


def test_a_period_without_its_analysis_is_missing_and_filters_narrow(app, vladimir, make_tenant):
    omsk = make_tenant("omsk", slug="om-compliance", tracking_since=date(2025, 4, 1))
    rows = _rows(app, region="Омская область", obligation="analysis")
    # Omsk from 1 April, on 20 May (Omsk: same day): April's surveys and employee surveys are due 30 days after
    # April, 1 May + 29 = 30.05.2025: not due, 10 days left -> due; nothing of Vladimir's passes the region filter
    assert rows[("analysis", "surveys", "2025-04")][:3] == ("due", 10, date(2025, 5, 30))
    assert all(obligation == "analysis" for obligation, _, _ in rows)
    with app.app_context():
        assert {r.tenant_id for r in calendar(db.session.query(Tenant).all(), NOW, region="Омская область")} == {
            omsk.id}
        late = calendar(db.session.query(Tenant).all(), datetime(2025, 6, 2, 9, tzinfo=UTC), state="missing",
                        obligation="analysis")
    # on 2 June nobody analysed Omsk's April: missing for 3 days (30 May + 3); Vladimir's analyses are all there
    assert {(r.tenant_id, r.subject, r.period, r.days) for r in late} == {
        (omsk.id, "surveys", "2025-04", 3), (omsk.id, "employee_surveys", "2025-04", 3)}


def test_admin_and_centre_pages_and_the_csv(app, client, login_as, make_user, make_tenant):
    """Pages read the real clock: the quarter two before today is long past its deadline (at most 45 days after
    it), its publication went out 3 days after the deadline: «с опозданием на 3 дн.» whatever today is."""
    from datetime import timedelta

    from otklik.periods import local_today, period_containing

    today = local_today("Europe/Moscow")
    two_back = period_containing(today, "quarter").previous().previous()
    deadline = two_back.end + timedelta(days=44)
    v = make_tenant("vladimir", slug="vl-pages", tracking_since=two_back.start)
    with app.app_context(), tenant_scope(db.session.get(Tenant, v.id)):
        db.session.add(Publication(artifact="appeals_analysis", period=two_back.name, version=1, status="published",
                                   published_at=msk((deadline + timedelta(days=3)).isoformat())))
        db.session.commit()
    make_user("admin@region.test", global_role="admin")
    make_user("analyst@centre.test", global_role="analyst")
    make_user("officer@vl.test", tenant=v, role="officer")

    login_as("officer@vl.test")
    assert client.get("/admin/compliance").status_code == 404
    assert client.get("/centre/compliance.csv").status_code == 404
    client.post("/logout")

    for who, url in (("admin@region.test", "/admin/compliance"), ("analyst@centre.test", "/centre/compliance")):
        login_as(who)
        page = client.get(url + "?obligation=publication").get_data(as_text=True)
        assert "Календарь исполнения обязанностей" in page
        row = page[page.index(f'data-period="{two_back.name}"'):]
        row = row[:row.index("</tr>")]
        assert "с опозданием на 3 дн." in row and deadline.strftime("%d.%m.%Y") in row
        assert 'data-obligation="analysis"' not in page  # the filter
        csv = client.get(url + ".csv?obligation=publication").get_data(as_text=True)
        header, *lines = csv.lstrip("\ufeff").splitlines()
        assert header == ("Орган власти;Регион;Обязанность;Предмет;Период;Пункт акта;Срок;Выполнено;Состояние;"
                          "Дней;Выполнено в срок;Всего")
        [line] = [x for x in lines if (deadline + timedelta(days=3)).strftime("%d.%m.%Y") in x]
        cells = line.split(";")
        assert cells[1:4] == ["Владимирская область", "Публикация", "Анализ обращений"]
        assert cells[6:10] == [deadline.strftime("%d.%m.%Y"), (deadline + timedelta(days=3)).strftime("%d.%m.%Y"),
                               "с опозданием на 3 дн.", "3"]
        client.post("/logout")
