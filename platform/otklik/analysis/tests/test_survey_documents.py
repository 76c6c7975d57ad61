"""Survey documents as the engine now writes them (CSAT and choices per questionnaire, suppressed cells with their
titles) read on the analysis page, in the XLSX and in the note, from a real computation."""

import io

from openpyxl import load_workbook

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.tenancy import tenant_scope

from . import test_survey_metrics as fx


def _store(tenant, kind, period="2025-03"):
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        doc = compute(t, kind, period)
        row = Analysis(kind=kind, period=period, status="done", result=doc)
        db.session.add(row)
        db.session.commit()
        return row.id, doc


def test_two_questionnaires_read_apart_on_the_page_in_the_xlsx_and_the_note(app, client, make_tenant, make_user,
                                                                            login_as):
    omsk = make_tenant("omsk", slug="omsk-docs")
    with app.app_context():
        fx.add_form(omsk, "Рассмотрение обращений", fx.APPEALS_FORM, "appeals", [
            fx._appeals_answer(5, ["site"], "yes", 5, 4), fx._appeals_answer(1, [], "no", 5, 3)])
        fx.add_form(omsk, "Доступ к информации", fx.INFO_FORM, "info", [
            fx._info_answer(["not_found"], 2, 5, 1, 1), fx._info_answer(["none"], 3, 4, 2, 5)])
        analysis_id, _doc = _store(omsk, "surveys")
    make_user("viewer@omsk-docs.test", tenant=omsk, role="viewer")
    login_as("viewer@omsk-docs.test")

    html = client.get(f"/omsk-docs/office/analyses/{analysis_id}").get_data(as_text=True)
    assert "Анкета: Рассмотрение обращений" in html and "Анкета: Доступ к информации" in html
    assert "1. Удовлетворены рассмотрением?" in html and "2. Удовлетворены доступностью информации?" in html
    assert "Общая удовлетворенность" in html and 'id="chart-csat"' in html

    response = client.get(f"/omsk-docs/office/reports/{analysis_id}/xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    csat = [r[0] for r in wb["CSAT"].iter_rows(min_row=4, max_col=1, values_only=True) if r[0]]
    assert csat == ["Анкета: Рассмотрение обращений", "1. Удовлетворены рассмотрением?",
                    "Анкета: Доступ к информации", "2. Удовлетворены доступностью информации?",
                    "3. Оцените время поиска"]
    choices = [r[0] for r in wb["Варианты ответов"].iter_rows(min_row=4, max_col=1, values_only=True) if r[0]]
    assert choices.index("Анкета: Рассмотрение обращений") < choices.index("2. Где узнали о приемной?") < \
        choices.index("Анкета: Доступ к информации") < choices.index("1. Что помешало найти информацию?")
    problems = list(wb["Распространенность"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in problems if r[0]] == ["Информация отсутствует"]
    assert "Доступ к информации" in problems[0]

    note = client.get(f"/omsk-docs/office/reports/{analysis_id}/note").get_data(as_text=True)
    assert "Общая удовлетворенность: 2,75 из 5." in note  # the parameter overall: (5 + 1 + 2 + 3) / 4
    assert "Информация отсутствует (50 %)" in note


def test_suppressed_employee_cells_show_their_titles(app, client, make_tenant, make_user, login_as):
    omsk = make_tenant("omsk", slug="omsk-staff")
    rows = [("2025-03-05 10:00", "hr", "staff", "internal", 4, (4, 4), ["queue"], "yes", "")] * 5
    rows += [("2025-03-06 10:00", "it", "staff", "internal", 1, (1, 1), ["docs"], "no", "")] * 2
    with app.app_context():
        fx.add_survey(omsk, rows)
        analysis_id, doc = _store(omsk, "employee_surveys")
    assert doc["questionnaires"][0]["choices"]["q3"]["options"]["docs"] == {"title": "Много документов",
                                                                            "suppressed": "primary"}
    make_user("viewer@omsk-staff.test", tenant=omsk, role="viewer")
    login_as("viewer@omsk-staff.test")
    html = client.get(f"/omsk-staff/office/analyses/{analysis_id}").get_data(as_text=True)
    assert "Много документов" in html and ">docs<" not in html
    assert client.get(f"/omsk-staff/office/reports/{analysis_id}/xlsx").status_code == 200
    assert client.get(f"/omsk-staff/office/reports/{analysis_id}/note").status_code == 200
