"""Tenancy fails closed: scoping of ORM queries, stamping of new rows, 404 across tenants."""

import pytest
from sqlalchemy import delete, select, update

from otklik.extensions import db
from otklik.models import Analysis, Membership, Tenant
from otklik.tenancy import CrossTenantWrite, NoTenantContext, across_tenants, get_or_404, tenant_scope
from otklik.testing import login


@pytest.fixture
def two(app, make_tenant):
    a = make_tenant("vladimir", slug="tenant-a")
    b = make_tenant("omsk", slug="tenant-b")
    with app.app_context():
        for t, period in ((a, "2025-Q1"), (a, "2025-Q2"), (b, "2025-Q1")):
            db.session.add(Analysis(tenant_id=t.id, kind="appeals", period=period, status="done"))
        db.session.commit()
    return a, b


def test_query_without_tenant_raises(app, two):
    with app.app_context(), pytest.raises(NoTenantContext):
        db.session.execute(select(Analysis)).scalars().all()


def test_queries_see_only_the_current_tenant(app, two):
    a, b = two
    with app.app_context():
        with tenant_scope(db.session.get(Tenant, a.id)):
            assert sorted(x.period for x in db.session.execute(select(Analysis)).scalars()) == ["2025-Q1", "2025-Q2"]
        with tenant_scope(db.session.get(Tenant, b.id)):
            rows = db.session.execute(select(Analysis)).scalars().all()
            assert [(x.tenant_id, x.period) for x in rows] == [(b.id, "2025-Q1")]


def test_explicit_cross_tenant_query(app, two):
    with app.app_context():
        assert len(db.session.execute(across_tenants(select(Analysis))).scalars().all()) == 3


def test_bulk_update_and_delete_stay_inside_the_tenant(app, two):
    a, b = two
    with app.app_context():
        with tenant_scope(db.session.get(Tenant, a.id)):
            db.session.execute(update(Analysis).values(status="failed"))
            db.session.execute(delete(Analysis).where(Analysis.period == "2025-Q1"))
            db.session.commit()
        rows = db.session.execute(across_tenants(select(Analysis).order_by(Analysis.tenant_id))).scalars().all()
        assert [(r.tenant_id, r.period, r.status) for r in rows] == [(a.id, "2025-Q2", "failed"), (b.id, "2025-Q1", "done")]


def test_new_rows_take_the_tenant_from_context_and_refuse_another(app, two):
    a, b = two
    with app.app_context():
        with tenant_scope(db.session.get(Tenant, a.id)):
            row = Analysis(kind="surveys", period="2025-01")
            db.session.add(row)
            db.session.commit()
            assert row.tenant_id == a.id
            db.session.add(Analysis(tenant_id=b.id, kind="surveys", period="2025-02"))
            with pytest.raises(CrossTenantWrite):
                db.session.flush()
            db.session.rollback()
        db.session.add(Analysis(kind="surveys", period="2025-03"))
        with pytest.raises(NoTenantContext):
            db.session.flush()
        db.session.rollback()


def test_scoped_lookup_by_id_is_404_for_another_tenants_row(app, two):
    from werkzeug.exceptions import NotFound

    a, b = two
    with app.app_context():
        b_row = db.session.execute(across_tenants(select(Analysis).where(Analysis.tenant_id == b.id))).scalar_one()
        with tenant_scope(db.session.get(Tenant, a.id)), app.test_request_context():
            with pytest.raises(NotFound):
                get_or_404(Analysis, b_row.id)
        with tenant_scope(db.session.get(Tenant, b.id)), app.test_request_context():
            assert get_or_404(Analysis, b_row.id).id == b_row.id


def test_user_of_one_tenant_gets_404_for_another(app, client, two, make_user):
    a, b = two
    make_user("officer-a@example.org", tenant=a)
    login(client, "officer-a@example.org")
    assert client.get("/tenant-a/office/").status_code == 200
    assert client.get("/tenant-b/office/").status_code == 404
    with app.app_context():
        b_id = db.session.execute(across_tenants(select(Analysis.id).where(Analysis.tenant_id == b.id))).scalar_one()
        a_id = db.session.execute(
            across_tenants(select(Analysis.id).where(Analysis.tenant_id == a.id, Analysis.period == "2025-Q1"))
        ).scalar_one()
    assert client.get(f"/api/v1/tenant-a/analyses/{a_id}").status_code == 200
    # B's id under A's prefix is not found; under B's prefix the user is not a member.
    assert client.get(f"/api/v1/tenant-a/analyses/{b_id}").status_code == 404
    assert client.get(f"/api/v1/tenant-b/analyses/{b_id}").status_code == 404


def test_login_of_one_tenant_does_not_authenticate_under_another(app, client, two, make_user):
    a, b = two
    make_user("officer-a@example.org", tenant=a)
    with app.app_context():
        from otklik.models import ApiToken

        with tenant_scope(db.session.get(Tenant, a.id)):
            token, clear = ApiToken.issue("test")
            db.session.add(token)
            db.session.commit()
    login(client, "officer-a@example.org")
    response = client.get("/tenant-b/office/")
    assert response.status_code == 404
    assert "Омской области" not in response.get_data(as_text=True)  # not even B's name leaks
    anonymous = app.test_client()
    headers = {"Authorization": f"Bearer {clear}"}
    with app.app_context():
        a_id = db.session.execute(across_tenants(select(Analysis.id).where(Analysis.tenant_id == a.id))).scalars().first()
        b_id = db.session.execute(across_tenants(select(Analysis.id).where(Analysis.tenant_id == b.id))).scalar_one()
    assert anonymous.get(f"/api/v1/tenant-a/analyses/{a_id}", headers=headers).status_code == 200
    assert anonymous.get(f"/api/v1/tenant-b/analyses/{b_id}", headers=headers).status_code == 401


def test_unknown_tenant_is_404(client):
    assert client.get("/no-such-authority/").status_code == 404
    assert client.get("/no-such-authority/office/").status_code == 404


def test_membership_rows_are_tenant_owned(app, two, make_user):
    a, b = two
    make_user("x@example.org", tenant=a)
    make_user("y@example.org", tenant=b)
    with app.app_context(), tenant_scope(db.session.get(Tenant, b.id)):
        assert [m.user.email for m in db.session.execute(select(Membership)).scalars()] == ["y@example.org"]


def test_counts_through_select_from_or_a_subquery_are_scoped_too(app, two):
    from sqlalchemy import func

    a, _b = two
    with app.app_context():
        with pytest.raises(NoTenantContext):
            db.session.execute(select(func.count()).select_from(Analysis)).scalar()
        with tenant_scope(db.session.get(Tenant, a.id)):
            assert db.session.execute(select(func.count()).select_from(Analysis)).scalar() == 2
            sub = select(Analysis.id).where(Analysis.kind == "appeals").subquery()
            assert db.session.execute(select(func.count()).select_from(sub)).scalar() == 2
