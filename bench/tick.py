"""Benchmark of the scheduler tick (issue 13, item 5): 1,000, 5,000 and 10,000 authorities, beside a floor.

    .venv/bin/python bench/tick.py [--tenants 10000] [--json bench/tick.json]
        [--database postgresql://postgres@127.0.0.1/test_h5] [--redis redis://127.0.0.1:6379/5]

For each size (1,000, 5,000 and --tenants, or --sizes), authorities are generated in bulk from the four profiles
(tenants/vladimir, omsk, astrakhan, nenets.toml, in turn; tracked from 1 April 2026) and the tick
(`otklik.jobs.tick`) runs at 1 July 2026 06:00 UTC, when every act's second quarter (and Astrakhan's first half) has
ended: about 3.5 analyses are due per authority (Vladimir 2, Omsk 7, Astrakhan 2, Nenets 3). Each run is a fresh
process:

- `first`: the tick that claims and enqueues everything due (an `analysis` row per due period, a job in Redis);
- `steady`: the next tick, with nothing new due (it still reads every schedule, tries every due period, relays the
  queued rows whose jobs wait in Redis, and runs the tick duties: deadline warnings, measures, volumes);
- `concurrent`: on emptied tables, two ticks at once in two processes; then the duplicates are counted: analysis
  rows per (tenant, kind, period) above one, job ids both ticks enqueued, jobs in the queue beyond the rows.

The floor is the same work by hand, in the same run, with psycopg and redis-py and no ORM, plugin or RQ: per
authority, its due periods computed from its `periodicity` settings with `otklik.periods` (the survey answers per
month counted in SQL where the act says month_or_quarter), one `INSERT ... ON CONFLICT DO NOTHING RETURNING` of
its rows and one pipelined RPUSH of the new job ids; `first` on empty tables, `steady` again over them. Times are
per authority; only the ratios to the floor compare between machines. Writes JSON with the load averages.
The database's public schema is DROPPED and recreated: never point it at a database you care about.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1/test_h5"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
NOW = "2026-07-01T06:00:00+00:00"  # 09:00 in Moscow and Astrakhan, 12:00 in Omsk: Q2 and H1 over everywhere
TRACKING_SINCE = date(2026, 4, 1)
PROFILES = ("vladimir", "omsk", "astrakhan", "nenets")
QUEUE = "otklik-bench-tick"


def _sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def _app(url: str, redis_url: str):
    os.environ["OTKLIK_DATABASE_URL"] = _sa_url(url)
    os.environ["OTKLIK_REDIS_URL"] = redis_url
    os.environ.setdefault("OTKLIK_SECRET_KEY", "bench")
    sys.path.insert(0, str(ROOT / "platform"))
    from otklik import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": _sa_url(url), "REDIS_URL": redis_url, "RQ_QUEUE": QUEUE,
                       "RATELIMIT_STORAGE_URI": redis_url})


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# Setting up.

def reset(url: str, redis_url: str) -> None:
    """A fresh schema at the migrations' head, an empty Redis database."""
    from flask_migrate import upgrade
    from redis import Redis
    from sqlalchemy import create_engine, text

    sys.path.insert(0, str(ROOT / "bench"))
    from benchdb import ensure_database

    ensure_database(url)
    engine = create_engine(_sa_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    with _app(url, redis_url).app_context():
        upgrade(revision="heads")
    Redis.from_url(redis_url).flushdb()


def generate(url: str, redis_url: str, count: int) -> None:
    """`count` authorities from the four profiles in turn (the onboarding's own `create_tenant`)."""
    from otklik.extensions import db
    from otklik.profiles import load_profile
    from otklik.tenants import create_tenant

    app = _app(url, redis_url)
    with app.app_context():
        profiles = [load_profile(ROOT / "tenants" / f"{name}.toml") for name in PROFILES]
        for i in range(count):
            create_tenant(profiles[i % len(profiles)], f"bench-{PROFILES[i % len(PROFILES)]}-{i}",
                          tracking_since=TRACKING_SINCE)
            if i % 1000 == 999:
                db.session.commit()
        db.session.commit()


def empty_work(url: str, redis_url: str) -> None:
    """No analyses and an empty queue: the state before the first tick."""
    import psycopg
    from redis import Redis

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE analysis RESTART IDENTITY CASCADE")
    Redis.from_url(redis_url).flushdb()


# The measured runs (each in a child process).

def child_tick(url: str, redis_url: str) -> dict:
    app = _app(url, redis_url)
    with app.app_context():
        from sqlalchemy import text

        from otklik.extensions import db
        from otklik.jobs import tick

        db.session.execute(text("SELECT 1"))  # connect before the clock starts
        db.session.remove()
        started = time.perf_counter()
        result = tick(NOW)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "enqueued": result["enqueued"], "recovered": len(result["recovered"]),
            "warnings": len(result["warnings"]), "rss_mb": _rss_mb()}


def child_floor(url: str, redis_url: str) -> dict:
    """The tick's work by hand: due periods from the settings, one INSERT ... ON CONFLICT per authority, one RPUSH
    pipeline of the new ids."""
    import psycopg
    from redis import Redis

    sys.path.insert(0, str(ROOT / "platform"))
    from otklik.periods import completed_periods, local_today

    now = datetime.fromisoformat(NOW)
    redis = Redis.from_url(redis_url)
    conn = psycopg.connect(url)
    started = time.perf_counter()
    tenants = conn.execute("SELECT id, slug, timezone, tracking_since, plugins FROM tenant WHERE active "
                           "ORDER BY id").fetchall()
    claimed = 0
    for tenant_id, slug, tz, since, plugins in tenants:
        today = local_today(tz, now)
        settings = plugins.get("periodicity") or {}
        volume = None
        due = []
        for kind in ("appeals", "surveys", "employee_surveys"):
            cadence = settings.get(kind, "none")
            if cadence == "none":
                continue
            if cadence != "month_or_quarter":
                due += [(kind, p) for p in completed_periods(cadence, since, today)]
                continue
            if volume is None:  # answers per (audience, local month), one query for both kinds
                volume = {(aud, month): n for aud, month, n in conn.execute(
                    "SELECT audience, to_char(submitted_at AT TIME ZONE %s, 'YYYY-MM'), count(*) FROM survey_response "
                    "WHERE tenant_id = %s AND submitted_at >= %s GROUP BY 1, 2", (tz, tenant_id, since)).fetchall()}
            audience = "internal" if kind == "employee_surveys" else "external"
            threshold = settings.get("survey_min_monthly_volume", 0)
            months = completed_periods("month", since, today)
            due += [(kind, m) for m in months if volume.get((audience, m.name), 0) >= threshold]
            due += [(kind, q) for q in completed_periods("quarter", since, today)
                    if any(volume.get((audience, m.name), 0) < threshold for m in q.subperiods("month"))]
        if settings.get("yearly_appeals_analysis"):
            due += [("appeals", p) for p in completed_periods("year", since, today)]
        if not due:
            conn.commit()
            continue
        values = ", ".join(["(%s, %s, %s, %s, %s, 'queued', 'schedule', %s, '', now())"] * len(due))
        params = []
        for kind, p in due:
            params += [tenant_id, kind, p.name, p.start, p.last_day, f"{slug}__{kind}__{p.name}"]
        new = conn.execute(
            "INSERT INTO analysis (tenant_id, kind, period, period_start, period_end, status, trigger, job_id, "
            f"error, created_at) VALUES {values} ON CONFLICT DO NOTHING RETURNING job_id",
            params).fetchall()
        conn.commit()
        if new:
            pipe = redis.pipeline(transaction=False)
            for (job_id,) in new:
                pipe.hset(f"rq:job:{job_id}", mapping={"status": "queued", "origin": QUEUE})
                pipe.rpush(f"rq:queue:{QUEUE}", job_id)
            pipe.execute()
            claimed += len(new)
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "claimed": claimed, "rss_mb": _rss_mb()}


def _run_child(mode: str, url: str, redis_url: str, wait: bool = True):
    cmd = [sys.executable, __file__, f"--child-{mode}", "--database", url, "--redis", redis_url]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    if not wait:
        return proc
    return _result(proc)


def _result(proc) -> dict:
    out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode})")
    return json.loads(out.decode().strip().splitlines()[-1])


def duplicates(url: str, redis_url: str, a: dict, b: dict) -> dict:
    import psycopg
    from redis import Redis

    with psycopg.connect(url) as conn:
        rows, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT (tenant_id, kind, period)) FROM analysis").fetchone()
    both = set(a["enqueued"]) & set(b["enqueued"])
    queued = Redis.from_url(redis_url).llen(f"rq:queue:{QUEUE}")
    return {"analysis_rows": rows, "duplicate_analyses": rows - distinct, "jobs_enqueued_by_both": len(both),
            "enqueued_total": len(a["enqueued"]) + len(b["enqueued"]), "jobs_in_queue": queued,
            "jobs_in_queue_beyond_rows": queued - rows}


def measure_size(url: str, redis_url: str, size: int, concurrent: bool = True) -> dict:
    reset(url, redis_url)
    started = time.perf_counter()
    generate(url, redis_url, size)
    generated = time.perf_counter() - started
    floor_first = _run_child("floor", url, redis_url)
    floor_steady = _run_child("floor", url, redis_url)
    empty_work(url, redis_url)
    first = _run_child("tick", url, redis_url)
    steady = _run_child("tick", url, redis_url)
    if concurrent:
        empty_work(url, redis_url)
        a, b = _run_child("tick", url, redis_url, wait=False), _run_child("tick", url, redis_url, wait=False)
        a, b = _result(a), _result(b)
        check = duplicates(url, redis_url, a, b)

    def per(run):
        return round(run["seconds"] / size * 1000, 3)

    return {
        "tenants": size,
        "generate_seconds": round(generated, 1),
        "analyses_claimed": len(first["enqueued"]),
        "tick_first_ms_per_tenant": per(first),
        "tick_steady_ms_per_tenant": per(steady),
        "floor_first_ms_per_tenant": per(floor_first),
        "floor_steady_ms_per_tenant": per(floor_steady),
        "ratio_first_to_floor": round(first["seconds"] / floor_first["seconds"], 2),
        "ratio_steady_to_floor": round(steady["seconds"] / floor_steady["seconds"], 2),
        "tick_first_seconds": round(first["seconds"], 2),
        "tick_steady_seconds": round(steady["seconds"], 2),
        "steady_recovered": steady["recovered"],
        "warnings_per_tick": steady["warnings"],
        "tick_rss_mb": max(first["rss_mb"], steady["rss_mb"]),
        "floor_claimed": floor_first["claimed"],
    } | ({"concurrent_seconds": [round(a["seconds"], 2), round(b["seconds"], 2)], "concurrent": check}
         if concurrent else {})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=10_000)
    parser.add_argument("--sizes", default="", help="comma-separated sizes (default: 1000, 5000 and --tenants)")
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--concurrent-up-to", type=int, default=0,
                        help="run the two-ticks-at-once check only for sizes up to this (default: every size)")
    parser.add_argument("--child-tick", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_tick:
        print(json.dumps(child_tick(args.database, args.redis)))
        return 0
    if args.child_floor:
        print(json.dumps(child_floor(args.database, args.redis)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s] or sorted({1000, 5000, args.tenants})
    load_before = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews every figure
    runs = []
    for size in sizes:
        runs.append(measure_size(args.database, args.redis, size,
                                 concurrent=not args.concurrent_up_to or size <= args.concurrent_up_to))
        r = runs[-1]
        print(f"{size} authorities: tick {r['tick_first_ms_per_tenant']} ms/authority first "
              f"(floor {r['floor_first_ms_per_tenant']}, x{r['ratio_first_to_floor']}), "
              f"{r['tick_steady_ms_per_tenant']} steady (floor {r['floor_steady_ms_per_tenant']}, "
              f"x{r['ratio_steady_to_floor']})" + (f"; two at once: {r['concurrent']['duplicate_analyses']} "
              f"duplicate analyses, {r['concurrent']['jobs_enqueued_by_both']} jobs enqueued by both"
              if "concurrent" in r else ""), flush=True)
        write(args.json_path, runs, load_before)  # after each size: a long run keeps what it measured
    return 0


def write(json_path: str | None, runs: list, load_before: list) -> None:
    if not json_path:
        return
    result = {"now": NOW, "tracking_since": TRACKING_SINCE.isoformat(), "profiles": PROFILES, "runs": runs,
              "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                       text=True).stdout.strip()}
    Path(json_path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
