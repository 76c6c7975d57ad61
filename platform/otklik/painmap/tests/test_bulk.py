"""Bulk update of measures from a file (issue 11, item 9): download the authority's measures, change them, upload
them back. A good file changes the rows and writes their history; one bad row refuses the whole file with the
row and the column named and nothing changed; another authority's measure id is refused; officers only."""

import csv
import io
from datetime import date

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Measure, PainEvent
from otklik.testing import login

from .test_views import _in, _map, people  # noqa: F401 - `people` is a fixture

BASE = "/omsk-map/office/painmap/bulk"


def _download_csv(client) -> list[list[str]]:
    response = client.get(f"{BASE}/measures.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def _upload(client, rows, name="m.csv"):
    if name.endswith(".xlsx"):
        wb = Workbook()
        for row in rows:
            wb.active.append(row)
        for line in wb.active.iter_rows():  # typed text stays text, as the download wrote it (not a formula)
            for cell in line:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    else:
        buf = io.StringIO()
        csv.writer(buf, delimiter=";").writerows(rows)
        data = buf.getvalue().encode("utf-8")
    return client.post(f"{BASE}/", data={"file": (io.BytesIO(data), name)}, follow_redirects=True)


def _state(app, tenant, measure_id):
    with _in(app, tenant):
        m = db.session.get(Measure, measure_id)
        return (m.wording, m.owner_id, m.due_date, m.status, m.progress, m.result)


def _history(app, tenant, measure_id):
    with _in(app, tenant):
        return [(e.field, e.old, e.new) for e in db.session.execute(
            select(PainEvent).where(PainEvent.measure_id == measure_id).order_by(PainEvent.id)).scalars()]


def test_a_good_file_changes_the_rows_and_keeps_history(app, client, people):  # noqa: F811
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    login(client, "officer@map.example")
    assert 'id="bulk-link"' in client.get("/omsk-map/office/painmap/board").get_data(as_text=True)
    rows = _download_csv(client)
    assert rows[0] == ["id", "pain", "wording", "owner_email", "due_date", "status", "progress", "result"]
    assert rows[1] == [str(made["measure"]), "Долгое ожидание в очереди", "Электронная очередь",
                       "operator@map.example", "30.06.2025", "in_progress", "40", ""]
    # the owner passes to operator2, the due date moves, the status in the words, progress and result change
    rows[1][3:8] = ["OPERATOR2@map.example", "15.09.2025", "Выполнено", "60", "Запущена в МФЦ"]
    response = _upload(client, rows)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Мероприятий в файле: 1; изменено: 1." in page
    # "done" is 100 % whatever the file says, as on the measure's page
    assert _state(app, tenant, made["measure"]) == ("Электронная очередь", ids["operator2"], date(2025, 9, 15),
                                                    "done", 100, "Запущена в МФЦ")
    assert _history(app, tenant, made["measure"]) == [
        ("owner_id", str(ids["operator"]), str(ids["operator2"])), ("due_date", "2025-06-30", "2025-09-15"),
        ("status", "in_progress", "done"), ("progress", "40", "100"), ("result", "", "Запущена в МФЦ")]
    # the same file again changes nothing and writes no history
    page = _upload(client, _download_csv(client)).get_data(as_text=True)
    assert "Мероприятий в файле: 1; изменено: 0." in page
    assert len(_history(app, tenant, made["measure"])) == 5


def test_an_xlsx_file_round_trips(app, client, people):  # noqa: F811
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    login(client, "officer@map.example")
    response = client.get(f"{BASE}/measures.xlsx")
    ws = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[1][0] == made["measure"] and rows[1][6] == 40
    rows[1][2], rows[1][5], rows[1][6] = "=Электронная очередь в МФЦ", "on_hold", 50
    rows[1][4] = date(2025, 12, 1)  # a date cell, as a spreadsheet keeps it
    page = _upload(client, rows, "m.xlsx").get_data(as_text=True)
    assert "изменено: 1." in page
    assert _state(app, tenant, made["measure"]) == ("=Электронная очередь в МФЦ", ids["operator"],
                                                    date(2025, 12, 1), "on_hold", 50, "")


def test_one_bad_row_refuses_the_whole_file(app, client, people):  # noqa: F811
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    with _in(app, tenant):
        second = Measure(pain_id=made["second"], wording="Выдача в день обращения", status="planned", progress=0)
        db.session.add(second)
        db.session.commit()
        second_id = second.id
    before = (_state(app, tenant, made["measure"]), _state(app, tenant, second_id))
    login(client, "officer@map.example")
    rows = _download_csv(client)
    by_id = {r[0]: r for r in rows[1:]}
    by_id[str(made["measure"])][6] = "70"  # a good change in row 2 ...
    by_id[str(second_id)][4:7] = ["31.02.2025", "почти готово", "140"]  # ... and a bad row 3
    by_id[str(second_id)][3] = "nobody@map.example"
    assert [r[0] for r in rows[1:]] == [str(made["measure"]), str(second_id)]
    page = _upload(client, rows).get_data(as_text=True)
    assert "Файл отклонен; ни одно мероприятие не изменено." in page
    for text in ("строка 3, столбец «due_date»: «31.02.2025» — не дата (ДД.ММ.ГГГГ).",
                 "строка 3, столбец «status»: неизвестный статус «почти готово»",
                 "строка 3, столбец «progress»: прогресс должен быть целым числом от 0 до 100, а не «140».",
                 "строка 3, столбец «owner_email»: «nobody@map.example» — не сотрудник органа в платформе."):
        assert text in page, text
    assert "строка 2" not in page
    assert (_state(app, tenant, made["measure"]), _state(app, tenant, second_id)) == before
    assert _history(app, tenant, made["measure"]) == []


def test_another_authoritys_measure_is_refused(app, client, people):  # noqa: F811
    tenant, other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    theirs = _map(app, other, owner_id=ids["stranger"])
    login(client, "officer@map.example")
    rows = _download_csv(client)
    assert [r[0] for r in rows[1:]] == [str(made["measure"])]  # their measure is not in our file
    rows.append([str(theirs["measure"]), "", "Чужое", "", "", "done", "100", ""])
    rows[1][6] = "90"
    page = _upload(client, rows).get_data(as_text=True)
    assert f"строка 3, столбец «id»: у органа нет мероприятия с id «{theirs['measure']}»." in page
    assert _state(app, other, theirs["measure"])[3:5] == ("in_progress", 40)
    assert _state(app, tenant, made["measure"])[4] == 40


def test_officers_only(app, client, people):  # noqa: F811
    tenant, _other, ids = people
    _map(app, tenant, owner_id=ids["operator"])
    for email in ("operator@map.example", "viewer@map.example"):
        client.get("/logout")
        login(client, email)
        assert client.get(f"{BASE}/").status_code == 403
        assert client.get(f"{BASE}/measures.csv").status_code == 403
        assert 'id="bulk-link"' not in client.get("/omsk-map/office/painmap/board").get_data(as_text=True)
    client.get("/logout")
    login(client, "officer@other.example")
    assert client.get(f"{BASE}/").status_code in (403, 404)
