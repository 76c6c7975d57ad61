"""Good files: local times to UTC, re-import changes nothing, a changed row updates its appeal, mappings, XLSX,
the officer's preview -> job -> progress -> result, the error report, and the command line."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from otklik.extensions import db
from otklik.intake.importer import ImportRefused, import_file
from otklik.models import ImportBatch, ImportMapping, Tenant
from otklik.tenancy import across_tenants, tenant_scope

from .helpers import HEADER, appeals, csv_bytes, row, stored, tenant_row


@pytest.fixture
def tenant(app, make_tenant):
    return make_tenant("vladimir", slug="vlad-imp")


def run_import(app, tenant, data, filename="a.csv", mapping=None):
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            return import_file(db.session, t, data, filename, mapping)


def utc(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_windows_1251_semicolon_local_times_to_utc(app, tenant):
    data = csv_bytes([row("A-1", registered_at="10.01.2025", reason="Задержка выплаты"),
                      row("A-2", registered_at="2025-01-10 14:30", answered_at="2025-02-01 09:00",
                          outcome="supported")], encoding="cp1251", delimiter=";")
    result = run_import(app, tenant, data)
    assert (result.total, result.inserted, result.updated, result.unchanged) == (2, 2, 0, 0)
    got = appeals(app, tenant)
    # Europe/Moscow is UTC+3: local midnight of 10.01 is 21:00 UTC of 09.01
    assert utc(got["A-1"].registered_at) == datetime(2025, 1, 9, 21, 0, tzinfo=UTC)
    assert utc(got["A-2"].registered_at) == datetime(2025, 1, 10, 11, 30, tzinfo=UTC)
    assert got["A-1"].due_date == date(2025, 2, 9)
    assert got["A-1"].reason == "Задержка выплаты"
    assert got["A-2"].outcome == "supported"


def test_utf8_bom_comma_and_the_tenants_own_time_zone(app, make_tenant):
    t = make_tenant("vladimir", slug="vlad-far")
    with app.app_context():
        db.session.get(Tenant, t.id).timezone = "Asia/Vladivostok"
        db.session.commit()
    data = csv_bytes([row("A-1", registered_at="2025-01-10 08:00")], encoding="utf-8", delimiter=",", bom=True)
    run_import(app, t, data)
    assert utc(appeals(app, t)["A-1"].registered_at) == datetime(2025, 1, 9, 22, 0, tzinfo=UTC)


def test_reimport_changes_nothing_and_a_changed_row_updates_its_appeal(app, tenant):
    rows = [row("A-1"), row("A-2"), row("A-3")]
    run_import(app, tenant, csv_bytes(rows))
    before = {k: (a.id, a.created_at) for k, a in appeals(app, tenant).items()}
    again = run_import(app, tenant, csv_bytes(rows))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    rows[1] = row("A-2", answered_at="2025-01-15", outcome="measures_taken")
    third = run_import(app, tenant, csv_bytes(rows + [row("A-4")]))
    assert (third.inserted, third.updated, third.unchanged) == (1, 1, 2)
    got = appeals(app, tenant)
    assert got["A-2"].outcome == "measures_taken" and got["A-2"].answered_at is not None
    assert {k: (a.id, a.created_at) for k, a in got.items() if k != "A-4"} == before
    assert stored(app) == 4


def test_import_keeps_an_extended_deadline(app, tenant):
    run_import(app, tenant, csv_bytes([row("A-1")]))
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            from otklik.models import Appeal

            a = db.session.execute(select(Appeal)).scalar_one()
            a.extended_days, a.extension_reason, a.due_date = 20, "запрос документов", date(2025, 3, 1)
            db.session.commit()
    run_import(app, tenant, csv_bytes([row("A-1", reason="другая причина")]))
    a = appeals(app, tenant)["A-1"]
    assert (a.due_date, a.extended_days, a.reason) == (date(2025, 3, 1), 20, "другая причина")


def test_other_tenants_rows_are_untouched(app, tenant, make_tenant):
    other = make_tenant("omsk", slug="omsk-imp")
    run_import(app, other, csv_bytes([row("A-1", channel="website")]))
    run_import(app, tenant, csv_bytes([row("A-1", reason="своя")]))
    assert appeals(app, other)["A-1"].reason == "Задержка выплаты"
    assert appeals(app, tenant)["A-1"].reason == "своя"


def test_saved_mapping_for_another_systems_export(app, tenant):
    header = ["Рег. номер", "Вид", "Канал поступления", "Дата регистрации", "Дата ответа", "Результат"]
    rows = [{"Рег. номер": "СЭД-1", "Вид": "complaint", "Канал поступления": "email",
             "Дата регистрации": "15.03.2025", "Дата ответа": "20.03.2025", "Результат": "not_supported"}]
    mapping = {"external_id": "Рег. номер", "kind": "Вид", "channel": "Канал поступления",
               "registered_at": "Дата регистрации", "answered_at": "Дата ответа", "outcome": "Результат"}
    run_import(app, tenant, csv_bytes(rows, header=header), mapping=mapping)
    a = appeals(app, tenant)["СЭД-1"]
    assert (a.kind, a.channel, a.outcome, a.audience, a.client_type) == ("complaint", "email", "not_supported",
                                                                       "external", "individual")


def test_xlsx_with_real_dates(app, tenant):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    r = row("X-1")
    r["registered_at"] = datetime(2025, 4, 1, 10, 15)
    r["answered_at"] = datetime(2025, 4, 20)
    r["outcome"] = "explained"
    ws.append([r[h] for h in HEADER])
    ws.append([None] * len(HEADER))  # an empty row at the end, as spreadsheets have
    buf = io.BytesIO()
    wb.save(buf)
    run_import(app, tenant, buf.getvalue(), "export.xlsx")
    a = appeals(app, tenant)["X-1"]
    assert utc(a.registered_at) == datetime(2025, 4, 1, 7, 15, tzinfo=UTC)


# ------------------------------------------------------------------------------------------------ office, job, CLI

@pytest.fixture
def officer(app, tenant, make_user, login_as):
    make_user("officer@vlad.test", tenant=tenant, role="officer")
    login_as("officer@vlad.test")


def upload(client, data, name="export.csv", mapping=""):
    return client.post("/vlad-imp/office/appeals/import",
                       data={"file": (io.BytesIO(data), name), "mapping": mapping},
                       content_type="multipart/form-data")


def test_preview_then_job_with_progress_then_list(app, client, tenant, officer, run_jobs):
    data = csv_bytes([row(f"A-{i}", registered_at="01.02.2025") for i in range(1, 8)])
    response = upload(client, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Windows-1251" in html and "«;»" in html and "A-7" in html and "Запустить импорт" in html
    assert stored(app) == 0  # a preview stores no appeal
    batch_url = response.headers["Location"]
    assert client.post(batch_url).status_code == 302
    queued = client.get(batch_url + "/progress").get_json()
    assert queued["status"] == "queued" and not queued["finished"]
    assert '<meta http-equiv="refresh"' in client.get(batch_url).get_data(as_text=True)  # works without JS
    run_jobs()
    done = client.get(batch_url + "/progress").get_json()
    assert done["finished"] and done["percent"] == 100 and done["inserted"] == 7 and done["done"] == 7
    html = client.get(batch_url).get_data(as_text=True)
    assert "новых: 7" in html and "http-equiv" not in html
    with app.app_context():
        batch = db.session.execute(across_tenants(select(ImportBatch))).scalar_one()
        assert batch.status == "done" and batch.content is None
    listing = client.get("/vlad-imp/office/appeals/").get_data(as_text=True)
    assert "A-7" in listing and "Найдено: 7" in listing


def test_refused_job_offers_the_report(app, client, tenant, officer, run_jobs):
    data = csv_bytes([row("A-1"), row("A-2", channel="=cmd|' /C calc'!A0")])
    batch_url = upload(client, data).headers["Location"]
    client.post(batch_url)
    run_jobs()
    assert client.get(batch_url + "/progress").get_json()["status"] == "refused"
    assert "Скачать отчёт об ошибках" in client.get(batch_url).get_data(as_text=True)
    report = client.get(batch_url + "/report.csv")
    text = report.get_data(as_text=True)
    assert report.mimetype == "text/csv"
    assert "Строка;Столбец;Значение;Причина" in text
    assert "3;channel;'=cmd" in text
    assert stored(app) == 0


def test_a_cancelled_preview_keeps_nothing(app, client, tenant, officer, run_jobs):
    batch_url = upload(client, csv_bytes([row("A-1")])).headers["Location"]
    response = client.post(batch_url, data={"action": "cancel"}, follow_redirects=True)
    assert "отменен; ничего не сохранено" in response.get_data(as_text=True)
    assert "Отменен: ничего не сохранено" in response.get_data(as_text=True)  # in the recent imports
    client.post(batch_url)  # running a cancelled batch afterwards does nothing
    run_jobs()
    with app.app_context():
        batch = db.session.execute(across_tenants(select(ImportBatch))).scalar_one()
        assert batch.status == "cancelled" and batch.content is None
    assert stored(app) == 0


def test_header_errors_show_on_the_preview(app, client, tenant, officer):
    url = upload(client, csv_bytes([row()], header=[h for h in HEADER if h != "kind"])).headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Нет обязательного столбца «kind»" in html and "Запустить импорт" not in html


def test_import_by_saved_mapping_in_the_office(app, client, tenant, officer, run_jobs):
    client.post("/vlad-imp/office/appeals/mappings", data={
        "name": "СЭД", "col_external_id": "Номер", "col_kind": "Вид", "col_channel": "Канал",
        "col_registered_at": "Дата"})
    with app.app_context(), tenant_scope(tenant_row(app, tenant)):
        assert db.session.execute(select(ImportMapping)).scalar_one().columns["external_id"] == "Номер"
    data = csv_bytes([{"Номер": "N-1", "Вид": "appeal", "Канал": "post", "Дата": "02.02.2025"}],
                     header=["Номер", "Вид", "Канал", "Дата"])
    url = upload(client, data, mapping="СЭД").headers["Location"]
    client.post(url)
    run_jobs()
    assert appeals(app, tenant)["N-1"].channel == "post"


def test_cli_import_and_refusal(app, tenant, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes([row("C-1"), row("C-2")]))
    bad.write_bytes(csv_bytes([row("C-3"), row("C-4", registered_at="32.13.2025")]))
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["appeals", "import", "--tenant", "vlad-imp", str(good)])
    assert ok.exit_code == 0, ok.output
    assert '"inserted": 2' in ok.output
    refused = runner.invoke(args=["appeals", "import", "--tenant", "vlad-imp", str(bad)])
    assert refused.exit_code == 1
    assert "3;registered_at;32.13.2025" in refused.stderr
    assert stored(app) == 2
    missing = runner.invoke(args=["appeals", "import", "--tenant", "vlad-imp", "--mapping", "nope", str(good)])
    assert missing.exit_code == 2


def test_synthetic_file_imports_whole(app, tenant, tmp_path):
    from otklik.channels import channel_codes
    from otklik.intake.importer import default_locale
    from otklik.intake.synthetic import generate_appeals, write_canonical_csv

    with app.app_context(), default_locale():
        codes = list(channel_codes(tenant_row(app, tenant)))
    path = tmp_path / "synthetic.csv"
    n = write_canonical_csv(path, generate_appeals(codes, 500, date(2025, 1, 1), date(2025, 6, 30), seed=3),
                            encoding="cp1251", delimiter=";")
    result = run_import(app, tenant, path.read_bytes())
    assert result.inserted == n == 500
    got = appeals(app, tenant)
    assert {a.channel for a in got.values()} <= set(codes)
    assert {a.outcome for a in got.values()} >= {"explained", "pending", "redirected"}


def test_layouts_from_the_otklik_appeal_importers_hook(app, client, tenant, officer, run_jobs):
    """A tenant that enables the `appeal_layouts` plugin imports another system's export by the layout its
    otklik_appeal_importers hook gives."""
    assert "Выгрузка СЭД «Дело»" not in client.get("/vlad-imp/office/appeals/import").get_data(as_text=True)
    with app.app_context():
        t = db.session.get(Tenant, tenant.id)
        t.plugins = {**t.plugins, "appeal_layouts": {}}
        db.session.commit()
    assert "Выгрузка СЭД «Дело»" in client.get("/vlad-imp/office/appeals/import").get_data(as_text=True)
    header = ["Рег. №", "Вид обращения", "Способ доставки", "Дата поступления", "Дата регистрации", "Результат"]
    data = csv_bytes([{"Рег. №": "Д-17", "Вид обращения": "appeal", "Способ доставки": "post",
                       "Дата поступления": "01.03.2025", "Дата регистрации": "03.03.2025", "Результат": "pending"}],
                     header=header)
    url = upload(client, data, mapping="delo_export").headers["Location"]
    client.post(url)
    run_jobs()
    assert client.get(url + "/progress").get_json()["status"] == "done", client.get(url).get_data(as_text=True)
    a = appeals(app, tenant)["Д-17"]
    assert a.channel == "post" and a.received_at is not None


def test_spaces_around_values_are_stripped(app, tenant):
    run_import(app, tenant, csv_bytes([row(" A-9 ", channel=" email", kind="complaint ", reason=" текст ")]))
    a = appeals(app, tenant)["A-9"]
    assert (a.channel, a.kind, a.reason) == ("email", "complaint", "текст")


# ------------------------------------------------------------------------------- encodings and delimiters (uploads)

def test_koi8_r_file_imports_with_its_cyrillic_text(app, tenant):
    data = csv_bytes([row("K-1", reason="Задержка выплаты пособия", segment="многодетные семьи"),
                      row("K-2", reason="Ремонт дороги во дворе", object="Благоустройство")], encoding="koi8-r")
    assert run_import(app, tenant, data).inserted == 2
    got = appeals(app, tenant)
    assert (got["K-1"].reason, got["K-1"].segment) == ("Задержка выплаты пособия", "многодетные семьи")
    assert (got["K-2"].reason, got["K-2"].object) == ("Ремонт дороги во дворе", "Благоустройство")


def test_short_koi8_r_file_is_not_taken_for_windows_1251(app, tenant):
    """Two Cyrillic words: too little text for the statistics; the letters' case decides."""
    data = csv_bytes([row("K-1", reason="жалоба", segment="пенсионеры")], encoding="koi8-r", delimiter=",")
    run_import(app, tenant, data)
    assert appeals(app, tenant)["K-1"].reason == "жалоба"


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_a_quoted_delimiter_stays_in_its_field(app, tenant, delimiter):
    reasons = ["Отказ; повторное обращение", "Ремонт, благоустройство; двор", 'Ответ "по существу"\tне дан']
    data = csv_bytes([row(f"Q-{i}", reason=r) for i, r in enumerate(reasons)], delimiter=delimiter,
                     encoding="cp1251")
    assert run_import(app, tenant, data).inserted == 3
    assert [a.reason for a in appeals(app, tenant).values()] == reasons


def test_quoted_delimiters_in_the_header_do_not_mislead(app, tenant):
    """Counting the header's characters would take ';' here (six of them against three commas); the reader looks
    at the quotes and the lines."""
    header = ["Номер;СЭД;рег", "Вид;тип;код", "Канал", "Дата"]
    rows = [{"Номер;СЭД;рег": f"S-{i}", "Вид;тип;код": "appeal", "Канал": "post", "Дата": "02.02.2025"}
            for i in range(3)]
    mapping = {"external_id": "Номер;СЭД;рег", "kind": "Вид;тип;код", "channel": "Канал", "registered_at": "Дата"}
    data = csv_bytes(rows, header=header, delimiter=",", encoding="utf-8")
    assert run_import(app, tenant, data, mapping=mapping).inserted == 3
    assert appeals(app, tenant)["S-2"].channel == "post"


FIELDS_COMPARED = ("kind", "audience", "channel", "received_at", "registered_at", "answered_at", "due_date",
                   "topic_code", "reason", "segment", "client_type", "object", "outcome", "date_only",
                   "extended_days", "extension_reason", "redirected_to", "summary")


def test_a_first_import_stores_exactly_what_an_import_beside_stored_appeals_stores(app, make_tenant, monkeypatch):
    """On PostgreSQL a tenant's first import goes straight into `appeal` by COPY, a later one through the stage
    and the merge: both ways must store the same values (times in UTC, dates alone marked, empty cells)."""
    from otklik.intake import importer

    monkeypatch.setattr(importer._DirectCopy, "SLICE_ROWS", 2)  # three rows: two slices through the COPY thread
    first, later = make_tenant("vladimir", slug="vlad-first"), make_tenant("vladimir", slug="vlad-later")
    run_import(app, later, csv_bytes([row("OLD-1")]))  # `later` now has an appeal: its next import is staged
    rows = [row("A-1", registered_at="10.01.2025", received_at="09.01.2025"),
            row("A-2", registered_at="2025-01-10 14:30", answered_at="2025-02-01 09:00:59", outcome="supported",
                reason="", segment="", object=""),
            row("A-3", kind="proposal", channel="post", registered_at="31.12.2024 23:59", client_type="legal_entity",
                topic_code="", reason="Кавычки \"внутри\", запятая; точка с запятой")]
    header = [*HEADER, "received_at"]
    data = csv_bytes(rows, header=header, delimiter=",", encoding="utf-8")
    a = run_import(app, first, data)
    b = run_import(app, later, data)
    assert (a.inserted, b.inserted) == (3, 3)
    got_first, got_later = appeals(app, first), appeals(app, later)
    for external_id in ("A-1", "A-2", "A-3"):
        for name in FIELDS_COMPARED:
            assert getattr(got_first[external_id], name) == getattr(got_later[external_id], name), (external_id, name)
    # and by hand: 31.12.2024 23:59 in Moscow is 20:59 UTC; 09:00:59 keeps its seconds
    assert utc(got_first["A-3"].registered_at) == datetime(2024, 12, 31, 20, 59, tzinfo=UTC)
    assert utc(got_first["A-2"].answered_at) == datetime(2025, 2, 1, 6, 0, 59, tzinfo=UTC)
    assert got_first["A-3"].reason == "Кавычки \"внутри\", запятая; точка с запятой"
    assert got_first["A-2"].received_at is None and got_first["A-2"].reason == ""


def test_a_duplicate_id_in_a_first_import_is_named_and_nothing_is_stored(app, tenant):
    data = csv_bytes([row("A-1"), row("A-2"), row("A-1")])
    with pytest.raises(ImportRefused) as refused:
        run_import(app, tenant, data)
    [err] = refused.value.errors
    assert err["row"] == 4 and err["value"] == "A-1"
    assert stored(app, tenant) == 0
