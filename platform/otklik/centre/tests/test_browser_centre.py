"""In a real browser: an analyst opens the Centre; every funnel plot and the trend are drawn by Chart.js (nothing
blocked by the CSP), each chart sits beside its data table, and axe-core finds no serious violation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_fair_comparison import compared  # noqa: F401  (the fixture: four authorities, two quarters)

pytestmark = pytest.mark.browser

DRAWN = """(id) => {
    const c = document.getElementById(id);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
}"""


def test_analyst_sees_funnels_and_trend_each_with_its_table(live_server, page, compared):  # noqa: F811
    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("analyst@example.org")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/centre/?period=2025-Q1")
    canvases = page.locator("canvas[id^='funnel-']")
    ids = [canvases.nth(i).get_attribute("id") for i in range(canvases.count())]
    # unsatisfied, within 30 days, redirected, overall satisfaction
    assert set(ids) == {"funnel-unsatisfied_share", "funnel-within_30_share", "funnel-redirected_share",
                        "funnel-survey_overall"}
    for canvas_id in [*ids, "trend-chart"]:
        page.wait_for_function(f"document.getElementById('{canvas_id}').dataset.rendered === '1'")
        assert page.evaluate(DRAWN, canvas_id) > 500, canvas_id
    for canvas_id in ids:
        table = page.locator(f"#table-{canvas_id}").inner_text()
        assert "Владимирской" in table and re.search(r"\d+,\d", table)
    unsatisfied = page.locator("#table-funnel-unsatisfied_share").inner_text()
    assert "выше остальных" in unsatisfied and "ниже остальных" in unsatisfied and "без вывода" in unsatisfied
    trend = page.locator("#trend-table").inner_text()
    assert "IV квартал 2024" in trend and "50,0" in trend
    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)
    # the peer-group filter: region Б holds two of the four
    page.select_option("#region", "Регион Б")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"region="))
    assert "Владимирской" not in page.locator("#comparison").inner_text()
