"""An officer's appeal page and a survey's poster fit a 390 px phone screen: nothing scrolls sideways."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Appeal, Survey, Tenant
from otklik.tenancy import tenant_scope

pytestmark = pytest.mark.browser
SLUG = "omsk-phone"


@pytest.fixture
def world(app, make_tenant, make_user):
    from otklik.demo import fill_tenant

    tenant = make_tenant("omsk", slug=SLUG, tracking_since=date(2025, 1, 1))
    make_user(f"officer@{SLUG}.local", tenant=tenant, role="officer")
    with app.app_context(), force_locale("ru"):
        t = db.session.get(Tenant, tenant.id)
        with tenant_scope(t):
            fill_tenant(t, 40, 20, seed=3, end=date(2025, 10, 5))
            db.session.commit()
            answered = db.session.execute(select(Appeal.id).where(Appeal.answered_at.is_not(None))
                                          .limit(1)).scalar_one()
            pending = db.session.execute(select(Appeal).where(Appeal.id != answered).limit(1)).scalar_one()
            pending.answered_at, pending.redirected_at, pending.outcome = None, None, "pending"  # its forms shown
            db.session.commit()
            pending = pending.id
            survey = db.session.execute(select(Survey.id).limit(1)).scalar_one()
    return tenant, [answered, pending], survey


def test_appeal_page_and_poster_fit_a_phone(live_server, _chromium, world):
    tenant, appeals, survey = world
    phone = _chromium.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill(f"officer@{SLUG}.local")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/office/$"))
    urls = [f"/{SLUG}/office/appeals/{a}" for a in appeals] + [f"/{SLUG}/office/surveys/{survey}/poster"]
    widths = {}
    for url in urls:
        response = page.goto(live_server + url)
        assert response.status == 200, url
        widths[url] = page.evaluate("document.documentElement.scrollWidth")
    phone.close()
    wide = {url: w for url, w in widths.items() if w > 390}
    assert not wide, f"wider than a 390 px screen: {wide}"
