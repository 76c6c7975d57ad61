"""In a real browser: the import page's allowed values open and read, the blank XLSX downloads, the mappings page
shows the value fields, and an appeal registered with a date alone is answered on its page with the outcome chosen
by hand, after which no form is offered; axe-core finds no serious violation on these pages."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser


def no_serious_violation(page):
    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page.url}\n" + "\n".join(serious)


def test_import_help_and_the_register_in_a_browser(app, live_server, page, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vlad-help-web")
    make_user("officer@vlad-help-web.test", tenant=tenant, role="officer")
    base = f"{live_server}/vlad-help-web/office/appeals"
    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@vlad-help-web.test")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/office/$"))

    page.goto(f"{base}/import")
    page.locator("#allowed-values summary").click()
    allowed = page.locator("#allowed-values").inner_text()
    assert "«Жалоба» (complaint)" in allowed and "«Разъяснено» (explained)" in allowed
    no_serious_violation(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX с допустимыми значениями").click()
    assert download.value.suggested_filename == "appeals-template.xlsx"

    page.goto(f"{base}/mappings")
    assert page.get_by_label(re.compile(r"^kind — ")).is_visible()
    no_serious_violation(page)

    page.goto(f"{base}/new")
    page.get_by_label("Регистрационный номер").fill("ОГ-1/2025")
    page.get_by_label("Дата регистрации").fill("2025-03-03")
    page.get_by_role("button", name="Зарегистрировать").click()
    assert page.locator("#fact-registered_at").inner_text() == "03.03.2025"
    outcome = page.locator("select[name='answer-outcome']")
    assert outcome.input_value() == ""
    no_serious_violation(page)
    page.locator("input[name='answer-answered_on']").fill("2025-03-10")
    outcome.select_option("explained")
    page.locator("form:has(input[value='answer']) button").click()
    page.wait_for_selector("#no-actions")
    assert page.locator("#fact-answered_at").inner_text() == "10.03.2025"
    assert page.locator("input[name='action']").count() == 0
