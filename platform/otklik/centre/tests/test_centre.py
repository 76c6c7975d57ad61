"""The Analytical Centre compares authorities from their stored analyses and sees aggregates only."""

import re
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


def _row(table: str, name: str) -> str:
    return table.split(name)[1].split("</tr>")[0]


def test_centre_compares_standard_metrics(app, client, two_authorities):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    table = page.split('id="comparison"')[1].split("</table>")[0]
    vlad_row = _row(table, "Владимирской области")
    assert ">30<" in vlad_row  # all appeals
    assert ">15<" in vlad_row  # complaints
    assert "40,0" in vlad_row  # 6 of 15 complaints satisfied
    assert "80,8" in vlad_row  # 21 of 26 answered within 30 days
    assert "16,7" in vlad_row  # 5 of 30 redirected
    # 5 of 15 unsatisfied is hidden: with 15 and 6 satisfied shown, it would give back the 4 pending complaints
    assert "33,3" not in vlad_row and vlad_row.count("скрыто") == 1
    omsk_row = _row(table, "Омской области")
    cells = ["скрыто" if "скрыто" in c else c for c in re.findall(r'<td class="num">(.*?)</td>', omsk_row)]
    # three appeals: the total and everything resting on it is hidden; none was a complaint (0 is no small
    # group), so there are no complaint shares; Omsk computes no redirected share
    assert cells == ["скрыто", "0", "—", "—", "скрыто", "скрыто", "скрыто", "скрыто", "—"]


def test_channels_are_compared_on_standard_codes(app, client, two_authorities):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    channels = page.split('id="channels"')[1].split("</table>")[0]
    assert "Электронная почта" in channels and "Электронная приемная официального сайта" in channels
    vlad = _row(channels, "Владимирской области")
    assert "36,7" in vlad  # e-mail: 11 of 30
    assert "33,3" in vlad  # website: 10 of 30
    # post (4) is a small group; the Feedback Platform (5) goes with it, or 30 - 10 - 11 - 5 would give the 4 back
    assert vlad.count("скрыто") == 2 and "16,7" not in vlad and "13,3" not in vlad


def _range(total: int, shown: list[int], hidden: int, index: int) -> tuple[float, float]:
    """Smallest and largest value of hidden cell `index` given the shown total and cells (cells >= 0), by linprog:
    what anyone holding the published figures can work out."""
    from scipy.optimize import linprog

    rest = total - sum(shown)
    bounds = [(0, None)] * hidden
    objective = [1.0 if i == index else 0.0 for i in range(hidden)]
    low = linprog(objective, A_eq=[[1.0] * hidden], b_eq=[rest], bounds=bounds)
    high = linprog([-c for c in objective], A_eq=[[1.0] * hidden], b_eq=[rest], bounds=bounds)
    assert low.status == 0 and high.status == 0
    return low.fun, -high.fun


def test_no_hidden_figure_can_be_worked_out_from_the_json(app, client, two_authorities):
    """The case of the issue: 30 = website 10 + e-mail 11 + POS 5 + post 4; 15 complaints = 6 satisfied +
    5 unsatisfied + 4 pending. Whatever the JSON shows, every hidden cell keeps a range of values."""
    login(client, "analyst@example.org")
    data = client.get("/centre/comparison.json?period=2025-Q1").get_json()
    vlad = next(a for a in data["authorities"] if a["slug"] == "vlad")
    total = vlad["values"]["total"]
    assert total == 30
    shown = {code: round(share * total) for code, share in vlad["channels"].items() if share is not None}
    hidden = [code for code, share in vlad["channels"].items() if share is None]
    assert shown == {"email": 11, "website": 10} and sorted(hidden) == ["pos", "post"]
    for i in range(len(hidden)):
        low, high = _range(total, list(shown.values()), len(hidden), i)
        assert low < high, hidden[i]
    complaints = vlad["values"]["complaints"]
    satisfied = round(vlad["values"]["satisfied_share"] * complaints)
    assert (complaints, satisfied, vlad["values"]["unsatisfied_share"]) == (15, 6, None)
    # unsatisfied and "other outcomes" are two unknown cells of the 9 not satisfied
    for i in range(2):
        low, high = _range(complaints, [satisfied], 2, i)
        assert (low, high) == (0, 9)
    # the list names what is hidden, not why: "a small group" would tell that a cell is 1..4
    assert {(s["figure"], s["cell"]) for s in vlad["suppressed"]} >= {("channels", "post"), ("channels", "pos"),
                                                                     ("complaints", "unsatisfied")}
    assert all(set(s) == {"figure", "cell"} for s in vlad["suppressed"])
    omsk = next(a for a in data["authorities"] if a["slug"] == "omsk")
    assert {k: v for k, v in omsk["values"].items() if v is not None} == {"complaints": 0}
    with app.test_request_context():
        from otklik.centre.compare import comparison

        audit = {(s.path, s.cell): s.reason for row in comparison("2025-Q1") for s in row.audit
                 if row.tenant.slug == "vlad"}
    assert audit[("channels", "post")] == "primary" and audit[("channels", "pos")] == "secondary"
    assert audit[("complaints", "unsatisfied")] == "secondary"


def test_centre_never_shows_records(app, client, two_authorities):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    csv = client.get("/centre/comparison.csv?period=2025-Q1&format=machine").get_data(as_text=True)
    json = client.get("/centre/comparison.json?period=2025-Q1").get_data(as_text=True)
    for text in (page, csv, json):
        assert "vlad-0" not in text and "Сроки" not in text and "Документы" not in text
    assert csv.startswith("\ufeffauthority;region;status;total")
    vlad = next(line for line in csv.splitlines() if "Владимир" in line).split(";")
    assert vlad[3:7] == ["30", "15", "0.4", "скрыто"]  # unsatisfied share hidden
    assert vlad.count("скрыто") == 1 + 2  # and two channels


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


def test_an_authority_with_a_larger_minimum_cell_hides_more(app, client, two_authorities):
    vladimir, _omsk = two_authorities
    with app.app_context():
        tenant = db.session.get(Tenant, vladimir.id)
        plugins = dict(tenant.plugins)
        plugins["publication"] = {**plugins.get("publication", {}), "min_cell_size": 10}
        tenant.plugins = plugins
        db.session.commit()
    login(client, "analyst@example.org")
    data = client.get("/centre/comparison.json?period=2025-Q1").get_json()
    vlad = next(a for a in data["authorities"] if a["slug"] == "vlad")
    # k = 10: 6 satisfied and 5 unsatisfied complaints are small groups; 5 redirected of 30 too
    assert vlad["values"]["satisfied_share"] is None and vlad["values"]["redirected_share"] is None
    # POS 5 and post 4 hold 9 < 10 together, so website (10) goes too; e-mail (11) stays
    assert vlad["values"]["total"] == 30
    assert vlad["channels"] == {"email": 0.3667, "website": None, "pos": None, "post": None}


def test_a_minimum_cell_below_five_is_refused():
    from otklik.plugins import SettingsError, get_plugin_manager

    with pytest.raises(SettingsError, match="min_cell_size"):
        get_plugin_manager().validate("publication", {"min_cell_size": 3})


def test_the_csv_defuses_an_authority_name_that_is_a_formula(app, client, two_authorities):
    """Finding 10: an authority named `=cmd|' /C calc'!A0` went out as a formula a spreadsheet would run. It goes
    out as text now (a leading '), the figures stay numbers, and the header and delimiter are as before."""
    vladimir, omsk = two_authorities
    with app.app_context():
        db.session.get(Tenant, vladimir.id).name = "=cmd|' /C calc'!A0"
        db.session.get(Tenant, omsk.id).region = "@SUM(1+1)*cmd|' /C calc'!A0"
        db.session.commit()
    login(client, "analyst@example.org")
    response = client.get("/centre/comparison.csv?period=2025-Q1&format=machine")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffauthority;region;status;total")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    vlad = next(r for r in rows if "cmd" in r[0])
    assert vlad[0] == "'=cmd|' /C calc'!A0" and vlad[3:7] == ["30", "15", "0.4", "скрыто"]
    omsk_row = next(r for r in rows if "SUM" in r[1])
    assert omsk_row[1] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
