"""The public form's error summary names each question that needs attention and links to it (the form is long:
about 7,500 px for the Vladimir questionnaire on a phone)."""

import re

from .conftest import VLADIMIR_FORM


def test_error_summary_links_to_each_question_with_an_error(client, open_survey):
    tenant, _, token = open_survey
    form = dict(VLADIMIR_FORM, q3="9")  # a mark that is not offered
    form.pop("q5")  # a required answer left out (q4 = gosuslugi leads to q5)
    form.pop("q13")
    response = client.post(f"/{tenant.slug}/s/{token}", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('id="form-errors"'):]
    summary = summary[:summary.index("</div>")]
    links = re.findall(r'<a href="#question-(\d+)">([^<]*)</a>', summary)
    assert [n for n, _ in links] == ["3", "5", "13"]  # in the order of the questionnaire
    assert links[0][1].startswith("Вопрос 3: ") and "Выберите оценку" in links[0][1]
    assert links[1][1] == "Вопрос 5: Пожалуйста, ответьте на этот вопрос."
    for number, _ in links:  # every link has its target on the page
        assert f'id="question-{number}"' in html
