"""The shared upload reader (otklik/uploads.py): UTF-8, Windows-1251 or KOI8-R and nothing else; the delimiter by
csv.Sniffer over several lines, quotes respected."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otklik.uploads import UnreadableFile, detect_encoding, read_text, sniff_delimiter

RUSSIAN = ("external_id;kind;reason\nA-1;complaint;Задержка выплаты пособия на ребёнка\n"
           "A-2;appeal;Ремонт дороги во дворе дома\n")


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("cp1251", "cp1251"), ("koi8-r", "koi8-r")])
def test_the_three_encodings(encoding, expected):
    data = RUSSIAN.encode(encoding)
    assert detect_encoding(data) == expected
    upload = read_text(data)
    assert upload.text == RUSSIAN and upload.encoding == expected


def test_a_utf8_bom_is_honoured_and_stripped():
    upload = read_text(codecs.BOM_UTF8 + RUSSIAN.encode())
    assert upload.encoding == "utf-8-sig" and upload.label == "UTF-8"
    assert upload.text == RUSSIAN and next(upload.rows())[0] == "external_id"


def test_utf8_wins_whenever_the_bytes_decode_as_utf8():
    assert detect_encoding(b"a;b\n1;2\n") == "utf-8"  # ASCII
    assert detect_encoding("a;b\n1;Ёлка — «ёж»\n".encode()) == "utf-8"
    # a beginning cut inside a two-byte letter is still UTF-8 when the caller says the file goes on
    cut = "код;наименование\n".encode()[:-2]
    assert detect_encoding(cut, complete=False) == "utf-8"


@pytest.mark.parametrize("text", [
    "a;b\n1;сайт\n", "a;b\n1;жалоба\n", "id;name\n1;Ёлка\n", "code;title\n1;Конституция\n",
    # found by the property below: charset-normalizer's coherence takes these lower-case words for upper-case ones
    'номер,причина,результат\r\nзадержка,во,"""по существу"""\r\nзадержка,"ответ ""по существу""",выплаты\r\n',
    "id;reason;object\nA-0;пенсионеры поддержки;многодетные выплаты\n",
    "id;reason\nA-1;ЖАЛОБА НА РЕМОНТ ДОРОГИ\nA-2;ВЫВОЗ МУСОРА\n",  # old systems' upper-case exports
])
@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_a_few_words_are_enough_to_tell_windows_1251_from_koi8_r(text, encoding):
    assert read_text(text.encode(encoding)).text == text


@pytest.mark.parametrize("data", [
    "a;b\n1;Café\n".encode("latin-1"),
    "titre;description\n1;Café crème à côté de l'élève\n2;Où est la bibliothèque?\n".encode("latin-1"),
    "name;ort\n1;Müller, Straße 5, Köln\n".encode("latin-1"),
    "code;title\n1;Конституция Российской Федерации\n".encode("cp866"),
    bytes(range(128, 256)) * 3,
], ids=["one_french_word", "french", "german", "dos_866", "high_bytes"])
def test_other_encodings_are_refused(data):
    with pytest.raises(UnreadableFile) as refused:
        detect_encoding(data)
    assert refused.value.code == "unknown"


@pytest.mark.parametrize("data", [
    RUSSIAN.encode("utf-16"), RUSSIAN.encode("utf-16-le"), RUSSIAN.encode("utf-32"),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10,
], ids=["utf16_bom", "utf16_no_bom", "utf32", "png"])
def test_utf16_and_binary_files_are_refused_as_not_text(data):
    with pytest.raises(UnreadableFile) as refused:
        read_text(data)
    assert refused.value.code == "binary"


def test_the_refusal_says_what_is_expected_in_russian(app):
    """Read where it is shown: outside a request (a job, a command) in the default language, Russian."""
    with app.app_context():
        with pytest.raises(UnreadableFile) as unknown:
            read_text("a;b\n1;Café\n".encode("latin-1"))
        with pytest.raises(UnreadableFile) as binary:
            read_text(RUSSIAN.encode("utf-16"))
        assert unknown.value.message == ("Не удалось определить кодировку файла: ожидается UTF-8, Windows-1251 "
                                         "или KOI8-R.")
        assert str(unknown.value) == unknown.value.message
        assert binary.value.message.startswith("Файл не является текстом (двоичные данные или UTF-16)")
    with app.test_request_context("/?lang=en"):
        assert unknown.value.message.startswith("Could not determine the file's encoding")


@pytest.mark.parametrize("text, delimiter", [
    ("a;b;c\n1;2;3\n", ";"),
    ("a,b,c\n1,2,3\n", ","),
    ("a\tb\tc\n1\t2\t3\n", "\t"),
    # quotes respected: a quoted delimiter belongs to its field
    ('code;title\n0001;"Пенсии, пособия, выплаты"\n0002;"Права, свободы"\n', ";"),
    ('code,title\n0001,"Пенсии; пособия; выплаты"\n0002,"Права; свободы"\n', ","),
    # several lines: the commas inside every reason are not the delimiter
    ("id;reason\nA-1;отказ, повтор\nA-2;ремонт, двор\nA-3;выплаты, пособия\n", ";"),
    # the header has more commas than semicolons, the lines say ';'
    ("id;причина (код, вид, тема)\nA-1;отказ\nA-2;ремонт\nA-3;выплаты\n", ";"),
])
def test_the_delimiter(text, delimiter):
    assert sniff_delimiter(text) == delimiter


@pytest.mark.parametrize("text, delimiter", [
    ("a|b\n1|2\n", ","),  # none of the three: ',' (the importers then report one column)
    ("", ","),
    ("a;b;c\n", ";"),  # a header alone
    ("a;b;c\nx\n", ";"),  # Sniffer finds no consistent delimiter: the one that splits the header most
])
def test_the_delimiter_when_sniffer_cannot_tell(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_a_cut_last_line_is_left_out():
    head = "a;b;c\n" + "1;2;3\n" * 5 + "4;5,6,7,8,9"  # the file goes on after this beginning
    assert sniff_delimiter(head, complete=False) == ";"


def test_rows_keep_quoted_delimiters_and_line_breaks():
    """A quoted line break stays in its cell, read as LF whether the file wrote CRLF or CR."""
    upload = read_text('code;title\r\n0001;"Конституция; права"\r\n0002;"две\r\nстроки"\r\n0003;"три\rстроки"\r\n'
                       .encode("cp1251"))
    assert upload.delimiter == ";" and upload.label == "Windows-1251"
    assert list(upload.rows()) == [["code", "title"], ["0001", "Конституция; права"], ["0002", "две\nстроки"],
                                   ["0003", "три\nстроки"]]


# ------------------------------------------------------------------------------------------------------ properties

@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_never_a_crash(data):
    """Whatever is uploaded: an accepted codec that decodes the bytes, or UnreadableFile (no 500 page)."""
    try:
        upload = read_text(data)
    except UnreadableFile as refused:
        assert refused.code in ("binary", "unknown", "control", "carriage_return")
        assert refused.message  # every refusal has its message (a row it names filled in)
    else:
        assert upload.encoding in ("utf-8", "utf-8-sig", "cp1251", "koi8-r")
        assert upload.delimiter in (",", ";", "\t")


WORDS = ["задержка", "выплаты", "пособия", "Ремонт", "дороги", "во", "дворе", "жалоба", "Отказ", "ответ",
         "\"по существу\"", "10.01.2025", "0002.0007.0073.0510", "А-17", "пенсионеры", "Владимир", "д. 5"]
CELL = st.builds(lambda words, seps: "".join(w + s for w, s in zip(words, seps, strict=False)).strip(),
                 st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
                 st.lists(st.sampled_from([" ", " ", ", ", "; ", '"', "\t"]), min_size=4, max_size=4))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=3, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "cp1251", "koi8-r"]))
def test_files_written_by_a_csv_writer_read_back_cell_for_cell(rows, delimiter, encoding):
    """Three columns, quotes where the writer puts them: the delimiter is found and every cell is itself again.
    The header names the columns in words, as real files do."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows([["номер", "причина", "результат"], *rows])
    upload = read_text(out.getvalue().encode(encoding))
    assert upload.delimiter == delimiter
    assert list(upload.rows()) == [["номер", "причина", "результат"], *rows]


# ------------------------------------------------------------------------------------ characters and carriage returns

@pytest.mark.parametrize("text, row, code", [
    ("id;reason\nA-1;ok\nA-2;a\x01b\n", 3, "control"),  # a control character, in the third row
    ('id;reason\nA-1;"две\nстроки"\nA-2;a\x1bb\n', 3, "control"),  # a quoted line break stays in its row
    ("id;reason\r\nA-1;a\rb\r\nA-2;c\r\n", 2, "carriage_return"),  # a CR outside quotes would split row 2
    ('id;reason\n\nA-1;"q""\r"\nA-2;c\rd\n', 4, "carriage_return"),  # a doubled quote, a blank line counted
])
def test_a_refused_character_names_its_row(text, row, code):
    with pytest.raises(UnreadableFile) as refused:
        read_text(text.encode("utf-8"))
    assert (refused.value.code, refused.value.row) == (code, row)


def test_quoted_and_mac_carriage_returns_are_line_breaks():
    assert list(read_text(b'id;reason\r\nA-1;"a\rb"\r\n').rows()) == [["id", "reason"], ["A-1", "a\nb"]]
    assert list(read_text(b"id;reason\rA-1;x\rA-2;y\r").rows()) == [["id", "reason"], ["A-1", "x"], ["A-2", "y"]]


def test_a_stray_nul_in_a_long_file_is_named_not_taken_for_utf16():
    text = "id;reason\n" + "".join(f"A-{i};Задержка выплаты пособия\n" for i in range(1, 50)) + "A-50;a\x00b\n"
    with pytest.raises(UnreadableFile) as refused:
        read_text(text.encode("cp1251"))
    assert (refused.value.code, refused.value.row, refused.value.params["char"]) == ("control", 51, "U+0000")


def test_the_refusals_read_in_russian(app):
    with app.app_context():
        with pytest.raises(UnreadableFile) as refused:
            read_text(b"id;reason\r\nA-1;a\rb\r\n")
        assert refused.value.message == ("В строке 2 есть возврат каретки (CR) вне кавычек, он разбивает строку "
                                         "надвое: удалите его или заключите ячейку в кавычки и загрузите файл снова.")


def test_refused_character_and_visible():
    from otklik.uploads import refused_character, visible

    assert refused_character("две\r\nстроки\tи табуляция") is None
    assert [refused_character(v) for v in ("a\x00", "a\rb", "\x1f", "a\ud800")] == ["U+0000", "U+000D", "U+001F",
                                                                                      "U+D800"]
    assert refused_character("a\rb", lone_cr=False) is None
    assert visible("a\x00b\x01") == "a[U+0000]b[U+0001]"


# ------------------------------------------------------------------------------------------------------------ XLSX

def _zip(parts: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_the_zip_directory_is_checked_before_anything_is_unpacked(monkeypatch):
    from otklik import uploads

    with pytest.raises(UnreadableFile) as refused:
        uploads.check_xlsx(b"PK\x03\x04 not a zip at all")
    assert refused.value.code == "not_xlsx"
    with pytest.raises(UnreadableFile) as refused:
        uploads.check_xlsx(_zip({f"xl/p{i}.xml": b"<a/>" for i in range(uploads.XLSX_MAX_PARTS + 1)}))
    assert (refused.value.code, refused.value.params["count"]) == ("xlsx_parts", 1001)
    with pytest.raises(UnreadableFile) as refused:  # styles are parsed whole: a smaller limit
        uploads.check_xlsx(_zip({"xl/styles.xml": bytes(range(256)) * (17 << 12)}))
    assert (refused.value.code, refused.value.params["limit"]) == ("xlsx_part", 16)
    monkeypatch.setattr(uploads, "XLSX_MAX_TOTAL_BYTES", 3 << 20)  # the total over its limit, each part under
    with pytest.raises(UnreadableFile) as refused:
        uploads.check_xlsx(_zip({f"xl/worksheets/s{i}.xml": bytes(range(256)) * (1 << 12) for i in range(4)}))
    assert (refused.value.code, refused.value.params["size"]) == ("xlsx_total", 4)


def test_rows_are_counted_in_the_raw_xml_whatever_the_prefix_and_block():
    from otklik import uploads

    rows = b"".join(b'<x:row r="%d"><x:c><x:v>%d</x:v></x:c></x:row>' % (i, i) for i in range(1, 60_001))
    sheet = b'<x:worksheet xmlns:x="m"><x:sheetData>' + rows + b"<x:row/></x:sheetData><x:rowBreaks/></x:worksheet>"
    data = _zip({"xl/worksheets/sheet1.xml": sheet})  # 2.5 MB unpacked: rows cross the 1 MB blocks
    assert uploads.count_xlsx_rows(data, "xl/worksheets/sheet1.xml") == 60_001
    with pytest.raises(UnreadableFile) as refused:
        uploads.count_xlsx_rows(data, "xl/worksheets/sheet1.xml", limit=60_000)
    assert refused.value.code == "xlsx_rows"
