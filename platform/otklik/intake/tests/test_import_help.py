"""Import help (issue 14, item 3): Russian words for codes, a layout's own value mapping, the blank file, refusals
that list the allowed values, and a progress bar that tells the truth."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from otklik.extensions import db
from otklik.intake.importer import ImportRefused, import_file
from otklik.models import ImportMapping
from otklik.tenancy import tenant_scope

from .helpers import HEADER, appeals, csv_bytes, row, stored, tenant_row

BASE = "/vlad-help/office/appeals"


@pytest.fixture
def tenant(app, make_tenant):
    return make_tenant("vladimir", slug="vlad-help")


@pytest.fixture
def officer(app, tenant, make_user, login_as):
    make_user("officer@vlad-help.test", tenant=tenant, role="officer")
    login_as("officer@vlad-help.test")


def run_import(app, tenant, data, filename="a.csv", values=None, progress=None):
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            return import_file(db.session, t, data, filename, None, progress, values)


def upload(client, data, name="export.csv", mapping=""):
    return client.post(f"{BASE}/import", data={"file": (io.BytesIO(data), name), "mapping": mapping},
                       content_type="multipart/form-data")


def test_russian_words_are_taken_for_codes(app, tenant):
    data = csv_bytes([
        row("R-1", kind="Жалоба", outcome="Разъяснено", channel="Сайт", audience="Внешние клиенты",
            client_type="Юридическое лицо", answered_at="20.01.2025"),
        row("R-2", kind="  предложение ", outcome="ПОДДЕРЖАНО", channel="Почта", client_type="физическое  лицо",
            answered_at="20.01.2025"),
        row("R-3", kind="Заявление", outcome="Не поддержано", channel="Личный приём", audience="внутренние",
            client_type="Сотрудник", answered_at="20.01.2025"),
        row("R-4", kind="Обращение", outcome="На рассмотрении", channel="электронная почта"),
        row("R-5", kind="complaint", outcome="pending", channel="Электронная приемная официального сайта"),
    ])
    assert run_import(app, tenant, data).inserted == 5
    got = {k: (a.kind, a.outcome, a.channel, a.audience, a.client_type) for k, a in appeals(app, tenant).items()}
    assert got == {
        "R-1": ("complaint", "explained", "website", "external", "legal_entity"),
        "R-2": ("proposal", "supported", "post", "external", "individual"),
        "R-3": ("request", "not_supported", "reception", "internal", "employee"),
        "R-4": ("appeal", "pending", "email", "external", "individual"),
        "R-5": ("complaint", "pending", "website", "external", "individual"),
    }


def test_a_refused_value_lists_the_allowed_ones_and_nothing_is_stored(app, tenant):
    data = csv_bytes([row("R-1", kind="Жалоба"), row("R-2", kind="Благодарность"),
                      row("R-3", outcome="Удовлетворено частично"), row("R-4", client_type="ИП")])
    with pytest.raises(ImportRefused) as refused:
        run_import(app, tenant, data)
    errors = {(e["row"], e["column"], e["value"]): e["reason"] for e in refused.value.errors}
    assert errors == {
        (3, "kind", "Благодарность"): "Неизвестный вид обращения. Допустимы: «Обращение» (appeal), «Жалоба» "
                                      "(complaint), «Запрос» (request), «Предложение» (proposal), «Служебная "
                                      "записка» (memo).",
        (4, "outcome", "Удовлетворено частично"): "Неизвестный результат. Допустимы: «На рассмотрении» (pending), "
            "«Поддержано» (supported), «Приняты меры» (measures_taken), «Разъяснено» (explained), «Не поддержано» "
            "(not_supported), «Перенаправлено» (redirected), «Оставлено без ответа» (left_without_answer).",
        (5, "client_type", "ИП"): "Неизвестный тип клиента. Допустимы: «Физическое лицо» (individual), "
                                  "«Юридическое лицо» (legal_entity), «Сотрудник» (employee).",
    }
    assert stored(app) == 0


def test_a_row_of_another_authority_names_the_one_allowed(app, tenant):
    with pytest.raises(ImportRefused) as refused:
        run_import(app, tenant, csv_bytes([row("T-1", tenant="omsk-test")], header=HEADER + ["tenant"]))
    (e,) = refused.value.errors
    assert (e["row"], e["column"], e["reason"]) == (
        2, "tenant", "Строка относится к другому органу: в этом файле допустим только vlad-help.")


def test_a_layouts_own_values_are_saved_with_it_and_used_by_the_job(app, client, tenant, officer, run_jobs):
    bad = client.post(f"{BASE}/mappings", data={
        "name": "СЭД", "col_external_id": "Номер", "val_kind": "Жалоба гражданина = жалобище"})
    html = bad.get_data(as_text=True)
    assert "Не понятно: «Жалоба гражданина = жалобище»" in html and "«Жалоба» (complaint)" in html
    with app.app_context(), tenant_scope(tenant_row(app, tenant)):
        assert db.session.execute(select(ImportMapping)).first() is None  # nothing half-saved
    client.post(f"{BASE}/mappings", data={
        "name": "СЭД", "col_external_id": "Номер", "col_kind": "Вид", "col_channel": "Канал",
        "col_registered_at": "Дата", "col_outcome": "Итог",
        "val_kind": "Жалоба гражданина = complaint\n\nОбращение гражданина в форме письма = Обращение",
        "val_outcome": "Дан ответ = Разъяснено"})
    with app.app_context(), tenant_scope(tenant_row(app, tenant)):
        saved = db.session.execute(select(ImportMapping)).scalar_one()
        assert saved.values == {"kind": {"Жалоба гражданина": "complaint",
                                         "Обращение гражданина в форме письма": "appeal"},
                                "outcome": {"Дан ответ": "explained"}}
    assert "«Дан ответ» → explained" in client.get(f"{BASE}/mappings").get_data(as_text=True)
    data = csv_bytes([{"Номер": "N-1", "Вид": "ЖАЛОБА  гражданина", "Канал": "Почта", "Дата": "02.02.2025",
                       "Итог": "дан ответ"},
                      {"Номер": "N-2", "Вид": "обращение гражданина в форме письма", "Канал": "post",
                       "Дата": "02.02.2025", "Итог": ""}], header=["Номер", "Вид", "Канал", "Дата", "Итог"])
    url = upload(client, data, mapping="СЭД").headers["Location"]
    client.post(url)
    run_jobs()
    got = appeals(app, tenant)
    assert (got["N-1"].kind, got["N-1"].outcome, got["N-1"].channel) == ("complaint", "explained", "post")
    assert (got["N-2"].kind, got["N-2"].outcome) == ("appeal", "pending")
    # the canonical layout does not know that system's words
    with pytest.raises(ImportRefused):
        run_import(app, tenant, csv_bytes([row("N-3", kind="Жалоба гражданина")]))


def test_the_upload_page_names_the_allowed_values_and_offers_the_blank(client, tenant, officer):
    html = client.get(f"{BASE}/import").get_data(as_text=True)
    assert f"{BASE}/import/template.xlsx" in html and f"{BASE}/import/template.csv" in html
    allowed = html.split('id="allowed-values"', 1)[1].split("</details>", 1)[0]
    for text in ("«Жалоба» (<code>complaint</code>)", "«Разъяснено» (<code>explained</code>)",
                 "«Почта» (<code>post</code>)", "«Сотрудник» (<code>employee</code>)"):
        assert text in allowed


def test_the_blank_files_and_a_filled_blank_imports(app, client, tenant, officer):
    csv_blank = client.get(f"{BASE}/import/template.csv")
    assert csv_blank.mimetype == "text/csv" and "attachment" in csv_blank.headers["Content-Disposition"]
    assert csv_blank.data.decode("utf-8") == "\ufeff" + ";".join(HEADER + ["received_at"]) + "\r\n"

    blank = client.get(f"{BASE}/import/template.xlsx")
    book = load_workbook(io.BytesIO(blank.data))
    sheet, values = book.worksheets
    assert [c.value for c in sheet[1]] == HEADER + ["received_at"]
    assert values.title == "Допустимые значения"
    listed = [tuple(c.value for c in r[:3]) for r in values.iter_rows(min_row=2) if r[0].value]
    assert ("kind", "complaint", "Жалоба") in listed and ("outcome", "explained", "Разъяснено") in listed
    assert ("channel", "reception", "Личный прием") in listed
    assert [r for r in listed if r[0] == "channel"][0] == ("channel", "website",
                                                           "Электронная приемная официального сайта")
    # the drop-down of the kind column lists the kinds' titles on the second sheet
    kind_rows = [i for i, r in enumerate(values.iter_rows(min_row=1), start=1) if r[0].value == "kind"]
    checks = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert checks["B2:B1000"] == f"'Допустимые значения'!$C${kind_rows[0]}:$C${kind_rows[-1]}"

    # an officer fills the blank in words and imports it
    for j, value in enumerate(["B-1", "Жалоба", "", "Сайт", "03.02.2025", "", "", "Задержка", "", "", "",
                               "Поддержано", ""], start=1):
        sheet.cell(row=2, column=j, value=value)
    filled = io.BytesIO()
    book.save(filled)
    run_import(app, tenant, filled.getvalue(), "blank.xlsx")
    a = appeals(app, tenant)["B-1"]
    assert (a.kind, a.channel, a.outcome, a.audience, a.reason) == ("complaint", "website", "supported",
                                                                    "external", "Задержка")


def test_progress_is_reported_from_zero_to_the_real_count(app, tenant):
    calls = []
    data = csv_bytes([row(f"P-{i}") for i in range(1, 4)])
    run_import(app, tenant, data, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (3, 3)]


def test_the_progress_bar_never_shows_a_full_bar_of_nothing(app, client, tenant, officer, run_jobs):
    url = upload(client, csv_bytes([row(f"A-{i}") for i in range(1, 4)])).headers["Location"]
    client.post(url)
    queued = client.get(url + "/progress").get_json()
    assert (queued["percent"], queued["text"], queued["finished"]) == (None, "В очереди", False)
    html = client.get(url).get_data(as_text=True)
    assert '<progress id="progress" max="100"></progress>' in html and "0 / 0" not in html
    run_jobs()
    done = client.get(url + "/progress").get_json()
    assert (done["percent"], done["text"]) == (100, "Импортировано: 3 из 3 строк")
    assert 'value="100"' in client.get(url).get_data(as_text=True)
    refused_url = upload(client, csv_bytes([row("A-9", kind="Благодарность")])).headers["Location"]
    client.post(refused_url)
    run_jobs()
    html = client.get(refused_url).get_data(as_text=True)
    assert 'id="progress"' not in html and "0 / 0" not in html and "Допустимы: «Обращение» (appeal)" in html
