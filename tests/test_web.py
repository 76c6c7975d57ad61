"""Sign-in, sessions, roles and the first pages: administrator, officer, analyst."""

from datetime import UTC, datetime, timedelta

import pytest

from otklik.testing import csrf_token_from, login


@pytest.fixture
def admin(make_user):
    make_user("admin@example.org", global_role="admin")
    return "admin@example.org"


def test_login_page_is_russian_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Вход" in page and "Пароль" in page
    client.post("/lang/en", data={"next": "/login"})
    assert "Password" in client.get("/login").get_data(as_text=True)


def test_wrong_password_is_refused_clearly(client, admin):
    response = client.post("/login", data={"email": admin, "password": "nope"})
    assert response.status_code == 401
    assert "Неверный адрес электронной почты или пароль" in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client, admin):
    response = login(client, admin)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_lifetimes(app, client, admin):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    login(client, admin)
    assert client.get("/admin/tenants").status_code == 200
    with app.app_context():  # signed in 13 hours ago (and busy since): past the 12-hour cap
        from sqlalchemy import update

        from otklik.extensions import db
        from otklik.models import UserSession

        started = datetime.now(UTC) - timedelta(hours=13)
        db.session.execute(update(UserSession).values(created_at=started, expires_at=started + timedelta(hours=12)))
        db.session.commit()
    assert client.get("/admin/tenants").status_code == 302


def test_logout_needs_post_and_ends_the_session(client, admin):
    login(client, admin)
    client.get("/logout")  # a link or a prefetch must not sign anybody out
    assert client.get("/admin/tenants").status_code == 200
    client.post("/logout")
    assert client.get("/admin/tenants").status_code == 302


def test_upload_over_the_cap_is_413(app, client, admin):
    login(client, admin)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/admin/tenants/new", data={"profile_text": "x" * 4096})
        assert response.status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 50 * 1024 * 1024


def test_administrator_onboards_an_authority_with_its_officer(app, client, admin):
    login(client, admin)
    form = client.get("/admin/tenants/new").get_data(as_text=True)
    assert "astrakhan" in form and "_template" not in form
    response = client.post("/admin/tenants/new", data={
        "profile": "astrakhan.toml", "slug": "astr-gjn", "name": "Служба жилищного надзора Астраханской области",
        "region": "Астраханская область", "timezone": "Europe/Astrakhan", "act": "Приказ от 25.06.2024 № 081-О",
        "officer_email": "officer@astr.example", "officer_name": "Иванова И.И."}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Служба жилищного надзора Астраханской области" in page
    assert "officer@astr.example" in page
    password = page.split("(показан один раз): ")[1].split("<")[0].strip()
    client.post("/logout")
    login(client, "officer@astr.example", password)
    home = client.get("/astr-gjn/office/")
    text = home.get_data(as_text=True)
    assert home.status_code == 200
    assert "Платформа обратной связи" in text  # its channels, in Russian
    assert "п. 5.6" in text and "раз в полугодие" in text  # the schedule with the clause of the act


def test_bad_profile_pasted_by_the_administrator_is_refused_with_the_key(client, admin):
    login(client, admin)
    response = client.post("/admin/tenants/new", data={
        "profile_text": "[tenant]\nname = \"X\"\ntimezone = \"Europe/Moscow\"\nact = \"a\"\n[plugins.periodicity]\nappeals = 4\n",
        "slug": "xx", "name": "X", "region": "Y", "timezone": "Europe/Moscow", "act": "a"})
    assert response.status_code == 422
    assert "plugins.periodicity.appeals: expected str" in response.get_data(as_text=True)


def test_administrator_edits_plugin_settings_and_bad_ones_are_refused(app, client, admin, make_tenant):
    tenant = make_tenant("vladimir", slug="vlad")
    login(client, admin)
    page = client.get(f"/admin/tenants/{tenant.id}").get_data(as_text=True)
    assert "publication_deadline_days" in page
    bad = client.post(f"/admin/tenants/{tenant.id}", data={
        "action": "settings_json", "plugin": ["periodicity"], "settings-periodicity": '{"appeals": "weekly"}'})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Настройки не сохранены, ничего не изменилось" in html
    assert "plugins.periodicity: appeals: &#39;weekly&#39; is not one of" in html
    assert '{&#34;appeals&#34;: &#34;weekly&#34;}</textarea>' in html  # the administrator's text, kept to correct
    broken = client.post(f"/admin/tenants/{tenant.id}", data={
        "action": "settings_json", "plugin": ["periodicity"], "settings-periodicity": '{"appeals": '})
    assert broken.status_code == 422 and "plugins.periodicity: line 1" in broken.get_data(as_text=True)
    from otklik.extensions import db
    from otklik.models import Tenant

    with app.app_context():
        assert db.session.get(Tenant, tenant.id).plugins["periodicity"]["appeals"] == "quarter"
    client.post(f"/admin/tenants/{tenant.id}", data={
        "action": "settings_json", "plugin": ["periodicity", "channels"],
        "settings-periodicity": '{"appeals": "month"}', "settings-channels": '{"channels": ["post"]}'})
    with app.app_context():
        plugins = db.session.get(Tenant, tenant.id).plugins
        assert plugins["periodicity"]["appeals"] == "month" and plugins["channels"]["channels"] == ["post"]
        assert "publication" not in plugins  # a plugin left out of the form is disabled


def test_roles_fail_closed(client, make_tenant, make_user):
    tenant = make_tenant("omsk", slug="omsk-a")
    make_user("viewer@example.org", tenant=tenant, role="viewer")
    make_user("analyst@example.org", global_role="analyst")
    login(client, "viewer@example.org")
    assert client.get("/omsk-a/office/").status_code == 200
    assert client.get("/admin/tenants").status_code == 404
    assert client.get("/centre/").status_code == 404
    client.post("/logout")
    login(client, "analyst@example.org")
    assert client.get("/centre/").status_code == 200
    assert client.get("/omsk-a/office/").status_code == 404
    assert client.get("/admin/tenants").status_code == 404


def test_anonymous_is_sent_to_login_from_office_pages(client, make_tenant):
    make_tenant("omsk", slug="omsk-a")
    response = client.get("/omsk-a/office/")
    assert response.status_code == 302 and "/login?next=/omsk-a/office/" in response.headers["Location"]


def test_login_ignores_foreign_next_urls(client, admin):
    response = client.post("/login?next=https://evil.example/", data={"email": admin, "password": "secret-pass"})
    assert response.headers["Location"] == "/admin/tenants"


def test_csrf_is_enforced_on_forms(redis_url, make_user):
    from otklik import create_app
    from otklik.testing import _database_url

    make_user("admin@example.org", global_role="admin")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(), "REDIS_URL": redis_url,
                      "RATELIMIT_STORAGE_URI": redis_url})
    client = app.test_client()
    refused = client.post("/login", data={"email": "admin@example.org", "password": "secret-pass"})
    assert refused.status_code == 400
    assert "Обновите страницу" in refused.get_data(as_text=True)
    assert client.get("/admin/tenants").status_code == 302  # not signed in
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"email": "admin@example.org", "password": "secret-pass", "csrf_token": token})
    assert accepted.status_code == 302


def test_health(client):
    assert client.get("/health").get_json() == {"status": "ok"}


def test_idle_session_expires(redis_url, make_user):
    """The signed session cookie carries its age: past the idle lifetime the server refuses it."""
    import time

    from otklik import create_app
    from otklik.testing import _database_url

    make_user("admin@example.org", global_role="admin")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(), "REDIS_URL": redis_url,
                      "RATELIMIT_STORAGE_URI": redis_url, "WTF_CSRF_ENABLED": False,
                      "PERMANENT_SESSION_LIFETIME": timedelta(seconds=1)})
    client = app.test_client()
    login(client, "admin@example.org")
    assert client.get("/admin/tenants").status_code == 200
    time.sleep(2.1)
    assert client.get("/admin/tenants").status_code == 302
