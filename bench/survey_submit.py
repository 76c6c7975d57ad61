"""Benchmark of the public survey form: sustained submissions per second on gunicorn with PostgreSQL.

    .venv/bin/python bench/survey_submit.py --requests 6000 --json bench/survey_submit.json

Creates (or reuses) a tenant `bench-surveys` from the Vladimir profile and a fresh open survey of the Vladimir
form, starts gunicorn as a subprocess (2 gthread workers of 2 threads, a free port on 127.0.0.1, no access log) with the real app
against PostgreSQL and Redis, takes one page of the form for its session cookie and CSRF token, then POSTs
complete questionnaires (four answer sets, two of them through the 4 -> 6 skip) with `--concurrency` clients.
In the same run, on the same gunicorn settings and with the same client, it loads:
- the same submissions done by hand (`bare_submission_app`: bare Flask, the CSRF check, psycopg and the app's own
  two SQL statements): the floor of this very work on this machine;
- the app's bare `/health` endpoint (one SELECT): the floor of the app's own stack;
- a bare Flask app (one route returning JSON, no database): the ceiling of Flask and gunicorn, which no page of
  any Flask app can pass.
It counts the stored responses in the database after each submission phase: every 303 must be there.

The app runs with `RATELIMIT_ENABLED=False` (the gunicorn app spec passes it to create_app): the per-client
rate limit would otherwise refuse a single client's thousands of answers, which is its job. CSRF stays on.
The load generator is a raw-socket asyncio client (one prebuilt request, `Connection: close`), cheap enough to
share the machine's cores with the server; it only ever connects to 127.0.0.1, with bounded requests and time.
Prints one summary line; writes JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))

DEFAULT_DB = "postgresql://postgres@127.0.0.1/otklik_surveys"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
SLUG = "bench-surveys"
HEALTH_GET = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

ANSWERS = [
    {"q1": "child_allowance", "q2": ["gosuslugi", "mfc"], "q3": "4", "q4": "gosuslugi", "q5": "5", "q6": "self",
     "q7": "yes", "q9.clarity": "4", "q9.status_info": "3", "q9.documents": "5", "q9.speed": "4",
     "q9.electronic": "5", "q10": "yes", "q11": "yes", "q13": "female", "q14": "30-44", "q15": "higher"},
    {"q1": "housing_subsidy", "q2": ["in_person"], "q3": "2", "q4": "mfc", "q6": "offered", "q7": "no", "q8": "no",
     "q9.clarity": "2", "q9.status_info": "1", "q9.documents": "2", "q9.speed": "3", "q9.electronic": "2",
     "q10": "hard", "q11": "no", "q12": "yes", "q13": "male", "q14": "61+", "q15": "vocational"},
    {"q1": "veteran_payment", "q2": ["media"], "q3": "5", "q4": "institution", "q6": "self", "q7": "yes",
     "q9.clarity": "5", "q9.status_info": "5", "q9.documents": "4", "q9.speed": "5", "q9.electronic": "4",
     "q10": "yes", "q11": "yes", "q13": "female", "q14": "45-60", "q15": "secondary"},
    {"q1": "other", "q2": ["ministry_site", "acquaintances"], "q3": "3", "q4": "gosuslugi", "q5": "3",
     "q6": "self", "q7": "no", "q8": "hard", "q9.clarity": "3", "q9.status_info": "3", "q9.documents": "3",
     "q9.speed": "3", "q9.electronic": "4", "q10": "no_contact", "q11": "hard", "q12": "no", "q13": "male",
     "q14": "18-29", "q15": "incomplete_higher"},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bare_app():
    """The ceiling: Flask on the same gunicorn settings with one route and nothing else (no database, session,
    extension or template). gunicorn loads it as `survey_submit:bare_app()` from this folder."""
    from flask import Flask

    app = Flask("bare")
    app.add_url_rule("/health", "health", lambda: {"status": "ok"})
    return app


def bare_submission_app():
    """The same work by hand, the floor of a submission: bare Flask with Flask-WTF's CSRF check on the same signed
    session cookie, one psycopg connection a thread in autocommit, the app's own lookup and INSERT statements as
    plain SQL, the app's own form reading and answer checks (pure functions), a 303. No ORM, tenancy, plugins,
    Babel, Login or Limiter. gunicorn loads it as `survey_submit:bare_submission_app()` from this folder."""
    import threading

    import psycopg
    from flask import Flask, abort, redirect, request
    from flask_wtf.csrf import validate_csrf

    from otklik.surveys.engine import answer_rows, check_answers, read_form
    from otklik.surveys.service import _SUBMIT_PG

    lookup = ("SELECT s.tenant_id, s.id, s.questionnaire_version_id, s.audience, s.object, s.segment, v.questions "
              "FROM survey s JOIN tenant t ON t.id = s.tenant_id JOIN questionnaire_version v "
              "ON v.id = s.questionnaire_version_id AND v.tenant_id = s.tenant_id "
              "WHERE t.slug = %s AND t.active AND s.token = %s AND s.status = 'open'")
    submit = re.sub(r"(?<!:):(\w+)", r"%(\1)s", _SUBMIT_PG.text)
    local = threading.local()
    app = Flask("bare_submission")
    app.config.update(SECRET_KEY=os.environ["OTKLIK_SECRET_KEY"], WTF_CSRF_TIME_LIMIT=None)
    app.add_url_rule("/health", "health", lambda: {"status": "ok"})

    @app.post("/<slug>/s/<token>")
    def form(slug, token):
        validate_csrf(request.form.get("csrf_token"))
        if request.form.get("website_url", "").strip():
            abort(400)
        if getattr(local, "conn", None) is None:
            local.conn = psycopg.connect(os.environ["OTKLIK_DATABASE_URL"], autocommit=True)
        row = local.conn.execute(lookup, (slug, token)).fetchone()
        if row is None:
            abort(404)
        tenant_id, survey_id, version_id, audience, object_, segment, questions = row
        parsed = check_answers(questions, read_form(questions, request.form))
        if not parsed.ok:
            abort(422)
        rows = answer_rows(questions, parsed.answers)
        local.conn.execute(submit, {
            "tenant_id": tenant_id, "survey_id": survey_id, "version_id": version_id, "channel": "survey_online",
            "audience": audience, "object": object_, "segment": segment, "submitted_at": datetime.now(UTC),
            "source": "web", "keys": [r["question_key"] for r in rows], "rows": [r["row_key"] for r in rows],
            "nums": [r["value_num"] for r in rows], "options": [r["option"] for r in rows],
            "texts": [r["text"] for r in rows]})
        return redirect(f"/{slug}/s/{token}/thanks", 303)

    return app


def prepare(db_url: str, redis_url: str) -> tuple[int, str, int]:
    """Tenant and a fresh open survey; returns (survey id, token, answer rows per questionnaire variant sum)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from otklik import create_app
    from otklik.extensions import db
    from otklik.models import Survey, Tenant
    from otklik.profiles import load_profile
    from otklik.surveys import service
    from otklik.surveys.templates import BUILTIN
    from otklik.tenancy import tenant_scope
    from otklik.tenants import create_tenant

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url})
    with app.app_context():
        upgrade(revision="heads")
        tenant = db.session.execute(select(Tenant).where(Tenant.slug == SLUG)).scalar_one_or_none()
        if tenant is None:
            tenant = create_tenant(load_profile(ROOT / "tenants" / "vladimir.toml"), SLUG)
            db.session.commit()
        with tenant_scope(tenant):
            questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"])
            service.publish(questionnaire.latest)
            survey = Survey(questionnaire_version_id=questionnaire.latest.id, title="Бенчмарк",
                            object="Ежемесячная выплата на ребенка", audience="external",
                            channels=["survey_online"], status="open")
            db.session.add(survey)
            db.session.commit()
            return survey.id, survey.token, tenant.id


def count_stored(db_url: str, survey_id: int, tenant_id: int) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        responses = conn.execute(text("SELECT count(*) FROM survey_response WHERE tenant_id = :t AND survey_id = :s"),
                                 {"t": tenant_id, "s": survey_id}).scalar_one()
        answers = conn.execute(text("SELECT count(*) FROM survey_answer WHERE tenant_id = :t AND survey_id = :s"),
                               {"t": tenant_id, "s": survey_id}).scalar_one()
    engine.dispose()
    return responses, answers


def http(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def form_session(port: int, path: str) -> tuple[str, str]:
    """GET the form: its session cookie and CSRF token."""
    response = http(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    head, _, body = response.partition(b"\r\n\r\n")
    cookie = re.search(rb"Set-Cookie: (session=[^;]+)", head, re.I).group(1).decode()
    token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
    return cookie, token


def post_request(path: str, cookie: str, token: str, answers: dict) -> bytes:
    pairs = [("csrf_token", token), ("website_url", "")]
    for key, value in answers.items():
        pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    body = urllib.parse.urlencode(pairs).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: {cookie}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _one(port: int, raw: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # until the server closes
    writer.close()
    return int(status_line.split()[1]) if status_line else 0


async def _load(port: int, requests: list[bytes], concurrency: int, deadline: float) -> tuple[dict, float, int]:
    codes: dict[int, int] = {}
    next_index = 0

    async def client():
        nonlocal next_index
        while next_index < len(requests) and time.perf_counter() < deadline:
            raw = requests[next_index]
            next_index += 1
            try:
                code = await _one(port, raw)
            except OSError:
                code = 0
            codes[code] = codes.get(code, 0) + 1

    t0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return codes, time.perf_counter() - t0, next_index


def serving_env(args) -> tuple[str, dict]:
    """The bench's database (created if missing) and the environment of the app it serves: this interpreter's
    gunicorn, its own instance folder and secret. Returns the SQLAlchemy URL and the environment."""
    if importlib.util.find_spec("gunicorn") is None:
        raise SystemExit(f"gunicorn is not installed for {sys.executable}: install the platform's dependencies")
    db_url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    instance = tempfile.mkdtemp(prefix="otklik-bench-")
    env = dict(os.environ, OTKLIK_DATABASE_URL=args.database_url, OTKLIK_REDIS_URL=args.redis_url,
               OTKLIK_INSTANCE_DIR=instance, OTKLIK_SECRET_KEY="bench-secret")
    os.environ.update({k: env[k] for k in ("OTKLIK_INSTANCE_DIR", "OTKLIK_SECRET_KEY")})
    from benchdb import ensure_database

    ensure_database(db_url)
    return db_url, env


def start_gunicorn(args, env: dict, chdir: Path, app_spec: str) -> tuple[int, subprocess.Popen]:
    """gunicorn with the benchmark's worker settings on a free port; returns once /health answers 200.
    It runs under this very interpreter (`python -m gunicorn`), so the bench works from any environment that has
    the platform's dependencies, not only from the repository's `.venv`."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--threads", str(args.threads),
         "--backlog", "2048", "--log-level", "warning", "--chdir", str(chdir),
         "--pythonpath", str(ROOT / "platform"), app_spec],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            if b" 200 " in http(port, HEALTH_GET)[:20]:
                return port, server
        except OSError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start: " + server.stderr.read().decode()[-2000:])


def load(port: int, requests: list[bytes], concurrency: int, max_seconds: float):
    return asyncio.run(_load(port, requests, concurrency, time.perf_counter() + max_seconds))


def load_bench_app(args, env: dict, factory: str, requests: list[bytes]) -> tuple[dict, float]:
    """One of this file's comparison apps on the benchmark's gunicorn settings: warmed, loaded, stopped."""
    port, server = start_gunicorn(args, env, Path(__file__).parent, f"survey_submit:{factory}")
    try:
        load(port, [HEALTH_GET] * 200, args.concurrency, 30)
        codes, seconds, _ = load(port, requests, args.concurrency, args.max_seconds)
    finally:
        server.terminate()
        server.wait(30)
    return codes, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000, help="submissions (and as many /health requests)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="upper bound of each load phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="threads a worker (gthread): overlap database waits")
    parser.add_argument("--json", dest="json_path", default="bench/survey_submit.json")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()
    requests = max(1, min(args.requests, 200_000))
    db_url, env = serving_env(args)
    survey_id, token, tenant_id = prepare(db_url, args.redis_url)
    load_before = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews every figure

    port, server = start_gunicorn(args, env, ROOT, 'otklik:create_app({"RATELIMIT_ENABLED": False})')
    try:
        path = f"/{SLUG}/s/{token}"
        cookie, csrf = form_session(port, path)
        posts = [post_request(path, cookie, csrf, ANSWERS[i % len(ANSWERS)]) for i in range(requests)]
        health = [HEALTH_GET] * requests
        warm_codes, _, _ = load(port, health[:200], args.concurrency, 30)  # warm both workers' pools
        warm_before = count_stored(db_url, survey_id, tenant_id)[0]
        codes, seconds, sent = load(port, posts, args.concurrency, args.max_seconds)
        stored_after = count_stored(db_url, survey_id, tenant_id)[0]
        floor_codes, floor_seconds, floor_sent = load(port, health, args.concurrency, args.max_seconds)
    finally:
        server.terminate()
        server.wait(30)
    by_hand_codes, by_hand_seconds = load_bench_app(args, env, "bare_submission_app()", posts)
    bare_codes, bare_seconds = load_bench_app(args, env, "bare_app()", health)

    stored, answers = count_stored(db_url, survey_id, tenant_id)
    accepted = codes.get(303, 0)
    rate = accepted / seconds if seconds else 0.0
    by_hand_accepted = by_hand_codes.get(303, 0)
    by_hand_rate = by_hand_accepted / by_hand_seconds if by_hand_seconds else 0.0
    floor_rate = floor_codes.get(200, 0) / floor_seconds if floor_seconds else 0.0
    bare_rate = bare_codes.get(200, 0) / bare_seconds if bare_seconds else 0.0
    result = {
        "bench": "survey_submit",
        "server": f"gunicorn, {args.workers} gthread workers x {args.threads} threads, PostgreSQL, Redis; rate limits off, CSRF on",
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "concurrency": args.concurrency,
        "submissions_sent": sent,
        "submissions_accepted": accepted,
        "status_codes": {str(k): v for k, v in sorted(codes.items())},
        "seconds": round(seconds, 3),
        "submissions_per_second": round(rate, 1),
        "stored_responses": stored_after - warm_before,
        "stored_answers": answers,
        "lost": accepted - (stored_after - warm_before),
        "by_hand_submissions_per_second": round(by_hand_rate, 1),
        "by_hand_status_codes": {str(k): v for k, v in sorted(by_hand_codes.items())},
        "by_hand_lost": by_hand_accepted - (stored - stored_after),
        "ratio_to_by_hand": round(rate / by_hand_rate, 3) if by_hand_rate else None,
        "floor_endpoint": "/health",
        "floor_requests_per_second": round(floor_rate, 1),
        "floor_status_codes": {str(k): v for k, v in sorted(floor_codes.items())},
        "ratio_to_floor": round(rate / floor_rate, 3) if floor_rate else None,
        "bare_flask_requests_per_second": round(bare_rate, 1),
        "bare_flask_status_codes": {str(k): v for k, v in sorted(bare_codes.items())},
        "target_per_second": 300,
    }
    Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json_path).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"survey_submit: {accepted}/{sent} submissions in {seconds:.2f}s = {rate:.0f}/s "
          f"(stored {stored_after - warm_before}, lost {result['lost']}); by hand {by_hand_rate:.0f}/s "
          f"(lost {result['by_hand_lost']}); /health floor {floor_rate:.0f}/s; bare Flask {bare_rate:.0f}/s; "
          f"ratio to by hand {result['ratio_to_by_hand']}, to /health {result['ratio_to_floor']}; "
          f"load {load_before[0]}; target 300/s {'met' if rate >= 300 else 'NOT met'}")
    return 0 if result["lost"] == 0 and result["by_hand_lost"] == 0 and accepted == sent else 1


if __name__ == "__main__":
    sys.exit(main())
