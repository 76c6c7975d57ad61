"""Hostile bytes in every form, filter and API field (issue 15, findings 4 and 9).

The routes come from the app's own `url_map`, so a page added later is swept too. For every rule, as an anonymous
visitor, a signed-in officer, the administrator and (under /api/) an API token: a GET whose query string sets every
field the app's forms and filters name, and a POST of every form field (a JSON batch under /api/), each value a NUL,
a lone carriage return in a single-line field, or an over-long string. Nothing answers 5xx, and no row is added or
removed anywhere in the database. NUL and CR answer 400 naming the field, as a page or as JSON under /api/.
"""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import text

from otklik.extensions import db
from otklik.models import Membership, Tenant
from otklik.surveys import service
from otklik.surveys.templates import BUILTIN
from otklik.tenancy import across_tenants, tenant_scope
from otklik.testing import login

# over-long: longer than any field allows (4,000); Latin letters, which a URL carries unescaped (the sweep's time)
PAYLOADS = {"nul": "a\x00b", "lone_cr": "a\rb", "overlong": "Ж" + "x" * 5_000}
# actions that end sessions or remove people: they take no text, and running them would end the sweep's own session
SKIPPED = {"auth.logout", "auth.sign_out_everywhere", "admin.member_sign_out", "admin.member_remove", "static"}
# the filters and fields a page may read without a form on it naming them
COMMON = {"q", "period", "from", "to", "channel", "kind", "topic", "outcome", "overdue", "page", "per_page", "status",
          "audience", "segment", "next", "lang", "group", "format", "email", "password", "name", "title", "reason"}
# rows that a sweep may add: the sessions of its own sign-ins
SESSION_TABLES = {"user_session"}
# actions that take no text and store by design whatever comes with them (a new draft version of a questionnaire)
ACTIONS = {"surveys.questionnaire_draft"}


class Forms(HTMLParser):
    """The names of every field of every form of a page, split by the form's method."""

    def __init__(self):
        super().__init__()
        self.method = None
        self.fields = {"get": set(), "post": set()}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.method = (attrs.get("method") or "get").lower()
        elif tag in ("input", "select", "textarea", "button") and self.method and attrs.get("name"):
            if attrs.get("type") != "file" and attrs["name"] != "csrf_token":
                self.fields[self.method].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None


@pytest.fixture
def world(app, make_tenant, make_user, client):
    """A tenant with something behind every kind of id: a survey (and its questionnaire), an appeal, an import
    batch, a member; an officer, an administrator and an API token."""
    tenant = make_tenant("vladimir", slug="vlad-x")
    make_user("officer@vlad-x.test", tenant=tenant, role="officer")
    make_user("admin@example.org", global_role="admin")
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"])
            service.publish(questionnaire.latest)
            from otklik.intake.importer import import_records
            from otklik.models import Appeal, Survey

            survey = Survey(questionnaire_version_id=questionnaire.latest.id, title="Опрос", object="Выплата",
                            audience=questionnaire.audience, channels=["survey_online"], status="open")
            db.session.add(survey)
            db.session.commit()
            import_records(db.session, t, [{"external_id": "A-1", "kind": "complaint", "channel": "website",
                                            "registered_at": "10.01.2025"}])
            appeal_id = db.session.execute(across_tenants(db.select(Appeal.id))).scalar_one()
            membership_id = db.session.execute(across_tenants(db.select(Membership.id))).scalar_one()
            ids = {"tenant_slug": "vlad-x", "survey_id": survey.id, "questionnaire_id": questionnaire.id,
                   "token": survey.token, "appeal_id": appeal_id, "tenant_id": tenant.id,
                   "membership_id": membership_id, "code": "ru", "fmt": "svg", "filename": "otklik.css"}
    login(client, "officer@vlad-x.test")
    page = client.post("/vlad-x/office/appeals/tokens", data={"name": "СЭД"}).get_data(as_text=True)
    api_token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    upload = client.post("/vlad-x/office/appeals/import", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"external_id;kind;channel;registered_at\nB-1;appeal;post;"
                                                   b"10.01.2025\n"), "a.csv"), "mapping": ""})
    ids["batch_id"] = upload.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post("/logout")
    return ids, api_token


def _url(app, rule, ids) -> str:
    values = {name: ids.get(name, 1) for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _counts(app) -> dict[str, int]:
    with app.app_context(), db.engine.connect() as conn:
        return {t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar()
                for t in db.metadata.sorted_tables if t.name not in SESSION_TABLES}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED]


def _discover(app, client, rules, ids) -> dict[str, set[str]]:
    """Every field name the forms of the pages name, as the officer and the administrator see them."""
    fields = {"get": set(COMMON), "post": set(COMMON)}
    for email in ("officer@vlad-x.test", "admin@example.org"):
        login(client, email)
        for rule in rules:
            if "GET" in rule.methods:
                page = client.get(_url(app, rule, ids))
                if page.mimetype == "text/html":
                    forms = Forms()
                    forms.feed(page.get_data(as_text=True))
                    for method in fields:
                        fields[method] |= forms.fields[method]
        client.post("/logout")
    return fields


def _sign_in(client, role, api_token) -> dict:
    client.post("/logout")
    if role == "officer":
        login(client, "officer@vlad-x.test")
    elif role == "admin":
        login(client, "admin@example.org")
    return {"Authorization": f"Bearer {api_token}"} if role == "token" else {}


def test_every_form_filter_and_api_field_refuses_hostile_strings(app, client, world, caplog):
    ids, api_token = world
    rules = _rules(app)
    assert len(rules) > 40  # the sweep sees the whole app
    fields = _discover(app, client, rules, ids)
    assert {"q1", "reason", "email", "title"} <= fields["post"]  # the public form, appeals, sign-in, surveys
    problems = []
    for role in ("anonymous", "officer", "admin", "token"):
        headers = _sign_in(client, role, api_token)
        for rule in rules:
            url = _url(app, rule, ids)
            if role == "token" and not url.startswith("/api/"):
                continue
            before = _counts(app)
            for name, payload in PAYLOADS.items():
                requests = []
                if "GET" in rule.methods:
                    requests.append(("GET", client.get(url, query_string={f: payload for f in fields["get"]},
                                                       headers=headers)))
                if "POST" in rule.methods:
                    if url.startswith("/api/"):
                        body = {"appeals": [{f: payload for f in ("external_id", "kind", "channel", "reason",
                                                                    "registered_at", "object", "segment")}]}
                        response = client.post(url, json=body, headers=headers)
                    else:
                        response = client.post(url, data={f: payload for f in fields["post"]}, headers=headers)
                    requests.append(("POST", response))
                for method, response in requests:
                    where = f"{role} {method} {rule.rule} {name}: {response.status_code}"
                    if response.status_code >= 500:
                        problems.append(where)
                    elif name != "overlong" and response.status_code not in (400, 401, 403, 404, 405, 413, 429):
                        if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
                            continue  # sign-in required: nothing was read
                        problems.append(where + " (a NUL or lone CR got through)")
                    if url.startswith("/api/") and response.status_code == 400 and not response.is_json:
                        problems.append(where + " (an API error that is not JSON)")
            after = _counts(app)
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed and rule.endpoint not in ACTIONS:
                problems.append(f"{role} {rule.rule}: rows added or removed: {changed}")
    assert not problems, "\n".join(problems)
    # a refused request writes nothing of what was sent to the log
    assert "a\x00b" not in caplog.text and "x" * 100 not in caplog.text


def test_the_refusal_names_the_field_in_russian(client, world):
    ids, _token = world
    page = client.get("/vlad-x/office/appeals/?topic=%00")
    assert page.status_code == 400
    assert ("Поле «topic» содержит символ, которого не может быть в тексте (U+0000): удалите его и отправьте снова."
            in page.get_data(as_text=True))
    login_page = client.post("/login", data={"email": "a\x00@b.ru", "password": "x"})
    assert login_page.status_code == 400 and "«email»" in login_page.get_data(as_text=True)


# a complete answer set of the appeals handling questionnaire: q7 is its open question
HANDLING = {"q1": "website", "q2": "4", "q3": "yes", "q4.clarity": "4", "q4.completeness": "5",
            "q4.politeness": "5", "q4.status_info": "3", "q5": "yes", "q7": "Ответили быстро"}


@pytest.fixture
def handling_survey(app, world):
    with app.app_context():
        t = db.session.get(Tenant, world[0]["tenant_id"])
        with tenant_scope(t):
            from otklik.models import Survey

            questionnaire = service.create_from_template(BUILTIN["appeals_handling"])
            service.publish(questionnaire.latest)
            survey = Survey(questionnaire_version_id=questionnaire.latest.id, title="Ответы", object="Обращения",
                            audience=questionnaire.audience, channels=["survey_online"], status="open")
            db.session.add(survey)
            db.session.commit()
            return f"/vlad-x/s/{survey.token}"


@pytest.mark.parametrize("answer, status", [("a\x00b", 400), ("a\rb", 400), ("Ж" * 2001, 422)])
def test_the_public_form_refuses_a_hostile_open_answer_and_stores_nothing(app, client, handling_survey, answer,
                                                                           status):
    """The finding: an open answer `a\\x00b` gave a 500 and wrote the whole answer set to the error log. A NUL or
    a lone CR: 400 naming the field; an answer over 2,000 characters: the form again with its error (422)."""
    assert client.post(handling_survey, data=HANDLING).status_code == 303  # the answer set itself is complete
    before = _counts(app)
    response = client.post(handling_survey, data={**HANDLING, "q7": answer})
    assert response.status_code == status
    if status == 400:
        assert "Поле «q7» содержит символ, которого не может быть в тексте" in response.get_data(as_text=True)
    else:
        assert "Ответ слишком длинный" in response.get_data(as_text=True)
    assert _counts(app) == before


def test_textarea_line_breaks_pass(app, client, world):
    """Browsers send a textarea's line breaks as CRLF: those are no control characters."""
    login(client, "officer@vlad-x.test")
    response = client.get("/vlad-x/office/appeals/", query_string={"q": "две\r\nстроки\tи табуляция"})
    assert response.status_code == 200


def test_database_errors_are_logged_without_their_parameters(app, caplog):
    """hide_parameters: a failing statement's message names no value it was given (the answers of a respondent)."""
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with app.app_context(), caplog.at_level(logging.INFO):
        with pytest.raises(Exception) as failed:  # noqa: B017,PT011 - the driver's error class differs by database
            with db.engine.begin() as conn:
                conn.execute(text("INSERT INTO no_such_table (answer) VALUES (:answer)"),
                             {"answer": "секретный ответ респондента"})
    assert "секретный ответ" not in str(failed.value)
    assert "parameters hidden" in str(failed.value)


def test_a_database_error_in_a_request_logs_no_value_it_was_given(app, caplog):
    """The finding: a failed submission wrote the respondent's whole answer set to the error log. PostgreSQL also
    repeats a failing row in the error's DETAIL ("Failing row contains (...)"): the log keeps neither. Flask logs an
    unhandled error of a request with app.log_exception, as here; the error is a real one of the database."""
    import sys

    secret = "мой ответ про пособие"
    with app.test_request_context("/x/s/token", method="POST"), caplog.at_level(logging.ERROR):
        with db.engine.connect() as conn:
            conn.execute(text("CREATE TEMPORARY TABLE answers_probe (answer varchar(200) "
                              "CHECK (length(answer) < 5))"))
            try:
                conn.execute(text("INSERT INTO answers_probe (answer) VALUES (:answer)"), {"answer": secret})
            except Exception:  # noqa: BLE001 - the driver's error class differs by database
                app.log_exception(sys.exc_info())
            else:
                pytest.fail("the CHECK constraint did not refuse the row")
    assert "answers_probe" in caplog.text and "CHECK" in caplog.text.upper()  # what failed is still said
    assert secret not in caplog.text and "Failing row" not in caplog.text


def test_a_survey_answers_file_with_a_control_character_names_its_row(app, world):
    """The survey answers import reads files through the same reader: refused, the row named, nothing read."""
    from otklik.surveys.importer import read_csv

    data = "q1;q16\nchild_allowance;хорошо\nchild_allowance;пло\x07хо\n".encode("cp1251")
    with app.app_context():
        t = db.session.get(Tenant, world[0]["tenant_id"])
        with tenant_scope(t):
            questions = service.create_from_template(BUILTIN["vladimir_appendix"]).latest.questions
            db.session.rollback()
            result = read_csv(data, questions, t, {"pos"})
    assert not result.rows
    assert [e.reason for e in result.errors] == [
        "В строке 3 есть символ, которого не может быть в тексте (U+0007): удалите его и загрузите файл снова."]


def test_an_unexpected_error_under_the_api_answers_json(app):
    """Whatever fails under /api/ answers JSON, not the HTML page (the finding: `a\\rb` gave a 500 as HTML); a page
    answers the site's error page. A fresh app, so a failing route can be added before its first request."""
    from otklik import create_app

    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "RATELIMIT_STORAGE_URI",
                                                       "SECRET_KEY")}, "TESTING": False, "WTF_CSRF_ENABLED": False})

    @other.route("/api/v1/failing")
    @other.route("/failing")
    def failing():
        raise RuntimeError("an unexpected failure")

    client = other.test_client()
    api = client.get("/api/v1/failing")
    assert api.status_code == 500 and api.is_json and api.get_json() == {"error": "Что-то пошло не так.", "status": 500}
    page = client.get("/failing")
    assert page.status_code == 500 and "Что-то пошло не так." in page.get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()
