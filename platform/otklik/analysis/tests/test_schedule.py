"""The tick per tenant profile: what is due is enqueued once (twice ticked, two ticks at once, after downtime)."""

from datetime import UTC, date, datetime

from otklik.extensions import db
from otklik.jobs import tick
from otklik.models import Analysis, Publication, Tenant
from otklik.periods import parse_period
from otklik.publishing.deadlines import deadline_warnings
from otklik.schedule import due_periods, tenant_schedule
from otklik.tenancy import across_tenants, tenant_scope


def _enqueued(result, slug):
    return sorted(j.removeprefix(f"{slug}__") for j in result["enqueued"] if j.startswith(f"{slug}__"))


def _rows():
    from sqlalchemy import func, select

    return db.session.execute(across_tenants(select(func.count()).select_from(Analysis))).scalar_one()


def test_vladimir_quarterly_once_and_the_45_day_deadline(app, make_tenant, db_session):
    v = make_tenant("vladimir", slug="vl", tracking_since=date(2025, 1, 1))
    assert _enqueued(tick("2025-03-31T20:59:00+00:00"), "vl") == []  # 23:59 on 31 March in Moscow
    first = tick("2025-03-31T21:01:00+00:00")  # 00:01 on 1 April in Moscow
    assert _enqueued(first, "vl") == ["appeals__2025-Q1", "surveys__2025-Q1"]
    assert _enqueued(tick("2025-04-01T09:00:00+00:00"), "vl") == []  # a second tick enqueues nothing again
    assert _rows() == 2
    t = db_session.get(Tenant, v.id)
    with tenant_scope(t):
        assert deadline_warnings(t, date(2025, 5, 1)) == []  # more than 10 days before 15 May
        [warning] = deadline_warnings(t, date(2025, 5, 10))
        assert "I квартал 2025" in warning and "15.05.2025" in warning and "осталось 5 дн." in warning
        assert "45-го" in warning  # the clause of the act
        [overdue] = deadline_warnings(t, date(2025, 5, 20))
        assert "просрочено на 5 дн." in overdue
        # a done analysis is not a publication: the deadline is met only when the analysis is published
        db_session.execute(across_tenants(
            Analysis.__table__.update().where(Analysis.tenant_id == t.id).values(status="done")))
        db_session.commit()
        assert len(deadline_warnings(t, date(2025, 5, 10))) == 1
        db_session.add(Publication(artifact="appeals_analysis", period="2025-Q1", status="published",
                                   published_at=datetime(2025, 5, 12, 9, tzinfo=UTC)))
        db_session.commit()
        assert len(deadline_warnings(t, date(2025, 5, 11))) == 1  # not out yet on 11 May
        assert deadline_warnings(t, date(2025, 5, 12)) == []  # published on 12 May: nothing to warn of
        assert deadline_warnings(t, date(2025, 5, 20)) == []


def test_omsk_monthly_surveys_quarterly_and_yearly_appeals(app, make_tenant, db_session):
    make_tenant("omsk", slug="om", tracking_since=date(2025, 10, 1))
    # 00:30 on 1 January 2026 in Omsk (UTC+6) is 18:30 UTC on 31 December
    r = tick("2025-12-31T18:30:00+00:00")
    assert _enqueued(r, "om") == sorted([
        "appeals__2025-Q4", "appeals__2025",
        "surveys__2025-10", "surveys__2025-11", "surveys__2025-12",
        "employee_surveys__2025-10", "employee_surveys__2025-11", "employee_surveys__2025-12",
    ])
    assert _enqueued(tick("2025-12-31T19:00:00+00:00"), "om") == []


def test_astrakhan_half_yearly(app, make_tenant, db_session):
    make_tenant("astrakhan", slug="as", tracking_since=date(2025, 1, 1))
    assert _enqueued(tick("2025-06-30T12:00:00+00:00"), "as") == []
    assert _enqueued(tick("2025-07-01T00:00:00+00:00"), "as") == ["appeals__2025-H1", "surveys__2025-H1"]
    assert _enqueued(tick("2026-01-01T00:00:00+00:00"), "as") == [
        "appeals__2025-H2", "employee_surveys__2025", "surveys__2025-H2"]


def test_nenets_surveys_monthly_by_volume_else_quarterly(app, make_tenant, db_session):
    n = make_tenant("nenets", slug="nn", tracking_since=date(2025, 1, 1))
    t = db_session.get(Tenant, n.id)
    [entry] = [e for e in tenant_schedule(t) if e.kind == "surveys"]
    assert entry.cadence == "month_or_quarter" and entry.min_monthly_volume == 30
    volume = {"2025-01": 45, "2025-02": 30, "2025-03": 12}
    due = due_periods(t, entry, date(2025, 4, 1), lambda p: volume.get(p.name, 0))
    # January and February have enough answers on their own; March does not, so the quarter is analysed
    assert [p.name for p in due] == ["2025-01", "2025-02", "2025-Q1"]
    all_months = due_periods(t, entry, date(2025, 4, 1), lambda p: 30)
    assert [p.name for p in all_months] == ["2025-01", "2025-02", "2025-03"]
    # with no survey answers at all the tick falls back to the quarter; appeals are quarterly
    r = _enqueued(tick("2025-04-01T00:00:00+00:00"), "nn")
    assert "appeals__2025-Q1" in r and "surveys__2025-Q1" in r
    assert not any(x.startswith("surveys__2025-0") for x in r)


def test_downtime_catches_up_each_missed_period_once(app, make_tenant, db_session):
    make_tenant("vladimir", slug="vd", tracking_since=date(2025, 1, 1))
    assert _enqueued(tick("2025-02-01T00:00:00+00:00"), "vd") == []
    # the scheduler was down from February to August: Q1 and Q2 are both due now, once
    assert _enqueued(tick("2025-08-01T00:00:00+00:00"), "vd") == [
        "appeals__2025-Q1", "appeals__2025-Q2", "surveys__2025-Q1", "surveys__2025-Q2"]
    assert _enqueued(tick("2025-08-01T00:05:00+00:00"), "vd") == []


def test_scheduled_analysis_runs_on_a_worker(app, make_tenant, db_session, run_jobs):
    from .helpers import add_appeals

    v = make_tenant("vladimir", slug="vw", tracking_since=date(2025, 1, 1))
    add_appeals(v, [dict(registered_at="2025-02-01 10:00", channel="post")] * 2)
    tick("2025-04-02T00:00:00+00:00")
    run_jobs()
    db.session.remove()
    from sqlalchemy import select

    rows = db.session.execute(across_tenants(select(Analysis).order_by(Analysis.kind))).scalars().all()
    assert [(a.kind, a.period, a.status) for a in rows] == [("appeals", "2025-Q1", "done"),
                                                            ("surveys", "2025-Q1", "done")]
    assert rows[0].result["by_channel"] == {"post": {"count": 2, "share": 1.0}}
    assert parse_period(rows[0].period).cadence == "quarter"


def test_nenets_volume_counts_real_survey_answers(app, make_tenant, db_session):
    """With the surveys' own counter: January's 30 answers make it a monthly analysis; February's 5 and March's
    none send the rest to the quarter."""
    from .test_survey_metrics import add_survey

    n = make_tenant("nenets", slug="nv", tracking_since=date(2025, 1, 1))
    row = ("2025-01-15 10:00", "pension", "", "external", 4, (4, 4), [], "yes", "")
    add_survey(n, [row] * 30 + [("2025-02-03 10:00", *row[1:])] * 5)
    assert _enqueued(tick("2025-02-01T00:00:00+00:00"), "nv") == ["surveys__2025-01"]
    assert _enqueued(tick("2025-04-01T00:00:00+00:00"), "nv") == [
        "appeals__2025-Q1", "employee_surveys__2025-Q1", "surveys__2025-Q1"]


def test_claim_due_inserts_only_what_is_not_there(app, make_tenant, db_session):
    """The tick's claim: one statement per tenant; a (kind, period) already there is skipped by the unique key,
    the rows it inserts carry the period's bounds and the deterministic job id."""
    from sqlalchemy import select

    from otklik.jobs import claim_due

    v = make_tenant("vladimir", slug="vc", tracking_since=date(2025, 1, 1))
    t = db_session.get(Tenant, v.id)
    with tenant_scope(t):
        first = claim_due(t, [("appeals", "2025-Q1"), ("surveys", "2025-Q1")])
        again = claim_due(t, [("appeals", "2025-Q1"), ("appeals", "2025-Q2")])
        rows = db_session.execute(select(Analysis).order_by(Analysis.id)).scalars().all()
    assert [(k, p) for _, k, p in first] == [("appeals", "2025-Q1"), ("surveys", "2025-Q1")]
    assert [(k, p) for _, k, p in again] == [("appeals", "2025-Q2")]
    assert [(a.kind, a.period, a.status, a.job_id, a.period_start, a.period_end) for a in rows] == [
        ("appeals", "2025-Q1", "queued", "vc__appeals__2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("surveys", "2025-Q1", "queued", "vc__surveys__2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("appeals", "2025-Q2", "queued", "vc__appeals__2025-Q2", date(2025, 4, 1), date(2025, 6, 30)),
    ]
