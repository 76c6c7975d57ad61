"""In a real browser: an officer imports a Windows-1251 ';' file exported from another system, sees the preview,
runs it, watches the progress finish, and finds every appeal in the register with its deadline state."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .helpers import csv_bytes, row, stored

pytestmark = pytest.mark.browser


def test_officer_imports_a_windows_1251_file(app, live_server, page, make_tenant, make_user, run_jobs, tmp_path):
    tenant = make_tenant("vladimir", slug="vlad-web")
    make_user("officer@vlad-web.test", tenant=tenant, role="officer")
    today = datetime.now(ZoneInfo("Europe/Moscow")).date()
    old = (today - timedelta(days=45)).strftime("%d.%m.%Y")
    recent = (today - timedelta(days=3)).strftime("%d.%m.%Y")
    rows = [row("СЭД-001", registered_at=old, reason="Задержка выплаты пособия"),
            row("СЭД-002", registered_at=old, answered_at=(today - timedelta(days=30)).strftime("%d.%m.%Y"),
                outcome="explained", kind="appeal"),
            row("СЭД-003", registered_at=recent, channel="email", reason="=2+2 не формула")]
    path = tmp_path / "выгрузка.csv"
    path.write_bytes(csv_bytes(rows, encoding="cp1251", delimiter=";"))

    page.goto(f"{live_server}/login")
    page.get_by_label("Электронная почта").fill("officer@vlad-web.test")
    page.get_by_label("Пароль").fill("secret-pass")
    page.get_by_role("button", name="Вход").click()
    page.wait_for_url(re.compile(r"/vlad-web/office/$"))

    page.get_by_role("link", name="Импорт", exact=True).click()
    page.get_by_label("Файл CSV или XLSX").set_input_files(str(path))
    page.get_by_role("button", name="Предпросмотр").click()
    facts = page.inner_text("#preview-facts")
    assert "Windows-1251" in facts and "«;»" in facts
    assert "Задержка выплаты пособия" in page.inner_text("#preview")
    assert stored(app) == 0

    page.get_by_role("button", name="Запустить импорт").click()
    assert page.locator("#progress").is_visible()
    run_jobs()
    page.wait_for_selector("#import-result", timeout=15000)  # the page polls, then reloads when finished
    assert "новых: 3" in page.inner_text("#import-result")
    assert page.evaluate("document.getElementById('progress').value") == 100

    page.get_by_role("link", name="Открыть реестр").click()
    table = page.inner_text("#appeals")
    for number in ("СЭД-001", "СЭД-002", "СЭД-003"):
        assert number in table
    states = {r.locator("td").nth(0).inner_text(): r.locator("td").nth(7).inner_text()
              for r in page.locator("#appeals tbody tr").all()}
    assert states == {"СЭД-001": "Просрочено", "СЭД-002": "Ответ дан в срок", "СЭД-003": "На рассмотрении"}
    page.get_by_role("link", name="Обзор").click()
    assert page.inner_text("#overdue-count") == "1"
