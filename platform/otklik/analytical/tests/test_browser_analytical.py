"""In a real browser: an officer opens the month's analytical report; the charts are inline SVG drawn on the server
(no script), each interval chart beside the table of the same numbers, and axe-core finds no serious violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_analytical import draft, vladimir  # noqa: F401  (the fixture: Vladimir's February and March 2025)

pytestmark = pytest.mark.browser


def test_officer_reads_the_report_with_its_charts_and_tables(app, live_server, page, vladimir, make_user):  # noqa: F811
    make_user("officer@vladimir.test", tenant=vladimir)
    report_id = draft(app, vladimir)
    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@vladimir.test")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/vladimir-test/office/analytical-reports/{report_id}")
    assert page.locator("h1").first.inner_text() == "Аналитический отчет"
    # the interval chart of the appeals: one circle (March) and one square (February) per share shown
    chart = page.locator("svg.chart").first
    assert chart.get_attribute("role") == "img" and "95" in chart.locator("title").text_content()
    assert chart.locator("circle").count() == chart.locator("rect").count() == 4
    table = page.locator("#fig-appeals").inner_text()
    assert "80,0" in table and "50,0" in table and "60,9" in table and "91,1" in table  # 20 of 25: 60.9 .. 91.1 %
    assert page.locator("script[src*='chart']").count() == 0  # nothing drawn by a script
    form = page.get_by_role("textbox", name="Основные выводы")
    assert "+30 п. п." in form.input_value()
    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)
