"""A worker lost whole in the middle of an analysis (its machine or container went away: the worker and its work
horse killed, nobody left to report the job) must not show `running` for twelve minutes (issue 15, finding 6).

Real RQ: a `worker.py --burst` subprocess runs the analysis with a test-only metric that blocks; the test SIGKILLs
the worker and its work horse, then ages the job's heartbeat by two minutes (what the clock would do; waiting 90 s
in a test is what the ageing saves). The analysis page then says the worker was lost; one scheduler tick hands
the job back to RQ's retry (once: a second tick does nothing), the row says `queued`, and a new worker completes it.
"""

import os
import signal
import time
from datetime import UTC, datetime, timedelta

from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer
from rq.utils import utcformat
from sqlalchemy import select

from otklik.analysis.jobs import request_analysis
from otklik.extensions import db
from otklik.jobs import get_queue, redis_connection, tick
from otklik.models import Analysis, Tenant
from otklik.tenancy import across_tenants, tenant_scope

from .helpers import add_appeals
from .test_worker_killed import _worker

LATER = datetime(2099, 1, 1).date()  # tracking starts later: the schedule enqueues nothing, the tick only recovers


def _row(analysis_id) -> Analysis:
    db.session.remove()
    return db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _age_heartbeat(app, job_id: str, seconds: int) -> None:
    """What `seconds` without a beat look like in Redis: the job's last beat and its started-registry entry."""
    connection = redis_connection(app)
    past = datetime.now(UTC) - timedelta(seconds=seconds)
    connection.hset(f"rq:job:{job_id}", "last_heartbeat", utcformat(past))
    registry = StartedJobRegistry(queue=get_queue(app))
    for member in connection.zrange(registry.key, 0, -1):
        connection.zadd(registry.key, {member: past.timestamp() + 90})  # RQ gives each beat 90 s


def test_a_lost_worker_is_said_and_its_analysis_runs_again_once(app, client, make_tenant, make_user, login_as,
                                                                db_session, tmp_path):
    vladimir = make_tenant("vladimir", slug="vladimir-lost", tracking_since=LATER)
    add_appeals(vladimir, [dict(registered_at="2025-02-01 10:00")] * 3)
    t = db_session.get(Tenant, vladimir.id)
    t.plugins = {**t.plugins, "slow_metric": {"clauses": {}}}
    db_session.commit()
    with tenant_scope(t):
        analysis = request_analysis(t, "appeals", "2025-Q1")
        analysis_id, job_id = analysis.id, analysis.job_id
    make_user("officer@vlad.test", tenant=vladimir, role="officer")
    login_as("officer@vlad.test")
    page = f"/vladimir-lost/office/analyses/{analysis_id}"

    first = _worker(app, tmp_path)
    deadline = time.monotonic() + 60
    while not (tmp_path / "pid").exists():
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the analysis never started"
        time.sleep(0.1)
    horse = int((tmp_path / "pid").read_text())
    first.kill()  # the worker first, so nobody sees its work horse die
    first.wait(30)
    os.kill(horse, signal.SIGKILL)
    first.communicate(timeout=30)  # the pipe closes with the horse, which held it too
    deadline = time.monotonic() + 30
    while not _gone(horse):
        assert time.monotonic() < deadline, "the work horse survived SIGKILL"
        time.sleep(0.05)
    assert _row(analysis_id).status == "running"
    assert "выполняется" in client.get(page).get_data(as_text=True)  # beating a moment ago: still honest

    _age_heartbeat(app, job_id, 120)
    html = client.get(page).get_data(as_text=True)
    assert "Остановлено: обработчик, выполнявший анализ, пропал" in html
    assert client.get(page + "/progress").get_json()["status"] == "running"

    first_tick = tick()
    assert first_tick["recovered"] == [f"{job_id}: waiting"]  # RQ's retry took it back (it had three)
    assert _row(analysis_id).status == "queued"
    job = Job.fetch(job_id, connection=redis_connection(app), serializer=JSONSerializer)
    assert job.get_status() == "scheduled" and job.retries_left == 2
    assert tick()["recovered"] == []  # once
    html = client.get(page).get_data(as_text=True)
    assert "в очереди" in html and "Остановлено" not in html

    time.sleep(6)  # the first retry interval is 5 s
    second = _worker(app, tmp_path)
    out, _ = second.communicate(timeout=120)
    assert second.returncode == 0, out
    row = _row(analysis_id)
    assert row.status == "done", (row.error, out)
    assert row.result["total"] == 3 and row.result["slow"]["attempt_pid"] != horse
