"""`flask demo` publishes through the publishing service what each act allows, approved by the demo officer:
Vladimir's past quarters (appeals analysis), Nenets' survey summaries and «we did»; Omsk nothing."""

import json
from datetime import datetime

from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Publication, Tenant, User
from otklik.tenancy import across_tenants


def test_the_demo_publishes_what_each_act_allows(app, make_tenant, make_user):
    from datetime import date

    for profile, slug in (("vladimir", "vladimir-demo"), ("nenets", "nenets-demo"), ("omsk", "omsk-demo")):
        tenant = make_tenant(profile, slug=slug, tracking_since=date(2026, 1, 1))
        make_user(f"officer@{slug}.local", tenant=tenant, role="officer")
    result = app.test_cli_runner().invoke(args=[
        "demo", "--tenant", "vladimir-demo", "--tenant", "nenets-demo", "--tenant", "omsk-demo",
        "--appeals", "400", "--answers", "300", "--today", "2026-11-20"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(across_tenants(select(Tenant.slug, Publication).join(
            Tenant, Tenant.id == Publication.tenant_id))).all()
        published = {(slug, p.artifact) for slug, p in rows if p.status == "published"}
        officers = {u.email: u.id for u in db.session.execute(select(User)).scalars()}
        assert ("vladimir-demo", "appeals_analysis") in published, (result.output, [(s, p.artifact, p.period, p.status) for s, p in rows])
        assert {("nenets-demo", "survey_summary"), ("nenets-demo", "you_said_we_did")} <= published
        assert not any(slug in ("omsk-demo",) for slug, _a in published)
        assert not any(slug == "nenets-demo" and a == "appeals_analysis" for slug, a in published)
        vladimir = [p for slug, p in rows if slug == "vladimir-demo" and p.artifact == "appeals_analysis"]
        assert "2026-Q3" in {p.period for p in vladimir}
        assert all(p.approved_by == officers["officer@vladimir-demo.local"] for p in vladimir)
        # released on time in the demo's history: Q3 ends 30.09, day 30 after it is 30.10, 10:00 Moscow = 07:00 UTC
        q3 = next(p for p in vladimir if p.period == "2026-Q3")
        assert q3.published_at.replace(tzinfo=None) == datetime(2026, 10, 30, 7, 0)
        assert all("CANARY" not in json.dumps(p.payload) for _s, p in rows)


def test_the_demo_serves_vladimirs_last_quarter_as_a_passport_set(app, client, make_tenant, make_user):
    """Issue 22: the demo gives a publishing authority a placeholder INN (region 00: nobody's), so Vladimir's
    quarter downloads as passport + data + structure; Omsk publishes nothing and gets no INN."""
    import csv
    import io
    from datetime import date
    from urllib.parse import urlsplit

    for profile, slug in (("vladimir", "vladimir-od"), ("omsk", "omsk-od")):
        tenant = make_tenant(profile, slug=slug, tracking_since=date(2026, 1, 1))
        make_user(f"officer@{slug}.local", tenant=tenant, role="officer")
    result = app.test_cli_runner().invoke(args=[
        "demo", "--tenant", "vladimir-od", "--tenant", "omsk-od", "--appeals", "400", "--answers", "300",
        "--today", "2026-11-20"])
    assert result.exit_code == 0, result.output
    listed = list(csv.reader(io.StringIO(client.get("/vladimir-od/opendata/list.csv").get_data(as_text=True))))
    identifier = "0012345673-appeals-analysis-by-channel"
    row = next(r for r in listed if r[0] == identifier)
    passport = dict(csv.reader(io.StringIO(client.get(urlsplit(row[2]).path).get_data(as_text=True))))
    assert passport["publishername"].startswith("Ответственный за открытые данные")
    assert passport["data-20260930-structure-20260930"].endswith(f"/{identifier}/data-20260930-structure-20260930.csv")
    data = client.get(f"/vladimir-od/opendata/{identifier}/data-20260930-structure-20260930.csv")
    structure = client.get(f"/vladimir-od/opendata/{identifier}/structure-20260930.csv")
    assert data.status_code == structure.status_code == 200
    assert next(csv.reader(io.StringIO(data.get_data(as_text=True)))) == ["label", "count", "share"]
    with app.app_context():
        omsk = db.session.execute(select(Tenant).where(Tenant.slug == "omsk-od")).scalar_one()
        assert omsk.inn == ""
