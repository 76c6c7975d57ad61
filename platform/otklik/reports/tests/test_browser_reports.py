"""In a real browser: an officer opens the history of analyses, one analysis with its chart drawn and its table
of figures, and downloads the XLSX."""

import io
import re

import pytest
from openpyxl import load_workbook

from otklik.extensions import db
from otklik.models import Tenant
from otklik.tenancy import tenant_scope

from .documents import add_quarter, analysed

pytestmark = pytest.mark.browser


def test_officer_reads_an_analysis_and_downloads_its_xlsx(app, live_server, page, make_tenant, make_user):
    tenant = make_tenant("vladimir", slug="vladimir-minsoc")
    with app.app_context():
        add_quarter(tenant)  # 1 000 appeals of the first quarter, see documents.py
        analysed(tenant, "appeals", "2025-Q1")
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
    # website: 415 of the 1 000 appeals
    assert "Электронная приемная официального сайта" in table and "41,5" in table and "415" in table
    assert "Рекомендован дополнительный сбор" in page.inner_text("#signals")

    with page.expect_download() as info:
        page.get_by_role("link", name="Скачать XLSX").click()
    download = info.value
    assert download.suggested_filename == "Анализ обращений 2025-Q1.xlsx"
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert "Каналы" in wb.sheetnames and "Отчет" in wb.sheetnames
    channels = {r[0]: r[1] for r in wb["Каналы"].iter_rows(min_row=4, max_col=2, values_only=True) if r[0]}
    assert channels["Электронная приемная официального сайта"] == 415


def test_officer_runs_an_analysis_and_the_progress_bar_follows_it(app, live_server, page, make_tenant, make_user,
                                                                   run_jobs):
    from datetime import UTC, datetime

    from otklik.models import Appeal

    tenant = make_tenant("vladimir", slug="vladimir-run")
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        for i in range(3):
            at = datetime(2025, 2, 10 + i, 9, tzinfo=UTC)
            db.session.add(Appeal(external_id=f"R{i}", kind="appeal", channel="website", registered_at=at,
                                  answered_at=at.replace(day=20), due_date=at.date(), outcome="explained"))
        db.session.commit()
    make_user("officer@run.example", tenant=tenant)
    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@run.example")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/office/$"))

    page.goto(f"{live_server}/vladimir-run/office/analyses/run")
    page.get_by_label("Анализ", exact=True).select_option("appeals")
    page.get_by_label("Период").fill("2025-Q1")
    page.get_by_role("button", name="Запустить").click()
    page.wait_for_url(re.compile(r"/office/analyses/\d+$"))
    assert page.locator("progress#progress").is_visible()
    assert "в очереди" in page.inner_text("#progress-text")

    run_jobs()  # the worker computes it; the page polls and reloads by itself
    page.wait_for_selector("#key-figures", timeout=20000)
    assert page.locator("progress#progress").count() == 0
    assert "3" in page.inner_text("#key-figures")
