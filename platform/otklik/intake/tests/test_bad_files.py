"""Broken files: each is refused with the reason a person can act on, and nothing at all is stored."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from otklik.extensions import db
from otklik.intake.importer import ImportRefused, import_file
from otklik.tenancy import tenant_scope

from .helpers import HEADER, csv_bytes, row, stored, tenant_row

GOOD = [row("A-1"), row("A-2", kind="appeal", answered_at="2025-01-20", outcome="explained")]


def xlsx_bytes(rows, header=HEADER, formula_at=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h, "") for h in header])
    if formula_at:
        ws[formula_at] = "=1+1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def french(external_id="L-1", reason="Café crème à côté de l'école"):
    """A row whose text is French: its file in Latin-1 is of none of the accepted encodings."""
    return row(external_id, reason=reason, segment="retraités", object="Mairie de quartier")


def without(column):
    return csv_bytes(GOOD, header=[h for h in HEADER if h != column])


CASES = {
    # name: (file bytes, filename, expected error code, expected column or None)
    "zero_bytes": (b"", "a.csv", "file_empty", None),
    "header_only": (csv_bytes([]), "a.csv", "no_rows", None),
    "blank_lines_only": (b"\r\n\r\n", "a.csv", "no_header", None),
    "utf16": ((";".join(HEADER) + "\n").encode("utf-16"), "a.csv", "encoding", None),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "a.csv", "encoding", None),
    "wrong_delimiter": (csv_bytes(GOOD, delimiter="|"), "a.csv", "wrong_delimiter", None),
    "missing_channel_column": (without("channel"), "a.csv", "missing_column", "channel"),
    "missing_registered_column": (without("registered_at"), "a.csv", "missing_column", "registered_at"),
    "duplicate_header": (csv_bytes(GOOD, header=HEADER + ["kind"]), "a.csv", "duplicate_column", "kind"),
    "unknown_channel": (csv_bytes(GOOD + [row("A-3", channel="telegraph")]), "a.csv", "channel", "channel"),
    "bad_date": (csv_bytes(GOOD + [row("A-3", registered_at="31.02.2025")]), "a.csv", "date", "registered_at"),
    "date_as_words": (csv_bytes([row(registered_at="вчера")]), "a.csv", "date", "registered_at"),
    "future_date": (csv_bytes([row(registered_at="01.01.2099")]), "a.csv", "date_range", "registered_at"),
    "answer_before_registration": (csv_bytes([row(registered_at="2025-01-10 12:00", answered_at="2025-01-09")]),
                                   "a.csv", "answer_before_registration", "answered_at"),
    "answer_earlier_same_day": (csv_bytes([row(registered_at="2025-01-10 12:00", answered_at="2025-01-10 09:00")]),
                                "a.csv", "answer_before_registration", "answered_at"),
    "duplicate_id": (csv_bytes(GOOD + [row("A-1")]), "a.csv", "duplicate_id", "external_id"),
    "empty_id": (csv_bytes([row("")]), "a.csv", "required", "external_id"),
    "unknown_kind": (csv_bytes([row(kind="petition")]), "a.csv", "kind", "kind"),
    "unknown_outcome": (csv_bytes([row(outcome="won")]), "a.csv", "outcome", "outcome"),
    "malformed_topic": (csv_bytes([row(topic_code="2.7.73")]), "a.csv", "topic_malformed", "topic_code"),
    "unknown_section": (csv_bytes([row(topic_code="0009.0001.0001.0001")]), "a.csv", "topic_unknown_section",
                        "topic_code"),
    "over_long_line": (csv_bytes([row(reason="жалоба " * 5000)]), "a.csv", "too_long", "reason"),
    "too_many_fields": (csv_bytes(GOOD) + b"A-9;appeal;external;website;10.01.2025;;;x;y;individual;z;pending;extra\r\n",
                        "a.csv", "bad_line", None),
    "other_tenant": (csv_bytes([row(tenant="omsk-test")], header=HEADER + ["tenant"]), "a.csv", "other_tenant",
                     "tenant"),
    "koi8_text": (csv_bytes([row(channel="голубиная почта")], encoding="koi8-r"), "a.csv", "channel", "channel"),
    "latin1_french": (csv_bytes([french()], encoding="latin-1"), "a.csv", "encoding", None),
    "dos_866": (csv_bytes([row(reason="Задержка выплаты пособия")], encoding="cp866"), "a.csv", "encoding", None),
    "utf16_without_bom": ((";".join(HEADER) + "\n").encode("utf-16-le"), "a.csv", "encoding", None),
    "xlsx_formula": (xlsx_bytes(GOOD, formula_at="H2"), "a.xlsx", "formula", "reason"),
    "xlsx_not_a_workbook": (b"PK\x03\x04 this is not a zip", "a.xlsx", "not_xlsx", None),
    "xlsx_missing_column": (xlsx_bytes(GOOD, header=[h for h in HEADER if h != "kind"]), "a.xlsx",
                            "missing_column", "kind"),
}


@pytest.fixture
def tenant(app, make_tenant):
    make_tenant("omsk", slug="omsk-test")
    return make_tenant("vladimir", slug="vlad-bad")


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_whole(app, tenant, name):
    data, filename, code, column = CASES[name]
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t), pytest.raises(ImportRefused) as refused:
            import_file(db.session, t, data, filename)
    errors = refused.value.errors
    assert errors, name
    codes = {e["code"] for e in errors}
    assert code in codes, (name, errors[:3])
    hit = next(e for e in errors if e["code"] == code)
    if column:
        assert hit["column"] == column, (name, hit)
    assert hit["reason"], hit
    assert stored(app) == 0, f"{name}: something was stored"


def test_a_bad_row_after_many_good_ones_stores_nothing(app, tenant):
    """The refusal is whole even when the bad row comes in a later chunk than the good ones."""
    from otklik.intake import importer

    rows = [row(f"B-{i}") for i in range(1, 30)] + [row("B-30", channel="pigeon")]
    old = importer.CHUNK_ROWS
    importer.CHUNK_ROWS = 7
    try:
        with app.app_context():
            t = tenant_row(app, tenant)
            with tenant_scope(t), pytest.raises(ImportRefused) as refused:
                import_file(db.session, t, csv_bytes(rows), "a.csv")
    finally:
        importer.CHUNK_ROWS = old
    assert [(e["row"], e["code"]) for e in refused.value.errors] == [(31, "channel")]
    assert stored(app) == 0


def test_errors_in_russian_name_row_column_value(app, tenant):
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t), pytest.raises(ImportRefused) as refused:
            import_file(db.session, t, csv_bytes(GOOD + [row("A-3", channel="telegraph")]), "a.csv")
    (e,) = refused.value.errors
    assert (e["row"], e["column"], e["value"]) == (4, "channel", "telegraph")
    # the refusal lists Vladimir's channels (tenants/vladimir.toml), in words and codes
    assert e["reason"] == (
        "Канал не входит в каналы этого органа. Допустимы: «Электронная приемная официального сайта» (website), "
        "«Электронная почта» (email), «Почта» (post), «Личный прием» (reception), «Платформа обратной связи (ПОС)» "
        "(pos), «Официальные страницы в социальных сетях» (social), «Консультационная линия» (hotline), "
        "«Онлайн-опрос (ссылка, QR-код)» (survey_online), «Офлайн-опрос (бумажная анкета)» (survey_offline).")


def test_report_defuses_formulas(app):
    from otklik.intake.importer import report_csv

    with app.app_context():
        text = report_csv([{"row": 2, "column": "reason", "value": "=HYPERLINK(\"x\")", "reason": "@bad"},
                           {"row": 3, "column": "reason", "value": "+7 900", "reason": "-x"}], 5)
    assert "'=HYPERLINK" in text and "'@bad" in text and "'+7 900" in text and "'-x" in text
    assert "\n=" not in text and ";=" not in text
    assert "3" in text.splitlines()[-1]  # "... and 3 more errors"


UNKNOWN = "Не удалось определить кодировку файла: ожидается UTF-8, Windows-1251 или KOI8-R."


def test_a_file_of_another_encoding_is_refused_with_what_is_expected(app, tenant):
    data = csv_bytes([french("L-1", "Café crème"), french("L-2", "Élève à l'école")], encoding="latin-1")
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t), pytest.raises(ImportRefused) as refused:
            import_file(db.session, t, data, "a.csv")
    assert [(e["row"], e["code"], e["reason"]) for e in refused.value.errors] == [(None, "encoding", UNKNOWN)]
    assert stored(app) == 0


def test_binary_and_utf16_files_are_told_apart(app, tenant):
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t), pytest.raises(ImportRefused) as refused:
            import_file(db.session, t, csv_bytes(GOOD, encoding="utf-16"), "a.csv")
    assert refused.value.errors[0]["reason"].startswith("Файл не является текстом (двоичные данные или UTF-16)")


def test_the_office_preview_and_job_show_the_encoding_refusal(app, client, tenant, make_user, login_as, run_jobs):
    make_user("officer@vlad-bad.test", tenant=tenant, role="officer")
    login_as("officer@vlad-bad.test")
    data = csv_bytes([french("L-1", "Crème brûlée à emporter")], encoding="latin-1")
    response = client.post("/vlad-bad/office/appeals/import", data={"file": (io.BytesIO(data), "a.csv"),
                                                                     "mapping": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    html = client.get(batch_url).get_data(as_text=True)
    assert UNKNOWN in html and "Запустить импорт" not in html
    client.post(batch_url)  # even when asked to run, the job refuses the file and stores nothing
    run_jobs()
    assert client.get(batch_url + "/progress").get_json()["status"] == "refused"
    assert UNKNOWN in client.get(batch_url + "/report.csv").get_data(as_text=True)
    assert stored(app) == 0
