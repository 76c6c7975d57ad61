"""The pain map's office pages: the role matrix, another authority's 404, suggestions accepted and dismissed through
the page, a measure added through the form that shows on the map and in the history, the priority override and the
merge, the exports (read back with openpyxl) and the API. Figures are worked out by hand in the comments."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from otklik.analysis.tests.test_survey_metrics import add_survey
from otklik.extensions import db
from otklik.models import ApiToken, Evidence, Measure, Pain, PainEvent, Process, Suggestion, Tenant
from otklik.tenancy import tenant_scope
from otklik.testing import login

from . import test_service as fx

COLUMNS = ["№", "Наименование процесса", "Выявленные проблемы/потенциальные потребности клиентов",
           "Распространенность проблемы", "Приоритетность решения проблемы/удовлетворения потребности",
           "Необходимые к реализации мероприятия", "Ответственный", "Срок реализации"]


def _in(app, tenant):
    """Run the body inside the tenant's scope: `with _in(app, t) as t: ...`."""
    from contextlib import contextmanager

    @contextmanager
    def scope():
        with app.app_context():
            t = db.session.get(Tenant, tenant.id)
            with tenant_scope(t):
                yield t

    return scope()


@pytest.fixture
def people(make_user, make_tenant):
    """Two authorities: omsk-map with an officer, two operators and a viewer; omsk-other with its own officer."""
    tenant = make_tenant("omsk", slug="omsk-map")
    other = make_tenant("omsk", slug="omsk-other")
    ids = {role: make_user(f"{role}@map.example", tenant=tenant, role=role.rstrip("2"))
           for role in ("officer", "operator", "operator2", "viewer")}
    ids["stranger"] = make_user("officer@other.example", tenant=other, role="officer")
    return tenant, other, ids


def _map(app, tenant, owner_id) -> dict:
    """Two processes, a pain with manual evidence 12 of 40 (30 %, 18.1-45.4 %, low), and a measure owned by
    `owner_id`; a second pain 5 of 20 (25 %: too few answers below 30)."""
    with _in(app, tenant):
        service = Process(name="Назначение пенсии", group="Электронные услуги", touchpoints=["МФЦ", "ЕПГУ"],
                          life_situations=["Выход на пенсию", "Утрата кормильца"])
        other = Process(name="Выдача справок", group="Справки", touchpoints=["Приемная"], life_situations=[])
        db.session.add_all([service, other])
        db.session.flush()
        pain = Pain(process_id=service.id, wording="Долгое ожидание в очереди", status="confirmed")
        pain.evidence.append(Evidence(source="manual", period="2025-Q1", n=12, total=40, method="Опрос в МФЦ",
                                      title="Очередь"))
        pain.measures.append(Measure(wording="Электронная очередь", unit="Отдел информатизации", owner_id=owner_id,
                                     due_date=date(2025, 6, 30), status="in_progress", progress=40))
        second = Pain(process_id=other.id, wording="Справку не выдают в день обращения", status="new")
        second.evidence.append(Evidence(source="manual", period="2025-Q1", n=5, total=20, method="Опрос"))
        db.session.add_all([pain, second])
        db.session.commit()
        return {"pain": pain.id, "measure": pain.measures[0].id, "second": second.id, "process": service.id,
                "other_process": other.id}


def test_pages_for_each_role(app, client, people):
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    base = "/omsk-map/office/painmap"
    pain_url, measure_url = f"{base}/pains/{made['pain']}", f"{base}/pains/{made['pain']}/measures/{made['measure']}"
    expected = {  # (page, officer, operator (owner), operator2 (not the owner), viewer)
        f"{base}/": (200, 200, 200, 200),
        pain_url: (200, 200, 200, 200),
        f"{base}/board": (200, 200, 200, 200),
        f"{base}/export.xlsx": (200, 200, 200, 200),
        f"{base}/export.csv": (200, 200, 200, 200),
        f"{base}/suggestions": (200, 403, 403, 403),
        f"{base}/pains/new": (200, 200, 200, 403),
        f"{pain_url}/measures/new": (200, 403, 403, 403),
        measure_url: (200, 200, 403, 403),
    }
    for i, role in enumerate(("officer", "operator", "operator2", "viewer")):
        client.get("/logout")
        login(client, f"{role}@map.example")
        for url, codes in expected.items():
            assert client.get(url).status_code == codes[i], (role, url)
        page = client.get(f"{base}/").get_data(as_text=True)
        assert "30 % (18,1–45,4 %)" in page and "мало ответов" in page
        assert ("Предложить боль" in page) == (role != "viewer")
        # only officers change a pain (status, priority, merge)
        r = client.post(pain_url, data={"action": "status", "status-status": "rejected", "status-reason": "x"})
        assert r.status_code == (302 if role == "officer" else 403), role
        if role == "officer":
            with _in(app, tenant):
                pain = db.session.get(Pain, made["pain"])
                pain.status, pain.status_reason = "confirmed", ""
                db.session.commit()


def test_operator_updates_only_progress_of_their_own_measure(app, client, people):
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    url = f"/omsk-map/office/painmap/pains/{made['pain']}/measures/{made['measure']}"
    login(client, "operator@map.example")
    page = client.get(url).get_data(as_text=True)
    assert 'name="progress"' in page and 'name="wording"' not in page and 'name="owner"' not in page
    r = client.post(url, data={"status": "in_progress", "progress": "75", "result": "Терминал закуплен",
                               "wording": "Подмена формулировки", "owner": str(ids["viewer"])})
    assert r.status_code == 302
    bad = client.post(url, data={"status": "in_progress", "progress": "140"})
    assert bad.status_code == 200 and "100" in bad.get_data(as_text=True)  # a clear message, nothing stored
    with _in(app, tenant):
        m = db.session.get(Measure, made["measure"])
        assert (m.progress, m.result, m.wording, m.owner_id) == (75, "Терминал закуплен", "Электронная очередь",
                                                                ids["operator"])
        events = {(e.field, e.old, e.new, e.user_id) for e in db.session.execute(select(PainEvent)).scalars()}
        assert ("progress", "40", "75", ids["operator"]) in events
    history = client.get(f"/omsk-map/office/painmap/pains/{made['pain']}").get_data(as_text=True)
    assert "Выполнение, %" in history and "operator@map.example" in history


def test_another_authority_gets_404(app, client, people, make_tenant):
    tenant, other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    with _in(app, tenant):
        s = Suggestion(kind="surveys", period="2025-01", source="survey_option", figure="prevalence:x:q3:queue",
                       wording="Очереди", n=24, total=40)
        db.session.add(s)
        db.session.commit()
        suggestion = s.id
    login(client, "officer@other.example")
    for prefix in ("/omsk-other/office/painmap", "/omsk-map/office/painmap"):
        assert client.get(f"{prefix}/pains/{made['pain']}").status_code == 404
        assert client.get(f"{prefix}/pains/{made['pain']}/measures/{made['measure']}").status_code == 404
        assert client.post(f"{prefix}/pains/{made['pain']}/measures/{made['measure']}",
                           data={"status": "done", "progress": "100"}).status_code == 404
        assert client.post(f"{prefix}/suggestions/{suggestion}/dismiss",
                           data={f"dismiss-{suggestion}-reason": "чужое"}).status_code == 404
        assert client.post(f"{prefix}/suggestions/{suggestion}/accept", data={}).status_code == 404
    own = client.get("/omsk-other/office/painmap/").get_data(as_text=True)
    assert "Долгое ожидание" not in own
    assert client.get("/api/v1/omsk-other/painmap").get_json() == {"pains": []}
    with _in(app, tenant):
        assert db.session.get(Suggestion, suggestion).status == "open"
        assert db.session.get(Measure, made["measure"]).status == "in_progress"


def test_accept_and_dismiss_through_the_page(app, client, run_jobs, make_tenant, make_user):
    tenant = make_tenant("omsk", slug="omsk-pains")
    with app.app_context():
        add_survey(tenant, fx._respondents("2025-01", 24, 40))
    fx._analyse(app, run_jobs, tenant, "2025-01")
    make_user("officer@pains.example", tenant=tenant)
    login(client, "officer@pains.example")
    with _in(app, tenant):
        rows = {s.figure.rsplit(":", 1)[1]: s.id for s in db.session.execute(select(Suggestion)).scalars()
                if s.figure.startswith("prevalence:")}
    page = client.get("/omsk-pains/office/painmap/suggestions").get_data(as_text=True)
    # queue 24 of 40 = 60 % (44.6-73.7 %), documents 16 of 40 = 40 % (26.3-55.4 %)
    assert "60 % (44,6–73,7 %)" in page and "24 из 40" in page and "40 % (26,3–55,4 %)" in page

    r = client.post(f"/omsk-pains/office/painmap/suggestions/{rows['docs']}/dismiss",
                    data={f"dismiss-{rows['docs']}-reason": "  "}, follow_redirects=True)
    assert "причина обязательна" in r.get_data(as_text=True)
    r = client.post(f"/omsk-pains/office/painmap/suggestions/{rows['docs']}/dismiss",
                    data={f"dismiss-{rows['docs']}-reason": "Документы не зависят от органа"}, follow_redirects=True)
    assert "больше не появится" in r.get_data(as_text=True)

    r = client.post(f"/omsk-pains/office/painmap/suggestions/{rows['queue']}/accept",
                    data={"accept-target": "0", "accept-process_id": "0"})
    assert r.status_code == 302 and "/pains/" in r.headers["Location"]
    with _in(app, tenant):
        docs, queue = db.session.get(Suggestion, rows["docs"]), db.session.get(Suggestion, rows["queue"])
        assert (docs.status, docs.reason) == ("dismissed", "Документы не зависят от органа")
        pain = db.session.get(Pain, queue.pain_id)
        assert queue.status == "accepted" and [(e.n, e.total, e.period) for e in pain.evidence] == [(24, 40,
                                                                                                   "2025-01")]
    again = client.post(f"/omsk-pains/office/painmap/suggestions/{rows['queue']}/accept",
                        data={"accept-target": "0"}, follow_redirects=True)
    assert "решение уже принято" in again.get_data(as_text=True)
    board = client.get("/omsk-pains/office/painmap/").get_data(as_text=True)
    assert "Очереди" in board and "60 % (44,6–73,7 %)" in board and "Средний" in board
    assert "Предложений на рассмотрение нет." in client.get("/omsk-pains/office/painmap/suggestions").get_data(
        as_text=True)


def test_a_measure_added_through_the_form_shows_on_the_map_and_in_the_history(app, client, people):
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    login(client, "officer@map.example")
    url = f"/omsk-map/office/painmap/pains/{made['second']}/measures/new"
    form = client.get(url).get_data(as_text=True)
    assert "Реинжиниринг процесса" in form and "Разъяснения для заявителей" in form
    start = date(2025, 4, 1)
    bad = client.post(url, data={"wording": "Выдача справки в день обращения", "use": "reengineering",
                                 "unit": "Отдел справок", "owner": str(ids["operator2"]),
                                 "start_date": "2025-04-01", "due_date": "2025-03-01", "status": "planned",
                                 "progress": "0"})
    assert bad.status_code == 200 and "не может быть раньше начала" in bad.get_data(as_text=True)
    r = client.post(url, data={"wording": "Выдача справки в день обращения", "use": "reengineering",
                               "unit": "Отдел справок", "owner": str(ids["operator2"]), "start_date": "2025-04-01",
                               "due_date": "", "status": "planned", "progress": "0",
                               "public_wording": "Справку выдают в день обращения"})
    assert r.status_code == 302
    with _in(app, tenant):
        pain = db.session.get(Pain, made["second"])
        m = pain.measures[0]
        # 5 of 20 = 25 %: low band, low priority -> due 180 days after the start (prevalence_bands.due_days)
        assert m.due_date == start + timedelta(days=180) == date(2025, 9, 28)
        assert (m.owner_id, m.unit, m.public_wording) == (ids["operator2"], "Отдел справок",
                                                         "Справку выдают в день обращения")
        assert pain.status == "in_work"
        events = [(e.field, e.old, e.new) for e in db.session.execute(
            select(PainEvent).where(PainEvent.pain_id == pain.id).order_by(PainEvent.id)).scalars()]
        assert events == [("measure", "", "Выдача справки в день обращения"), ("status", "new", "in_work")]
    page = client.get("/omsk-map/office/painmap/?group=process").get_data(as_text=True)
    assert "Выдача справки в день обращения" in page and "Отдел справок — operator2@map.example" in page
    assert "28.09.2025" in page
    pain_page = client.get(f"/omsk-map/office/painmap/pains/{made['second']}").get_data(as_text=True)
    history = pain_page.split('id="history"')[1]
    assert "Добавлено мероприятие" in history and "officer@map.example" in history
    assert "Новая" in history and "В работе" in history


def test_priority_override_needs_a_reason_and_merge_keeps_both(app, client, people):
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    login(client, "officer@map.example")
    url = f"/omsk-map/office/painmap/pains/{made['pain']}"
    r = client.post(url, data={"action": "priority", "priority-priority": "high", "priority-reason": ""})
    assert r.status_code == 200
    with _in(app, tenant):
        assert db.session.get(Pain, made["pain"]).priority_override is None  # nothing stored
    client.post(url, data={"action": "priority", "priority-priority": "high",
                           "priority-reason": "Жалобы в прокуратуру"})
    page = client.get("/omsk-map/office/painmap/?priority=high").get_data(as_text=True)
    assert "Долгое ожидание в очереди" in page and "Справку не выдают" not in page
    r = client.post(f"/omsk-map/office/painmap/pains/{made['second']}", data={"action": "merge",
                                                                              "merge-into": str(made["pain"])})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pains/{made['pain']}")
    with _in(app, tenant):
        pain = db.session.get(Pain, made["pain"])
        assert sorted((e.n, e.total) for e in pain.evidence) == [(5, 20), (12, 40)]
        assert db.session.get(Pain, made["second"]).status == "merged"
        assert (pain.priority_override, pain.priority_reason) == ("high", "Жалобы в прокуратуру")
    assert "Справку не выдают" not in client.get("/omsk-map/office/painmap/").get_data(as_text=True)


def _xlsx_rows(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data)).active
    return [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]


def test_xlsx_has_the_astrakhan_columns_grouped(app, client, people):
    tenant, _other, ids = people
    _map(app, tenant, owner_id=ids["operator"])
    login(client, "viewer@map.example")
    rows = _xlsx_rows(client.get("/omsk-map/office/painmap/export.xlsx?group=process").data)
    assert list(rows[0]) == COLUMNS
    # groups in alphabetical order: «Выдача справок» (the 25 % pain), then «Назначение пенсии» (30 %)
    assert rows[1][0] == "Выдача справок" and rows[1][1:] == (None,) * 7
    assert rows[2][:5] == (1, "Выдача справок", "Справку не выдают в день обращения",
                           "25 % (11,2–46,9 %); 5 из 20, 2025-Q1; мало ответов", "Низкий")
    assert rows[3][0] == "Назначение пенсии"
    assert rows[4] == (2, "Назначение пенсии", "Долгое ожидание в очереди",
                       "30 % (18,1–45,4 %); 12 из 40, 2025-Q1", "Низкий",
                       "1. Электронная очередь (Выполняется, 40 %)",
                       "1. Отдел информатизации — operator@map.example", "1. 30.06.2025")
    assert len(rows) == 5
    # by life situation: the pension pain is under both of its situations, the other under "none" (last)
    rows = _xlsx_rows(client.get("/omsk-map/office/painmap/export.xlsx?group=life_situation").data)
    headers = [r[0] for r in rows[1:] if r[1] is None]
    assert headers == ["Выход на пенсию", "Утрата кормильца", "Жизненная ситуация не указана"]
    assert [r[0] for r in rows[1:] if r[1] is not None] == [1, 2, 3]
    assert [r[2] for r in rows[1:] if r[1] is not None] == ["Долгое ожидание в очереди"] * 2 + [
        "Справку не выдают в день обращения"]
    # by touchpoint: МФЦ and ЕПГУ from the process, «Приемная» for the other (alphabetical)
    rows = _xlsx_rows(client.get("/omsk-map/office/painmap/export.xlsx?group=touchpoint").data)
    assert [r[0] for r in rows[1:] if r[1] is None] == ["ЕПГУ", "МФЦ", "Приемная"]

    text = client.get("/omsk-map/office/painmap/export.csv?group=process_group").data.decode("utf-8")
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert parsed[0] == ["Группировка", *COLUMNS]
    assert [(r[0], r[3]) for r in parsed[1:]] == [("Справки", "Справку не выдают в день обращения"),
                                                  ("Электронные услуги", "Долгое ожидание в очереди")]


def test_export_command(app, people, tmp_path):
    tenant, _other, ids = people
    _map(app, tenant, owner_id=ids["operator"])
    runner = app.test_cli_runner()
    out = tmp_path / "map.xlsx"
    result = runner.invoke(args=["painmap", "export", "--tenant", "omsk-map", "--format", "xlsx", "--group-by",
                                 "process_group", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = _xlsx_rows(out.read_bytes())
    assert list(rows[0]) == COLUMNS and [r[0] for r in rows[1:] if r[1] is None] == ["Справки", "Электронные услуги"]
    out_csv = tmp_path / "map.csv"
    result = runner.invoke(args=["painmap", "export", "--tenant", "omsk-map", "--format", "csv", "--group-by",
                                 "process", "--output", str(out_csv)])
    assert result.exit_code == 0 and "2 rows" in result.output
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = runner.invoke(args=["painmap", "export", "--tenant", "omsk-map", "--group-by", "region",
                              "--output", str(out)])
    assert bad.exit_code == 2 and "region" in bad.output


def test_api_gives_pains_with_figures_and_measures(app, client, people):
    tenant, _other, ids = people
    made = _map(app, tenant, owner_id=ids["operator"])
    assert client.get("/api/v1/omsk-map/painmap").status_code == 401
    with _in(app, tenant):
        db.session.add(ApiToken(name="BI", prefix="map-", token_hash=ApiToken.hash("map-token")))
        db.session.commit()
    r = client.get("/api/v1/omsk-map/painmap", headers={"Authorization": "Bearer map-token"})
    assert r.status_code == 200
    pains = {p["id"]: p for p in r.get_json()["pains"]}
    p = pains[made["pain"]]
    assert p["prevalence"] == {"n": 12, "N": 40, "period": "2025-Q1", "percent": 30, "ci_low": 18.1,
                               "ci_high": 45.4, "too_few_answers": False, "band": "low", "priority": "low"}
    assert (p["band"], p["priority"], p["progress"]) == ("low", "low", 40)
    assert p["process"]["name"] == "Назначение пенсии"
    assert p["evidence"][0]["method"] == "Опрос в МФЦ"
    assert (p["measures"][0]["wording"], p["measures"][0]["due_date"], p["measures"][0]["owner_id"]) == (
        "Электронная очередь", "2025-06-30", ids["operator"])
    assert pains[made["second"]]["prevalence"]["too_few_answers"] is True
    assert client.get("/api/v1/omsk-map/painmap?status=bogus",
                      headers={"Authorization": "Bearer map-token"}).status_code == 422
    assert "/{tenant}/painmap" in client.get("/api/v1/openapi.json").get_json()["paths"]
    assert client.get("/api/v1/omsk-other/painmap", headers={"Authorization": "Bearer map-token"}).status_code == 401


def test_operator_proposes_a_pain_with_a_manual_source(app, client, people):
    tenant, _other, _ids = people
    login(client, "operator@map.example")
    url = "/omsk-map/office/painmap/pains/new"
    bad = client.post(url, data={"process_id": "0", "kind": "need", "audience": "external",
                                 "wording": "Запись на прием онлайн", "n": "50", "total": "40", "period": "2025-Q1",
                                 "method": "Опрос"})
    assert bad.status_code == 200 and "n не может быть больше N (40)" in bad.get_data(as_text=True)
    with _in(app, tenant):
        assert db.session.execute(select(Pain)).first() is None  # nothing partial stored
    r = client.post(url, data={"process_id": "0", "kind": "need", "audience": "external",
                               "wording": "Запись на прием онлайн", "n": "9", "total": "30", "period": "2025-q1",
                               "method": "Опрос на личном приеме"})
    assert r.status_code == 302
    with _in(app, tenant):
        pain = db.session.execute(select(Pain)).unique().scalar_one()
        assert (pain.status, pain.kind, pain.evidence[0].period, pain.evidence[0].n) == ("new", "need", "2025-Q1", 9)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    # 9 of 30 = 30 %, Wilson 16.7-47.9 %
    assert "30 % (16,7–47,9 %)" in page and "Опрос на личном приеме" in page
    assert re.search(r"Добавить мероприятие", page) is None  # operators do not add measures


def test_typed_text_never_becomes_a_formula_in_the_xlsx(app, client, people):
    tenant, _other, _ids = people
    with _in(app, tenant):
        db.session.add(Process(name="=HYPERLINK(\"http://x\")", touchpoints=[], life_situations=[]))
        db.session.flush()
        process = db.session.execute(select(Process)).scalar_one()
        db.session.add(Pain(process_id=process.id, wording="=1+1", status="new"))
        db.session.commit()
    login(client, "officer@map.example")
    ws = load_workbook(io.BytesIO(client.get("/omsk-map/office/painmap/export.xlsx").data)).active
    assert (ws["A2"].value, ws["A2"].data_type) == ('=HYPERLINK("http://x")', "s")  # the group header
    assert (ws["C3"].value, ws["C3"].data_type) == ("=1+1", "s")
    assert (ws["A3"].value, ws["A3"].data_type) == (1, "n")
