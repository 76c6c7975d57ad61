"""Office pages of analyses: history, one analysis, and an officer's run for a period with its progress."""

import re

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.reports.tests.documents import add_quarter, analysed
from otklik.tenancy import across_tenants, tenant_scope
from otklik.testing import login

from .helpers import add_appeals


@pytest.fixture
def office(app, make_tenant, make_user):
    a = make_tenant("vladimir", slug="vladimir-test")
    b = make_tenant("omsk", slug="omsk-test")
    with app.app_context():
        # Vladimir's quarter (1 000 appeals, see otklik.reports.tests.documents) and three appeals of Omsk's,
        # analysed by the engine
        add_quarter(a)
        add_appeals(b, [dict(channel="post", registered_at="2025-02-03 10:00")] * 3)
        rows = {("vladimir-test", "appeals", "2025-Q1"): analysed(a, "appeals", "2025-Q1"),
                ("omsk-test", "appeals", "2025-Q1"): analysed(b, "appeals", "2025-Q1")}
        # an odd hand-made document (undeclared keys, a schema-1 total) and a failed run
        for tenant, kind, period, doc in (
            (a, "surveys", "2025-02", {"kind": "surveys", "responses": {"count": 12}, "odd": [1, 2],
                                       "weird": {"x": {"y": {"z": 1}}}, "signals": ["Проверить анкету"]}),
            (a, "appeals", "2025-Q2", None),
        ):
            with tenant_scope(db.session.get(Tenant, tenant.id)):
                row = Analysis(kind=kind, period=period, status="done" if doc else "failed", result=doc,
                               error="" if doc else "ValueError: boom")
                db.session.add(row)
                db.session.commit()
                rows[(tenant.slug, kind, period)] = row.id
    make_user("viewer@v.test", tenant=a, role="viewer")
    make_user("officer@v.test", tenant=a, role="officer")
    return rows


def test_history_lists_the_tenants_analyses_with_figures(client, office):
    login(client, "viewer@v.test")
    html = client.get("/vladimir-test/office/analyses/").get_data(as_text=True)
    assert html.count("<tr>") == 4  # the header and Vladimir's three analyses, not Omsk's
    assert "2025-Q1" in html and "2025-02" in html
    assert "1\xa0000" in html  # the total, Russian style
    assert "Запустить анализ за период" not in html  # a viewer may read, not run
    # latest period first, by its end: 2025-Q2, then 2025-Q1, then 2025-02
    assert html.index("II квартал 2025") < html.index("I квартал 2025") < html.index("02.2025")
    only = client.get("/vladimir-test/office/analyses/?kind=surveys").get_data(as_text=True)
    assert "2025-02" in only and "2025-Q1" not in only


def test_one_analysis_shows_figures_charts_and_signals(client, office):
    login(client, "viewer@v.test")
    html = client.get(f"/vladimir-test/office/analyses/{office[('vladimir-test', 'appeals', '2025-Q1')]}").get_data(
        as_text=True
    )
    assert "Рекомендован дополнительный сбор обратной связи" in html
    assert "Выборка для дополнительного сбора: 278 респондентов" in html
    assert 'id="chart-by_channel"' in html and "vendor/chartjs/chart.umd.min.js" in html
    # website 415 of 1 000; mean wait (400 x 10 + 300 x 20 + 60 x 30 + 40 x 40) / 800; 760 of 800 within 30 days
    assert "41,5\xa0%" in html and "16,75" in html and "95,0\xa0%" in html
    assert "Электронная приемная официального сайта" in html
    assert "=HYPERLINK" in html and "<script>=HYPERLINK" not in html
    assert "/office/reports/" in html and "/xlsx" in html


def test_odd_or_missing_keys_render_without_error(client, office):
    login(client, "viewer@v.test")
    odd = client.get(f"/vladimir-test/office/analyses/{office[('vladimir-test', 'surveys', '2025-02')]}")
    assert odd.status_code == 200 and "Проверить анкету" in odd.get_data(as_text=True)
    failed = client.get(f"/vladimir-test/office/analyses/{office[('vladimir-test', 'appeals', '2025-Q2')]}")
    assert failed.status_code == 200 and "ValueError: boom" in failed.get_data(as_text=True)


def test_another_tenants_analysis_is_404(client, office):
    login(client, "officer@v.test")
    other = office[("omsk-test", "appeals", "2025-Q1")]
    assert client.get(f"/vladimir-test/office/analyses/{other}").status_code == 404
    assert client.get(f"/vladimir-test/office/analyses/{other}/progress").status_code == 404
    assert client.get(f"/omsk-test/office/analyses/{other}").status_code == 404
    assert client.get("/vladimir-test/office/analyses/x1").status_code == 404


def test_run_needs_an_officer(client, office):
    login(client, "viewer@v.test")
    assert client.get("/vladimir-test/office/analyses/run").status_code == 403
    assert client.post("/vladimir-test/office/analyses/run", data={"kind": "appeals", "period": "2024-Q4"}).status_code == 403


def test_officer_runs_an_analysis_and_follows_its_progress(app, client, office, run_jobs):
    login(client, "officer@v.test")
    page = client.get("/vladimir-test/office/analyses/run")
    assert page.status_code == 200 and "2025-Q1" in page.get_data(as_text=True)
    bad = client.post("/vladimir-test/office/analyses/run", data={"kind": "appeals", "period": "Q5 2024"})
    assert "Укажите период" in bad.get_data(as_text=True)
    future = client.post("/vladimir-test/office/analyses/run", data={"kind": "appeals", "period": "2099-Q1"})
    assert "еще не начался" in future.get_data(as_text=True)

    response = client.post("/vladimir-test/office/analyses/run", data={"kind": "appeals", "period": "2024-q4"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in detail and "Обновить" in detail
    with app.app_context():
        row = db.session.execute(across_tenants(select(Analysis).where(Analysis.period == "2024-Q4"))).scalar_one()
        assert (row.kind, row.trigger, row.status) == ("appeals", "manual", "queued")
    progress = client.get(f"/vladimir-test/office/analyses/{row.id}/progress").get_json()
    assert progress["status"] == "queued" and progress["finished"] is False

    # The same period asked for again while queued: one job, not two.
    client.post("/vladimir-test/office/analyses/run", data={"kind": "appeals", "period": "2024-Q4"})
    from otklik.jobs import get_queue

    assert get_queue(app).count == 1

    run_jobs()
    progress = client.get(f"/vladimir-test/office/analyses/{row.id}/progress").get_json()
    assert progress["status"] == "done" and progress["finished"] and progress["percent"] == 100
    assert "<progress" not in client.get(f"/vladimir-test/office/analyses/{row.id}").get_data(as_text=True)

    # Run again on a finished analysis: the same row is queued anew.
    again = client.post("/vladimir-test/office/analyses/run", data={"kind": "appeals", "period": "2024-Q4"})
    assert again.headers["Location"].endswith(f"/analyses/{row.id}")
    assert get_queue(app).count == 1


def test_pages_read_in_english_too(client, office):
    login(client, "viewer@v.test")
    analysis_id = office[("vladimir-test", "appeals", "2025-Q1")]
    html = client.get(f"/vladimir-test/office/analyses/{analysis_id}?lang=en").get_data(as_text=True)
    assert "Key figures" in html and "1,000" in html and "41.5" in html
    note = client.get(f"/vladimir-test/office/reports/{analysis_id}/note?lang=en").get_data(as_text=True)
    assert "Appeals and complaints registered: 1,000." in note


def test_history_pages(app, client, office):
    with app.app_context():
        tenant = db.session.execute(select(Tenant).where(Tenant.slug == "vladimir-test")).scalar_one()
        with tenant_scope(tenant):
            for m in range(1, 25):
                db.session.add(Analysis(kind="surveys", period=f"2023-{m:02d}" if m <= 12 else f"2024-{m - 12:02d}",
                                        status="done", result={"responses": m}))
            db.session.commit()
    login(client, "viewer@v.test")
    first = client.get("/vladimir-test/office/analyses/").get_data(as_text=True)
    second = client.get("/vladimir-test/office/analyses/?page=2").get_data(as_text=True)
    assert first.count('<td><a href="/vladimir-test/office/analyses/') == 25
    assert second.count('<td><a href="/vladimir-test/office/analyses/') == 2
    assert "Страница 2 из 2" in second and "01.2023" in second and "01.2023" not in first


def test_times_show_in_the_authoritys_own_zone(app, client, office, make_user):
    """The same instant reads 09:00 for Vladimir (Moscow) and 12:00 for Omsk (UTC+6): each officer sees local time."""
    from datetime import UTC, datetime

    with app.app_context():
        for key in (("vladimir-test", "appeals", "2025-Q1"), ("omsk-test", "appeals", "2025-Q1")):
            row = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == office[key]))).scalar_one()
            row.finished_at = datetime(2025, 4, 2, 6, 0, tzinfo=UTC)
        db.session.commit()
    make_user("viewer@o.test", tenant=_tenant(app, "omsk-test"), role="viewer")
    login(client, "viewer@v.test")
    vladimir = client.get(f"/vladimir-test/office/analyses/{office[('vladimir-test', 'appeals', '2025-Q1')]}")
    assert "02.04.2025, 09:00" in vladimir.get_data(as_text=True)
    assert "02.04.2025, 09:00" in client.get("/vladimir-test/office/analyses/").get_data(as_text=True)
    client = app.test_client()  # a second officer, another browser
    login(client, "viewer@o.test")
    omsk = client.get(f"/omsk-test/office/analyses/{office[('omsk-test', 'appeals', '2025-Q1')]}")
    assert "02.04.2025, 12:00" in omsk.get_data(as_text=True)
    assert "02.04.2025, 12:00" in client.get("/omsk-test/office/analyses/").get_data(as_text=True)


def _tenant(app, slug):
    with app.app_context():
        tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
        db.session.expunge(tenant)
        return tenant


def test_office_home_lists_the_latest_periods_first(app, client, office):
    from datetime import UTC, datetime

    with app.app_context():  # computed in another order than their periods': a re-run of an old month last
        for key, day in ((("vladimir-test", "appeals", "2025-Q2"), 1), (("vladimir-test", "appeals", "2025-Q1"), 2),
                         (("vladimir-test", "surveys", "2025-02"), 3)):
            row = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == office[key]))).scalar_one()
            row.created_at = datetime(2025, 7, day, tzinfo=UTC)
        db.session.commit()
    login(client, "viewer@v.test")
    html = client.get("/vladimir-test/office/").get_data(as_text=True)
    latest = html[html.index("Последние анализы"):]
    assert latest.index("II квартал 2025") < latest.index("I квартал 2025") < latest.index("02.2025")
    assert "Омск" not in latest


def test_history_pages_in_the_database_in_period_order(app, client, office):
    """More than a page of analyses: the pages follow one order (latest period end first, the quarter before its
    last month), and another authority's many analyses neither show nor add pages."""
    with app.app_context():
        for slug, n in (("vladimir-test", 30), ("omsk-test", 60)):
            tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
            with tenant_scope(tenant):
                for m in range(n):
                    period = f"{2020 + m // 12}-{m % 12 + 1:02d}"
                    db.session.add(Analysis(kind="appeals", period=period, status="done", result=None))
                db.session.add(Analysis(kind="appeals", period="2020-Q4", status="done"))
                db.session.commit()
    login(client, "viewer@v.test")
    pages = [client.get(f"/vladimir-test/office/analyses/?page={n}").get_data(as_text=True) for n in (1, 2)]
    assert "Страница 2 из 2" in pages[1]  # 34 analyses of Vladimir: 25 and 9, not Omsk's 61 more
    rows = [re.findall(r'<td><a href="/vladimir-test/office/analyses/(\d+)"', html) for html in pages]
    assert [len(r) for r in rows] == [25, 9]
    with app.app_context():
        shown = [db.session.execute(across_tenants(select(Analysis.period).where(Analysis.id == int(i)))).scalar_one()
                 for i in rows[0] + rows[1]]
    assert shown[:4] == ["2025-Q2", "2025-Q1", "2025-02", "2022-06"]
    assert shown[-14:-11] == ["2021-01", "2020-Q4", "2020-12"]  # a quarter before the month it ends with
    assert shown[-1] == "2020-01" and len(set(shown)) == 34


def test_an_analysis_knows_its_period_bounds_however_it_is_made(app, make_tenant):
    from datetime import date

    from otklik.jobs import claim_analysis

    tenant = make_tenant("vladimir", slug="bounds")
    with app.app_context():
        row = Analysis(kind="appeals", period="2025-Q1")
        assert (row.period_start, row.period_end) == (date(2025, 1, 1), date(2025, 3, 31))
        row.period = "2024"
        assert (row.period_start, row.period_end) == (date(2024, 1, 1), date(2024, 12, 31))
        row.period = "2025-Q9"  # not a period: no bounds (running it fails and says why)
        assert (row.period_start, row.period_end) == (None, None)
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            claimed = claim_analysis(t, "surveys", "2025-02")
            stored = db.session.execute(select(Analysis).where(Analysis.id == claimed.id)).scalar_one()
            assert (stored.period_start, stored.period_end) == (date(2025, 2, 1), date(2025, 2, 28))
