"""A worker killed in the middle of an analysis leaves the previous result intact; the retry completes it.

Real RQ: a `worker.py --burst` subprocess on the test database and Redis; its work horse is SIGKILLed while a
test-only metric blocks; the job's Retry schedules it again and a second burst worker completes it.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from otklik.analysis.jobs import request_analysis
from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.tenancy import across_tenants, tenant_scope

from .helpers import add_appeals

ROOT = Path(__file__).resolve().parents[4]
WRAPPER = """
import sys
sys.path.insert(0, {tests!r})
sys.path.insert(0, {root!r})
import slow_plugin
from otklik.plugins import get_plugin_manager
get_plugin_manager().register(slow_plugin)
import worker
worker.main(["--burst"])
"""


def _worker(app, tmp_path) -> subprocess.Popen:
    script = tmp_path / "slow_worker.py"
    script.write_text(WRAPPER.format(tests=str(Path(__file__).parent), root=str(ROOT)))
    env = dict(os.environ)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    env.update(OTKLIK_DATABASE_URL=url, OTKLIK_REDIS_URL=app.config["REDIS_URL"],
               OTKLIK_RQ_QUEUE=app.config["RQ_QUEUE"], OTKLIK_TEST_SLOW_DIR=str(tmp_path),
               OTKLIK_SECRET_KEY="test")
    return subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _row(analysis_id):
    db.session.remove()
    return db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()


def test_killed_work_horse_keeps_the_old_result_and_the_retry_completes(app, make_tenant, db_session, tmp_path):
    vladimir = make_tenant("vladimir", slug="vladimir-k")
    add_appeals(vladimir, [dict(registered_at="2025-02-01 10:00")] * 3)
    t = db_session.get(Tenant, vladimir.id)
    t.plugins = {**t.plugins, "slow_metric": {"clauses": {}}}
    db_session.commit()
    with tenant_scope(t):
        old = Analysis(kind="appeals", period="2025-Q1", status="done", result={"total": 1, "old": True})
        db_session.add(old)
        db_session.commit()
        analysis_id = old.id
        request_analysis(t, "appeals", "2025-Q1")

    first = _worker(app, tmp_path)
    deadline = time.monotonic() + 60
    while not (tmp_path / "pid").exists():
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the analysis never started"
        time.sleep(0.1)
    assert _row(analysis_id).status == "running"
    os.kill(int((tmp_path / "pid").read_text()), signal.SIGKILL)  # the work horse, mid-analysis
    out, _ = first.communicate(timeout=60)
    assert "killed" in out.lower() or "terminated" in out.lower(), out

    row = _row(analysis_id)
    assert row.result == {"total": 1, "old": True}  # the previous document, whole

    from rq.job import Job
    from rq.serializers import JSONSerializer

    from otklik.jobs import redis_connection

    job = Job.fetch(row.job_id, connection=redis_connection(app), serializer=JSONSerializer)
    assert job.get_status() in ("scheduled", "queued")  # Retry put it back
    time.sleep(6)  # the first retry interval is 5 s
    second = _worker(app, tmp_path)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0, out
    row = _row(analysis_id)
    assert row.status == "done", (row.error, out)
    assert row.result["total"] == 3 and "old" not in row.result
    assert row.result["slow"]["attempt_pid"] != int((tmp_path / "pid").read_text())
