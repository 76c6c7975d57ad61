"""The tick follows due work (issue 21, item 1): a tenant with nothing due is not asked, a change of what a duty
watches makes it due again, and the moments stored are the ones the acts give (worked out by hand below)."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from otklik.extensions import db
from otklik.jobs import due_tenants, tick, tick_duties
from otklik.models import Analysis, DueWork, Tenant
from otklik.tenancy import across_tenants, tenant_scope


def _names():
    return [name for name, _ in tick_duties()]


def _due_at(app, duty):
    with app.app_context():
        at = db.session.execute(select(DueWork.due_at).where(DueWork.duty == duty)).scalar_one()
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def _settle(app, make_tenant, run_jobs):
    """Vladimir tracked from 2025; its Q1 analyses claimed on 2 April, run, and a tick after the run."""
    make_tenant("vladimir", slug="vlad", tracking_since=date(2025, 1, 1))
    with app.app_context():
        assert sorted(tick("2025-04-02T09:00:00+00:00")["enqueued"]) == ["vlad__appeals__2025-Q1",
                                                                          "vlad__surveys__2025-Q1"]
    run_jobs()
    with app.app_context():
        tick("2025-04-02T09:10:00+00:00")  # the finished analyses marked the tenant due; this pass settles it


def test_an_idle_authority_is_not_asked_until_its_next_moment(app, make_tenant, run_jobs):
    _settle(app, make_tenant, run_jobs)
    with app.app_context():
        assert due_tenants(datetime(2025, 4, 2, 9, 15, tzinfo=UTC), _names()) == {}
        assert due_tenants(datetime(2025, 5, 4, 20, 59, tzinfo=UTC), _names()) == {}
    # The second quarter ends at midnight of 1 July in Moscow (UTC+3): 30 June 21:00 UTC.
    assert _due_at(app, "analyses") == datetime(2025, 6, 30, 21, 0, tzinfo=UTC)
    # Vladimir 21: Q1 is published by 15 May (45th day); the warning starts 10 days before, at Moscow midnight.
    assert _due_at(app, "publishing.deadlines") == datetime(2025, 5, 4, 21, 0, tzinfo=UTC)
    assert _due_at(app, "analyses.recover") is None  # nothing queued: only a change brings it back
    with app.app_context():
        assert due_tenants(datetime(2025, 5, 5, 6, 0, tzinfo=UTC), _names()) == {_tenant_id(): {"publishing.deadlines"}}
        warned = tick("2025-05-05T06:00:00+00:00")
        assert warned["enqueued"] == []
        assert any("vlad" in w and "15.05.2025" in w for w in warned["warnings"])
        later = tick("2025-07-01T06:00:00+00:00")
    assert sorted(later["enqueued"]) == ["vlad__appeals__2025-Q2", "vlad__surveys__2025-Q2"]


def _tenant_id():
    return db.session.execute(across_tenants(select(Tenant.id).where(Tenant.slug == "vlad"))).scalar_one()


def test_a_deleted_analysis_makes_its_period_due_again(app, make_tenant, run_jobs):
    _settle(app, make_tenant, run_jobs)
    with app.app_context():
        tenant = db.session.execute(across_tenants(select(Tenant).where(Tenant.slug == "vlad"))).scalar_one()
        with tenant_scope(tenant):
            db.session.delete(db.session.execute(select(Analysis).where(Analysis.kind == "appeals")).scalar_one())
            db.session.commit()
        assert "analyses" in due_tenants(datetime(2025, 4, 2, 9, 20, tzinfo=UTC), _names())[tenant.id]
        again = tick("2025-04-02T09:20:00+00:00")
    assert again["enqueued"] == ["vlad__appeals__2025-Q1"]


def test_a_changed_setting_makes_every_duty_due(app, make_tenant, run_jobs):
    _settle(app, make_tenant, run_jobs)
    with app.app_context():
        tenant = db.session.execute(across_tenants(select(Tenant).where(Tenant.slug == "vlad"))).scalar_one()
        tenant.name = tenant.name + " (renamed)"
        db.session.commit()
        assert due_tenants(datetime(2025, 4, 2, 9, 20, tzinfo=UTC), _names())[tenant.id] == set(_names())


def test_a_tick_for_an_earlier_moment_asks_again(app, make_tenant, run_jobs):
    """A replayed calendar (a tick for a moment before the last one) is not answered from rows written later."""
    _settle(app, make_tenant, run_jobs)
    with app.app_context():
        assert due_tenants(datetime(2025, 4, 2, 9, 0, tzinfo=UTC), _names()) != {}


def test_a_new_authority_is_due_at_once(app, make_tenant):
    make_tenant("omsk", slug="omsk-new", tracking_since=date(2025, 1, 1))
    with app.app_context():
        due = due_tenants(datetime(2025, 1, 2, tzinfo=UTC), _names())
        assert list(due.values()) == [None]  # no row yet: every duty
