"""Survey results as charts (each with its table) and as XLSX and CSV files; the small-group rule of employee
surveys holds in the charts and in the files (issue 14, item 6)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from otklik.extensions import db
from otklik.models import Survey, Tenant
from otklik.surveys import service
from otklik.tenancy import tenant_scope

from .conftest import VLADIMIR_FORM, make_survey


@pytest.fixture
def officer(vladimir, make_user, login_as):
    make_user("officer@example.org", tenant=vladimir, role="officer")
    login_as("officer@example.org")
    return vladimir


def chart_specs(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="charts-data">(.*?)</script>', html, re.S)
    return {} if found is None else {s["question"]: s for s in json.loads(found.group(1))}


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def three_answers(client, tenant, token):
    """Marks of q3 (a 1-5 scale): 4, 5 and 2; q2 (several answers): Gosuslugi and MFC three times, media once."""
    client.post(f"/{tenant.slug}/s/{token}", data=VLADIMIR_FORM)
    client.post(f"/{tenant.slug}/s/{token}", data=dict(VLADIMIR_FORM, q3="5"))
    client.post(f"/{tenant.slug}/s/{token}", data=dict(VLADIMIR_FORM, q3="2", q2=["gosuslugi", "mfc", "media"]))


def test_charts_with_their_tables_and_the_same_figures(app, client, officer):
    survey_id, token = make_survey(app, officer)
    three_answers(client, officer, token)
    html = client.get(f"/{officer.slug}/office/surveys/{survey_id}/results").get_data(as_text=True)
    specs = chart_specs(html)
    q3 = specs["q3"]
    assert (q3["kind"], q3["labels"], q3["values"]) == ("column", ["1", "2", "3", "4", "5"], [0, 1, 0, 1, 1])
    q2 = dict(zip(specs["q2"]["labels"], specs["q2"]["values"], strict=True))
    assert q2["На портале Госуслуги"] == 3 and q2["На официальном сайте Министерства"] == 0
    assert q2["В средствах массовой информации (далее - СМИ)/социальных сетях"] == 1 and len(q2) == 6
    for key in ("q2", "q3"):  # each chart: a canvas, and the table with the same figures right after it
        section = html.split(f'id="result-{key}"', 1)[1].split("</section>", 1)[0]
        assert f'<canvas id="chart-{key}"' in section and f'id="table-{key}"' in section
        assert section.index("<canvas") < section.index(f'id="table-{key}"')
    table = html.split('id="table-q3"', 1)[1].split("</table>", 1)[0]
    # marks 5..1: one 5, one 4, none 3, one 2, none 1; each of three answers is 33 %
    assert re.findall(r"<tr><td>(\d)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", table) == [
        ("5", "1", "33"), ("4", "1", "33"), ("3", "0", "0"), ("2", "1", "33"), ("1", "0", "0")]
    assert "chart.umd.min.js" in html and "analyses.js" in html and "<script>" not in html  # no inline script


def test_csv_and_xlsx_export_with_the_page_filters(app, client, officer):
    survey_id, token = make_survey(app, officer)
    three_answers(client, officer, token)
    base = f"/{officer.slug}/office/surveys/{survey_id}"
    page = client.get(f"{base}/results").get_data(as_text=True)
    assert f'{base}/results.xlsx' in page and f'{base}/results.csv' in page
    response = client.get(f"{base}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response.data)
    assert rows[0] == ["№", "Вопрос", "Вариант, строка или оценка", "Ответов", "Доля, %", "Средняя оценка (1–5)",
                       "Доля оценок 4 и 5, %"]
    assert rows[1][1:4] == ["Респондентов", "", "3"]
    q3 = [r for r in rows if r[0] == "3"]
    # mean (4 + 5 + 2) / 3 = 3.67, 4 and 5 in two of three answers = 67 %
    assert q3[0][2:] == ["Все оценки", "3", "", "3,67", "67"]
    assert [r[2:5] for r in q3[1:]] == [["оценка 1", "0", "0"], ["оценка 2", "1", "33"], ["оценка 3", "0", "0"],
                                        ["оценка 4", "1", "33"], ["оценка 5", "1", "33"]]
    # a filter of the page applies to the file: no paper answers, so no figure but the zero respondents
    paper = csv_rows(client.get(f"{base}/results.csv?source=offline").data)
    assert paper[1][1:4] == ["Респондентов", "", "0"]

    book = load_workbook(io.BytesIO(client.get(f"{base}/results.xlsx").data))
    sheet = book.worksheets[0]
    values = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Опрос"
    q3x = [r for r in values if r[0] == 3]
    assert tuple(q3x[0][2:]) == ("Все оценки", 3, None, 3.67, 67)


def employee_answers(app, tenant, survey_id, n, q4_yes):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        survey = db.session.get(Survey, survey_id)
        for i in range(n):
            answers = {"q1": "4" if i % 2 else "5", "q2": {r["key"]: "4" for r in survey.version.questions[1]["rows"]},
                       "q3": ["it_support"], "q4": "yes" if i < q4_yes else "no"}
            service.store_response(survey, answers, channel="survey_online", source="web", segment="hr")
        db.session.commit()


def test_employee_results_below_the_group_size_never_show(app, client, make_tenant, make_user, login_as):
    omsk = make_tenant("omsk", slug="omsk")
    survey_id, _ = make_survey(app, omsk, "employee_omsk_areas")
    make_user("officer@example.org", tenant=omsk, role="officer")
    login_as("officer@example.org")
    base = f"/{omsk.slug}/office/surveys/{survey_id}"
    employee_answers(app, omsk, survey_id, 4, q4_yes=4)
    html = client.get(f"{base}/results").get_data(as_text=True)
    assert chart_specs(html) == {} and "<canvas" not in html
    rows = csv_rows(client.get(f"{base}/results.csv").data)
    assert len(rows) == 2 and "менее 5" in rows[1][1] and not any(c.isdigit() for c in "".join(rows[1][3:]))
    sheet = load_workbook(io.BytesIO(client.get(f"{base}/results.xlsx").data)).worksheets[0]
    numbers = [c for r in sheet.iter_rows(min_row=5, values_only=True) for c in r if isinstance(c, (int, float))]
    assert numbers == []

    # 9 answered q4: 6 yes, 3 no. "no" is a small group; "yes" would give it back (9 - 6), so both are hidden
    employee_answers(app, omsk, survey_id, 5, q4_yes=2)  # now 4 + 2 = 6 yes, 3 no; q1: 5 fives, 4 fours
    html = client.get(f"{base}/results").get_data(as_text=True)
    specs = chart_specs(html)
    assert "q4" not in specs  # nothing of q4 may be drawn
    for spec in specs.values():  # no drawn count below five
        if spec["fmt"] == "int":
            assert all(v >= 5 for v in spec["values"]), spec
    rows = csv_rows(client.get(f"{base}/results.csv").data)
    q4 = {r[2]: r[3] for r in rows if r[0] == "4"}
    assert q4["Да"] == "меньше 5" and q4["Нет"] == "меньше 5" and q4["Ответили на вопрос"] == "9"
    q1 = {r[2]: r[3] for r in rows if r[0] == "1"}
    # marks of q1: five 5s (shown), four 4s (a small group: hidden, and then the next smallest, the 5s, too)
    assert q1["оценка 4"] == "меньше 5" and q1["оценка 5"] == "меньше 5" and q1["Все оценки"] == "9"
