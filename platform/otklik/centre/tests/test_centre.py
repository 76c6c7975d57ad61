"""The Analytical Centre compares authorities from their stored analyses and sees aggregates only."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Analysis, Appeal, Tenant
from otklik.tenancy import across_tenants, tenant_scope
from otklik.testing import login


def _appeals(app, tenant, rows):
    """rows: (kind, channel, outcome, waiting days or None, reason)."""
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            for i, (kind, channel, outcome, wait, reason) in enumerate(rows):
                registered = datetime(2025, 2, 3, 9, 0, tzinfo=UTC) + timedelta(hours=i)
                db.session.add(Appeal(
                    external_id=f"{tenant.slug}-{i}", kind=kind, channel=channel, outcome=outcome, reason=reason,
                    registered_at=registered, answered_at=registered + timedelta(days=wait) if wait is not None else None,
                    due_date=(registered + timedelta(days=30)).date(), topic_code="0002.0007.0071.0001"))
            db.session.commit()


@pytest.fixture
def two_authorities(app, make_tenant, make_user, run_jobs):
    vladimir = make_tenant("vladimir", slug="vlad")
    omsk = make_tenant("omsk", slug="omsk")
    # Vladimir: 30 appeals; 15 complaints (6 supported, 5 not supported, 4 pending); 5 redirected.
    _appeals(app, vladimir, [("complaint", "email", "supported", 10, "Сроки")] * 6
             + [("complaint", "pos", "not_supported", 40, "Сроки")] * 5
             + [("complaint", "post", "pending", None, "Документы")] * 4
             + [("appeal", "email", "redirected", 5, "Иное")] * 5
             + [("appeal", "website", "explained", 10, "Иное")] * 10)
    # Omsk: only 3 appeals in the quarter: below the minimum cell size.
    _appeals(app, omsk, [("appeal", "phone", "explained", 3, "Вопрос")] * 3)
    make_user("analyst@example.org", global_role="analyst")
    with app.app_context():
        for t in (vladimir, omsk):
            tenant = db.session.get(Tenant, t.id)
            with tenant_scope(tenant):
                from otklik.analysis.jobs import request_analysis

                request_analysis(tenant, "appeals", "2025-Q1")
    run_jobs()
    return vladimir, omsk


def test_centre_compares_standard_metrics(app, client, two_authorities):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    table = page.split('id="comparison"')[1].split("</table>")[0]
    vlad_row = table.split("Владимирской области")[1].split("</tr>")[0]
    assert ">30<" in vlad_row  # all appeals
    assert "40,0" in vlad_row  # 6 of 15 complaints satisfied
    assert "33,3" in vlad_row  # 5 of 15 unsatisfied
    assert "16,7" in vlad_row  # 5 of 30 redirected
    assert "80,8" in vlad_row  # 21 of 26 answered within 30 days
    omsk_row = table.split("Омской области")[1].split("</tr>")[0]
    assert omsk_row.count("&lt;5") == 9  # three appeals: every figure is suppressed


def test_channels_are_compared_on_standard_codes(app, client, two_authorities):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    channels = page.split('id="channels"')[1].split("</table>")[0]
    assert "Электронная почта" in channels and "Электронная приемная официального сайта" in channels
    vlad = channels.split("Владимирской области")[1].split("</tr>")[0]
    assert "36,7" in vlad  # e-mail: 11 of 30
    assert "33,3" in vlad  # website: 10 of 30
    assert vlad.count("&lt;5") == 1  # post: 4 appeals, a small cell


def test_centre_never_shows_records(app, client, two_authorities):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    csv = client.get("/centre/comparison.csv?period=2025-Q1").get_data(as_text=True)
    for text in (page, csv):
        assert "vlad-0" not in text and "Сроки" not in text and "Документы" not in text
    assert csv.startswith("\ufeffauthority;region;status;total")
    assert "<5" in csv


def test_centre_queues_missing_analyses_of_finished_periods_only(app, client, make_tenant, make_user):
    make_tenant("astrakhan", slug="astr")
    make_user("analyst@example.org", global_role="analyst")
    login(client, "analyst@example.org")
    client.post("/centre/request", data={"period": "2025-H1"})
    next_year = str(date.today().year + 1)
    client.post("/centre/request", data={"period": next_year})
    with app.app_context():
        rows = db.session.execute(across_tenants(select(Analysis.period, Analysis.trigger))).all()
    assert rows == [("2025-H1", "centre")]


def test_only_analysts_open_the_centre(client, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vlad")
    make_user("officer@example.org", tenant=tenant)
    login(client, "officer@example.org")
    assert client.get("/centre/").status_code == 404
    assert client.get("/centre/comparison.csv").status_code == 404
