"""The public site in a real browser (issue 12, item 8; GOST R 52872-2019 / WCAG 2.1): axe-core finds no serious or
critical violation on any public page, in the standard version and the version for the visually impaired; every
page works without JavaScript on a 390 px phone and at 200 % zoom without scrolling sideways; the charts are drawn
with JavaScript and hidden without it (their tables stay); the version for the visually impaired and the opinion
form work by keyboard alone, without JavaScript."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Survey, Tenant
from otklik.tenancy import across_tenants, tenant_scope
from tests.public_site_helpers import add_publication, appeals_payload, set_status, we_did_payload

pytestmark = pytest.mark.browser

PAGE = "/vladimir-minsoc/publications/appeals_analysis/2026-Q3/"
WITHDRAWN = "/vladimir-minsoc/publications/appeals_analysis/2026-Q2/"
PAGES = ["/", "/vladimir-minsoc/", "/vladimir-minsoc/publications/", PAGE, f"{PAGE}v1/", WITHDRAWN,
         "/vladimir-minsoc/surveys/", "/vladimir-minsoc/opinion", "/omsk-mintrud/",
         "/nenets-dzsn/publications/you_said_we_did/2026-Q2/", "/vladimir-minsoc/opendata/"]


@pytest.fixture
def site(app, make_tenant):
    vladimir = make_tenant("vladimir", slug="vladimir-minsoc")
    make_tenant("omsk", slug="omsk-mintrud")
    nenets = make_tenant("nenets", slug="nenets-dzsn")
    v1 = add_publication(app, vladimir, appeals_payload(first=41))
    set_status(app, vladimir, v1, "superseded")
    add_publication(app, vladimir, appeals_payload(first=42), version=2, note="Исправлено число обращений.",
                    published_at=datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    gone = add_publication(app, vladimir, appeals_payload("2026-Q2", "II квартал 2026 г."))
    set_status(app, vladimir, gone, "withdrawn", status_reason="Публикация отозвана для исправления.")
    add_publication(app, nenets, we_did_payload())
    with app.app_context():
        from otklik.surveys import service
        from otklik.surveys.templates import BUILTIN

        with tenant_scope(db.session.get(Tenant, vladimir.id)):
            questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"])
            service.publish(questionnaire.latest)
            db.session.add(Survey(questionnaire_version_id=questionnaire.latest.id, title="Оценка выплаты на ребенка",
                                  object="Ежемесячная выплата на ребенка", audience="external",
                                  channels=["survey_online"], status="open"))
            db.session.commit()
    return vladimir


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def survey_form(app) -> str:
    with app.app_context():
        token = db.session.execute(across_tenants(select(Survey.token))).scalar_one()
    return f"/vladimir-minsoc/s/{token}"


def test_axe_finds_no_serious_violation_and_charts_are_drawn(app, site, live_server, page):
    form = survey_form(app)
    for low_vision in (False, True):
        if low_vision:
            page.goto(f"{live_server}/low-vision?on=1&next=/")
        for path in [*PAGES, form, f"{form}/thanks"]:
            response = page.goto(f"{live_server}{path}")
            assert response.status == (410 if path == WITHDRAWN else 200), path
            found = serious(page)
            assert not found, f"{path} (low vision: {low_vision}):\n" + "\n".join(found)
    page.goto(f"{live_server}{PAGE}")
    page.wait_for_selector("canvas.public-chart[data-rendered='1']")
    assert page.locator("canvas.public-chart[data-rendered='1']").count() == 2
    assert page.locator("figure.chart-box").first.is_visible()
    assert page.locator("table.grid:not(.compare)").count() == 2  # the tables stay beside the charts (not the
    # comparison tables of «what changed»)


@pytest.mark.parametrize("width", [390, 640])
def test_every_public_page_works_without_javascript_and_never_scrolls_sideways(app, site, live_server, _chromium,
                                                                             width):
    """390 px: a phone. 640 px: a 1280 px window at 200 % zoom (the CSS viewport is halved)."""
    form = survey_form(app)
    context = _chromium.new_context(locale="ru-RU", java_script_enabled=False,
                                    viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for low_vision in (False, True):
            if low_vision:
                page.goto(f"{live_server}/low-vision?on=1&next=/")
            for path in [*PAGES, form]:
                page.goto(f"{live_server}{path}")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{path} at {width} px (low vision: {low_vision}) is {scroll} px wide"
        page.goto(f"{live_server}{PAGE}")
        assert not page.locator("figure.chart-box").first.is_visible()  # no chart without JavaScript
        assert page.locator("table.grid").first.is_visible()
        assert "Больше всего обращений — 42" in page.inner_text("main")
    finally:
        context.close()


def tab_to(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable by Tab")


def test_low_vision_version_and_opinion_by_keyboard_without_javascript(site, live_server, _chromium, app):
    context = _chromium.new_context(locale="ru-RU", java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server}{PAGE}")
        tab_to(page, "a.skip")
        tab_to(page, "#low-vision-switch")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(re.escape(PAGE) + "$"))
        assert page.get_attribute("html", "class") == "low-vision"
        cookie = next(c for c in context.cookies() if c["name"] == "low_vision")
        assert cookie["value"] == "1"
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
        assert size >= 20  # larger type
        page.goto(f"{live_server}/vladimir-minsoc/")
        assert page.get_attribute("html", "class") == "low-vision"  # remembered

        page.goto(f"{live_server}/vladimir-minsoc/opinion")
        tab_to(page, "input[name=q1]")
        page.keyboard.press("Space")
        tab_to(page, "textarea[name=q2]")
        page.keyboard.type("Хотелось бы подавать заявление на выплату онлайн.")
        tab_to(page, "button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/opinion\?sent=1$"))
        assert "Спасибо" in page.inner_text("#opinion-thanks")
    finally:
        context.close()
