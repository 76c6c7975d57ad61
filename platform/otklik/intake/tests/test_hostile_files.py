"""Hostile files and bytes (issue 15, findings 3, 4 and 9): a workbook whose shared strings unpack to hundreds of
megabytes, a small workbook of a million rows, carriage returns and control characters in cells, and the API.

Each is refused before it costs a worker its memory or the preview its time, with a Russian reason that names the
row where there is one, or read as the person meant it (a line break inside a quoted cell). Nothing is stored on a
refusal. The workbooks are written here with zipfile, part by part, as an attacker would.
"""

from __future__ import annotations

import io
import random
import re
import time
import tracemalloc
import zipfile

import pytest
from sqlalchemy import select

from otklik import uploads
from otklik.extensions import db
from otklik.intake.importer import ImportRefused, import_file, import_records, read_chunks
from otklik.models import ImportBatch
from otklik.tenancy import across_tenants, tenant_scope

from .helpers import HEADER, appeals, csv_bytes, row, stored, tenant_row

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument"/></Relationships>')
WORKBOOK = (b'<?xml version="1.0"?><workbook ' + MAIN + b' xmlns:r="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
            b'</workbook>')
WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet"/><Relationship Id="rId2" Target="sharedStrings.xml" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
COLUMNS = ["external_id", "kind", "channel", "registered_at"]
MB = 1 << 20


def _inline(text: str) -> bytes:
    return b'<c t="inlineStr"><is><t>%s</t></is></c>' % text.encode()


def workbook(rows: bytes = b"", shared_blocks=(), header=COLUMNS) -> bytes:
    """An XLSX written part by part: the header row, then `rows` (sheet XML), and a shared strings part whose one
    string is `shared_blocks` joined (streamed into the zip, never held whole)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        head = b"<row>" + b"".join(_inline(h) for h in header) + b"</row>"
        z.writestr("xl/worksheets/sheet1.xml",
                   b'<?xml version="1.0"?><worksheet ' + MAIN + b"><sheetData>" + head + rows
                   + b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(b'<?xml version="1.0"?><sst ' + MAIN + b"><si><t>")
            for block in shared_blocks:
                f.write(block)
            f.write(b"</t></si></sst>")
    return buf.getvalue()


@pytest.fixture(scope="module")
def strings_bomb() -> bytes:
    """320 KB whose shared strings unpack to 320 MB (the finding's file: 300 KB -> 314 MB took a worker to 1.57 GB)."""
    return workbook(shared_blocks=(b"A" * MB for _ in range(320)))


@pytest.fixture(scope="module")
def million_rows() -> bytes:
    """About 1.5 MB, a million rows below the header, no <dimension>: compressed about 17 times, as a real sheet
    may be, so only the row count can tell."""
    rng = random.Random(15)
    return workbook(b"".join(b"<row><c><v>%d</v></c></row>" % rng.randrange(10) for _ in range(1_000_000)))


def measured(action):
    """(what `action` raised or returned, seconds without tracing, peak bytes traced by tracemalloc)."""
    def run():
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            return exc

    started = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, seconds, peak


@pytest.fixture
def tenant(app, make_tenant):
    return make_tenant("vladimir", slug="vlad-hostile")


def importing(app, tenant, data, filename="a.xlsx"):
    def action():
        with app.app_context():
            t = tenant_row(app, tenant)
            with tenant_scope(t):
                return import_file(db.session, t, data, filename)
    return action


# ------------------------------------------------------------------------------------------------------ workbooks

def test_the_bomb_is_a_real_one(strings_bomb, million_rows):
    """The files are what the test says: small on the wire, huge unpacked."""
    parts = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(strings_bomb)).infolist()}
    assert len(strings_bomb) < 400 * 1024 and parts["xl/sharedStrings.xml"].file_size > 320 * MB
    sheet = zipfile.ZipFile(io.BytesIO(million_rows)).getinfo("xl/worksheets/sheet1.xml")
    assert len(million_rows) < 2 * MB and sheet.file_size / sheet.compress_size < uploads.XLSX_MAX_RATIO


def test_a_shared_strings_bomb_is_refused_within_a_second_in_flat_memory(app, tenant, strings_bomb):
    outcome, seconds, peak = measured(importing(app, tenant, strings_bomb))
    assert isinstance(outcome, ImportRefused), outcome
    (e,) = outcome.errors
    assert e["code"] == "xlsx_part"
    assert e["reason"] == ("Часть книги xl/sharedStrings.xml распаковывается в 320 МБ, больше допустимых 160 МБ: "
                           "сохраните лист как CSV или разделите его.")
    assert seconds < 1.0, seconds
    assert peak < 10 * MB, peak  # the file itself is 0.3 MB; unpacked it would be 320 MB, in openpyxl over 1 GB
    assert stored(app) == 0


def test_a_bomb_under_the_part_limit_is_refused_for_its_ratio(app, tenant):
    """40 MB of one letter packed into 40 KB: within the size limits, a thousand times compressed."""
    data = workbook(shared_blocks=(b"B" * MB for _ in range(40)))
    outcome, seconds, peak = measured(importing(app, tenant, data))
    assert isinstance(outcome, ImportRefused) and outcome.errors[0]["code"] == "xlsx_ratio", outcome
    assert re.fullmatch(r"Часть книги xl/sharedStrings\.xml сжата в \d{3,4} раз, а обычные таблицы сжимаются не "
                        r"больше чем в 100 раз: .*", outcome.errors[0]["reason"])
    assert seconds < 1.0 and peak < 10 * MB, (seconds, peak)


def test_a_million_rows_are_refused_within_a_second_in_flat_memory(app, tenant, million_rows):
    outcome, seconds, peak = measured(importing(app, tenant, million_rows))
    assert isinstance(outcome, ImportRefused), outcome
    assert [(e["code"], e["reason"]) for e in outcome.errors] == [
        ("xlsx_rows", "На листе больше 300000 строк: разделите его или сохраните как CSV (такой файл читается "
                      "намного быстрее).")]
    assert seconds < 1.0, seconds
    assert peak < 20 * MB, peak
    assert stored(app) == 0


def test_the_preview_reads_the_first_rows_only(app, tenant, million_rows):
    """The preview neither counts the rows (a million, which timed out in the request) nor reads a chunk."""
    def preview():
        src, _columns, chunks = read_chunks(million_rows, "big.xlsx", preview=True)
        return src, next(iter(chunks))

    (src, first), seconds, peak = measured(preview)
    assert src.estimated_rows is None  # the sheet declares no size, and nothing counted it
    assert len(first) == 10 and first["external_id"].str.fullmatch(r"\d").all()
    assert seconds < 1.0 and peak < 20 * MB, (seconds, peak)


@pytest.fixture
def officer(app, tenant, make_user, login_as):
    make_user("officer@vlad-hostile.test", tenant=tenant, role="officer")
    login_as("officer@vlad-hostile.test")


def upload(client, data, name):
    return client.post("/vlad-hostile/office/appeals/import", data={"file": (io.BytesIO(data), name), "mapping": ""},
                       content_type="multipart/form-data")


def test_the_office_preview_and_job_of_a_million_rows(app, client, tenant, officer, million_rows, run_jobs):
    batch_url = upload(client, million_rows, "big.xlsx").headers["Location"]
    started = time.perf_counter()
    page = client.get(batch_url)
    seconds = time.perf_counter() - started
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and seconds < 1.0, (page.status_code, seconds)
    assert 'id="preview"' in html and "Запустить импорт" in html and "строк." not in html  # no count shown
    client.post(batch_url)
    run_jobs()
    progress = client.get(batch_url + "/progress").get_json()
    assert progress["status"] == "refused" and progress["errors"] == 1
    assert "На листе больше 300000 строк" in client.get(batch_url + "/report.csv").get_data(as_text=True)
    assert stored(app) == 0


def test_the_office_preview_of_a_bomb_says_why_at_once(app, client, tenant, officer, strings_bomb):
    batch_url = upload(client, strings_bomb, "bomb.xlsx").headers["Location"]
    started = time.perf_counter()
    html = client.get(batch_url).get_data(as_text=True)
    assert time.perf_counter() - started < 1.0
    assert "Часть книги xl/sharedStrings.xml распаковывается в 320 МБ" in html and "Запустить импорт" not in html


def test_a_sheet_that_skips_row_numbers_is_stopped_at_the_row_limit(app, tenant):
    """Two <row> elements, the second numbered 400,000: openpyxl fills in the rows between, and the reading stops
    at the limit instead of going on."""
    rows = b'<row r="400000">' + b"".join(_inline(v) for v in ("A-1", "appeal", "website", "10.01.2025")) + b"</row>"
    outcome, seconds, peak = measured(importing(app, tenant, workbook(rows)))
    assert isinstance(outcome, ImportRefused) and outcome.errors[0]["code"] == "xlsx_rows", outcome
    assert seconds < 3.0 and peak < 20 * MB, (seconds, peak)


def test_an_ordinary_workbook_written_by_hand_imports(app, tenant):
    """The guard passes a plain workbook (the hand-written parts above, two appeals) and CRLF in a cell is LF."""
    rows = b"".join(b"<row>" + b"".join(_inline(v) for v in values) + b"</row>" for values in (
        ("X-1", "complaint", "website", "10.01.2025"), ("X-2", "appeal", "post", "2025-01-11")))
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            result = import_file(db.session, t, workbook(rows), "hand.xlsx")
    assert (result.total, result.inserted) == (2, 2)


# -------------------------------------------------------------------------------------- carriage returns, controls

def run(app, tenant, data, filename="a.csv"):
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            return import_file(db.session, t, data, filename)


def refused(app, tenant, data, filename="a.csv") -> list[dict]:
    with pytest.raises(ImportRefused) as caught:
        run(app, tenant, data, filename)
    assert stored(app) == 0
    return caught.value.errors


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_a_quoted_carriage_return_imports_as_a_line_break(app, tenant, encoding):
    """The finding: a quoted CR made the job fail three times with BadCopyFileFormat (PostgreSQL's COPY). Quoted
    CR and CRLF are read as LF, on the COPY path as on SQLite's."""
    data = csv_bytes([row("CR-1", reason="Задержка\rвыплаты"), row("CR-2", reason="две\r\nстроки"),
                      row("CR-3")], encoding=encoding)
    data = data.replace("Задержка\rвыплаты".encode(encoding), '"Задержка\rвыплаты"'.encode(encoding))
    assert '"Задержка\rвыплаты"'.encode(encoding) in data and '"две\r\nстроки"'.encode(encoding) in data
    result = run(app, tenant, data)
    assert (result.total, result.inserted) == (3, 3)
    stored_appeals = appeals(app, tenant)
    assert stored_appeals["CR-1"].reason == "Задержка\nвыплаты"
    assert stored_appeals["CR-2"].reason == "две\nстроки"
    assert stored_appeals["CR-3"].reason == "Задержка выплаты"


def test_an_unquoted_carriage_return_is_refused_with_its_row(app, tenant):
    """Unquoted, a CR would end the row where it stands (pandas reads any CR as a line end): the appeal's second
    half would become a row of its own. Refused, naming the row it stands in (the header is row 1)."""
    lines = [";".join(HEADER), ";".join(row("U-1").values()), ";".join(row("U-2", reason="a\rb").values())]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1251")
    errors = refused(app, tenant, data)
    assert [(e["row"], e["code"]) for e in errors] == [(3, "carriage_return")]
    assert errors[0]["reason"].startswith("В строке 3 есть возврат каретки (CR) вне кавычек")


def test_a_file_of_cr_line_ends_reads_as_lines(app, tenant):
    """Old Macintosh programs end every line with CR alone: that is a line end, not a stray CR."""
    data = csv_bytes([row("M-1"), row("M-2")], encoding="cp1251").replace(b"\r\n", b"\r")
    assert run(app, tenant, data).inserted == 2


def test_a_control_character_is_refused_with_row_column_and_a_visible_value(app, tenant, client):
    data = csv_bytes([row("C-1"), row("C-2", object="Меры\x01поддержки")], encoding="utf-8")
    errors = refused(app, tenant, data)
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in errors] == [
        (3, "object", "control", "Меры[U+0001]поддержки")]
    assert errors[0]["reason"] == ("Значение содержит символ, которого не может быть в тексте (управляющий символ, "
                                   "например NUL): удалите его.")


def test_a_stray_nul_in_a_text_file_names_its_row(app, tenant):
    data = csv_bytes([row(f"N-{i}") for i in range(1, 6)] + [row("N-6", reason="a\x00b")], encoding="utf-8")
    errors = refused(app, tenant, data)
    assert [(e["row"], e["code"]) for e in errors] == [(7, "control")]
    assert errors[0]["reason"].startswith("В строке 7 есть символ, которого не может быть в тексте (U+0000)")


def test_the_refused_job_stores_its_report_with_the_character_spelled_out(app, client, tenant, officer, run_jobs):
    """The report is JSON in the database: a NUL there would fail PostgreSQL, so each refused character is
    spelled [U+0000]."""
    data = csv_bytes([row("J-1", segment="пенсионеры\x02")], encoding="utf-8")
    batch_url = upload(client, data, "c.csv").headers["Location"]
    client.post(batch_url)
    run_jobs()
    with app.app_context():
        batch = db.session.execute(across_tenants(select(ImportBatch))).scalar_one()
        assert batch.status == "refused" and batch.errors[0]["value"] == "пенсионеры[U+0002]"
    assert "пенсионеры[U+0002]" in client.get(batch_url + "/report.csv").get_data(as_text=True)


def test_records_given_directly_are_normalised_and_checked(app, tenant):
    """import_records (behind the API) reads CR as LF and refuses control characters itself, whatever its caller
    checked before."""
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            import_records(db.session, t, [row("R-1", reason="a\rb"), row("R-2", reason="c\r\nd")])
            with pytest.raises(ImportRefused) as caught:
                import_records(db.session, t, [row("R-3", reason="a\x00b")])
    assert {k: a.reason for k, a in appeals(app, tenant).items()} == {"R-1": "a\nb", "R-2": "c\nd"}
    assert [(e["row"], e["column"], e["value"]) for e in caught.value.errors] == [(1, "reason", "a[U+0000]b")]


# ------------------------------------------------------------------------------------------------------------ API

@pytest.fixture
def token(app, client, tenant, make_user, login_as):
    make_user("api@vlad-hostile.test", tenant=tenant, role="officer")
    login_as("api@vlad-hostile.test")
    page = client.post("/vlad-hostile/office/appeals/tokens", data={"name": "СЭД"}).get_data(as_text=True)
    client.post("/logout")
    return re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)


@pytest.mark.parametrize("reason, char", [("a\rb", "U+000D"), ("a\x00b", "U+0000"), ("a\x1bb", "U+001B"),
                                          ("a\ud800b", "U+D800")])
def test_the_api_answers_a_refused_character_as_json_naming_the_field(app, client, tenant, token, reason, char):
    """The finding: a reason `a\\rb` gave a 500 as HTML. A lone CR, NUL, another control or a lone surrogate: 400,
    JSON, the field named; nothing stored."""
    response = client.post("/api/v1/vlad-hostile/appeals", headers={"Authorization": f"Bearer {token}"},
                           json={"appeals": [row("API-1"), row("API-2", reason=reason)]})
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["error"] == (f"Поле «appeals[1].reason» содержит символ, которого не может быть в "
                                            f"тексте ({char}): удалите его и отправьте снова.")
    assert stored(app) == 0


def test_the_api_stores_a_crlf_line_break_as_lf(app, client, tenant, token):
    response = client.post("/api/v1/vlad-hostile/appeals", headers={"Authorization": f"Bearer {token}"},
                           json={"appeals": [row("API-1", reason="две\r\nстроки")]})
    assert response.status_code == 200, response.get_json()
    assert appeals(app, tenant)["API-1"].reason == "две\nстроки"


def test_the_api_filter_with_a_nul_is_a_json_400(app, client, tenant, token):
    response = client.get("/api/v1/vlad-hostile/appeals?topic=%00", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.is_json
    assert "«topic»" in response.get_json()["error"]


@pytest.mark.parametrize("data, lone", [
    (b"a;b\r\nc;d\r\n", False), (b"a;b\nc;d\n", False), (b"a;b\rc;d\n", True), (b"a;b\r", True), (b"", False),
    (b"x" * (MB - 1) + b"\r\n" + b"y\r\n", False),  # CRLF across the 1 MB blocks a file on disk is read in
    (b"x" * (MB - 1) + b"\ry\n", True),
])
def test_only_a_cr_without_lf_makes_the_rows_be_walked(tmp_path, data, lone):
    """The look for a stray CR (C speed) must not take every CRLF file for one: the walk over the rows that
    follows it costs a Python loop per line."""
    from otklik.intake.importer import _has_lone_cr

    path = tmp_path / "a.csv"
    path.write_bytes(data)
    assert _has_lone_cr(data) is lone and _has_lone_cr(str(path)) is lone
