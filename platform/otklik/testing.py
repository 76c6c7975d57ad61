"""Pytest fixtures shared by every capability's tests (loaded from the root conftest.py).

Tests run on SQLite and an embedded real Redis by default, and on PostgreSQL and a Redis server when
OTKLIK_TEST_DATABASE_URL and OTKLIK_TEST_REDIS_URL are set. Jobs run on a real RQ worker (SimpleWorker,
burst mode). Nothing here mocks the database, Redis or RQ.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

TEST_TMP = Path(tempfile.mkdtemp(prefix="otklik-test-"))
os.environ.setdefault("OTKLIK_INSTANCE_DIR", str(TEST_TMP / "instance"))


def _database_url() -> str:
    url = os.environ.get("OTKLIK_TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return f"sqlite:///{TEST_TMP / 'test.db'}"


def _reset_database(url: str) -> None:
    """A clean database for the session: PostgreSQL's public schema dropped and made anew."""
    if url.startswith("postgresql"):
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("OTKLIK_TEST_REDIS_URL")
    if url:
        yield url
        return
    from .embedded_redis import free_port, start

    port = free_port()
    proc = start(port, TEST_TMP / "redis")
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def app(redis_url):
    from flask_migrate import upgrade

    from . import create_app

    url = _database_url()
    _reset_database(url)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "RQ_QUEUE": "otklik-test",
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "test",
            "SERVER_NAME": None,
            "SMTP_URL": "smtp://127.0.0.1:1",  # nothing listens: a test that sends mail starts `smtp_sink`
            "MAIL_FROM": "otklik@test.example",
        }
    )
    with app.app_context():
        upgrade(revision="heads")
    from . import jobs

    jobs._app = app  # jobs run by the in-process SimpleWorker use the test app's database
    yield app


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test starts with empty tables, an empty Redis database and the rate limiter on the suite's app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from .extensions import db, limiter

    # The limiter is one object bound to the last app created: a test that built another app (or only tried to:
    # create_app binds it first) left it counting in that app's store, which no flush below empties (an in-memory
    # one kept counting sign-ins across tests: 429s). Bound again, it counts in the suite's Redis; the same app's
    # hooks are not added twice.
    limiter.init_app(app)
    limiter._storage_dead = False

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(map(_quote, tables))} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {_quote(name)}"))
        from .jobs import redis_connection

        redis_connection(app).flushdb()


def _quote(name: str) -> str:
    return f'"{name}"'


@pytest.fixture
def db_session(app):
    from .extensions import db

    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_tenant(app):
    """make_tenant("omsk", slug="omsk-a") -> Tenant, onboarded from tenants/<profile>.toml."""
    from datetime import date

    from .extensions import db
    from .profiles import load_profile
    from .tenants import create_tenant

    def make(profile: str = "vladimir", slug: str | None = None, tracking_since: date | None = None, **overrides):
        with app.app_context():
            p = load_profile(Path(app.config["TENANTS_DIR"]) / f"{profile}.toml")
            for key, value in overrides.items():
                setattr(p, key, value)
            tenant = create_tenant(p, slug or f"{profile}-test", tracking_since=tracking_since)
            db.session.commit()
            db.session.refresh(tenant)
            db.session.expunge(tenant)
            return tenant

    return make


@pytest.fixture
def make_user(app):
    """make_user(email, tenant=..., role=...) or make_user(email, global_role="admin"); password 'secret-pass'."""
    from .extensions import db
    from .tenants import add_member, find_or_create_user

    def make(email: str, tenant=None, role: str = "officer", global_role: str | None = None):
        with app.app_context():
            if tenant is not None:
                from .models import Tenant

                user, _ = add_member(db.session.get(Tenant, tenant.id), email, role, password="secret-pass")
            else:
                user, _ = find_or_create_user(email, email, "secret-pass", global_role=global_role)
            db.session.commit()
            return user.id

    return make


def login(client, email: str, password: str = "secret-pass"):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return response


@pytest.fixture
def login_as(client):
    return lambda email, password="secret-pass": login(client, email, password)


@pytest.fixture
def run_jobs(app):
    """Run every queued job on a real RQ SimpleWorker in burst mode; returns the worker."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from .jobs import get_queue, redis_connection

    def run():
        queue = get_queue(app)
        worker = SimpleWorker([queue], connection=redis_connection(app), serializer=JSONSerializer)
        worker.work(burst=True)
        return worker

    return run


class SpareRedis:
    """A second, real redis-server of the test's own, for outage tests: `stop()` kills it (as a crash would) and
    `start()` brings it back on the same port, empty (no dump, no append-only file)."""

    def __init__(self, directory: Path):
        from .embedded_redis import free_port

        self.port, self.directory, self.proc = free_port(), directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import shutil

        from .embedded_redis import server_binary, start

        self.proc = start(self.port, self.directory, binary=shutil.which("redis-server") or server_binary())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def spare_redis(tmp_path):
    """A started SpareRedis, stopped after the test whatever happened."""
    spare = SpareRedis(tmp_path / "spare-redis")
    spare.start()
    yield spare
    spare.stop()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token in the page"
    return match.group(1)


@pytest.fixture
def live_server(app):
    """The test app served on a free local port in a thread, for browser tests. Yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    from .embedded_redis import free_port

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(10)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def _chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(_chromium):
    """A fresh browser page (new context: no cookies) in Debian's Chromium, driven by Playwright. A script, style
    or frame the Content-Security-Policy blocked fails the test: the app's own files must all be allowed."""
    context = _chromium.new_context(locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(15000)
    blocked = []
    page.on("console", lambda msg: blocked.append(f"{page.url}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


def set_cadences(tenant, **cadences) -> None:
    """Change a tenant's analysis cadences (its `periodicity` settings), e.g. set_cadences(t, appeals="month"):
    the Centre, publications and reports show a period at the authority's own cadence only (results.linked)."""
    from .extensions import db
    from .models import Tenant

    row = db.session.get(Tenant, tenant.id)
    row.plugins = {**row.plugins, "periodicity": {**row.plugins.get("periodicity", {}), **cadences}}
    db.session.commit()


@pytest.fixture
def smtp_sink(app):
    """A real SMTP server (aiosmtpd, otklik.mail.sink.MailSink) on a free port of 127.0.0.1, the app's relay for the
    test: `smtp_sink.messages` is what it received; `stop()`/`start()` take it down and back on the same port."""
    from .mail.sink import MailSink

    sink = MailSink().start()
    previous = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = sink.url
    yield sink
    sink.stop()
    app.config["SMTP_URL"] = previous
