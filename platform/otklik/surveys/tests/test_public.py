"""The public anonymous form: submission with server-side branching, refusals, and nothing that identifies
the respondent in the database, Redis or the logs."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, Text, inspect, select, text

from otklik.extensions import db
from otklik.models import Survey, SurveyAnswer, SurveyResponse, Tenant
from otklik.tenancy import tenant_scope
from otklik.testing import csrf_token_from

from .conftest import VLADIMIR_FORM, make_survey

PROBE_IP = "203.0.113.77"
PROBE_UA = "ProbeBrowser/9.9 (anonymity-check; X11)"


def stored(app, tenant_id):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant_id)):
        responses = db.session.execute(select(SurveyResponse)).scalars().all()
        answers = db.session.execute(select(SurveyAnswer)).scalars().all()
        return ([(r.channel, r.source, r.audience, r.object) for r in responses],
                {(a.question_key, a.row_key, a.option, a.value_num) for a in answers})


def test_form_shows_the_notice_before_the_first_question(client, open_survey):
    tenant, _, token = open_survey
    html = client.get(f"/{tenant.slug}/s/{token}").get_data(as_text=True)
    notice, first = html.index('id="notice"'), html.index('id="question-1"')
    assert notice < first
    assert "анализа качества" in html and "анонимн" in html
    assert "перейдите к вопросу 6" in html or "вопросу 6" in html
    form = html.split("<form", 1)[1].split("</form>", 1)[0]
    assert "<script" not in form and "onclick" not in form  # the form itself needs no JavaScript


def test_submission_through_the_mfc_skip(app, client, open_survey):
    tenant, survey_id, token = open_survey
    form = dict(VLADIMIR_FORM, q4="mfc", q8="no")  # q5 and q8 answered but skipped by q4=mfc and q7=yes
    response = client.post(f"/{tenant.slug}/s/{token}", data=form)
    assert response.status_code == 303
    assert "спасибо" in client.get(response.headers["Location"]).get_data(as_text=True).lower()
    responses, answers = stored(app, tenant.id)
    assert responses == [("survey_online", "web", "external", "Ежемесячная выплата на ребенка")]
    keys = {a[0] for a in answers}
    assert "q5" not in keys and "q8" not in keys and "q6" in keys and "q9" in keys
    assert ("q4", "", "mfc", None) in answers
    assert ("q9", "speed", None, 4.0) in answers


def test_missing_required_answer_is_explained(app, client, open_survey):
    tenant, _, token = open_survey
    form = dict(VLADIMIR_FORM)
    form.pop("q5")
    response = client.post(f"/{tenant.slug}/s/{token}", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Пожалуйста, ответьте на этот вопрос" in html
    assert stored(app, tenant.id)[0] == []


def test_closed_survey_is_refused_clearly(app, client, vladimir):
    _, token = make_survey(app, vladimir, status="closed")
    for response in (client.get(f"/{vladimir.slug}/s/{token}"), client.post(f"/{vladimir.slug}/s/{token}",
                                                                              data=VLADIMIR_FORM)):
        assert response.status_code == 410
        assert "Опрос завершен" in response.get_data(as_text=True) or "Опрос завершён" in response.get_data(
            as_text=True)
    assert stored(app, vladimir.id)[0] == []


def test_ended_and_not_yet_open_surveys(app, client, vladimir):
    now = datetime.now(UTC)
    _, ended = make_survey(app, vladimir, closes_at=now - timedelta(days=1))
    _, later = make_survey(app, vladimir, opens_at=now + timedelta(days=3))
    assert client.get(f"/{vladimir.slug}/s/{ended}").status_code == 410
    response = client.post(f"/{vladimir.slug}/s/{later}", data=VLADIMIR_FORM)
    assert response.status_code == 403 and "еще не начался" in response.get_data(as_text=True).replace("ё", "е")


def test_draft_and_unknown_links_are_404(app, client, vladimir):
    _, draft = make_survey(app, vladimir, status="draft")
    assert client.get(f"/{vladimir.slug}/s/{draft}").status_code == 404
    assert client.get(f"/{vladimir.slug}/s/nope").status_code == 404


def test_survey_of_another_tenant_is_404(app, client, open_survey, make_tenant):
    _, _, token = open_survey
    other = make_tenant("omsk", slug="omsk")
    assert client.get(f"/{other.slug}/s/{token}").status_code == 404


def test_deactivated_authority_link_is_404_and_stores_nothing(app, client, open_survey):
    tenant, _, token = open_survey
    with app.app_context():
        db.session.get(Tenant, tenant.id).active = False
        db.session.commit()
    assert client.get(f"/{tenant.slug}/s/{token}").status_code == 404
    assert client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM).status_code == 404
    assert client.get(f"/{tenant.slug}/s/{token}/thanks").status_code == 404
    assert stored(app, tenant.id)[0] == []


def test_honeypot_is_refused_as_spam(app, client, open_survey):
    tenant, _, token = open_survey
    response = client.post(f"/{tenant.slug}/s/{token}", data=dict(VLADIMIR_FORM, website_url="http://spam"))
    assert response.status_code == 400
    assert "спам" in response.get_data(as_text=True)
    assert stored(app, tenant.id)[0] == []


def test_rate_limit_refusal_is_clear(app, client, open_survey):
    tenant, _, token = open_survey
    codes = [client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM).status_code for _ in range(21)]
    assert codes[:20] == [303] * 20 and codes[20] == 429
    html = client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM).get_data(as_text=True)
    assert "Слишком много" in html
    assert f'href="/{tenant.slug}/"' in html  # the refusal names the authority, as its other pages do
    assert len(stored(app, tenant.id)[0]) == 20


def test_rate_limit_counts_per_authority(app, client, open_survey, make_tenant):
    """The limit is keyed on the authority and the client: one authority's exhausted limit leaves another's
    form open to the same connection."""
    tenant, _, token = open_survey
    for _ in range(21):
        client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM)
    other = make_tenant("vladimir", slug="vladimir-2")
    _, other_token = make_survey(app, other)
    assert client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM).status_code == 429
    assert client.post(f"/{other.slug}/s/{other_token}", data=VLADIMIR_FORM).status_code == 303
    assert len(stored(app, other.id)[0]) == 1


@pytest.fixture
def csrf_client(app):
    """A separate app on the same database and Redis with CSRF checks on (the shared test app turns them off)."""
    from otklik import create_app

    keys = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "RATELIMIT_STORAGE_URI", "RQ_QUEUE", "SECRET_KEY")
    strict = create_app({**{k: app.config[k] for k in keys}, "TESTING": True, "WTF_CSRF_ENABLED": True,
                         "SERVER_NAME": None})
    yield strict.test_client()
    with strict.app_context():
        db.engine.dispose()


def test_bad_csrf_is_refused_clearly(app, csrf_client, open_survey):
    tenant, _, token = open_survey
    response = csrf_client.post(f"/{tenant.slug}/s/{token}", data=dict(VLADIMIR_FORM, csrf_token="forged"))
    assert response.status_code == 400
    assert "Обновите страницу" in response.get_data(as_text=True)
    page = csrf_client.get(f"/{tenant.slug}/s/{token}").get_data(as_text=True)
    good = csrf_client.post(f"/{tenant.slug}/s/{token}", data=dict(VLADIMIR_FORM, csrf_token=csrf_token_from(page)))
    assert good.status_code == 303
    assert len(stored(app, tenant.id)[0]) == 1


def _all_text(app) -> str:
    """Every text-like column of every table, as one string."""
    chunks = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c.name for c in table.columns if isinstance(c.type, String | Text)
                       or c.type.__class__.__name__ == "JSON"]
            if not columns:
                continue
            select_list = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
            for row in db.session.execute(text(f'SELECT {select_list} FROM "{table.name}"')):
                chunks.extend(str(v) for v in row if v is not None)
        # Tables the metadata may not know about (other capabilities' migrations) are searched too.
        names = set(inspect(db.engine).get_table_names()) - {t.name for t in db.metadata.sorted_tables}
        for name in names:
            for row in db.session.execute(text(f'SELECT * FROM "{name}"')):
                chunks.extend(str(v) for v in row if v is not None)
    return "\n".join(chunks)


def test_no_ip_or_user_agent_in_database_redis_or_logs(app, open_survey, caplog):
    from otklik.jobs import redis_connection

    tenant, _, token = open_survey
    client = app.test_client()
    environ = {"REMOTE_ADDR": PROBE_IP}
    headers = {"User-Agent": PROBE_UA, "X-Forwarded-For": PROBE_IP}
    caplog.set_level(logging.DEBUG)
    with caplog.at_level(logging.DEBUG):
        assert client.get(f"/{tenant.slug}/s/{token}", environ_base=environ, headers=headers).status_code == 200
        response = client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM, environ_base=environ,
                               headers=headers)
        assert response.status_code == 303
    assert stored(app, tenant.id)[0]  # the answer is there...
    everything = _all_text(app)
    assert "Ежемесячная выплата" in everything  # ...the search sees stored text...
    for probe in (PROBE_IP, PROBE_UA, "ProbeBrowser"):  # ...and finds nothing about the respondent
        assert probe not in everything
    redis = redis_connection(app)
    keys = list(redis.scan_iter("*"))
    assert keys, "the rate limiter should have left its short-lived keys"
    import hashlib

    guessable = hashlib.blake2b(f"{tenant.slug}|{PROBE_IP}".encode(), digest_size=12).hexdigest().encode()
    for key in keys:
        assert PROBE_IP.encode() not in key and b"ProbeBrowser" not in key
        assert guessable not in key  # the limiter's hash is keyed: trying every address does not find it
        kind = redis.type(key)
        value = {b"string": lambda k: redis.get(k), b"list": lambda k: b"".join(redis.lrange(k, 0, -1)),
                 b"hash": lambda k: b"".join(a + b for a, b in redis.hgetall(k).items()),
                 b"zset": lambda k: b"".join(m for m, _ in redis.zrange(k, 0, -1, withscores=True)),
                 b"set": lambda k: b"".join(redis.smembers(k))}.get(kind, lambda k: b"")(key) or b""
        assert PROBE_IP.encode() not in value and b"ProbeBrowser" not in value
        assert redis.ttl(key) > 0, f"rate-limit key {key!r} must be short-lived"
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert PROBE_IP not in logged and "ProbeBrowser" not in logged


def test_survey_response_has_no_identifying_columns(app):
    columns = {c.name for c in Survey.__table__.columns} | {c.name for c in SurveyResponse.__table__.columns} | {
        c.name for c in SurveyAnswer.__table__.columns}
    for forbidden in ("ip", "ip_address", "remote_addr", "user_agent", "cookie", "session_id", "user_id"):
        assert forbidden not in columns
