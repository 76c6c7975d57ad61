"""In a real browser: the survey results page draws a chart for each question with options or marks, with the
Content-Security-Policy of the site (no inline script), and the table with the same figures is beside it; axe-core
finds no serious violation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import VLADIMIR_FORM, make_survey

pytestmark = pytest.mark.browser


def test_results_charts_are_drawn_beside_their_tables(app, client, live_server, page, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vladimir-charts")
    make_user("officer@vladimir.example", tenant=tenant, role="officer")
    survey_id, token = make_survey(app, tenant)
    client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM)
    client.post(f"/{tenant.slug}/s/{token}", data=dict(VLADIMIR_FORM, q3="5"))

    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@vladimir.example")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/office/$"))
    page.goto(f"{live_server}/{tenant.slug}/office/surveys/{survey_id}/results")

    for key in ("q2", "q3"):
        canvas = page.locator(f"#result-{key} canvas#chart-{key}")
        canvas.wait_for()
        page.wait_for_function(f"document.getElementById('chart-{key}').dataset.rendered === '1'")
        box = canvas.bounding_box()
        assert box["width"] > 100 and box["height"] > 100, box
        table = page.locator(f"#result-{key} #table-{key}")
        assert table.is_visible()
    # the chart of q3 holds the marks of the table: one 4 and one 5
    drawn = page.evaluate("document.getElementById('chart-q3').chart.data.datasets[0].data")
    assert drawn == [0, 0, 0, 1, 1]
    assert page.locator("#table-q3 tr", has_text="5").first.is_visible()
    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)
