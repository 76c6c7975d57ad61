"""`flask demo` at a small size: synthetic data for the demo authorities, their analyses done, idempotent."""

from sqlalchemy import func, select

from otklik.extensions import db
from otklik.models import Analysis, Appeal
from otklik.tenancy import across_tenants

SLUGS = ("nenets-dzsn", "omsk-mintrud", "astrakhan-gjn", "vladimir-minsoc")


def _counts(app):
    with app.app_context():
        appeals = db.session.execute(across_tenants(select(func.count()).select_from(Appeal))).scalar()
        analyses = db.session.execute(
            across_tenants(select(Analysis.status, func.count()).group_by(Analysis.status))
        ).all()
        return appeals, dict(analyses)


def test_demo_fills_each_authority_and_runs_its_analyses(app):
    runner = app.test_cli_runner()
    with app.app_context():  # `bootstrap` is a plain click command: `flask` pushes the context, the runner does not
        boot = runner.invoke(args=["bootstrap", "--tracking-since", "2025-01-01", "--admin-password", "x"])
    assert boot.exit_code == 0, boot.output

    result = runner.invoke(args=["demo", "--appeals", "120", "--answers", "40", "--today", "2025-07-02"])
    assert result.exit_code == 0, result.output
    for slug in SLUGS:
        assert f"{slug}: 120 appeals, 40 survey answers" in result.output
    appeals, statuses = _counts(app)
    assert appeals == 4 * 120
    assert set(statuses) == {"done"} and statuses["done"] >= 8

    with app.app_context():
        # Nenets, Omsk and Vladimir analyse appeals quarterly, Astrakhan half-yearly (5.6)
        first = db.session.execute(across_tenants(
            select(Analysis).where(Analysis.kind == "appeals", Analysis.period.in_(("2025-Q1", "2025-H1")))
        )).scalars().all()
        assert sorted(a.period for a in first) == ["2025-H1", "2025-Q1", "2025-Q1", "2025-Q1"]
        assert all(a.result["total"] > 0 and a.result["by_channel"] for a in first)
        surveys = db.session.execute(across_tenants(
            select(Analysis).where(Analysis.kind == "surveys", Analysis.period == "2025-Q1")
        )).scalars().all()
        assert surveys and all(a.result["responses"] > 0 for a in surveys)

    again = runner.invoke(args=["demo", "--appeals", "120", "--answers", "40", "--today", "2025-07-02"])
    assert again.exit_code == 0, again.output
    assert _counts(app) == (appeals, statuses)  # replaced, not added

    skipped = runner.invoke(args=["demo", "--if-empty", "--today", "2025-07-02"])
    assert skipped.exit_code == 0 and skipped.output.count("has data, skipped") == 4
    assert _counts(app) == (appeals, statuses)


def test_a_yearly_analysis_of_the_demo_reads_its_whole_year(app):
    """Omsk analyses each year: on 30.11.2026 its 2025 is older than the scheduler's catch-up window in part, yet
    the demo fills all of it, so the yearly figures are not one quarter's."""
    runner = app.test_cli_runner()
    with app.app_context():
        runner.invoke(args=["bootstrap", "--tracking-since", "2025-01-01", "--admin-password", "x"])
    result = runner.invoke(args=["demo", "--appeals", "200", "--answers", "20", "--tenant", "omsk-mintrud",
                                 "--today", "2026-11-30"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from otklik.models import Tenant

        omsk = db.session.execute(select(Tenant).where(Tenant.slug == "omsk-mintrud")).scalar_one()
        year = db.session.execute(across_tenants(select(Analysis).where(
            Analysis.tenant_id == omsk.id, Analysis.kind == "appeals", Analysis.period == "2025"))).scalar_one()
        q4 = db.session.execute(across_tenants(select(Analysis).where(
            Analysis.tenant_id == omsk.id, Analysis.kind == "appeals", Analysis.period == "2025-Q4"))).scalar_one()
        assert year.result["total"] > 2 * q4.result["total"]


def test_demo_without_authorities_says_what_to_do(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "flask bootstrap" in result.output
