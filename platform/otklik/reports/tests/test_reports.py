"""XLSX and information note of an analysis the engine computed, read back the way their readers open them.

The figures expected below are worked out by hand from the rows of `documents.py`.
"""

import io
import re
import zipfile
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.tenancy import across_tenants, tenant_scope
from otklik.testing import login

from .documents import FORMULA, add_month, add_quarter, analysed, schema_1_survey_document


@pytest.fixture
def stored(app, make_tenant, make_user, login_as):
    """Vladimir's quarter of appeals and Omsk's month of surveys, analysed by the engine; a Vladimir analysis
    still queued; an officer of Vladimir signed in."""
    vladimir = make_tenant("vladimir", slug="vladimir-test")
    omsk = make_tenant("omsk", slug="omsk-test")
    ids = {}
    with app.app_context():
        add_quarter(vladimir)
        ids[("vladimir-test", "appeals")] = analysed(vladimir, "appeals", "2025-Q1")
        add_month(omsk)
        ids[("omsk-test", "surveys")] = analysed(omsk, "surveys", "2025-03")
        with tenant_scope(db.session.get(Tenant, vladimir.id)):
            pending = Analysis(kind="surveys", period="2025-04", status="queued")
            db.session.add(pending)
            db.session.commit()
            ids[("vladimir-test", "surveys")] = pending.id
    make_user("officer@vladimir.test", tenant=vladimir, role="viewer")
    login_as("officer@vladimir.test")
    return ids


def _open(response):
    return load_workbook(io.BytesIO(response.data))


def _facts(ws, min_row=3) -> dict:
    return {r[0]: r[1] for r in ws.iter_rows(min_row=min_row, max_col=2, values_only=True) if r[0]}


def _result(app, analysis_id) -> dict:
    with app.app_context():
        return db.session.execute(across_tenants(select(Analysis.result).where(Analysis.id == analysis_id))).scalar()


def test_xlsx_carries_the_computed_figures_with_native_charts(app, client, stored):
    analysis_id = stored[("vladimir-test", "appeals")]
    response = client.get(f"/vladimir-test/office/reports/{analysis_id}/xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert name == "Анализ обращений 2025-Q1.xlsx"

    wb = _open(response)
    for sheet in ("Отчет", "Всего", "Виды", "Каналы", "Причины", "Темы", "Разделы", "Тематики", "Время ожидания",
                  "Жалобы", "Перенаправлено", "Сигналы", "Исходные данные"):
        assert sheet in wb.sheetnames, sheet

    # 1 000 appeals of the quarter (the one of 1 April 00:10 in Moscow is the second quarter's): website
    # 400 + 5 + 8 + 2 = 415, e-mail 5 + 265 + 30 = 300, post 17 + 29 + 3 + 5 + 20 + 10 + 101 = 185, reception 100
    channels = {r[0]: r[1:3] for r in wb["Каналы"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]}
    assert channels == {"Электронная приемная официального сайта": (415, 0.415), "Электронная почта": (300, 0.3),
                        "Почта": (185, 0.185), "Личный прием": (100, 0.1)}

    # answered 800: 400 after 10 days, 300 after 20, 60 after 30, 40 after 40
    waiting = _facts(wb["Время ожидания"])
    assert waiting["Дан ответ"] == 800
    assert waiting["Среднее"] == pytest.approx(16.75)  # (4 000 + 6 000 + 1 800 + 1 600) / 800
    assert waiting["Медиана"] == 15  # between the 400th (10 days) and the 401st (20 days)
    assert waiting["90-й процентиль"] == 30  # the 720th and the 721st: both 30 days
    assert waiting["Ответ в течение 30 дней"] == 760
    assert waiting["Доля ответов в течение 30 дней"] == pytest.approx(0.95)  # 760 / 800
    # 20 complaints: 5 supported, 8 not supported, 7 pending
    complaints = _facts(wb["Жалобы"])
    assert (complaints["Всего"], complaints["Удовлетворено"], complaints["Не удовлетворено"]) == (20, 5, 8)
    assert complaints["Доля удовлетворенных"] == pytest.approx(0.25)
    assert complaints["Доля неудовлетворенных"] == pytest.approx(0.4)
    redirected = _facts(wb["Перенаправлено"])
    assert redirected == {"Количество": 50, "Доля": pytest.approx(0.05)}  # 30 e-mail + 20 post of 1 000

    # Reasons, most frequent first; the formula-like one stays text wherever it is written.
    reasons = [r[:3] for r in wb["Причины"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]]
    assert reasons == [("Назначение ежемесячной выплаты", 420, 0.42), ("Компенсация ЖКУ", 311, 0.311),
                       ("не указано", 266, 0.266), (FORMULA, 3, 0.003)]
    cells = [c for row in wb["Причины"].iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" and c.value == FORMULA for c in cells)
    sections = {r[0]: r[1] for r in wb["Разделы"].iter_rows(min_row=4, max_col=2, values_only=True) if r[0]}
    assert sections == {"0002 — Социальная сфера": 576, "0003 — Экономика": 424}  # sections in words

    report = {r[0]: r[1] for r in wb["Отчет"].iter_rows(min_row=1, max_col=2, values_only=True) if r[0]}
    for field in ("Ссылка на опрос", "Даты проведения (начало)", "Количество респондентов",
                  "Инструментарий исследования", "Основные выводы"):
        assert field in report
    assert report["Количество обращений и жалоб"] == 1000
    assert report["Даты проведения (начало)"] == "2025-01-01"
    assert report["Даты проведения (окончание)"] == "2025-03-31"
    # The moment of the computation, read in Moscow time (Vladimir's zone), not in UTC.
    computed = datetime.fromisoformat(_result(app, analysis_id)["computed_at"])
    assert report["Дата анализа"] == computed.astimezone(ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y %H:%M")
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", report["Сформировано"])
    lines = [r[1] for r in wb["Отчет"].iter_rows(max_col=2, values_only=True)]
    assert "Жалоб: 20; удовлетворено 5 (25,0\xa0%), не удовлетворено 8 (40,0\xa0%)." in lines
    assert any(str(line).startswith("5,0\xa0% ответов дано позднее 30 дней") for line in lines)  # 40 of 800
    inputs = _facts(wb["Исходные данные"])
    assert inputs == {"Обращения и жалобы за период": 1000, "В том числе жалобы": 20, "С ответом за период": 800}
    # 8 of 20 complaints unsatisfied (40 % > 30 %): additional collection; Cochran for 1 000 at 95 % and 5 %:
    # 384.16 / (1 + 383.16 / 1 000) = 277.8 -> 278
    signals = list(wb["Сигналы"].iter_rows(min_row=4, max_col=3, values_only=True))
    assert signals[0] == ("Рекомендован дополнительный сбор обратной связи", 278, 1000)

    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) >= 4
    assert "<c:pieChart>" in xml and "<c:barChart>" in xml
    assert "Доли каналов" in xml and "Время ожидания ответа" in xml


def _tenant(app, slug):
    with app.app_context():
        t = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
        db.session.expunge(t)
        return t


def test_survey_xlsx_has_the_centres_report_fields_and_parameters_chart(app, client, make_user, stored):
    make_user("officer@omsk.test", tenant=_tenant(app, "omsk-test"), role="officer")
    login(client, "officer@omsk.test")
    response = client.get(f"/omsk-test/office/reports/{stored[('omsk-test', 'surveys')]}/xlsx")
    assert response.status_code == 200
    assert unquote(re.search(r"filename\*=UTF-8''(\S+)", response.headers["Content-Disposition"]).group(1)) == \
        "Анализ опросов 2025-03.xlsx"
    wb = _open(response)
    report = {r[0]: r[1] for r in wb["Отчет"].iter_rows(max_col=2, values_only=True) if r[0]}
    # Two surveys answered in March, each with its own questionnaire (the second in its version 2).
    assert report["Ссылка на опрос"] == "http://localhost/omsk-test/s/form-1\nhttp://localhost/omsk-test/s/info-2"
    assert report["Количество респондентов"] == 12  # 8 + 4; the answer of 1 April 00:30 in Omsk is April's
    assert report["Инструментарий исследования"].splitlines() == [
        "Анкета получателя государственной услуги (форма № 1) (версия 1)", "Анкета о доступе к информации (версия 2)"]
    surveys = [r for r in wb["Опросы"].iter_rows(min_row=4, values_only=True) if r[0]]
    assert surveys == [
        ("Опрос получателей услуги", "Меры социальной поддержки",
         "Анкета получателя государственной услуги (форма № 1) (версия 1)", 8, "http://localhost/omsk-test/s/form-1"),
        ("Опрос о доступе к информации", "Доступ к информации", "Анкета о доступе к информации (версия 2)", 4,
         "http://localhost/omsk-test/s/info-2")]

    params = {r[0]: r[1:4] for r in wb["Параметры"].iter_rows(min_row=4, max_col=4, values_only=True) if r[0]}
    # overall: form 1's q1 5, 4, 4, 5, 3, 2, 4, 5 and form 2's q1 3, 2, 4, 3 -> 44 / 12; 4 or 5: 6 + 1 of 12
    assert params["Общая удовлетворенность"] == (12, pytest.approx(3.67), pytest.approx(0.5833))  # named by its code
    assert params["Понятность и удобство подачи заявления"] == (8, pytest.approx(4.25), pytest.approx(0.875))
    assert params["Информирование о статусе услуги"] == (8, pytest.approx(3.25), pytest.approx(0.5))  # 26 / 8

    # The two questionnaires' q1 ask different things: each has its own CSAT row, under its questionnaire.
    csat = [r[:3] for r in wb["CSAT"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]]
    assert csat == [("Анкета: Анкета получателя государственной услуги (форма № 1)", "—", "—"),
                    ("1. Насколько Вы в целом удовлетворены?", 8, 4),  # 32 / 8
                    ("Анкета: Анкета о доступе к информации", "—", "—"),
                    ("1. Удовлетворены ли Вы доступностью информации?", 4, 3)]  # 12 / 4
    choices = [r for r in wb["Варианты ответов"].iter_rows(min_row=4, max_col=4, values_only=True) if r[0]]
    informed = choices.index(("3. Вас информировали о сроках предоставления услуги?", 8, "—", "—"))
    assert choices[informed + 1:informed + 3] == [("Да", "—", 5, 0.625), ("Нет", "—", 3, 0.375)]
    found = choices.index(("2. Удалось ли Вам найти нужную информацию?", 4, "—", "—"))
    assert sorted(choices[found + 1:found + 3]) == [("Да", "—", 2, 0.5), ("Нет", "—", 2, 0.5)]
    assert choices.index(("Анкета: Анкета получателя государственной услуги (форма № 1)", "—", "—", "—")) < \
        informed < choices.index(("Анкета: Анкета о доступе к информации", "—", "—", "—")) < found

    lines = [r[1] for r in wb["Отчет"].iter_rows(max_col=2, values_only=True)]
    assert "Общая удовлетворенность: 3,67 из 5." in lines
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart"))
    assert "Удовлетворенность параметрами" in xml


def test_information_note_states_the_figures_in_plain_russian(client, stored):
    response = client.get(f"/vladimir-test/office/reports/{stored[('vladimir-test', 'appeals')]}/note")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/static/note.css" in html and "@media print" in client.get("/static/note.css").get_data(as_text=True)
    assert "Информационная справка" in html and "I квартал 2025" in html
    assert "Зарегистрировано обращений и жалоб: 1\xa0000." in html
    assert "Чаще всего обращались через канал «Электронная приемная официального сайта»: 415 (41,5\xa0%)." in html
    assert "Основные причины обращений: Назначение ежемесячной выплаты (420); Компенсация ЖКУ (311); " \
           "не указано (266)." in html
    assert "Дан ответ: 800; время ожидания ответа: в среднем 16,75 дн., медиана 15, 90-й процентиль 30; " \
           "ответ в течение 30 дней: 95,0\xa0%." in html
    assert "Жалоб: 20; удовлетворено 5 (25,0\xa0%), не удовлетворено 8 (40,0\xa0%)." in html
    assert "Перенаправлено по принадлежности: 50 (5,0\xa0%)." in html
    assert "Рекомендован дополнительный сбор обратной связи. Выборка для дополнительного сбора: 278 респондентов." \
        in html
    assert "5,0\xa0% ответов" in html  # conclusion: 40 of the 800 answers came after 30 days
    assert "Неудовлетворенных жалоб больше" in html  # 8 unsatisfied, 5 satisfied
    assert "Более половины обращений" not in html  # the website's 41,5 % is no majority
    assert '=HYPERLINK(&#34;http://evil&#34;)' in html and '=HYPERLINK("' not in html


def test_a_long_table_of_the_note_says_what_it_leaves_to_the_xlsx(app, client, stored):
    """Thirteen reasons in the fourth quarter of 2024, one appeal each: the note shows ten, in the order of their
    names (equal counts), and says the other three are in the XLSX."""
    with app.app_context():
        vladimir = _tenant(app, "vladimir-test")
        add_appeals(vladimir, [dict(reason=f"Причина {i:02d}", registered_at="2024-11-05 10:00")
                               for i in range(1, 14)])
        analysis_id = analysed(vladimir, "appeals", "2024-Q4")
    html = client.get(f"/vladimir-test/office/reports/{analysis_id}/note").get_data(as_text=True)
    assert "Зарегистрировано обращений и жалоб: 13." in html
    assert "Причина 10" in html and "Причина 11" not in html  # ten rows of thirteen
    assert "… и еще строк: 3; полностью — в отчете XLSX." in html
    xlsx = _open(client.get(f"/vladimir-test/office/reports/{analysis_id}/xlsx"))
    reasons = [r[0] for r in xlsx["Причины"].iter_rows(min_row=4, max_col=1, values_only=True) if r[0]]
    assert reasons == [f"Причина {i:02d}" for i in range(1, 14)]


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
    login(client, "head@omsk.test")
    html = client.get(f"/omsk-test/office/reports/{stored[('omsk-test', 'surveys')]}/note").get_data(as_text=True)
    assert "март 2025" in html
    assert "Ответов на опрос: 12." in html
    assert "Общая удовлетворенность: 3,67 из 5." in html
    assert "Ниже всего оценен параметр «Информирование о статусе услуги»: 3,25 из 5." in html
    assert "Доля информированных респондентов: 62,5\xa0%." in html  # 5 of 8 said yes
    assert "Доля негативных ответов (1 и 2 из 5): 14,3\xa0%." in html  # 4 answers of 1-2 among 28
    # prevalence: «not found» 2 of 3 and «outdated» 2 of 3 -> 67 %; queues 4 of 7 -> 57 %; documents 2 of 7 -> 29 %
    # (low: no pain); «no difficulties» is not a problem
    assert "для «карты болей»: Информация отсутствует (67 %); Информация устарела (67 %); Очереди (57 %)." in html
    assert "Много документов (29 %)" not in html and "Трудностей не было" not in html
    assert "Больше всего анкет получено через канал «Онлайн-опрос (ссылка, QR-код)»: 8 (66,7\xa0%)." in html
    assert "обращений поступает через канал" not in html  # an appeals conclusion has no place here
    assert "Сигналов нет" in html  # 28 answers of 1-5: fewer than Omsk's 30 for the negative share; no high problem


def test_a_document_stored_in_schema_1_still_reads_in_the_xlsx_and_the_note(app, client, make_user, stored):
    """Documents stored before schema 2 are upgraded when read: totals as objects, CSAT and choices at the top
    level, open answers under `open_answers`, a hidden cell as `true`."""
    omsk = _tenant(app, "omsk-test")
    with app.app_context(), tenant_scope(db.session.get(Tenant, omsk.id)):
        row = Analysis(kind="surveys", period="2024-12", status="done", result=schema_1_survey_document("omsk-test"))
        db.session.add(row)
        db.session.commit()
        analysis_id = row.id
    make_user("head@omsk.test", tenant=omsk, role="viewer")
    login(client, "head@omsk.test")
    wb = _open(client.get(f"/omsk-test/office/reports/{analysis_id}/xlsx"))
    report = {r[0]: r[1] for r in wb["Отчет"].iter_rows(max_col=2, values_only=True) if r[0]}
    assert report["Количество респондентов"] == 40
    assert report["Ссылка на опрос"] == "http://localhost/omsk-test/s/old-form"
    csat = [r[:3] for r in wb["CSAT"].iter_rows(min_row=4, max_col=3, values_only=True) if r[0]]
    assert csat == [("1. Насколько Вы в целом удовлетворены?", 40, 4.25)]
    channels = {r[0]: r[1:4] for r in wb["Каналы"].iter_rows(min_row=4, max_col=4, values_only=True) if r[0]}
    assert channels["Онлайн-опрос (ссылка, QR-код)"][:2] == (37, 0.925)
    assert "скрыто" in channels["Офлайн-опрос (бумажная анкета)"][2]
    assert "Открытые ответы" in wb.sheetnames
    note = client.get(f"/omsk-test/office/reports/{analysis_id}/note").get_data(as_text=True)
    assert "Ответов на опрос: 40." in note and "Общая удовлетворенность: 4,25 из 5." in note
