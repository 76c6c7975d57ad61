"""In a real browser: an officer opens the history of analyses, one analysis with its chart drawn and its table
of figures, and downloads the XLSX."""

import io
import re

import pytest
from openpyxl import load_workbook

from otklik.extensions import db
from otklik.models import Analysis, Tenant
from otklik.reports.samples import appeals_document
from otklik.tenancy import tenant_scope

pytestmark = pytest.mark.browser


def test_officer_reads_an_analysis_and_downloads_its_xlsx(app, live_server, page, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vladimir-minsoc")
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        db.session.add(Analysis(kind="appeals", period="2025-Q1", status="done", result=appeals_document()))
        db.session.commit()
    make_user("officer@vladimir.example", tenant=tenant)

    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@vladimir.example")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/vladimir-minsoc/office/$"))

    page.get_by_role("link", name="Анализы").click()
    page.wait_for_url(re.compile(r"/office/analyses/$"))
    page.get_by_role("link", name="I квартал 2025").click()
    page.wait_for_url(re.compile(r"/office/analyses/\d+$"))

    canvas = page.locator("canvas#chart-by_channel")
    canvas.wait_for()
    page.wait_for_function("document.getElementById('chart-by_channel').dataset.rendered === '1'")
    box = canvas.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    # Something was drawn: the canvas is not blank.
    drawn = page.evaluate("""() => {
        const c = document.getElementById('chart-by_channel');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")
    assert drawn > 1000
    table = page.locator("#metric-by_channel table").inner_text()
    assert "Электронная приемная официального сайта" in table and "41,5" in table and "512" in table
    assert "Рекомендован дополнительный сбор" in page.inner_text("#signals")

    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать XLSX").click()
    download = info.value
    assert download.suggested_filename == "Анализ обращений 2025-Q1.xlsx"
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert "Каналы" in wb.sheetnames and "Отчет" in wb.sheetnames
