"""In a real browser: choosing a profile fills in the onboarding form (the script; the button does it without), and
axe-core finds no serious violation on the onboarding form and on an authority's page with its settings forms."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_choosing_a_profile_fills_in_the_form_and_the_pages_pass_axe(live_server, page, make_user, make_tenant):
    make_user("admin@otklik.local", global_role="admin")
    tenant = make_tenant("omsk", slug="omsk-b")
    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("admin@otklik.local")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/admin/tenants/new")
    page.select_option("#profile", "astrakhan.toml")
    page.wait_for_function("document.getElementById('region').value === 'Астраханская область'")
    assert page.locator("#timezone").input_value() == "Europe/Astrakhan"
    assert page.locator("#act_date").input_value() == "2024-06-25"
    assert not _serious(page), _serious(page)
    page.goto(f"{live_server}/admin/tenants/{tenant.id}")
    assert page.locator("#p-periodicity-appeals").input_value() == "quarter"
    assert not _serious(page), _serious(page)
