"""In a real browser: the administrator sees every authority; an officer sees only their own."""

import re

import pytest

from otklik.extensions import db

pytestmark = pytest.mark.browser


def _sign_in(page, base, email, password="secret-pass"):
    page.goto(f"{base}/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Вход").click()


def test_administrator_sees_authorities_and_officer_only_their_own(app, live_server, page, make_tenant, make_user):
    for profile, slug in (("nenets", "nenets-dzsn"), ("omsk", "omsk-mintrud"), ("astrakhan", "astrakhan-gjn"),
                          ("vladimir", "vladimir-minsoc")):
        make_tenant(profile, slug=slug)
    make_user("admin@example.org", global_role="admin")
    with app.app_context():
        from otklik.models import Tenant

        vladimir = db.session.query(Tenant).filter_by(slug="vladimir-minsoc").one()
    make_user("officer@vladimir.example", tenant=vladimir)

    _sign_in(page, live_server, "admin@example.org")
    page.wait_for_url(re.compile(r"/admin/tenants$"))
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 4
    body = page.inner_text("main")
    for name in ("Ненецкого автономного округа", "Омской области", "Астраханской области", "Владимирской области"):
        assert name in body
    page.get_by_role("button", name="Выйти").click()

    _sign_in(page, live_server, "officer@vladimir.example")
    page.wait_for_url(re.compile(r"/vladimir-minsoc/office/$"))
    assert "45-го календарного дня" in page.inner_text("#schedule")
    assert "Платформа обратной связи" in page.inner_text("#channels")
    response = page.goto(f"{live_server}/omsk-mintrud/office/")
    assert response.status == 404
    assert "Омской области" not in page.content()


def test_office_pages_do_not_scroll_sideways_on_a_phone(app, live_server, page, make_tenant, make_user):
    """At 390 px a wide table (the schedule, the register) scrolls inside itself; the page stays put."""
    tenant = make_tenant("omsk", slug="omsk-mintrud")
    make_user("officer@omsk.example", tenant=tenant)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "officer@omsk.example")
    page.wait_for_url(re.compile(r"/omsk-mintrud/office/$"))
    for path in ("/omsk-mintrud/office/", "/omsk-mintrud/office/appeals/", "/omsk-mintrud/office/surveys/"):
        page.goto(f"{live_server}{path}")
        assert page.locator("table.grid").count() > 0, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
