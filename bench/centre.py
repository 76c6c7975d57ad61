"""Benchmark of the Analytical Centre's comparison: many authorities' stored analyses, beside a floor of SQL.

    .venv/bin/python bench/centre.py [--tenants 5000] [--periods 8] [--json bench/centre.json]
        [--database postgresql://postgres@127.0.0.1/otklik_centre]

Loads N authorities (one onboarded from the Vladimir profile, the others copies of its row in ten regions and four
kinds of authority, half with a population) and, for each, P quarters of stored analyses: an appeals document and
a surveys document each, generated directly (random but plausible figures, small authorities among them so the
disclosure control has work) and every one validated by `otklik.results.document.check` before it is stored.
Then, in a fresh process, times (a) the floor: hand-written SQL over the same stored documents, sent with psycopg,
that reads each authority's comparable counts of the P periods (total, complaints, satisfied, unsatisfied,
answered, within 30 days, redirected, channels; each survey indicator's count and volume), computes their shares
and the pooled share of every period in SQL, and fetches them; plus the one period's rows for the CSV written with
the csv module; and (b) the real path: `centre.compare.page_data` (the page's data: P periods of every authority
through the disclosure control, Wilson intervals, funnels, verdicts, trends) and the Russian CSV of the latest
period (`web.centre._human_csv`). Each side is warmed once, then run `--repeat` times, the best kept. Target: at
most 2x the floor; peak RSS of the measuring process reported. Writes JSON with both times, the ratio, the load
averages and the RSS. The database's public schema is DROPPED and recreated: never point it at a database you
care about.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from benchdb import bench_app, sa_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1/otklik_centre"
LAST = "2025-Q4"
REGIONS = [f"Регион {i}" for i in range(1, 11)]
KINDS = ("health", "social_protection", "housing_supervision", "regional_executive")
CHANNELS = ("website", "email", "post", "reception", "pos")
INDICATORS = ("overall", "clarity", "status_info", "documents", "speed", "electronic", "politeness", "deadlines",
              "informed")




def periods(count: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "platform"))
    from otklik.centre.compare import trend_periods

    return trend_periods(LAST, count)


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def appeals_doc(rng: random.Random, period: str, size: int) -> dict:
    """One authority's appeals document of a quarter: `size` is its typical volume."""
    total = max(1, int(rng.gauss(size, size * 0.15)))
    split = [rng.random() for _ in CHANNELS]
    channels = {c: int(total * w / sum(split)) for c, w in zip(CHANNELS, split, strict=True)}
    channels["website"] += total - sum(channels.values())
    complaints = int(total * rng.uniform(0.2, 0.5))
    satisfied = int(complaints * rng.uniform(0.2, 0.6))
    unsatisfied = int((complaints - satisfied) * rng.uniform(0.3, 0.9))
    answered = int(total * rng.uniform(0.8, 1.0))
    within_30 = int(answered * rng.uniform(0.7, 0.99))
    redirected = int(total * rng.uniform(0.02, 0.15))
    distribution = {"0-10": answered // 2, "11-30": within_30 - answered // 2 if within_30 > answered // 2 else 0}
    distribution["31+"] = answered - sum(distribution.values())
    return {
        "schema": 2, "kind": "appeals", "period": period, "total": total,
        "by_channel": {c: {"count": n, "share": _share(n, total)} for c, n in channels.items() if n},
        "complaints": {"total": complaints, "satisfied": satisfied, "satisfied_share": _share(satisfied, complaints),
                       "unsatisfied": unsatisfied, "unsatisfied_share": _share(unsatisfied, complaints)},
        "waiting_days": {"answered": answered, "mean": round(rng.uniform(8, 25), 2), "median": rng.randint(5, 20),
                         "p90": rng.randint(20, 45), "within_30": within_30,
                         "within_30_share": _share(within_30, answered),
                         "distribution": [{"bucket": k, "count": v, "share": _share(v, answered)}
                                          for k, v in distribution.items()]},
        "redirected": {"count": redirected, "share": _share(redirected, total)},
    }


def surveys_doc(rng: random.Random, period: str, size: int) -> dict:
    responses = max(1, int(rng.gauss(size, size * 0.2)))
    indicators = {}
    for key in INDICATORS:
        of = int(responses * rng.uniform(0.6, 1.0))
        if of:
            count = int(of * rng.uniform(0.4, 0.9))
            indicators[key] = {"count": count, "of": of, "share": _share(count, of)}
    return {"schema": 2, "kind": "surveys", "period": period, "responses": responses, "indicators": indicators}


def load(url: str, tenants: int, count: int, seed: int = 13) -> dict:
    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    engine = create_engine(sa_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = bench_app(url)
    started = time.perf_counter()
    with app.app_context():
        upgrade(revision="heads")
        from otklik.extensions import db
        from otklik.periods import parse_period
        from otklik.profiles import load_profile
        from otklik.results.document import check
        from otklik.tenants import create_tenant

        first = create_tenant(load_profile(ROOT / "tenants" / "vladimir.toml"), "bench-0001")
        db.session.commit()
        first_id = first.id
        columns = [r[0] for r in db.session.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'tenant' AND column_name <> 'id' "
            "ORDER BY ordinal_position"))]
        own = {"slug": "'bench-' || lpad(g::text, 4, '0')", "name": "'Орган власти № ' || g",
               "region": f"(ARRAY{REGIONS!r})[1 + g % {len(REGIONS)}]".replace('"', "'"),
               "authority_kind": f"(ARRAY{list(KINDS)!r})[1 + (g / 10) % {len(KINDS)}]".replace('"', "'"),
               "population": "CASE WHEN g % 2 = 0 THEN 20000 + (g * 7919) % 500000 END",
               "population_source": "CASE WHEN g % 2 = 0 THEN 'Росстат, 2025' ELSE '' END"}
        select_list = ", ".join(own.get(c, f"t.{c}") for c in columns)
        db.session.execute(text(f"UPDATE tenant SET name = 'Орган власти № 1', region = '{REGIONS[1]}', "
                                f"authority_kind = '{KINDS[0]}' WHERE id = :id"), {"id": first_id})
        db.session.execute(text(f"INSERT INTO tenant ({', '.join(columns)}) SELECT {select_list} FROM tenant t, "
                                f"generate_series(2, :n) g WHERE t.id = :id"), {"n": tenants, "id": first_id})
        db.session.commit()
        ids = [r[0] for r in db.session.execute(text("SELECT id FROM tenant ORDER BY id"))]
        names = periods(count)
        bounds = {p: (parse_period(p).start, parse_period(p).last_day) for p in names}
        rng = random.Random(seed)
        columns = ("tenant_id", "kind", "period", "period_start", "period_end", "status", "trigger", "job_id",
                   "result", "error", "created_at", "updated_at")
        present = {r[0] for r in db.session.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'analysis'"))}
        columns = tuple(c for c in columns if c in present)
        documents = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY analysis ({', '.join(columns)}) FROM STDIN") as copy:
            with app.app_context():
                for tenant_id in ids:
                    # a few small authorities (under k and under the minimum volume), most of a few hundred
                    size = rng.choice((3, 12, 40)) if rng.random() < 0.1 else int(rng.lognormvariate(5.5, 0.8))
                    for p in names:
                        for kind, doc in (("appeals", appeals_doc(rng, p, size)),
                                          ("surveys", surveys_doc(rng, p, max(2, size // 3)))):
                            check(doc)
                            values = {"tenant_id": tenant_id, "kind": kind, "period": p,
                                      "period_start": bounds[p][0], "period_end": bounds[p][1], "status": "done",
                                      "trigger": "schedule", "job_id": "", "result": json.dumps(doc),
                                      "error": "", "created_at": "2026-01-01 00:00:00+00",
                                      "updated_at": "2026-01-01 00:00:00+00"}
                            copy.write_row([values[c] for c in columns])
                            documents += 1
        conn.commit()
        cur.execute("ANALYZE analysis")
        cur.execute("ANALYZE tenant")
    return {"tenants": tenants, "periods": names, "documents": documents,
            "load_seconds": round(time.perf_counter() - started, 1)}


# The floor: the same figures by hand-written SQL.
FLOOR_SQL = """
WITH a AS (
  SELECT t.id AS tenant_id, t.name, t.region, t.authority_kind, t.population, an.period,
         (an.result->>'total')::int AS total,
         (an.result->'complaints'->>'total')::int AS complaints,
         (an.result->'complaints'->>'satisfied')::int AS satisfied,
         (an.result->'complaints'->>'unsatisfied')::int AS unsatisfied,
         (an.result->'waiting_days'->>'answered')::int AS answered,
         (an.result->'waiting_days'->>'within_30')::int AS within_30,
         (an.result->'waiting_days'->>'mean')::float AS wait_mean,
         (an.result->'waiting_days'->>'median')::float AS wait_median,
         (an.result->'waiting_days'->>'p90')::float AS wait_p90,
         (an.result->'redirected'->>'count')::int AS redirected,
         an.result->'by_channel' AS channels
  FROM analysis an JOIN tenant t ON t.id = an.tenant_id
  WHERE an.kind = 'appeals' AND an.status = 'done' AND an.period = ANY(%(periods)s) AND t.active
), s AS (
  SELECT an.tenant_id, an.period, i.key AS indicator, (i.value->>'count')::int AS count, (i.value->>'of')::int AS n
  FROM analysis an, json_each(an.result->'indicators') i
  WHERE an.kind = 'surveys' AND an.status = 'done' AND an.period = ANY(%(periods)s)
), pooled AS (
  SELECT period, sum(unsatisfied)::float / nullif(sum(complaints), 0) AS p_unsatisfied,
         sum(within_30)::float / nullif(sum(answered), 0) AS p_within_30,
         sum(redirected)::float / nullif(sum(total), 0) AS p_redirected
  FROM a GROUP BY period
), spooled AS (
  SELECT period, indicator, sum(count)::float / nullif(sum(n), 0) AS p FROM s GROUP BY period, indicator
), survey AS (
  SELECT s.tenant_id, s.period,
         json_object_agg(s.indicator, json_build_array(s.count, s.n, s.count::float / nullif(s.n, 0), sp.p)) AS survey
  FROM s JOIN spooled sp ON sp.period = s.period AND sp.indicator = s.indicator
  GROUP BY s.tenant_id, s.period
)
SELECT a.*, a.satisfied::float / nullif(a.complaints, 0) AS satisfied_share,
       a.unsatisfied::float / nullif(a.complaints, 0) AS unsatisfied_share,
       a.within_30::float / nullif(a.answered, 0) AS within_30_share,
       a.redirected::float / nullif(a.total, 0) AS redirected_share,
       pooled.p_unsatisfied, pooled.p_within_30, pooled.p_redirected, survey.survey
FROM a JOIN pooled ON pooled.period = a.period
LEFT JOIN survey ON survey.tenant_id = a.tenant_id AND survey.period = a.period
ORDER BY a.name, a.period
"""


def floor(url: str, names: list[str]) -> tuple[float, int]:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(FLOOR_SQL, {"periods": names})
        rows = cur.fetchall()
        cur.execute(FLOOR_SQL, {"periods": [names[-1]]})
        last = cur.fetchall()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows(last)
    return time.perf_counter() - started, len(rows)


def real(app, last: str) -> tuple[float, float, int, int]:
    from otklik.centre.compare import comparison, page_data
    from otklik.web.centre import _human_csv

    with app.test_request_context("/centre/?lang=ru"):
        started = time.perf_counter()
        data = page_data(last)
        page = time.perf_counter() - started
        started = time.perf_counter()
        body = _human_csv(comparison(last), last)
        csv_seconds = time.perf_counter() - started
        from otklik.extensions import db

        db.session.remove()
    return page, csv_seconds, len(data["rows"]), len(body)


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(url: str, count: int, repeat: int) -> dict:
    names = periods(count)
    app = bench_app(url)
    floor(url, names)  # warm
    floors, runs = [], []
    with app.app_context():
        real(app, names[-1])  # warm
        for _ in range(repeat):  # alternating, so a change of the machine's load falls on both sides
            floors.append(floor(url, names))
            runs.append(real(app, names[-1]))
    best_floor = min(f[0] for f in floors)
    best_page = min(r[0] for r in runs)
    best_csv = min(r[1] for r in runs)
    best_real = min(r[0] + r[1] for r in runs)
    return {"floor_seconds": round(best_floor, 3), "page_data_seconds": round(best_page, 3),
            "csv_seconds": round(best_csv, 3), "comparison_seconds": round(best_real, 3),
            "ratio": round(best_real / best_floor, 2), "floor_rows": floors[0][1], "authorities": runs[0][2],
            "csv_bytes": runs[0][3], "peak_rss_mb": peak_rss_mb()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=5000)
    parser.add_argument("--periods", type=int, default=8)
    parser.add_argument("--database", default=os.environ.get("OTKLIK_BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--json", dest="json_path", default=None, help="write the figures here")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    parser.add_argument("--skip-load", action="store_true", help="measure the data already loaded")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_only:
        print(json.dumps(measure(args.database, args.periods, args.repeat)))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from benchdb import ensure_database

    load_before = [round(x, 2) for x in os.getloadavg()]
    ensure_database(args.database)
    loaded = {} if args.skip_load else load(args.database, args.tenants, args.periods)
    proc = subprocess.run([sys.executable, __file__, "--measure-only", "--database", args.database,
                           "--periods", str(args.periods), "--repeat", str(args.repeat)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        return proc.returncode
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    result = {"bench": "centre", "commit": commit.stdout.strip(), "cpus": os.cpu_count(),
              "load_average_before": load_before,
              "load_average_after": [round(x, 2) for x in os.getloadavg()], "tenants_requested": args.tenants,
              "periods_requested": args.periods, **loaded, **figures, "target": {"ratio_max": 2.0}}
    result["ok"] = figures["ratio"] <= 2.0
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"centre: {figures['authorities']} authorities x {args.periods} periods: page data "
          f"{figures['page_data_seconds']}s + CSV {figures['csv_seconds']}s vs floor {figures['floor_seconds']}s "
          f"(x{figures['ratio']}), peak RSS {figures['peak_rss_mb']} MB {'OK' if result['ok'] else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
