"""Stored results: the CLI run, the API, an officer's request by hand with its progress, atomic re-runs."""

import json

from sqlalchemy import select

from otklik.analysis.jobs import progress_of, request_analysis
from otklik.extensions import db
from otklik.models import Analysis, ApiToken, Tenant
from otklik.tenancy import across_tenants, tenant_scope

from .helpers import add_appeals


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["analyses", *args])


def test_cli_runs_synchronously_and_prints_the_document(app, make_tenant, db_session):
    v = make_tenant("vladimir", slug="vc")
    add_appeals(v, [dict(registered_at="2025-02-01 10:00", kind="complaint", outcome="supported",
                         answered_at="2025-02-11 10:00")])
    result = _cli(app, "run", "--tenant", "vc", "--kind", "appeals", "--period", "2025-q1", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["period"] == "2025-Q1" and doc["total"] == 1
    assert doc["complaints"]["satisfied_share"] == 1.0 and doc["waiting_days"]["mean"] == 10.0
    # re-run: the same row, its document replaced
    add_appeals(v, [dict(registered_at="2025-03-01 10:00")])
    assert json.loads(_cli(app, "run", "--tenant", "vc", "--kind", "appeals", "--period", "2025-Q1",
                           "--json").output)["total"] == 2
    db.session.remove()
    rows = db.session.execute(across_tenants(select(Analysis))).scalars().all()
    assert len(rows) == 1 and rows[0].result["total"] == 2 and rows[0].trigger == "manual"
    listed = _cli(app, "list", "--tenant", "vc", "--json")
    assert json.loads(listed.output)[0]["period"] == "2025-Q1"


def test_cli_refuses_bad_input_clearly(app, make_tenant, db_session):
    make_tenant("vladimir", slug="vc2")
    bad = _cli(app, "run", "--tenant", "vc2", "--kind", "appeals", "--period", "2025-Q5")
    assert bad.exit_code != 0 and "YYYY-Qn" in bad.output
    bad = _cli(app, "run", "--tenant", "vc2", "--kind", "letters", "--period", "2025-Q1")
    assert bad.exit_code != 0 and "appeals, surveys, employee_surveys" in bad.output
    bad = _cli(app, "run", "--tenant", "nobody", "--kind", "appeals", "--period", "2025-Q1")
    assert bad.exit_code != 0 and "no tenant 'nobody'" in bad.output and "vc2" in bad.output


def test_api_returns_the_document_and_lists_analyses(app, client, make_tenant, db_session):
    v = make_tenant("vladimir", slug="va")
    other = make_tenant("vladimir", slug="vb")
    add_appeals(v, [dict(registered_at="2025-02-01 10:00")] * 2)
    assert _cli(app, "run", "--tenant", "va", "--kind", "appeals", "--period", "2025-Q1").exit_code == 0
    t = db_session.get(Tenant, v.id)
    with tenant_scope(t):
        token, clear = ApiToken.issue("test")
        db_session.add(token)
        db_session.commit()
        analysis_id = db_session.execute(select(Analysis.id)).scalar_one()
    headers = {"Authorization": f"Bearer {clear}"}
    body = client.get(f"/api/v1/va/analyses/{analysis_id}", headers=headers).get_json()
    assert body["status"] == "done" and body["result"]["total"] == 2
    assert body["result"]["by_channel"] == {"website": {"count": 2, "share": 1.0}}
    listed = client.get("/api/v1/va/analyses", headers=headers).get_json()
    assert [(a["id"], a["kind"], a["period"]) for a in listed["analyses"]] == [(analysis_id, "appeals", "2025-Q1")]
    assert client.get(f"/api/v1/{other.slug}/analyses/{analysis_id}", headers=headers).status_code == 401


def test_officer_request_by_hand_reports_progress_and_reruns(app, make_tenant, db_session, run_jobs):
    v = make_tenant("vladimir", slug="vr")
    add_appeals(v, [dict(registered_at="2024-11-05 10:00")])
    t = db_session.get(Tenant, v.id)
    with tenant_scope(t):
        a = request_analysis(t, "appeals", "2024-q4")
        assert (a.period, a.status, a.trigger) == ("2024-Q4", "queued", "manual")
        again = request_analysis(t, "appeals", "2024-Q4")  # already queued: not twice
        assert again.id == a.id
        analysis_id = a.id
    from otklik.jobs import get_queue

    assert get_queue(app).count == 1
    run_jobs()
    db.session.remove()
    t = db.session.get(Tenant, v.id)
    with tenant_scope(t):
        row = db.session.get(Analysis, analysis_id)
        assert row.status == "done" and row.result["total"] == 1
        assert progress_of(row) == {"status": "done", "done": 1, "total": 1}
        from rq.job import Job
        from rq.serializers import JSONSerializer

        from otklik.jobs import redis_connection

        job = Job.fetch(row.job_id, connection=redis_connection(app), serializer=JSONSerializer)
        meta = job.get_meta()["progress"]
        assert meta["done"] == meta["total"] and meta["total"] > 5
        # run again by hand after it finished: re-queued and replaced
        add_appeals(v, [dict(registered_at="2024-12-05 10:00")])
        t = db.session.get(Tenant, v.id)
        with tenant_scope(t):
            request_analysis(t, "appeals", "2024-Q4")
    run_jobs()
    db.session.remove()
    row = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
    assert row.status == "done" and row.result["total"] == 2


def test_a_failing_analysis_keeps_the_previous_result(app, make_tenant, db_session):
    from otklik.analysis.runner import run

    v = make_tenant("vladimir", slug="vf")
    t = db_session.get(Tenant, v.id)
    with tenant_scope(t):
        row = Analysis(kind="appeals", period="2025-Q9", status="done", result={"total": 7})
        db_session.add(row)
        db_session.commit()
        analysis_id = row.id
    try:
        run(analysis_id)
    except ValueError:
        pass
    db.session.remove()
    row = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
    assert row.status == "failed" and "2025-Q9" in row.error and row.result == {"total": 7}
