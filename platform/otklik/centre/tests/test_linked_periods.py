"""The Centre and overlapping periods (issue 23), as the analyst reads `/centre/comparison.json` and asks for periods:
the Omsk case of the issue (a hidden quarter's channel given back by the year minus the other quarters) and the
Vladimir case (a month of a released quarter), with figures worked out by hand."""

from __future__ import annotations

from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Analysis, ReleasedPeriod, Tenant
from otklik.results.document import check
from otklik.tenancy import across_tenants, tenant_scope
from otklik.testing import login


def doc(period: str, channels: dict) -> dict:
    total = sum(channels.values())
    return check({"schema": 2, "kind": "appeals", "period": period, "total": total,
                  "complaints": {"total": 0, "satisfied": 0, "satisfied_share": None, "unsatisfied": 0,
                                 "unsatisfied_share": None},
                  "waiting_days": {"answered": total, "mean": 10.0, "median": 9.0, "p90": 20.0, "within_30": total,
                                   "within_30_share": 1.0 if total else None},
                  "by_channel": {c: {"count": n, "share": round(n / total, 4)} for c, n in channels.items() if n}})


def store(tenant, period: str, channels: dict) -> None:
    with tenant_scope(db.session.get(Tenant, tenant.id)):
        db.session.add(Analysis(kind="appeals", period=period, status="done", result=doc(period, channels)))
        db.session.commit()


def _authority(data: dict, slug: str) -> dict:
    return next(a for a in data["authorities"] if a["slug"] == slug)


def test_the_year_is_the_sum_of_the_quarters_and_gives_nothing_back(app, client, make_tenant, make_user):
    """Omsk: Q1 = website 5 + social 1 + post 10 (16), Q2-Q4 = website 5 each; its own yearly analysis (Omsk 18) has
    31 too. Q1 hides social (1) and website (5, its complementary cell). The year comes out as the sums of the
    quarters: 31 in all, post 10, website and social hidden, so 2025's website minus the other quarters' 5 + 5 + 5
    is not there, and the yearly analysis's own figures are not shown."""
    omsk = make_tenant("omsk", slug="omsk")
    make_user("analyst@example.org", global_role="analyst")
    with app.app_context():
        store(omsk, "2025-Q1", {"website": 5, "social": 1, "post": 10})
        for q in (2, 3, 4):
            store(omsk, f"2025-Q{q}", {"website": 5})
        store(omsk, "2025", {"website": 20, "social": 1, "post": 10, "email": 0})
    login(client, "analyst@example.org")
    q1 = _authority(client.get("/centre/comparison.json?period=2025-Q1").get_json(), "omsk")
    assert q1["values"]["total"] == 16 and q1["channels"]["social"] is None and q1["channels"]["website"] is None
    year = _authority(client.get("/centre/comparison.json?period=2025").get_json(), "omsk")
    assert year["status"] == "done" and year["values"]["total"] == 31
    assert year["channels"] == {"website": None, "social": None, "post": round(10 / 31, 4)}
    assert year["values"]["wait_mean"] is None  # a mean is no sum: not shown for a derived period
    with app.app_context():
        released = db.session.execute(across_tenants(select(ReleasedPeriod.period))).scalars().all()
    assert sorted(released) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]  # the year itself never went out


def test_a_month_of_a_released_quarter_is_neither_shown_nor_requested(app, client, make_tenant, make_user):
    """Vladimir: the quarter is out (its figures are on the public site too); September's analysis, run in the office,
    is not shown, and the analyst cannot ask for the months: September = the quarter minus July and August."""
    vladimir = make_tenant("vladimir", slug="vlad")
    make_user("analyst@example.org", global_role="analyst")
    with app.app_context():
        store(vladimir, "2025-Q3", {"website": 20, "pos": 4, "post": 4})
        store(vladimir, "2025-09", {"website": 6, "pos": 4})
    login(client, "analyst@example.org")
    assert _authority(client.get("/centre/comparison.json?period=2025-Q3").get_json(), "vlad")["values"]["total"] == 28
    month = _authority(client.get("/centre/comparison.json?period=2025-09").get_json(), "vlad")
    assert (month["status"], month["values"]) == ("overlap", {})
    page = client.get("/centre/?period=2025-09").get_data(as_text=True)
    assert "пересекается" in page
    answer = client.post("/centre/request", data={"period": "2025-08"}, follow_redirects=True)
    assert "vlad (" in answer.get_data(as_text=True)  # refused, with the reason
    with app.app_context():
        periods = db.session.execute(across_tenants(select(Analysis.period))).scalars().all()
    assert sorted(periods) == ["2025-09", "2025-Q3"]  # nothing queued for August


def test_what_was_once_hidden_stays_hidden_when_the_analysis_runs_again(app, client, make_tenant, make_user):
    """Q3 went out with 28 appeals, POS 4 and post 4 hidden. Two late appeals, by POS and by post, make the re-run 30
    with POS 5 and post 5, nothing hidden: shown, it would give back both 4s (5 - 1 each, against the 28 before). The
    Centre keeps showing Q3 as first released; a re-run that hides at least the same cells replaces it (website 21
    of 29, POS and post still hidden)."""
    vladimir = make_tenant("vladimir", slug="vlad")
    make_user("analyst@example.org", global_role="analyst")
    with app.app_context():
        store(vladimir, "2025-Q3", {"website": 20, "pos": 4, "post": 4})
    login(client, "analyst@example.org")
    first = _authority(client.get("/centre/comparison.json?period=2025-Q3").get_json(), "vlad")
    assert first["values"]["total"] == 28 and first["channels"] == {"website": round(20 / 28, 4), "pos": None,
                                                                    "post": None}

    def rerun(channels):
        with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
            analysis = db.session.execute(select(Analysis)).scalar_one()
            analysis.result = doc("2025-Q3", channels)
            db.session.commit()

    rerun({"website": 20, "pos": 5, "post": 5})
    again = _authority(client.get("/centre/comparison.json?period=2025-Q3").get_json(), "vlad")
    assert again["values"]["total"] == 28 and again["channels"] == first["channels"]
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        from otklik.analytical.snapshot import month_analyses
        from otklik.periods import parse_period

        # September's analytical report would show the re-run quarter beside the Centre's: it leaves it out
        assert month_analyses(parse_period("2025-09")) == []
    rerun({"website": 21, "pos": 4, "post": 4})  # the same cells hidden: the new figures are shown
    third = _authority(client.get("/centre/comparison.json?period=2025-Q3").get_json(), "vlad")
    assert third["values"]["total"] == 29 and third["channels"] == {"website": round(21 / 29, 4), "pos": None,
                                                                    "post": None}
    with app.app_context(), tenant_scope(db.session.get(Tenant, vladimir.id)):
        assert [a.period for a in month_analyses(parse_period("2025-09"))] == ["2025-Q3"]
