"""The appeals API: per-tenant tokens (shown once, hashed, revocable), batch all or nothing, filters, OpenAPI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import ApiToken
from otklik.tenancy import across_tenants

from .helpers import row, stored


@pytest.fixture
def setup(app, client, make_tenant, make_user, login_as):
    a = make_tenant("vladimir", slug="vlad-api")
    b = make_tenant("omsk", slug="omsk-api")
    make_user("officer@vlad-api.test", tenant=a, role="officer")
    login_as("officer@vlad-api.test")
    page = client.post("/vlad-api/office/appeals/tokens", data={"name": "СЭД Дело"}).get_data(as_text=True)
    import re

    token = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    client.post("/logout")
    return a, b, token


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def batch(*rows):
    return {"appeals": [{k: v for k, v in r.items() if v != ""} for r in rows]}


def test_token_is_shown_once_and_stored_hashed(app, client, setup):
    a, _b, token = setup
    with app.app_context():
        stored_token = db.session.execute(across_tenants(select(ApiToken))).scalar_one()
        assert stored_token.token_hash == ApiToken.hash(token) and token not in stored_token.token_hash
    client.post("/login", data={"email": "officer@vlad-api.test", "password": "secret-pass"})
    assert token not in client.get("/vlad-api/office/appeals/tokens").get_data(as_text=True)


def test_post_batch_then_get_with_filters(app, client, setup):
    _a, _b, token = setup
    r = client.post("/api/v1/vlad-api/appeals", headers=auth(token), json=batch(
        row("API-1", channel="email", registered_at="2025-03-01 10:00"),
        row("API-2", kind="appeal", registered_at="2025-03-05", answered_at="2025-03-10", outcome="explained"),
        row("API-3", kind="appeal", registered_at="2025-04-02")))
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"total": 3, "inserted": 3, "updated": 0, "unchanged": 0}
    again = client.post("/api/v1/vlad-api/appeals", headers=auth(token), json=batch(row("API-1", channel="email",
                                                                                         registered_at="2025-03-01 10:00")))
    assert again.get_json()["unchanged"] == 1
    got = client.get("/api/v1/vlad-api/appeals?from=2025-03-01&to=2025-03-31&kind=appeal", headers=auth(token))
    body = got.get_json()
    assert [i["external_id"] for i in body["items"]] == ["API-2"]
    assert body["items"][0]["deadline_state"] == "answered"
    assert body["items"][0]["registered_at"].startswith("2025-03-04T21:00")
    assert "name" not in body["items"][0] and "address" not in body["items"][0]
    page = client.get("/api/v1/vlad-api/appeals?per_page=2&page=2", headers=auth(token)).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 1)
    overdue = client.get("/api/v1/vlad-api/appeals?overdue=1", headers=auth(token)).get_json()
    assert {i["external_id"] for i in overdue["items"]} == {"API-1", "API-3"}
    assert client.get("/api/v1/vlad-api/appeals?from=yesterday", headers=auth(token)).status_code == 422


def test_batch_is_all_or_nothing(app, client, setup):
    _a, _b, token = setup
    r = client.post("/api/v1/vlad-api/appeals", headers=auth(token), json=batch(
        row("API-1"), row("API-2", channel="fax"), row("API-3", registered_at="2025-13-01")))
    assert r.status_code == 422
    body = r.get_json()
    assert body["error_count"] == 2
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [(2, "channel", "channel"),
                                                                            (3, "registered_at", "date")]
    assert stored(app) == 0
    assert client.post("/api/v1/vlad-api/appeals", headers=auth(token), json={"appeals": [1, 2]}).status_code == 422
    assert client.post("/api/v1/vlad-api/appeals", headers=auth(token), data="nonsense").status_code == 422
    assert stored(app) == 0


def test_revoked_missing_and_other_tenants_tokens(app, client, setup, make_user, login_as):
    a, b, token = setup
    assert client.get("/api/v1/vlad-api/appeals").status_code == 401
    assert client.post("/api/v1/vlad-api/appeals", json=batch(row())).status_code == 401
    # the token of authority A opens nothing of authority B
    assert client.get("/api/v1/omsk-api/appeals", headers=auth(token)).status_code == 401
    assert client.post("/api/v1/omsk-api/appeals", headers=auth(token), json=batch(row())).status_code == 401
    assert client.get("/api/v1/no-such-authority/appeals", headers=auth(token)).status_code == 404
    login_as("officer@vlad-api.test")
    with app.app_context():
        token_id = db.session.execute(across_tenants(select(ApiToken.id))).scalar_one()
    client.post("/vlad-api/office/appeals/tokens", data={"revoke": token_id})
    client.post("/logout")
    assert client.get("/api/v1/vlad-api/appeals", headers=auth(token)).status_code == 401
    assert client.post("/api/v1/vlad-api/appeals", headers=auth(token), json=batch(row())).status_code == 401
    assert stored(app) == 0


def test_member_session_reads_but_does_not_write(app, client, setup, make_user, login_as):
    a, _b, _token = setup
    make_user("viewer@vlad-api.test", tenant=a, role="viewer")
    login_as("viewer@vlad-api.test")
    assert client.get("/api/v1/vlad-api/appeals").status_code == 200
    assert client.post("/api/v1/vlad-api/appeals", json=batch(row())).status_code == 401
    assert client.get("/api/v1/omsk-api/appeals").status_code == 404


def test_openapi_documents_the_appeals_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    ops = doc["paths"]["/{tenant}/appeals"]
    assert set(ops) >= {"get", "post"}
    assert "appeals" in ops["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert {p["name"] for p in ops["get"]["parameters"]} >= {"tenant", "from", "to", "channel", "kind", "topic",
                                                             "outcome", "overdue", "page"}
