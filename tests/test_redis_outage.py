"""Redis outages (issue 15, finding 5): a real second redis-server of the test's own is killed and started again,
empty. While it is down, the pages that enqueue (appeals import, analysis run, the Centre's request, answers
import) keep their rows `queued` and say in Russian that the job starts when the queue is back, instead of a 500;
the pages that read progress still answer. When it is back, nothing runs by itself (the finding: the rows stayed
`queued` forever), until the scheduler tick re-enqueues each of them, once, and a real RQ worker completes them.
The public form and the appeals register keep storing through the same outage, served by a real app process."""

import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

from sqlalchemy import func, select

from otklik.extensions import db
from otklik.jobs import get_queue, tick
from otklik.models import Analysis, Appeal, SurveyResponse
from otklik.models.intake import ImportBatch
from otklik.models.survey import SurveyImport
from otklik.surveys.tests.conftest import VLADIMIR_FORM, make_survey
from otklik.surveys.tests.test_import_jobs import _file as answers_file
from otklik.tenancy import across_tenants
from otklik.testing import csrf_token_from

ROOT = Path(__file__).resolve().parents[1]
QUEUE_DOWN = "Очередь задач сейчас недоступна. Задача сохранена и запустится сама"
APPEALS = ("external_id;kind;audience;channel;registered_at;answered_at;topic_code;reason;segment;client_type;"
           "object;outcome\r\n"
           "A-1;complaint;external;website;10.01.2025;;0002.0007.0073.0510;Задержка;;individual;Меры;pending\r\n"
           "A-2;appeal;external;post;11.01.2025;20.01.2025;0002.0007.0073.0510;Справка;;individual;Меры;explained\r\n"
           "A-3;appeal;external;email;12.02.2025;;0002.0007.0073.0510;Справка;;individual;Меры;pending\r\n")


def _statuses(app) -> dict:
    with app.app_context():
        def rows(stmt):
            return sorted(tuple(r) for r in db.session.execute(across_tenants(stmt)).all())

        return {
            "appeals import": rows(select(ImportBatch.status, ImportBatch.total_rows)),
            "analyses": rows(select(Analysis.kind, Analysis.period, Analysis.status)),
            "answers import": rows(select(SurveyImport.status, SurveyImport.inserted)),
        }


def _count(app, model) -> int:
    with app.app_context():
        return db.session.execute(across_tenants(select(func.count(model.id)))).scalar_one()


def test_enqueueing_pages_wait_for_the_queue_and_the_tick_puts_their_jobs_back_once(
        app, client, make_tenant, make_user, login_as, run_jobs, spare_redis, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", spare_redis.url)  # the jobs' Redis is the one this test kills
    later = date(2099, 1, 1)  # tracking starts later: the schedule enqueues nothing, the tick only recovers
    vlad = make_tenant("vladimir", slug="vlad-out", tracking_since=later)
    make_tenant("omsk", slug="omsk-out", tracking_since=later)
    survey_id, _token = make_survey(app, vlad)
    make_user("officer@vlad.test", tenant=vlad, role="officer")
    make_user("analyst@centre.test", global_role="analyst")
    login_as("officer@vlad.test")
    from io import BytesIO

    upload = client.post("/vlad-out/office/appeals/import", content_type="multipart/form-data",
                         data={"file": (BytesIO(APPEALS.encode("cp1251")), "export.csv"), "mapping": ""})
    batch_url = upload.headers["Location"]
    assert "A-3" in client.get(batch_url).get_data(as_text=True)  # the preview needs no Redis

    spare_redis.stop()
    # The appeals import: queued, and the page says when it will start.
    response = client.post(batch_url, follow_redirects=True)
    assert response.status_code == 200 and QUEUE_DOWN in response.get_data(as_text=True)
    assert client.get(batch_url + "/progress").get_json()["status"] == "queued"
    # The analysis run.
    response = client.post("/vlad-out/office/analyses/run", data={"kind": "appeals", "period": "2025-Q1"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and QUEUE_DOWN in html
    assert "В очереди: очередь задач сейчас недоступна" in html  # the analysis page, while Redis is down
    # The answers import.
    response = client.post(f"/vlad-out/office/surveys/{survey_id}/import", content_type="multipart/form-data",
                           data={"file": (BytesIO(answers_file(2)), "pos.csv"), "mapping": ""},
                           follow_redirects=True)
    assert response.status_code == 200 and QUEUE_DOWN in response.get_data(as_text=True)
    # The Analytical Centre asks for the authorities that have no 2025-Q1 analysis (Omsk).
    client.post("/logout")
    login_as("analyst@centre.test")
    response = client.post("/centre/request", data={"period": "2025-Q1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and QUEUE_DOWN in html and "omsk-out" in html

    stuck = {"appeals import": [("queued", 0)],
             "analyses": [("appeals", "2025-Q1", "queued"), ("appeals", "2025-Q1", "queued")],
             "answers import": [("queued", 0)]}
    assert _statuses(app) == stuck
    assert "Redis is unreachable" in caplog.text

    spare_redis.start()  # back, and empty
    run_jobs()
    assert _statuses(app) == stuck  # nothing knows of the work: this is where it stayed forever

    first = tick()
    assert sorted(first["recovered"]) == sorted([
        "vlad-out__import__1: enqueued", "vlad-out__appeals__2025-Q1: enqueued",
        "omsk-out__appeals__2025-Q1: enqueued", "vlad-out__survey_import__1: enqueued"])
    assert tick()["recovered"] == []  # a second tick enqueues nothing more
    assert sorted(get_queue(app).job_ids) == sorted([
        "vlad-out__import__1", "vlad-out__appeals__2025-Q1", "omsk-out__appeals__2025-Q1",
        "vlad-out__survey_import__1"])

    run_jobs()
    assert _statuses(app) == {"appeals import": [("done", 3)],
                              "analyses": [("appeals", "2025-Q1", "done"), ("appeals", "2025-Q1", "done")],
                              "answers import": [("done", 2)]}
    assert _count(app, Appeal) == 3 and _count(app, SurveyResponse) == 2
    with app.app_context():
        docs = db.session.execute(across_tenants(select(Analysis.job_id, Analysis.result))).all()
    # Vladimir's three appeals were registered on 10 and 11 January and 12 February 2025; Omsk has none.
    assert {job_id: doc["total"] for job_id, doc in docs} == {"vlad-out__appeals__2025-Q1": 3,
                                                             "omsk-out__appeals__2025-Q1": 0}


# ---------------------------------------------------------------------------------------- a real app process


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _serve(app, redis_url: str, tmp_path) -> tuple[subprocess.Popen, str]:
    """The app in its own process (its own Flask-Limiter, on `redis_url`), on the test's database."""
    from otklik.embedded_redis import free_port

    port = free_port()
    script = tmp_path / "serve.py"
    script.write_text(
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout)\n"
        "from werkzeug.serving import make_server\n"
        "from otklik import create_app\n"
        f"make_server('127.0.0.1', {port}, create_app(), threaded=True).serve_forever()\n")
    env = dict(os.environ, OTKLIK_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], OTKLIK_REDIS_URL=redis_url,
               OTKLIK_SECRET_KEY="outage-test", OTKLIK_INSTANCE_DIR=str(tmp_path / "instance"),
               OTKLIK_RQ_QUEUE=app.config["RQ_QUEUE"])
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the app process did not start")


def _browser():
    opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def call(url, form=None):
        data = urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with opener.open(Request(url, data=data), timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as error:  # 3xx (redirects are not followed) and 4xx/5xx
            return error.code, error.read().decode(errors="replace")

    return call


def test_public_form_and_appeals_are_stored_while_redis_is_down(app, make_tenant, make_user, spare_redis, tmp_path):
    vlad = make_tenant("vladimir", slug="vlad-live")
    _survey_id, token = make_survey(app, vlad)
    make_user("operator@vlad.test", tenant=vlad, role="operator")
    proc, base = _serve(app, spare_redis.url, tmp_path)
    try:
        spare_redis.stop()  # down before the first request: the rate limits cannot reach their store
        browser = _browser()
        status, html = browser(f"{base}/vlad-live/s/{token}")
        assert status == 200, html
        status, html = browser(f"{base}/vlad-live/s/{token}", {**VLADIMIR_FORM, "csrf_token": csrf_token_from(html)})
        assert status == 303, html

        status, html = browser(f"{base}/login")
        status, html = browser(f"{base}/login", {"email": "operator@vlad.test", "password": "secret-pass",
                                                 "csrf_token": csrf_token_from(html)})
        assert status == 302, html
        status, html = browser(f"{base}/vlad-live/office/appeals/new")
        assert status == 200, html
        form = {"csrf_token": csrf_token_from(html), "external_id": "Ж-1", "kind": "complaint", "audience": "external",
                "channel": "website", "registered_on": date.today().isoformat(), "topic_code": "0002.0007.0073.0510",
                "reason": "Задержка выплаты", "client_type": "individual", "object": "Меры поддержки"}
        status, html = browser(f"{base}/vlad-live/office/appeals/new", form)
        assert status == 302, html
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert _count(app, SurveyResponse) == 1 and _count(app, Appeal) == 1
    assert "Rate limit storage unreachable - falling back to in-memory storage" in out, out
    assert not re.search(r"Traceback|Internal Server Error| 500 ", out), out
