"""XLSX and information note of an analysis, read back the way their readers open them."""

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.reports.samples import appeals_document, surveys_document
from otklik.tenancy import tenant_scope


@pytest.fixture
def stored(app, make_tenant, make_user, login_as):
    """Vladimir's quarter and Omsk's month as stored documents; an officer of Vladimir signed in."""
    vladimir = make_tenant("vladimir", slug="vladimir-test")
    omsk = make_tenant("omsk", slug="omsk-test")
    ids = {}
    with app.app_context():
        for tenant, kind, period, doc in (
            (vladimir, "appeals", "2025-Q1", appeals_document()),
            (omsk, "surveys", "2025-03", surveys_document()),
            (vladimir, "surveys", "2025-04", None),
        ):
            with tenant_scope(db.session.get(Tenant, tenant.id)):
                row = Analysis(kind=kind, period=period, status="done" if doc else "queued", result=doc)
                db.session.add(row)
                db.session.commit()
                ids[(tenant.slug, kind)] = row.id
    make_user("officer@vladimir.test", tenant=vladimir, role="viewer")
    login_as("officer@vladimir.test")
    return ids


def _open(response):
    return load_workbook(io.BytesIO(response.data))


def test_xlsx_carries_the_stored_figures_with_native_charts(client, stored):
    response = client.get(f"/vladimir-test/office/reports/{stored[('vladimir-test', 'appeals')]}/xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert name == "Анализ обращений 2025-Q1.xlsx"

    wb = _open(response)
    for sheet in ("Отчет", "Всего", "Каналы", "Причины", "Темы", "Разделы", "Время ожидания", "Жалобы",
                  "Перенаправлено", "Сигналы", "Исходные данные"):
        assert sheet in wb.sheetnames, sheet
    doc = appeals_document()

    channels = {r[0]: r[1:3] for r in wb["Каналы"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]}
    website = channels["Электронная приемная официального сайта"]
    assert website == (doc["by_channel"]["website"]["count"], doc["by_channel"]["website"]["share"])

    waiting = {r[0]: r[1] for r in wb["Время ожидания"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert waiting["Медиана"] == 16 and waiting["90-й процентиль"] == 29
    assert waiting["Среднее"] == pytest.approx(17.25)
    assert waiting["Доля ответов в течение 30 дней"] == pytest.approx(0.9473)
    complaints = {r[0]: r[1] for r in wb["Жалобы"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert complaints["Не удовлетворено"] == 45 and complaints["Доля неудовлетворенных"] == pytest.approx(0.375)

    # A reason that looks like a formula stays text.
    reasons = wb["Причины"]
    cells = [c for row in reasons.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)

    report = {r[0]: r[1] for r in wb["Отчет"].iter_rows(min_row=1, max_col=2, values_only=True) if r[0]}
    for field in ("Ссылка на опрос", "Даты проведения (начало)", "Количество респондентов",
                  "Инструментарий исследования", "Основные выводы"):
        assert field in report
    assert report["Количество обращений и жалоб"] == 1234
    assert report["Даты проведения (начало)"] == "2025-01-01"
    assert report["Дата анализа"] == "01.04.2025 06:00"  # computed 03:00 UTC: Vladimir reads Moscow time
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", report["Сформировано"])
    inputs = {r[0]: r[1] for r in wb["Исходные данные"].iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert inputs == {"Обращения и жалобы за период": 1234}
    signals = list(wb["Сигналы"].iter_rows(min_row=4, max_col=2, values_only=True))
    assert signals[0] == ("Рекомендован дополнительный сбор обратной связи", 278)

    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) >= 4
    assert "<c:pieChart>" in xml and "<c:barChart>" in xml
    assert "Доли каналов" in xml and "Время ожидания ответа" in xml


def test_survey_xlsx_has_the_centres_report_fields_and_parameters_chart(app, client, make_user, stored):
    make_user("officer@omsk.test", tenant=_tenant(app, "omsk-test"), role="officer")
    from otklik.testing import login

    login(client, "officer@omsk.test")
    response = client.get(f"/omsk-test/office/reports/{stored[('omsk-test', 'surveys')]}/xlsx")
    assert response.status_code == 200
    wb = _open(response)
    report = {r[0]: r[1] for r in wb["Отчет"].iter_rows(max_col=2, values_only=True) if r[0]}
    assert report["Ссылка на опрос"] == "http://localhost/omsk-test/s/form-1\nhttp://localhost/omsk-test/s/info-2"
    assert report["Количество респондентов"] == 356
    assert report["Инструментарий исследования"].splitlines() == [
        "Анкета получателя государственной услуги (форма № 1) (версия 1)", "Анкета о доступе к информации (версия 2)"]
    surveys = list(wb["Опросы"].iter_rows(min_row=4, values_only=True))
    assert surveys[0] == ("Опрос получателей услуги", "Меры социальной поддержки",
                          "Анкета получателя государственной услуги (форма № 1) (версия 1)", 300,
                          "http://localhost/omsk-test/s/form-1")
    params = {r[0]: r[2] for r in wb["Параметры"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]}
    assert params["Информирование о статусе услуги"] == pytest.approx(3.6)
    assert params["Общая удовлетворенность"] == pytest.approx(4.12)  # a parameter named by its code
    choices = [r for r in wb["Варианты ответов"].iter_rows(min_row=4, max_col=4, values_only=True) if r[0]]
    assert choices[0] == ("3. Удалось ли Вам найти нужную информацию?", "—", "—", 350)
    assert choices[1] == ("Да", 280, 0.8, "—")
    assert "Общая удовлетворенность: 4,12 из 5." in [r[1] for r in wb["Отчет"].iter_rows(max_col=2, values_only=True)]
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart"))
    assert "Удовлетворенность параметрами" in xml


def _tenant(app, slug):
    from sqlalchemy import select

    with app.app_context():
        t = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
        db.session.expunge(t)
        return t


def test_information_note_states_the_figures_in_plain_russian(client, stored):
    response = client.get(f"/vladimir-test/office/reports/{stored[('vladimir-test', 'appeals')]}/note")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "@media print" in html
    assert "Информационная справка" in html and "I квартал 2025" in html
    assert "Зарегистрировано обращений и жалоб: 1\xa0234." in html
    assert "41,5\xa0%" in html  # the website's share, Russian style
    assert "медиана 16" in html
    assert "Жалоб: 120; удовлетворено 30 (25,0\xa0%), не удовлетворено 45 (37,5\xa0%)." in html
    assert "Рекомендован дополнительный сбор обратной связи" in html
    assert "5,3\xa0% ответов" in html  # conclusion: answers beyond 30 days
    assert "Неудовлетворенных жалоб больше" in html


def test_a_long_table_of_the_note_says_what_it_leaves_to_the_xlsx(app, client, stored):
    doc = appeals_document()
    doc["by_channel"] = {f"channel_{i:02d}": {"count": 100 - i, "share": 0.01} for i in range(13)}
    with app.app_context():
        tenant = db.session.query(Tenant).filter_by(slug="vladimir-test").one()
        with tenant_scope(tenant):
            row = Analysis(kind="appeals", period="2024-Q4", status="done", result=doc)
            db.session.add(row)
            db.session.commit()
            analysis_id = row.id
    html = client.get(f"/vladimir-test/office/reports/{analysis_id}/note").get_data(as_text=True)
    assert "channel_09" in html and "channel_10" not in html  # ten rows of thirteen
    assert "… и еще строк: 3; полностью — в отчете XLSX." in html


def test_reports_of_another_tenant_or_without_result_are_404(client, stored):
    other = stored[("omsk-test", "surveys")]
    assert client.get(f"/vladimir-test/office/reports/{other}/xlsx").status_code == 404
    assert client.get(f"/omsk-test/office/reports/{other}/xlsx").status_code == 404
    assert client.get(f"/vladimir-test/office/reports/{other}/note").status_code == 404
    pending = stored[("vladimir-test", "surveys")]
    assert client.get(f"/vladimir-test/office/reports/{pending}/xlsx").status_code == 404
    assert client.get("/vladimir-test/office/reports/nope/xlsx").status_code == 404


def test_reports_need_a_signed_in_member(app, stored):
    anonymous = app.test_client()
    response = anonymous.get(f"/vladimir-test/office/reports/{stored[('vladimir-test', 'appeals')]}/xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_information_note_of_a_survey_analysis(app, client, make_user, stored):
    make_user("head@omsk.test", tenant=_tenant(app, "omsk-test"), role="viewer")
    from otklik.testing import login

    login(client, "head@omsk.test")
    html = client.get(f"/omsk-test/office/reports/{stored[('omsk-test', 'surveys')]}/note").get_data(as_text=True)
    assert "март 2025" in html
    assert "Ответов на опрос: 356." in html
    assert "Общая удовлетворенность: 4,12 из 5." in html
    assert "Ниже всего оценен параметр «Информирование о статусе услуги»: 3,6 из 5." in html
    assert "Доля информированных респондентов: 70,2\xa0%." in html
    assert "для «карты болей»: Очереди (43 %)" in html
    assert "Больше всего анкет получено через канал «Онлайн-опрос" in html
    assert "обращений поступает через канал" not in html  # an appeals conclusion has no place here
