"""In a real browser: an officer accepts a suggestion of an analysis, adds a measure to the new pain and sees both
on the map, with the prevalence and its interval."""

import re

import pytest

from otklik.analysis.tests.test_survey_metrics import add_survey

from . import test_service as fx

pytestmark = pytest.mark.browser


def test_officer_accepts_a_suggestion_adds_a_measure_and_sees_it_on_the_map(app, live_server, page, make_tenant,
                                                                           make_user, run_jobs):
    tenant = make_tenant("omsk", slug="omsk-browser")
    with app.app_context():
        add_survey(tenant, fx._respondents("2025-01", 24, 40))  # queue: 24 of 40 = 60 % (44.6-73.7 %)
    fx._analyse(app, run_jobs, tenant, "2025-01")
    make_user("officer@browser.example", tenant=tenant)

    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@browser.example")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/omsk-browser/office/$"))

    page.get_by_role("link", name="Карта болей").first.click()
    page.wait_for_url(re.compile(r"/office/painmap/$"))
    assert "В карте пока нет болей" in page.inner_text("#painmap")
    page.get_by_role("link", name=re.compile("Предложения на рассмотрение")).first.click()
    page.wait_for_url(re.compile(r"/office/painmap/suggestions$"))

    card = page.locator("article.suggestion", has_text="Очереди")
    assert "60 % (44,6–73,7 %)" in card.inner_text() and "24 из 40" in card.inner_text()
    card.get_by_role("button", name="Принять", exact=True).click()
    page.wait_for_url(re.compile(r"/office/painmap/pains/\d+$"))
    assert "60 % (44,6–73,7 %)" in page.inner_text("#prevalence")

    page.get_by_role("link", name="Добавить мероприятие").click()
    page.wait_for_url(re.compile(r"/measures/new$"))
    page.get_by_label("Мероприятие", exact=True).fill("Электронная очередь в клиентской службе")
    page.get_by_label("Направление использования результатов").select_option("digital_services")
    page.get_by_label("Ответственное подразделение").fill("Отдел информатизации")
    page.get_by_label("Исполнитель").select_option(label="officer@browser.example")
    page.get_by_label("Начало").fill("2025-04-01")
    page.get_by_label("Срок реализации").fill("")  # left empty: set by the priority (medium: 90 days)
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(re.compile(r"/office/painmap/pains/\d+$"))
    assert "Мероприятие добавлено." in page.inner_text("body")
    assert "Добавлено мероприятие" in page.inner_text("#history")

    page.get_by_role("link", name="Карта", exact=True).click()
    page.wait_for_url(re.compile(r"/office/painmap/$"))
    row = page.locator("#painmap tr", has_text="Очереди").inner_text()
    # 1 April + 90 days = 30 June 2025
    assert "Электронная очередь в клиентской службе" in row and "Отдел информатизации — officer@browser.example" in row
    assert "30.06.2025" in row and "60 % (44,6–73,7 %)" in row and "Средний" in row
