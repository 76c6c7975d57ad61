"""Issue 15, finding 8: security headers on every kind of response, and templates that need no inline script or
style (the policy allows none; the browser tests watch for a blocked script or style)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otklik.surveys.tests.conftest import make_survey
from otklik.testing import login

POLICY = "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
EXPECTED = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _check(response, kind: str, hsts: bool = False) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{kind}: {name} is {response.headers.get(name)!r}"
    if hsts:
        assert response.headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains", kind
    else:
        assert "Strict-Transport-Security" not in response.headers, kind


@pytest.fixture
def pages(app, make_tenant, make_user):
    """One URL of each kind, with the client signed in as whoever may open it."""
    tenant = make_tenant("vladimir", slug="vladimir")
    make_user("officer@example.org", tenant=tenant)
    make_user("analyst@example.org", global_role="analyst")
    _survey_id, token = make_survey(app, tenant)
    return tenant, token


def test_every_kind_of_response_carries_the_headers(app, pages):
    tenant, token = pages
    anonymous = app.test_client()
    cases = {
        "login page (HTML)": anonymous.get("/login"),
        "public survey form (HTML)": anonymous.get(f"/{tenant.slug}/s/{token}"),
        "public survey refusal (HTML, 422)": anonymous.post(f"/{tenant.slug}/s/{token}", data={}),
        "not found (HTML, 404)": anonymous.get("/no-such-authority/nothing"),
        "health (JSON)": anonymous.get("/health"),
        "API without a token (JSON, 401)": anonymous.get(f"/api/v1/{tenant.slug}/appeals"),
        "style sheet (static)": anonymous.get("/static/otklik.css"),
        "script (static)": anonymous.get("/static/survey.js"),
    }
    officer = app.test_client()
    login(officer, "officer@example.org")
    cases.update({
        "office home (HTML)": officer.get(f"/{tenant.slug}/office/"),
        "register (HTML)": officer.get(f"/{tenant.slug}/office/appeals/"),
        "pain map (XLSX)": officer.get(f"/{tenant.slug}/office/painmap/export.xlsx"),
        "pain map (CSV)": officer.get(f"/{tenant.slug}/office/painmap/export.csv"),
        "appeals through the session (JSON)": officer.get(f"/api/v1/{tenant.slug}/appeals"),
    })
    analyst = app.test_client()
    login(analyst, "analyst@example.org")
    cases.update({
        "Analytical Centre (CSV)": analyst.get("/centre/comparison.csv"),
        "Analytical Centre (JSON)": analyst.get("/centre/comparison.json"),
    })
    kinds = {
        "pain map (XLSX)": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pain map (CSV)": "text/csv", "Analytical Centre (CSV)": "text/csv",
        "Analytical Centre (JSON)": "application/json", "appeals through the session (JSON)": "application/json",
        "public survey form (HTML)": "text/html",
    }
    for kind, response in cases.items():
        assert response.status_code < 500, kind
        if kind in kinds:
            assert response.status_code == 200 and response.mimetype == kinds[kind], (kind, response.status_code)
        _check(response, kind)


def test_hsts_only_when_cookies_are_secure(redis_url, pages):
    from otklik import create_app
    from otklik.testing import _database_url

    secure = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(), "REDIS_URL": redis_url,
                         "RATELIMIT_STORAGE_URI": redis_url, "SESSION_COOKIE_SECURE": True})
    client = secure.test_client()
    for url in ("/login", "/health", "/static/otklik.css"):
        _check(client.get(url), url, hsts=True)


def test_the_secure_cookies_switch_turns_hsts_on(monkeypatch):
    from otklik.config import from_env

    monkeypatch.setenv("OTKLIK_SECURE_COOKIES", "1")
    assert from_env()["SESSION_COOKIE_SECURE"] is True


TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_templates_hold_no_inline_script_or_style():
    """The policy allows scripts and styles from the site's files only: put them in platform/otklik/static/."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "the Content-Security-Policy would block these:\n" + "\n".join(found)
