"""`make run`'s demo gives each authority a pain map built from its own analyses' suggestions (issue 11, item 14)."""

from datetime import date

from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Pain, Suggestion, Tenant
from otklik.painmap import service
from otklik.tenancy import across_tenants, tenant_scope

SLUGS = ("nenets-dzsn", "omsk-mintrud", "astrakhan-gjn", "vladimir-minsoc")


def test_the_demo_map_of_each_authority(app):
    runner = app.test_cli_runner()
    with app.app_context():
        boot = runner.invoke(args=["bootstrap", "--tracking-since", "2025-01-01", "--admin-password", "x"])
    assert boot.exit_code == 0, boot.output
    result = runner.invoke(args=["demo", "--appeals", "300", "--answers", "200", "--today", "2025-10-02"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for slug in SLUGS:
            tenant = db.session.execute(across_tenants(select(Tenant).where(Tenant.slug == slug))).scalar_one()
            with tenant_scope(tenant):
                pains = db.session.execute(select(Pain)).scalars().all()
                assert pains, slug
                accepted = db.session.execute(select(Suggestion).where(Suggestion.status == "accepted")).scalars()
                assert {s.pain_id for s in accepted} <= {p.id for p in pains}
                statuses = {m.status for p in pains for m in p.measures}
                assert statuses == {"planned", "in_progress", "on_hold", "done", "cancelled"}, slug
                today = date(2025, 10, 2)
                assert any(m.due_date < today and m.status == "in_progress" for p in pains for m in p.measures)
                verified = [p for p in pains if p.status == "verified"]
                assert len(verified) == 1
                # 26 of 60 (2025-Q2) -> 6 of 60 (2025-Q3): 43 % to 10 %, the intervals apart
                before, after = sorted(verified[0].evidence, key=lambda e: e.period)
                assert (before.period, before.n, after.period, after.n) == ("2025-Q2", 26, "2025-Q3", 6)
                for pain in pains:  # every row rests on evidence with its numbers
                    assert pain.evidence and service.measured(tenant, pain).percent is not None
