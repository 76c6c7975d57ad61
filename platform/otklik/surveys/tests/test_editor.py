"""The questionnaire editor without JSON: every action a server round trip on the whole draft, nothing stored until
«Save draft», the engine's own validation with its sentences next to their question, unknown keys kept, jumps that
follow their question when questions move, officers only, another authority's questionnaire 404."""

import re

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import QuestionnaireVersion, Tenant
from otklik.surveys import editor, service
from otklik.surveys.templates import BUILTIN
from otklik.tenancy import tenant_scope


@pytest.fixture
def officer(vladimir, make_user, login_as):
    make_user("officer@example.org", tenant=vladimir, role="officer")
    login_as("officer@example.org")
    return vladimir


def _draft(app, tenant, questions):
    """A questionnaire whose draft holds `questions` (stored as given, the way the JSON view stores them)."""
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        questionnaire = service.create_from_template(BUILTIN["vladimir_appendix"], "Анкета")
        questionnaire.latest.questions = questions
        db.session.commit()
        return questionnaire.id


def _stored(app, tenant, qid):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        return db.session.execute(select(QuestionnaireVersion.questions)
                                  .where(QuestionnaireVersion.questionnaire_id == qid)).scalar_one()


def _fields(html: str) -> dict:
    """The values a browser would send for the editor form as shown (text, hidden, checked boxes, selected)."""
    form = html[html.index('<form method="post" class="editor"'):]
    form = form[:form.index("</form>")]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        if kind == "checkbox" and "checked" not in tag:
            continue
        data[name.group(1)] = _unescape(value.group(1) if value else "")
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = _unescape(body)
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = _unescape(chosen.group(1))
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _post(client, url, html, action, **changes):
    data = {**_fields(html), **changes, "action": action}
    response = client.post(url, data=data)
    return response, response.get_data(as_text=True)


SMALL = [
    {"key": "q1", "number": 1, "type": "yesno", "text": "Получили услугу?", "required": True,
     "options": [{"value": "yes", "text": "Да", "goto": 3}, {"value": "no", "text": "Нет"}], "plugin_note": "keep"},
    {"key": "q2", "number": 2, "type": "open", "text": "Почему нет?", "required": False},
    {"key": "q3", "number": 3, "type": "scale", "text": "Оцените", "required": True, "parameter": "overall"},
]


def test_editor_builds_moves_and_saves_a_draft_without_json(app, client, officer):
    qid = _draft(app, officer, SMALL)
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "Общая удовлетворенность" in html  # the parameter in words, its code only as the option's value
    assert 'value="3" selected>перейдите к вопросу 3' in html.replace("\n", "")

    # a matrix question added at the end, two rows filled
    response, html = _post(client, url, html, "add_question", new_type="matrix")
    assert response.status_code == 200 and "Вопрос 4" in html and 'id="q3-text" autofocus' in html
    response, html = _post(client, url, html, "add_row:3", **{"q3-text": "Оцените работу", "q3-r0-text": "Сроки"})
    response, html = _post(client, url, html, "apply", **{"q3-r1-text": "Вежливость", "q3-r1-parameter": "politeness"})
    # an answer added to question 1, then moved up twice to the top
    response, html = _post(client, url, html, "add_option:0")
    response, html = _post(client, url, html, "o_up:0:2", **{"q0-o2-text": "Затрудняюсь ответить"})
    assert 'id="q0-o1-o-up" autofocus' in html  # the focus stays on the moved answer's button
    response, html = _post(client, url, html, "o_up:0:1")
    # question 3 (the jump's target) moves up to 2: the jump follows it
    response, html = _post(client, url, html, "q_up:2")
    assert _stored(app, officer, qid) == SMALL  # nothing stored before «Save draft»
    response = client.post(url, data={**_fields(html), "action": "save"})
    assert response.status_code == 302

    saved = _stored(app, officer, qid)
    assert [(q["number"], q["key"], q["type"]) for q in saved] == [
        (1, "q1", "yesno"), (2, "q3", "scale"), (3, "q2", "open"), (4, "q4", "matrix")]
    assert saved[0]["options"] == [{"value": "1", "text": "Затрудняюсь ответить"},
                                   {"value": "yes", "text": "Да", "goto": 2}, {"value": "no", "text": "Нет"}]
    assert saved[0]["plugin_note"] == "keep"  # a key the editor does not show rides along
    assert saved[1]["parameter"] == "overall" and saved[2]["required"] is False
    assert saved[3]["rows"] == [{"key": "r1", "text": "Сроки"},
                                {"key": "r2", "text": "Вежливость", "parameter": "politeness"}]
    assert saved[3]["text"] == "Оцените работу"


def test_invalid_draft_is_refused_with_the_validators_words_next_to_the_question(app, client, officer):
    qid = _draft(app, officer, SMALL)
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    html = client.get(url).get_data(as_text=True)
    # question 3 moves above question 1: the jump 1 -> 3 now points backwards; question 2 loses its text
    response, html = _post(client, url, html, "q_up:2")
    response, html = _post(client, url, html, "q_up:1", **{"q2-text": ""})
    response, html = _post(client, url, html, "save")
    assert response.status_code == 422
    assert _stored(app, officer, qid) == SMALL  # nothing half-written
    # the text error sits in question 3's fieldset, the jump error in question 2's (the yes/no now second)
    assert "Вопрос 3: нет текста вопроса." in _fieldset(html, 3)
    assert "Вопрос 2: ответ yes возвращает к вопросу 1" in _fieldset(html, 2)
    assert 'href="#question-2"' in html and 'href="#question-3"' in html  # the summary links to them
    assert "total" not in html


def _fieldset(html: str, number: int) -> str:
    part = html[html.index(f'id="question-{number}"'):]
    return part[:part.index("</fieldset>")]


def test_deleting_a_jump_target_removes_the_jump_and_says_so():
    draft = editor.apply(editor.normalise(SMALL), "q_delete:2")
    assert [q["key"] for q in draft.questions] == ["q1", "q2"]
    assert draft.questions[0]["options"] == [{"value": "yes", "text": "Да"}, {"value": "no", "text": "Нет"}]
    assert len(draft.notes) == 1


def test_normalise_renumbers_and_keeps_jumps_on_their_question():
    gapped = [{**SMALL[0], "number": 10, "options": [{"value": "yes", "text": "Да", "goto": 30}]},
              {**SMALL[1], "number": 20}, {**SMALL[2], "number": 30}]
    shown = editor.normalise(gapped)
    assert [q["number"] for q in shown] == [1, 2, 3] and shown[0]["options"][0]["goto"] == 3
    assert gapped[0]["number"] == 10  # the stored list itself is not changed


def test_only_officers_edit_and_another_authority_gets_404(app, client, vladimir, make_tenant, make_user, login_as):
    qid = _draft(app, vladimir, SMALL)
    url = f"/{vladimir.slug}/office/surveys/questionnaires/{qid}/edit"
    make_user("viewer@example.org", tenant=vladimir, role="viewer")
    login_as("viewer@example.org")
    assert client.get(url).status_code == 403
    assert client.post(url, data={"action": "save", "count": "0"}).status_code == 403
    other = make_tenant("omsk", slug="omsk-x")
    make_user("omsk@example.org", tenant=other, role="officer")
    login_as("omsk@example.org")
    assert client.get(f"/{other.slug}/office/surveys/questionnaires/{qid}/edit").status_code == 404


def test_a_published_version_is_not_edited(app, client, officer):
    qid = _draft(app, officer, SMALL)
    with app.app_context(), tenant_scope(db.session.get(Tenant, officer.id)):
        version = db.session.execute(select(QuestionnaireVersion)).scalar_one()
        service.publish(version)
        db.session.commit()
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/questionnaires/{qid}")
    response = client.post(url, data={"action": "save", "count": "1", "q0-key": "x", "q0-type": "open",
                                      "q0-text": "x", "title": "x"})
    assert response.status_code == 302 and _stored(app, officer, qid) == SMALL


def test_a_tampered_button_changes_nothing(app, client, officer):
    qid = _draft(app, officer, SMALL)
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    html = client.get(url).get_data(as_text=True)
    response, html = _post(client, url, html, "q_delete:99")
    assert response.status_code == 200 and "не распознал" in html and "Вопрос 3" in html


def test_indicators_are_chosen_from_the_vocabulary_and_checked_by_the_validator(app, client, officer):
    from otklik.vocabulary import SURVEY_INDICATORS

    questions = [{**SMALL[2], "indicator": "overall"},
                 {"key": "q9", "number": 2, "type": "matrix", "text": "Оцените", "required": True,
                  "rows": [{"key": "speed", "text": "Скорость", "parameter": "speed"}]}]
    qid = _draft(app, officer, questions)
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    html = client.get(url).get_data(as_text=True)
    select = html[html.index('name="q0-indicator"'):]
    select = select[:select.index("</select>")]
    assert '<option value="overall" selected>Общая удовлетворенность' in select  # the key's title, in words
    assert len(re.findall(r"<option value=\"\w+\"", select)) == len(SURVEY_INDICATORS)
    # a row gets an indicator; the open question cannot carry one (no select there), the validator's words stand
    response, html = _post(client, url, html, "save", **{"q1-r0-indicator": "speed"})
    assert response.status_code == 302
    saved = _stored(app, officer, qid)
    assert saved[0]["indicator"] == "overall" and saved[1]["rows"][0]["indicator"] == "speed"
    assert saved[1]["rows"][0]["parameter"] == "speed"
    # an indicator that a type change made misplaced is refused with the validator's sentence
    html = client.get(url).get_data(as_text=True)
    response, html = _post(client, url, html, "save", **{"q0-type": "open"})
    assert response.status_code == 422 and "Вопрос 1:" in _fieldset(html, 1)
    assert _stored(app, officer, qid) == saved


def test_the_title_is_required_and_limited(app, client, officer):
    qid = _draft(app, officer, SMALL)
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    html = client.get(url).get_data(as_text=True)
    response, page = _post(client, url, html, "save", title="  ")
    assert response.status_code == 422 and "У анкеты должно быть название." in page
    response, page = _post(client, url, html, "save", title="А" * 301)
    assert response.status_code == 422 and "не более 300 символов" in page
    response, page = _post(client, url, html, "add_question", title="")  # an action needs no title yet
    assert response.status_code == 200 and "Вопрос 4" in page
    assert _stored(app, officer, qid) == SMALL


@pytest.mark.parametrize("template", sorted(BUILTIN))
def test_every_template_goes_through_the_editor_unchanged(app, client, officer, template):
    """Saving a template's questions through the editor, untouched, stores exactly what was there (every key,
    option, row, jump, parameter and indicator), however long the form."""
    questions = BUILTIN[template].questions
    qid = _draft(app, officer, questions)
    url = f"/{officer.slug}/office/surveys/questionnaires/{qid}/edit"
    html = client.get(url).get_data(as_text=True)
    response, page = _post(client, url, html, "save")
    assert response.status_code == 302, page[page.find("editor-errors"):][:2000]
    assert _stored(app, officer, qid) == questions


def test_a_tampered_count_builds_no_flood_of_questions():
    from werkzeug.datastructures import MultiDict

    questions = editor.read_form(MultiDict({"count": "10000000", "q0-options": "-5", "q0-type": "open"}))
    assert len(questions) == editor.MAX_ITEMS and "options" not in questions[0]
