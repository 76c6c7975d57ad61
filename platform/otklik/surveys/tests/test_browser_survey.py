"""In a real browser: an officer makes a survey from the Vladimir template and gets its QR code; a citizen
answers it on a phone with JavaScript off, through the skip 4 -> 6 and 7 -> 9; an operator enters a paper copy.
Both answers are stored anonymously and counted."""

import re

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import SurveyAnswer, SurveyResponse, Tenant
from otklik.tenancy import tenant_scope

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/office/$"))


def choose(page, question: int, text: str):
    page.locator(f"#question-{question}").get_by_label(text, exact=False).first.check()


def test_vladimir_survey_end_to_end(app, live_server, page, _chromium, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vladimir-minsoc")
    make_user("officer@vladimir.example", tenant=tenant, role="officer")
    make_user("operator@vladimir.example", tenant=tenant, role="operator")

    # The officer: questionnaire from the template, published, a survey opened, its QR code.
    sign_in(page, live_server, "officer@vladimir.example")
    page.get_by_role("link", name="Опросы").first.click()
    page.get_by_role("link", name="Новая анкета из шаблона").click()
    page.get_by_label("Шаблон", exact=True).select_option("vladimir_appendix")
    page.get_by_role("button", name="Создать черновик").click()
    page.get_by_role("button", name="Опубликовать версию 1").click()
    page.get_by_role("link", name="Создать опрос по этой версии").click()
    page.get_by_label("Название", exact=True).fill("Оценка ежемесячной выплаты на ребенка")
    page.get_by_label("Объект: услуга, мера поддержки или процесс").fill("Ежемесячная выплата на ребенка")
    page.get_by_role("button", name="Создать опрос").click()
    page.get_by_role("button", name="Открыть опрос").click()
    assert page.locator("#survey-state").inner_text() == "Открыт"
    link = page.locator("#public-link").inner_text()
    qr = page.locator("img[alt='QR-код ссылки на опрос']")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    survey_page = page.url

    # The citizen: a phone, JavaScript off, a fresh context with no session.
    phone = _chromium.new_context(locale="ru-RU", java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True, user_agent="CitizenPhone/1.0")
    citizen = phone.new_page()
    citizen.goto(link)
    assert "анонимный" in citizen.locator("#notice").inner_text()
    width = citizen.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form overflows a phone screen ({width}px)"
    # Question 1 by keyboard: Tab to the first answer, arrows move the choice, Space would select.
    citizen.locator("#question-1 input").first.focus()
    citizen.keyboard.press("ArrowDown")
    assert citizen.locator("#question-1 input:checked").get_attribute("value") == "housing_subsidy"
    choose(citizen, 2, "На портале Госуслуги")
    choose(citizen, 3, "4 балла")
    choose(citizen, 4, "многофункциональный центр")  # -> go to question 6: question 5 is left empty
    choose(citizen, 6, "Я сам(-а) обратился(-ась)")
    choose(citizen, 7, "Да, услуга предоставлена")  # -> go to question 9: question 8 is left empty
    for row in ("Понятность и удобство", "Информирование о статусе", "Оптимальность количества",
                "Оперативность получения", "Возможность получения"):
        citizen.locator("#question-9 fieldset.matrix-row", has_text=row).get_by_label("5").check()
    choose(citizen, 10, "Скорее удовлетворен(-а)")
    choose(citizen, 11, "Скорее удовлетворен")
    choose(citizen, 13, "Женский")
    choose(citizen, 14, "30-44")
    choose(citizen, 15, "Высшее")
    citizen.get_by_role("button", name="Отправить ответы").click()
    citizen.wait_for_url(re.compile(r"/thanks$"))
    assert "Спасибо" in citizen.content()
    phone.close()

    # The operator enters the paper copy.
    page.context.clear_cookies()
    sign_in(page, live_server, "operator@vladimir.example")
    page.goto(survey_page + "/offline")
    page.get_by_label("Дата на бумажной анкете").fill("2026-11-20")
    # With JavaScript (the operator's browser) a jump hides the questions it skips, and shows them again.
    choose(page, 4, "многофункциональный центр")
    assert page.locator("#question-5").is_hidden() and page.locator("#question-6").is_visible()
    choose(page, 1, "Ежемесячная выплата на ребенка")
    choose(page, 2, "От коллег")
    choose(page, 3, "2 балла")
    choose(page, 4, "gosuslugi.ru")
    choose(page, 5, "3 балла")
    choose(page, 6, "Услуга предложена")
    choose(page, 7, "Нет, услуга не предоставлена")
    choose(page, 8, "Скорее не удовлетворен")
    for row in ("Понятность", "Информирование", "Оптимальность", "Оперативность", "Возможность"):
        page.locator("#question-9 fieldset.matrix-row", has_text=row).get_by_label("2").check()
    choose(page, 10, "Затрудняюсь ответить")
    choose(page, 11, "Скорее не удовлетворен")
    choose(page, 12, "Нет")
    choose(page, 13, "Мужской")
    choose(page, 14, "61 год")
    choose(page, 15, "Среднее специальное")
    page.get_by_role("button", name="Сохранить анкету").click()
    assert "Бумажная анкета сохранена" in page.content()
    page.goto(survey_page)
    assert page.locator("#response-count").inner_text() == "2"

    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        responses = db.session.execute(select(SurveyResponse).order_by(SurveyResponse.source.desc())).scalars().all()  # web, offline
        assert [(r.channel, r.source) for r in responses] == [("survey_online", "web"),
                                                              ("survey_offline", "offline")]
        web = {(a.question_key, a.row_key): (a.option, a.value_num) for a in db.session.execute(
            select(SurveyAnswer).where(SurveyAnswer.response_id == responses[0].id)).scalars()}
        assert web[("q1", "")] == ("housing_subsidy", None)
        assert web[("q4", "")] == ("mfc", None)
        assert web[("q3", "")] == (None, 4.0)
        assert web[("q9", "speed")] == (None, 5.0)
        assert ("q5", "") not in web and ("q8", "") not in web
        paper = {a.question_key for a in db.session.execute(
            select(SurveyAnswer).where(SurveyAnswer.response_id == responses[1].id)).scalars()}
        assert {"q5", "q8", "q12"} <= paper
