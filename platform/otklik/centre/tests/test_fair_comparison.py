"""Fair comparison in the Centre (issue 13, items 1, 2, 6; issue 14, items 7-8): shares with Wilson intervals,
funnels around the pooled share, verdicts with a minimum volume, survey indicators, peer groups, rates per 10,000,
trends, the Russian CSV, `flask centre compare --json` and the latest period with data. Expected figures are
worked out by hand here (binomial sums with math.comb, the Wilson formula written out)."""

import csv
import io
import json
import math

import pytest

from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.results.document import check
from otklik.tenancy import tenant_scope
from otklik.testing import login, set_cadences

Z = 1.959964


def appeals_doc(period, total, complaints, satisfied, unsatisfied, answered, within_30, redirected, channels):
    doc = {"schema": 2, "kind": "appeals", "period": period, "total": total,
           "complaints": {"total": complaints, "satisfied": satisfied, "satisfied_share": round(satisfied / complaints, 4),
                          "unsatisfied": unsatisfied, "unsatisfied_share": round(unsatisfied / complaints, 4)},
           "waiting_days": {"answered": answered, "mean": 12.0, "median": 10.0, "p90": 30.0, "within_30": within_30,
                            "within_30_share": round(within_30 / answered, 4)},
           "redirected": {"count": redirected, "share": round(redirected / total, 4)},
           "by_channel": {code: {"count": n, "share": round(n / total, 4)} for code, n in channels.items()}}
    return check(doc)


def surveys_doc(period, responses, indicators):
    doc = {"schema": 2, "kind": "surveys", "period": period, "responses": responses,
           "indicators": {key: {"count": c, "of": n, "share": round(c / n, 4)} for key, (c, n) in indicators.items()}}
    return check(doc)


def store(tenant, kind, period, doc):
    with tenant_scope(db.session.get(Tenant, tenant.id)):
        db.session.add(Analysis(kind=kind, period=period, status="done", result=doc))
        db.session.commit()


def wilson(s, n):
    p = s / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z / d * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return c - h, c + h


def quantile(q, n, p):
    cdf = 0.0
    for r in range(n + 1):
        cdf += math.comb(n, r) * p ** r * (1 - p) ** (n - r)
        if cdf >= q - 1e-12:
            return r
    return n


# Unsatisfied complaints of 2025-Q1: big 400 complaints with 200 unsatisfied, mid 400 with 40, low 200 with 20,
# tiny 20 with 15 (far above, but under the minimum volume of 30; 5 pending). Pooled: 275 of 1020.
AUTHORITIES = {
    "big": ("vladimir", 1000, 400, 150, 200, "Регион А", "health", 500000),
    "mid": ("omsk", 1000, 400, 300, 40, "Регион А", "health", None),
    "low": ("astrakhan", 600, 200, 150, 20, "Регион Б", "social", 100000),
    "tiny": ("nenets", 60, 20, 0, 15, "Регион Б", "social", None),
}


@pytest.fixture
def compared(app, make_tenant, make_user):
    tenants = {}
    with app.app_context():
        for slug, (profile, total, complaints, sat, unsat, region, kind, population) in AUTHORITIES.items():
            t = make_tenant(profile, slug=slug)
            set_cadences(t, appeals="quarter", surveys="quarter")  # the Centre shows the own cadence only
            row = db.session.get(Tenant, t.id)
            row.region, row.authority_kind, row.population = region, kind, population
            row.population_source = "Росстат, 2025" if population else ""
            db.session.commit()
            tenants[slug] = t
            channels = {"website": total // 2, "email": total - total // 2}
            for period in ("2024-Q4", "2025-Q1"):
                store(t, "appeals", period, appeals_doc(period, total, complaints, sat, unsat, total - 10,
                                                        total - 60, total // 10, channels))
        # surveys of 2025-Q1: overall satisfaction (4-5 of answered)
        store(tenants["big"], "surveys", "2025-Q1", surveys_doc("2025-Q1", 300, {"overall": (255, 300)}))
        store(tenants["mid"], "surveys", "2025-Q1", surveys_doc("2025-Q1", 100, {"overall": (50, 100)}))
        store(tenants["low"], "surveys", "2025-Q1", surveys_doc("2025-Q1", 8, {"overall": (4, 8)}))
    make_user("analyst@example.org", global_role="analyst")
    return tenants


def test_funnel_by_hand(app, compared):
    from otklik.centre.compare import funnel

    with app.test_request_context():
        data = funnel("2025-Q1", "unsatisfied_share")
    p0 = (200 + 40 + 20 + 15) / (400 + 400 + 200 + 20)
    assert data["pooled_share"] == pytest.approx(p0)
    points = {p["slug"]: p for p in data["points"]}
    assert {k: (p["successes"], p["n"]) for k, p in points.items()} == {
        "big": (200, 400), "mid": (40, 400), "low": (20, 200), "tiny": (15, 20)}
    low, high = wilson(200, 400)
    assert (points["big"]["ci_low"], points["big"]["ci_high"]) == (pytest.approx(low, abs=1e-6),
                                                                  pytest.approx(high, abs=1e-6))
    # 99.8 % limits for n = 400 around p0, as binomial quantiles counted by hand
    lo, hi = quantile(0.001, 400, p0) / 400, quantile(0.999, 400, p0) / 400
    assert 0.5 > hi and 0.1 < lo  # so: big above, mid below
    assert points["big"]["verdict"] == "above" and points["mid"]["verdict"] == "below"
    assert points["low"]["verdict"] == "below"  # 10 % of 200 against 27.0 %
    assert points["tiny"]["verdict"] is None  # 15 of 20: under the minimum volume, never judged
    limits = {c["n"]: c for c in data["limits"]}
    assert limits[400]["99.8"] == (pytest.approx(lo), pytest.approx(hi))
    assert limits[400]["95"] == (pytest.approx(quantile(0.025, 400, p0) / 400),
                                 pytest.approx(quantile(0.975, 400, p0) / 400))


def test_peer_group_pools_its_own_members(app, compared):
    from otklik.centre.compare import funnel

    with app.test_request_context():
        data = funnel("2025-Q1", "unsatisfied_share", region="Регион Б")
    assert {p["slug"] for p in data["points"]} == {"low", "tiny"}
    assert data["pooled_share"] == pytest.approx(35 / 220)


def test_survey_indicators_are_compared_and_a_small_one_hidden(app, compared):
    from otklik.centre.compare import funnel

    with app.test_request_context():
        data = funnel("2025-Q1", "survey_overall")
    # low answered 8: 4 of 8 is split into 4 and 4, both under k = 5: hidden, no point
    assert {p["slug"]: (p["successes"], p["n"]) for p in data["points"]} == {"big": (255, 300), "mid": (50, 100)}
    p0 = 305 / 400
    assert data["pooled_share"] == pytest.approx(p0)
    assert 255 > quantile(0.999, 300, p0) and 50 < quantile(0.001, 100, p0)  # by hand: outside the 99.8 % limits
    verdicts = {p["slug"]: p["verdict"] for p in data["points"]}
    assert verdicts == {"big": "above", "mid": "below"}


def test_the_page_shows_intervals_verdicts_funnels_trends_and_rates(app, client, compared):
    login(client, "analyst@example.org")
    page = client.get("/centre/?period=2025-Q1").get_data(as_text=True)
    table = page.split('id="comparison"')[1].split("</table>")[0]
    big = table.split("Владимирской")[1].split("</tr>")[0]
    low, high = wilson(200, 400)
    assert "50,0" in big and f"{low * 100:.1f}".replace(".", ",") in big and f"{high * 100:.1f}".replace(".", ",") in big
    assert "выше остальных" in big
    assert 'id="funnel-unsatisfied_share"' in page and 'id="table-funnel-unsatisfied_share"' in page
    assert 'id="funnel-survey_overall"' in page
    funnel_table = page.split('id="table-funnel-unsatisfied_share"')[1].split("</table>")[0]
    assert "без вывода: меньше 30" in funnel_table  # tiny
    trend = page.split('id="trend-table"')[1].split("</table>")[0]
    assert "IV квартал 2024" in trend and "I квартал 2025" in trend
    rates = page.split('id="rates"')[1].split("</table>")[0]
    assert "20,00" in rates or "20" in rates  # 1000 appeals of 500,000 -> 20 per 10,000
    assert "Росстат, 2025" in rates and "60" in rates  # 600 of 100,000
    assert "Ненецкого" not in rates  # no population, no rate


def test_the_csv_is_russian_with_a_decimal_comma_and_percentages(app, client, compared):
    login(client, "analyst@example.org")
    body = client.get("/centre/comparison.csv?period=2025-Q1").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    header = rows[0]
    assert header[:4] == ["Орган власти", "Регион", "Вид органа власти", "Анализ обращений"]
    assert "Доля неудовлетворенных жалоб, %" in header
    assert not any(h in ("total", "status", "done", "missing") for h in header)
    big = next(r for r in rows if "Владимир" in r[0])
    assert big[2] == "Здравоохранение"  # the kind of authority in words
    unsat = header.index("Доля неудовлетворенных жалоб, %")
    assert big[unsat] == "50,0"
    assert big[unsat + 4] == "выше остальных" and big[unsat + 3] == "400"
    assert big[3] == "готово" and header[unsat + 1:unsat + 5] == [
        "Доля неудовлетворенных жалоб: 95% интервал, от, %", "Доля неудовлетворенных жалоб: 95% интервал, до, %",
        "Доля неудовлетворенных жалоб: объем", "Доля неудовлетворенных жалоб: вывод"]
    low, high = wilson(200, 400)
    assert big[unsat + 1:unsat + 3] == [f"{low * 100:.1f}".replace(".", ","), f"{high * 100:.1f}".replace(".", ",")]
    nenets = next(r for r in rows if "Ненец" in r[0])
    survey_state = header.index("Анализ опросов")
    assert nenets[survey_state] == "нет анализа за этот период"
    machine = client.get("/centre/comparison.csv?period=2025-Q1&format=machine").get_data(as_text=True)
    assert machine.startswith("\ufeffauthority;region;status;total")
    assert ";0.5;" in next(line for line in machine.splitlines() if "Владимир" in line)


def test_cli_compare_json(app, compared):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["centre", "compare", "--period", "2025-Q1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_slug = {a["slug"]: a["indicators"] for a in data["authorities"]}
    entry = by_slug["big"]["unsatisfied_share"]
    assert set(entry) == {"value", "n", "ci_low", "ci_high", "verdict"}
    low, high = wilson(200, 400)
    assert entry == {"value": 0.5, "n": 400, "ci_low": round(low, 4), "ci_high": round(high, 4), "verdict": "above"}
    assert by_slug["tiny"]["unsatisfied_share"]["verdict"] is None
    assert by_slug["low"]["survey_overall"] == {"suppressed": True}
    assert by_slug["big"]["total"] == {"value": 1000, "n": 1000, "ci_low": None, "ci_high": None, "verdict": None}
    bad = runner.invoke(args=["centre", "compare", "--period", "2025-Q9", "--json"])
    assert bad.exit_code == 2 and "2025-Q9" in bad.output


def test_the_centre_opens_on_the_latest_period_with_data(app, client, compared):
    with app.app_context():
        # one authority has a later quarter: most have not, so the Centre does not open there
        store(compared["big"], "appeals", "2025-Q2", appeals_doc("2025-Q2", 100, 50, 20, 20, 90, 80, 10,
                                                                 {"website": 100}))
    login(client, "analyst@example.org")
    page = client.get("/centre/").get_data(as_text=True)
    assert 'value="2025-Q1"' in page


def test_a_trend_shows_each_period_as_the_page_of_that_period_does(app, compared):
    """The trend reads earlier periods without their channels: the same shares, hidden or shown, as the page of
    that period (two views of one period hiding different cells could be set against each other)."""
    from otklik.centre.compare import FUNNELS, comparison, page_data

    with app.test_request_context():
        trend = page_data("2025-Q1")
        earlier = {r.tenant.id: r for r in comparison("2024-Q4")}
    for key in FUNNELS:
        for tenant_id, values in trend["trends"][key].items():
            m = earlier[tenant_id].measures.get(key)
            assert values[-2] == (m.value if m is not None else None), (key, tenant_id)
