"""The scheduler tick on a real Redis and a real RQ worker: due analyses are enqueued exactly once."""

import importlib.util
import json
import threading
import zlib
from datetime import date
from pathlib import Path

from sqlalchemy import select

from otklik.extensions import db
from otklik.jobs import get_queue, tick
from otklik.models import Analysis
from otklik.tenancy import across_tenants

ROOT = Path(__file__).resolve().parents[1]


def _analyses(app):
    with app.app_context():
        rows = db.session.execute(across_tenants(select(Analysis).order_by(Analysis.kind, Analysis.period))).scalars()
        return [(a.kind, a.period, a.status) for a in rows]


def test_tick_enqueues_due_analyses_once(app, make_tenant):
    make_tenant("vladimir", slug="vlad", tracking_since=date(2025, 1, 1))
    with app.app_context():
        first = tick("2025-04-02T09:00:00+00:00")
        second = tick("2025-04-02T09:05:00+00:00")
        queue = get_queue(app)
        assert sorted(first["enqueued"]) == ["vlad__appeals__2025-Q1", "vlad__surveys__2025-Q1"]
        assert second["enqueued"] == []
        assert sorted(queue.job_ids) == ["vlad__appeals__2025-Q1", "vlad__surveys__2025-Q1"]
    assert _analyses(app) == [("appeals", "2025-Q1", "queued"), ("surveys", "2025-Q1", "queued")]


def test_jobs_travel_as_json_and_carry_a_retry(app, make_tenant, redis_url):
    from redis import Redis

    make_tenant("vladimir", slug="vlad", tracking_since=date(2025, 1, 1))
    with app.app_context():
        tick("2025-04-02T09:00:00+00:00")
    raw = Redis.from_url(redis_url).hget("rq:job:vlad__appeals__2025-Q1", "data")
    func, _instance, args, _kwargs = json.loads(zlib.decompress(raw))  # RQ compresses; JSON inside, not pickle
    assert func == "otklik.jobs.run_analysis" and isinstance(args[0], int)
    job = get_queue(app).fetch_job("vlad__appeals__2025-Q1")
    assert job.retries_left == 3
    assert job.func_name == "otklik.jobs.run_analysis" and isinstance(job.args[0], int)


def test_two_ticks_at_once_enqueue_once(app, make_tenant):
    make_tenant("omsk", slug="omsk-a", tracking_since=date(2025, 1, 1))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(tick("2025-04-02T09:00:00+00:00"))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    enqueued = sorted(j for r in results for j in r["enqueued"])
    # Omsk: monthly surveys and employee surveys (Jan-Mar), quarterly appeals (Q1); the year is not over.
    expected = sorted(
        ["omsk-a__appeals__2025-Q1"]
        + [f"omsk-a__{kind}__2025-0{m}" for kind in ("surveys", "employee_surveys") for m in (1, 2, 3)]
    )
    assert enqueued == expected
    assert sorted(get_queue(app).job_ids) == expected


def test_tick_after_downtime_catches_up_each_missed_period_once(app, make_tenant):
    make_tenant("astrakhan", slug="astr", tracking_since=date(2025, 1, 1))
    with app.app_context():
        first = tick("2025-07-03T00:00:00+00:00")
        assert sorted(first["enqueued"]) == ["astr__appeals__2025-H1", "astr__surveys__2025-H1"]
        # The scheduler was down from July 2025 to February 2026: H2 and the employee survey year were missed.
        after = tick("2026-02-10T00:00:00+00:00")
        assert sorted(after["enqueued"]) == ["astr__appeals__2025-H2", "astr__employee_surveys__2025",
                                             "astr__surveys__2025-H2"]
        assert tick("2026-02-10T00:10:00+00:00")["enqueued"] == []


def test_periods_follow_the_tenants_time_zone(app, make_tenant):
    """At 20:30 UTC on 31 March it is already 1 April in Omsk (UTC+6), not yet in Moscow."""
    make_tenant("omsk", slug="omsk-tz", tracking_since=date(2025, 1, 1))
    make_tenant("vladimir", slug="vlad-tz", tracking_since=date(2025, 1, 1))
    with app.app_context():
        done = tick("2025-03-31T20:30:00+00:00")["enqueued"]
    assert "omsk-tz__appeals__2025-Q1" in done
    assert "vlad-tz__appeals__2025-Q1" not in done


def test_worker_runs_the_enqueued_analyses(app, make_tenant, run_jobs):
    make_tenant("vladimir", slug="vlad", tracking_since=date(2025, 1, 1))
    with app.app_context():
        tick("2025-04-02T09:00:00+00:00")
    run_jobs()
    assert _analyses(app) == [("appeals", "2025-Q1", "done"), ("surveys", "2025-Q1", "done")]
    with app.app_context():
        doc = db.session.execute(across_tenants(select(Analysis.result).where(Analysis.kind == "appeals"))).scalar_one()
    assert doc["period"] == "2025-Q1" and doc["period_start"] == "2025-01-01" and doc["period_end"] == "2025-03-31"


def test_scheduler_process_enqueues_the_tick_as_a_json_job(app, make_tenant, run_jobs):
    """worker.py's cron scheduler puts `tick` on the queue; a real worker runs it."""
    spec = importlib.util.spec_from_file_location("otklik_worker_script", ROOT / "worker.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    make_tenant("vladimir", slug="vlad", tracking_since=date.today().replace(month=1, day=1, year=date.today().year - 1))
    from otklik.jobs import redis_connection

    cron = script.JsonCronScheduler(connection=redis_connection(app), name="test-scheduler")
    entry = cron.register(tick, app.config["RQ_QUEUE"], interval=300)
    assert entry.should_run()
    cron.enqueue_jobs()
    run_jobs()  # runs the tick, which enqueues analyses, which the same burst worker then runs
    statuses = {status for _kind, _period, status in _analyses(app)}
    assert _analyses(app) and statuses == {"done"}
