"""In a real browser with JavaScript off, by keyboard only: an officer builds a small questionnaire with the editor
(questions added, a jump set, a question moved, the draft saved) and the saved version holds exactly that. With
JavaScript on, axe-core finds no serious violation on the editor, and a changed type is applied at once."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Questionnaire, QuestionnaireVersion, Tenant
from otklik.surveys import service
from otklik.surveys.templates import BUILTIN
from otklik.tenancy import tenant_scope

pytestmark = pytest.mark.browser

FIRST = {"key": "q1", "number": 1, "type": "yesno", "text": "Получили ли Вы услугу?", "required": True,
         "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]}


@pytest.fixture
def draft(app, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vladimir-editor")
    make_user("officer@vladimir.example", tenant=tenant, role="officer")
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"], "Короткая анкета")
        questionnaire.latest.questions = [FIRST]
        db.session.commit()
        return tenant, questionnaire.id


def _sign_in(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("Электронная почта").focus()
    page.keyboard.type("officer@vladimir.example")
    page.keyboard.press("Tab")
    page.keyboard.type("secret-pass")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/office/$"))


def _expect_focus(page, element_id: str) -> None:
    """The page came back with `element_id` focused (its `autofocus`, which the browser applies after the load
    event may already have fired: wait for it, up to the default timeout)."""
    expect(page.locator(f"#{element_id}")).to_be_focused()


def _press(page, locator, key="Enter"):
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press(key)


def test_build_a_questionnaire_by_keyboard_without_javascript(app, live_server, _chromium, draft):
    tenant, qid = draft
    context = _chromium.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    _sign_in(page, live_server)
    page.goto(f"{live_server}/{tenant.slug}/office/surveys/questionnaires/{qid}")
    _press(page, page.get_by_role("link", name="Редактировать вопросы"))

    # question 2: a mark 1-5; the new question's text has the focus when the page comes back
    page.locator("#new-type").focus()
    page.keyboard.press("ArrowDown")  # one answer -> several answers
    page.keyboard.press("ArrowDown")  # -> mark 1-5
    assert page.locator("#new-type").input_value() == "scale"
    _press(page, page.get_by_role("button", name="Добавить вопрос"))
    _expect_focus(page, "q1-text")
    page.keyboard.type("Оцените качество услуги")

    # question 3: own words (the typed text of question 2 goes along with the action)
    page.locator("#new-type").focus()
    for _ in range(5):
        page.keyboard.press("ArrowDown")  # -> matrix -> yes/no -> own words
        if page.locator("#new-type").input_value() == "open":
            break
    _press(page, page.get_by_role("button", name="Добавить вопрос"))
    _expect_focus(page, "q2-text")
    page.keyboard.type("Что нам улучшить?")
    page.keyboard.press("Tab")  # to the type select
    page.keyboard.press("Tab")  # to the key
    page.keyboard.press("Tab")  # to the parameter
    page.keyboard.press("Tab")  # to «An answer is required»
    assert page.evaluate("document.activeElement.name") == "q2-required"
    page.keyboard.press("Space")  # optional

    # the answer «Нет» of question 1 jumps to question 3; Enter in a text field applies the changes
    page.get_by_label("Переход после варианта 2 вопроса 1").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Переход после варианта 2 вопроса 1").input_value() == "3"
    _press(page, page.get_by_label("Текст варианта 2 вопроса 1"))
    assert "Вопрос 3" in page.content() and page.locator("#editor-errors").count() == 0

    # question 3 moves above question 2: the jump follows it (now «go to question 2»)
    _press(page, page.get_by_role("button", name="Поднять вопрос 3"), "Space")
    _expect_focus(page, "q1-q-up")
    assert page.get_by_label("Переход после варианта 2 вопроса 1").input_value() == "2"
    assert page.locator("#q1-text").input_value() == "Что нам улучшить?"

    _press(page, page.get_by_role("button", name="Сохранить черновик").first)
    assert "Черновик сохранен." in page.content()
    context.close()

    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        questionnaire = db.session.get(Questionnaire, qid)
        version = db.session.execute(select(QuestionnaireVersion)
                                     .where(QuestionnaireVersion.questionnaire_id == qid)).scalar_one()
        assert version.status == "draft" and questionnaire.title == "Короткая анкета"
        assert version.questions == [
            {**FIRST, "options": [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет", "goto": 2}]},
            {"key": "q3", "number": 2, "type": "open", "text": "Что нам улучшить?", "required": False},
            {"key": "q2", "number": 3, "type": "scale", "text": "Оцените качество услуги", "required": True},
        ]


def test_editor_with_javascript_applies_a_type_at_once_and_passes_axe(live_server, page, draft):
    tenant, qid = draft
    _sign_in(page, live_server)
    page.goto(f"{live_server}/{tenant.slug}/office/surveys/questionnaires/{qid}/edit")
    results = Axe().run(page)
    serious = [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)
    with page.expect_navigation():
        page.locator("#q0-type").select_option("matrix")  # the script applies it: rows appear
    assert page.get_by_label("Текст строки 1 вопроса 1").is_visible()
    _expect_focus(page, "q0-type")
