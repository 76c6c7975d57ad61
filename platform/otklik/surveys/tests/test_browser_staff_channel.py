"""The employees' standing form on a phone (390 px), without JavaScript and without signing in; axe-core finds no
serious violation on it."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser


def test_an_employee_sends_a_remark_from_a_phone_without_javascript(app, make_tenant, live_server, _chromium):
    make_tenant("astrakhan", slug="astrakhan-b")
    context = _chromium.new_context(locale="ru-RU", java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server}/astrakhan-b/staff-feedback")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Материально-техническое оснащение").check()
        page.locator("textarea").first.fill("Нужен второй сканер в отделе")
        page.get_by_role("button", name="Отправить замечание").click()
        assert "Спасибо: ваше замечание получено." in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_axe_finds_no_serious_violation_on_the_staff_form(app, make_tenant, live_server, page):
    make_tenant("astrakhan", slug="astrakhan-c")
    page.goto(f"{live_server}/astrakhan-c/staff-feedback")
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, [v["id"] for v in violations]
