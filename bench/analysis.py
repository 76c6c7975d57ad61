"""Benchmark of the analysis engine: one tenant-quarter on PostgreSQL, beside its floor.

    .venv/bin/python bench/analysis.py [--appeals 1000000] [--answers 200000] [--json bench/analysis.json]
        [--database postgresql://postgres@127.0.0.1/otklik_analysis]

Loads one authority's quarter (2025-Q1) with COPY: N appeals (about 70 % linked to one of 30 catalogue processes)
and M survey answers (about ten a response), then times, in a fresh process, (a) the floor: the same aggregates
as hand-written SQL sent directly with psycopg (counts by kind/channel/outcome/segment, by topic, by reason, by
catalogue process, complaints by topic, process and outcome, the waiting-days histogram in the tenant's time
zone; responses, numeric answers, options, open answers, questions) and the open answers tokenised and
lemmatised with pymorphy3, the work the themes do; and (b) the full analyses through the real code path
(`otklik.analysis.runner.run`: plugins, SQL, pandas, signals, the stored JSON document). Each side is warmed
once, then run `--repeat` times, the best kept; both lemmatise each run's words afresh. Target: at most 2x the
floor on each side (appeals, surveys), peak RSS at most 1 GB.
Prints one summary line and writes JSON: both times, the ratios, the load average and the measuring process's
peak RSS.
The database's public schema is DROPPED and recreated: never point it at a database you care about.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchdb import bench_app, sa_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgresql://postgres@127.0.0.1/otklik_analysis"
SLUG = "bench-vladimir"
PERIOD = "2025-Q1"
TZ = "Europe/Moscow"
CHUNK = 200_000
PROCESSES = 30




# Loading.

def load(url: str, appeals: int, answers: int, seed: int = 5) -> dict:
    import numpy as np
    import pandas as pd
    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    engine = create_engine(sa_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = bench_app(url)
    with app.app_context():
        upgrade(revision="heads")
        from otklik.extensions import db
        from otklik.profiles import load_profile
        from otklik.tenants import create_tenant

        tenant = create_tenant(load_profile(ROOT / "tenants" / "vladimir.toml"), SLUG)
        db.session.commit()
        tenant_id = tenant.id
    rng = np.random.default_rng(seed)
    start = datetime(2024, 12, 31, 21, 0, tzinfo=UTC).timestamp()  # 1 January 2025, 00:00 in Moscow
    end = datetime(2025, 3, 31, 21, 0, tzinfo=UTC).timestamp()
    t0 = time.perf_counter()
    channels = np.array(["website", "post", "email", "phone", "reception", "epgu", "pos", "social", "hotline", "mfc"])
    kinds = np.array(["appeal", "complaint", "request", "proposal"])
    outcomes = np.array(["pending", "supported", "measures_taken", "explained", "not_supported", "redirected",
                         "left_without_answer"])
    topics = np.array([f"{s:04d}.{s * 3 % 20:04d}.{q:04d}.{q * 7 % 1200:04d}"
                       for s in range(1, 6) for q in range(60)])
    reasons = np.array([f"Причина обращения № {i}" for i in range(50)])
    segments = np.array(["citizens", "pensioners", "families", "disabled", "business", "ngo", "employees", ""])
    columns = ("tenant_id, external_id, kind, audience, channel, registered_at, answered_at, due_date, extended_days, "
               "extension_reason, redirected_to, topic_code, reason, segment, client_type, object, outcome, summary, "
               "created_at, process_id")
    linked = np.random.default_rng(seed + 1)  # its own stream: the other columns stay as they were before processes
    with psycopg.connect(url, autocommit=True) as conn:
        # The authority's catalogue of processes; about 70 % of the appeals name one of them.
        process_ids = np.array([conn.execute(
            "INSERT INTO process (tenant_id, kind, name, process_group, touchpoints, life_situations, active, "
            "created_at) VALUES (%s, 'service', %s, '', '[]', '[]', true, now()) RETURNING id",
            (tenant_id, f"Услуга № {i + 1}")).fetchone()[0] for i in range(PROCESSES)])
        for offset in range(0, appeals, CHUNK):
            n = min(CHUNK, appeals - offset)
            reg = pd.to_datetime(rng.uniform(start, end, n), unit="s", utc=True)
            answered = rng.random(n) < 0.85
            wait = pd.to_timedelta(rng.gamma(3.0, 6.0, n) * 86400, unit="s")
            ans = (reg + wait).where(answered)
            frame = pd.DataFrame({
                "tenant_id": tenant_id,
                "external_id": [f"B-{offset + i}" for i in range(n)],
                "kind": kinds[rng.choice(4, n, p=[0.6, 0.25, 0.1, 0.05])],
                "audience": "external",
                "channel": channels[rng.integers(0, len(channels), n)],
                "registered_at": reg.strftime("%Y-%m-%d %H:%M:%S+00"),
                "answered_at": ans.strftime("%Y-%m-%d %H:%M:%S+00"),
                "due_date": (reg + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),
                "extended_days": 0, "extension_reason": "", "redirected_to": "",
                "topic_code": topics[rng.integers(0, len(topics), n)],
                "reason": reasons[np.minimum(rng.geometric(0.12, n) - 1, len(reasons) - 1)],
                "segment": segments[rng.integers(0, len(segments), n)],
                "client_type": "individual", "object": "",
                "outcome": outcomes[rng.choice(7, n, p=[0.1, 0.2, 0.1, 0.35, 0.12, 0.08, 0.05])],
                "summary": "",
                "created_at": reg.strftime("%Y-%m-%d %H:%M:%S+00"),
                "process_id": pd.Series(np.where(linked.random(n) < 0.7, process_ids[linked.integers(0, PROCESSES, n)],
                                                 0), dtype="Int64").where(lambda ids: ids > 0),
            })
            buf = io.StringIO()
            frame.to_csv(buf, index=False, header=False, na_rep=r"\N")
            with conn.cursor() as cur, cur.copy(f"COPY appeal ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
                copy.write(buf.getvalue())
        survey_rows = _load_surveys(conn, tenant_id, answers, rng, start, end)
        conn.execute("ANALYZE appeal")
        conn.execute("ANALYZE survey_response")
        conn.execute("ANALYZE survey_answer")
    return {"tenant_id": tenant_id, "load_seconds": round(time.perf_counter() - t0, 2), **survey_rows}


QUESTIONS = [
    {"key": "q1", "number": 1, "type": "scale", "text": "Общая удовлетворенность", "parameter": "overall"},
    {"key": "q2", "number": 2, "type": "matrix", "text": "Оцените",
     "rows": [{"key": k, "text": k, "parameter": k}
              for k in ("clarity", "status_info", "documents", "speed", "electronic")]},
    {"key": "q3", "number": 3, "type": "multiple", "text": "Проблемы",
     "options": [{"value": f"p{i}", "text": f"Проблема {i}"} for i in range(8)]},
    {"key": "q4", "number": 4, "type": "yesno", "text": "Информированы?", "parameter": "informed",
     "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]},
    {"key": "q5", "number": 5, "type": "open", "text": "Что улучшить?"},
]
OPEN = ["Долго ждать в очереди", "Сайт не работает", "Нужно меньше документов", "Грубый сотрудник",
        "Не дозвониться по телефону", "Хочу парковку", "Непонятно, на каком этапе заявление", "Все хорошо"]


def _load_surveys(conn, tenant_id: int, answers: int, rng, start: float, end: float) -> dict:
    import numpy as np
    import pandas as pd

    per_response = 1 + 5 + 1.6 + 1 + 0.2  # q1, five matrix rows, about 1.6 options, q4, an open answer in five
    responses = max(1, int(answers / per_response))
    now = datetime.now(UTC)
    qid = conn.execute("INSERT INTO questionnaire (tenant_id, title, audience, template_key, description, "
                       "created_at) VALUES (%s, 'Анкета', 'external', '', '', %s) RETURNING id",
                       (tenant_id, now)).fetchone()[0]
    vid = conn.execute("INSERT INTO questionnaire_version (tenant_id, questionnaire_id, number, status, questions, "
                       "created_at) VALUES (%s, %s, 1, 'published', %s, %s) RETURNING id",
                       (tenant_id, qid, json.dumps(QUESTIONS, ensure_ascii=False), now)).fetchone()[0]
    sid = conn.execute("INSERT INTO survey (tenant_id, questionnaire_version_id, title, object, audience, segment, "
                       "channels, token, status, created_at) VALUES (%s, %s, 'Опрос', '', 'external', '', '[]', "
                       "'benchtoken', 'open', %s) RETURNING id", (tenant_id, vid, now)).fetchone()[0]
    first_id = 1
    ids = np.arange(first_id, first_id + responses)
    sub = pd.to_datetime(rng.uniform(start, end, responses), unit="s", utc=True)
    objects = np.array(["pension", "subsidy", "benefit", "care", "compensation"])
    resp = pd.DataFrame({"id": ids, "tenant_id": tenant_id, "survey_id": sid, "questionnaire_version_id": vid,
                         "channel": np.array(["survey_online", "survey_offline"])[rng.integers(0, 2, responses)],
                         "audience": "external", "object": objects[rng.integers(0, 5, responses)],
                         "segment": np.array(["citizens", "pensioners", "families"])[rng.integers(0, 3, responses)],
                         "submitted_at": sub.strftime("%Y-%m-%d %H:%M:%S+00"), "source": "web"})
    _copy(conn, "survey_response", resp)
    conn.execute("SELECT setval('survey_response_id_seq', %s)", (int(ids[-1]),))
    parts = []

    def scale(n):
        return rng.choice([1, 2, 3, 4, 5], n, p=[0.08, 0.12, 0.2, 0.3, 0.3]).astype(float)

    parts.append(pd.DataFrame({"response_id": ids, "question_key": "q1", "row_key": "", "value_num": scale(responses),
                               "option": None, "text": None}))
    for row in QUESTIONS[1]["rows"]:
        parts.append(pd.DataFrame({"response_id": ids, "question_key": "q2", "row_key": row["key"],
                                   "value_num": scale(responses), "option": None, "text": None}))
    chosen = rng.random((responses, 8)) < 0.2
    r_idx, o_idx = np.nonzero(chosen)
    parts.append(pd.DataFrame({"response_id": ids[r_idx], "question_key": "q3", "row_key": "", "value_num": None,
                               "option": np.char.add("p", o_idx.astype(str)), "text": None}))
    parts.append(pd.DataFrame({"response_id": ids, "question_key": "q4", "row_key": "", "value_num": None,
                               "option": np.where(rng.random(responses) < 0.7, "yes", "no"), "text": None}))
    with_text = ids[rng.random(responses) < 0.2]
    parts.append(pd.DataFrame({"response_id": with_text, "question_key": "q5", "row_key": "", "value_num": None,
                               "option": None, "text": np.array(OPEN)[rng.integers(0, len(OPEN), len(with_text))]}))
    answers_frame = pd.concat(parts, ignore_index=True)
    answers_frame.insert(0, "tenant_id", tenant_id)
    answers_frame.insert(2, "survey_id", sid)
    _copy(conn, "survey_answer", answers_frame)
    return {"responses": responses, "answers": len(answers_frame)}


def _copy(conn, table: str, frame) -> None:
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    for offset in range(0, len(frame), CHUNK):
        buf = io.StringIO()
        frame.iloc[offset:offset + CHUNK].to_csv(buf, index=False, header=False, na_rep=r"\N")
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            copy.write(buf.getvalue())


# Measuring (in a fresh process, so its peak RSS is the analysis's, not the loader's).

FLOOR_APPEALS = [
    "SELECT kind, channel, outcome, segment, count(*) FROM appeal WHERE tenant_id = %(t)s AND registered_at >= %(s)s "
    "AND registered_at < %(e)s GROUP BY kind, channel, outcome, segment",
    "SELECT topic_code, count(*) FROM appeal WHERE tenant_id = %(t)s AND registered_at >= %(s)s "
    "AND registered_at < %(e)s GROUP BY topic_code",
    "SELECT reason, count(*) FROM appeal WHERE tenant_id = %(t)s AND registered_at >= %(s)s "
    "AND registered_at < %(e)s GROUP BY reason",
    # By catalogue process, and complaints by topic, process and outcome (the names: one small lookup).
    "SELECT process_id, count(*) FROM appeal WHERE tenant_id = %(t)s AND registered_at >= %(s)s "
    "AND registered_at < %(e)s GROUP BY process_id",
    "SELECT topic_code, process_id, outcome, count(*) FROM appeal WHERE tenant_id = %(t)s "
    "AND registered_at >= %(s)s AND registered_at < %(e)s AND kind = 'complaint' "
    "GROUP BY topic_code, process_id, outcome",
    "SELECT id, name FROM process WHERE tenant_id = %(t)s",
    "SELECT (timezone(%(tz)s, answered_at))::date - (timezone(%(tz)s, registered_at))::date, count(*) FROM appeal "
    "WHERE tenant_id = %(t)s AND registered_at >= %(s)s AND registered_at < %(e)s AND answered_at IS NOT NULL "
    "GROUP BY 1",
]
_R = ("r.tenant_id = %(t)s AND r.audience = 'external' AND r.submitted_at >= %(s)s AND r.submitted_at < %(e)s")
_JOIN = "FROM survey_answer a JOIN survey_response r ON r.id = a.response_id"
OPEN_ANSWERS = (f"SELECT a.question_key, a.text {_JOIN} WHERE {_R} AND a.tenant_id = %(t)s AND a.text IS NOT NULL "
                "AND a.text <> '' ORDER BY a.id")
FLOOR_SURVEYS = [
    f"SELECT r.object, r.segment, r.channel, count(*) FROM survey_response r WHERE {_R} "
    "GROUP BY r.object, r.segment, r.channel",
    # Per questionnaire version (question keys belong to a questionnaire; the last statement maps versions to
    # questionnaires), as the analysis groups them per questionnaire.
    f"SELECT r.questionnaire_version_id, a.question_key, a.row_key, r.object, r.segment, a.value_num, count(*) "
    f"{_JOIN} WHERE {_R} AND a.tenant_id = %(t)s AND a.value_num IS NOT NULL GROUP BY r.questionnaire_version_id, "
    "a.question_key, a.row_key, r.object, r.segment, a.value_num",
    f"SELECT r.questionnaire_version_id, a.question_key, a.option, count(DISTINCT a.response_id) {_JOIN} "
    f"WHERE {_R} AND a.tenant_id = %(t)s AND a.option IS NOT NULL AND a.option <> '' "
    "GROUP BY r.questionnaire_version_id, a.question_key, a.option",
    f"SELECT r.questionnaire_version_id, a.question_key, count(DISTINCT a.response_id) {_JOIN} WHERE {_R} "
    "AND a.tenant_id = %(t)s AND a.option IS NOT NULL AND a.option <> '' "
    "GROUP BY r.questionnaire_version_id, a.question_key",
    OPEN_ANSWERS,
    "SELECT s.id, s.title, s.token, s.object, q.title, v.number, count(*) FROM survey_response r "
    "JOIN survey s ON s.id = r.survey_id JOIN questionnaire_version v ON v.id = r.questionnaire_version_id "
    f"JOIN questionnaire q ON q.id = v.questionnaire_id WHERE {_R} AND s.tenant_id = %(t)s "
    "GROUP BY s.id, s.title, s.token, s.object, q.title, v.number ORDER BY count(*) DESC, s.id",
    f"SELECT v.id, v.questionnaire_id, v.questions FROM questionnaire_version v WHERE v.tenant_id = %(t)s AND v.id IN "
    f"(SELECT DISTINCT r.questionnaire_version_id FROM survey_response r WHERE {_R})",
]


WORD = re.compile(r"[а-яёa-z]+", re.IGNORECASE)


def _analyser():
    """pymorphy3's analyser for Russian: the measuring process's one instance, which the analysis loads once a
    process too (its dictionaries take a while to load and about 20 MB: a second instance would add that to the
    peak RSS reported as the analysis's). Only the loading is shared; the floor's work is its own."""
    from otklik.analysis.themes import _morph

    return _morph()


def lemmatise_by_hand(rows) -> Counter:
    """The floor of the open answers' themes: every answer tokenised, each distinct word of the run lemmatised once
    with pymorphy3, and the answers counted per lemma. Theme matching against a dictionary is left out (a few set
    intersections an answer)."""
    morph = _analyser()
    known: dict[str, str] = {}
    per_lemma: Counter = Counter()
    for _key, text in rows:
        found = set()
        for word in WORD.findall(text.lower()):
            if len(word) < 3:  # the analysis skips them too
                continue
            lemma = known.get(word)
            if lemma is None:
                lemma = known[word] = morph.parse(word)[0].normal_form
            found.add(lemma)
        per_lemma.update(found)
    return per_lemma


FLOOR_WORK = {OPEN_ANSWERS: lemmatise_by_hand}  # what the floor does in Python with a statement's rows


def _floor(url: str, statements: list[str], params: dict) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        t0 = time.perf_counter()
        for sql in statements:
            rows = conn.execute(sql, params).fetchall()
            if sql in FLOOR_WORK:
                FLOOR_WORK[sql](rows)
        return time.perf_counter() - t0


def measure(url: str, repeat: int) -> dict:
    from sqlalchemy import select

    app = bench_app(url)
    with app.app_context():
        from otklik.analysis import themes
        from otklik.analysis.runner import run
        from otklik.extensions import db
        from otklik.jobs import claim_analysis
        from otklik.models import Analysis, Tenant
        from otklik.periods import parse_period
        from otklik.tenancy import across_tenants, tenant_scope

        tenant = db.session.execute(across_tenants(select(Tenant).where(Tenant.slug == SLUG))).scalar_one()
        start, end = parse_period(PERIOD).utc_bounds(tenant.timezone)
        params = {"t": tenant.id, "s": start, "e": end, "tz": tenant.timezone}
        ids = {}
        with tenant_scope(tenant):
            for kind in ("appeals", "surveys"):
                row = claim_analysis(tenant, kind, PERIOD, trigger="manual")
                ids[kind] = row.id if row else db.session.execute(
                    select(Analysis.id).where(Analysis.kind == kind, Analysis.period == PERIOD)).scalar_one()
        db.session.remove()
        out = {}
        for kind, statements in (("appeals", FLOOR_APPEALS), ("surveys", FLOOR_SURVEYS)):
            _floor(url, statements, params)  # warm up both: the database's cache, pymorphy3's dictionaries
            run(ids[kind])
            db.session.remove()
            floors, fulls = [], []
            for _ in range(repeat):
                floors.append(_floor(url, statements, params))
                themes.lemma.cache_clear()  # each run lemmatises its words afresh, as the floor does
                t0 = time.perf_counter()
                run(ids[kind])
                fulls.append(time.perf_counter() - t0)
                db.session.remove()
            doc = db.session.execute(across_tenants(select(Analysis.result).where(Analysis.id == ids[kind]))
                                     ).scalar_one()
            out[kind] = {"floor_seconds": round(min(floors), 3), "analysis_seconds": round(min(fulls), 3),
                         "ratio": round(min(fulls) / min(floors), 2), "inputs": doc["inputs"],
                         "document_bytes": len(json.dumps(doc, ensure_ascii=False).encode())}
    floor = sum(v["floor_seconds"] for v in out.values())
    full = sum(v["analysis_seconds"] for v in out.values())
    out.update(floor_seconds=round(floor, 3), analysis_seconds=round(full, 3), ratio=round(full / floor, 2),
               peak_rss_mb=peak_rss_mb())
    return out


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM (ru_maxrss would carry the loading parent's peak across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--database", default=os.environ.get("OTKLIK_BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--json", dest="json_path", default=None, help="write the figures here")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best is reported")
    parser.add_argument("--skip-load", action="store_true", help="measure the data already loaded")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_only:
        print(json.dumps(measure(args.database, args.repeat)))
        return 0
    from benchdb import ensure_database

    load_before = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews every figure
    ensure_database(args.database)
    loaded = {} if args.skip_load else load(args.database, args.appeals, args.answers)
    if args.skip_load:
        args.appeals = args.answers = None
    proc = subprocess.run([sys.executable, __file__, "--measure-only", "--database", args.database,
                           "--repeat", str(args.repeat)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        return proc.returncode
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    result = {"bench": "analysis", "period": PERIOD, "cpus": os.cpu_count(), "load_average_before": load_before,
              "load_average_after": [round(x, 2) for x in os.getloadavg()], "appeals_requested": args.appeals,
              "answers_requested": args.answers,
              **loaded, **figures, "target": {"ratio_max_each_side": 2.0, "peak_rss_mb_max": 1024}}
    result["ok"] = (all(figures[kind]["ratio"] <= 2.0 for kind in ("appeals", "surveys"))
                    and result["peak_rss_mb"] <= 1024)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"analysis: {figures['appeals']['inputs'].get('appeals')} appeals + {loaded.get('answers', 'the loaded')} answers, one tenant-quarter: "
          f"analysis {result['analysis_seconds']}s vs floor {result['floor_seconds']}s (x{result['ratio']}; "
          f"appeals x{figures['appeals']['ratio']}, "
          f"surveys x{figures['surveys']['ratio']}), peak RSS {result['peak_rss_mb']} MB "
          f"{'OK' if result['ok'] else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
