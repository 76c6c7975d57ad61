"""The map per period (issue 11, item 6) and its section in the reports (item 10): each analysis freezes the map as
its period's version through the after-analysis duty on a real RQ worker; the next period's version says what
changed (new, resolved, verified, band changes, measures that became overdue); re-running a period replaces its
version; the information note and the analysis XLSX show the authority's own map, never another's."""

import hashlib
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from otklik.analysis.tests import test_survey_metrics as fx
from otklik.extensions import db
from otklik.jobs import after_analysis
from otklik.models import Evidence, Measure, Pain, PainmapVersion, Process
from otklik.painmap import versions
from otklik.testing import login

from .test_service import _analyse, _respondents
from .test_views import COLUMNS, _in


@pytest.fixture
def omsk(app, make_tenant, make_user):
    tenant = make_tenant("omsk", slug="omsk-versions")
    make_user("officer@versions.example", tenant=tenant, role="officer")
    with app.app_context():
        fx.add_survey(tenant, _respondents("2025-01", 24, 40) + _respondents("2025-02", 4, 40))
    return tenant


def _pains(app, tenant) -> dict:
    """Hand-made pains before January's analysis:
    A "Очереди" 24 of 40 (60 %, medium), in work, with a measure due 10.01.2025 not done (overdue already);
    B "Справки" 12 of 40 (30 %, low), confirmed;
    E "Запись по телефону" 30 of 40 (75 %, medium), resolved."""
    with _in(app, tenant):
        process = Process(name="Назначение пенсии")
        db.session.add(process)
        db.session.flush()
        a = Pain(process_id=process.id, wording="Очереди", status="in_work")
        a.evidence.append(Evidence(source="manual", period="2025-01", n=24, total=40, method="Опрос"))
        a.measures.append(Measure(wording="Электронная очередь", unit="Отдел ИТ", due_date=date(2025, 1, 10),
                                  status="in_progress", progress=50))
        b = Pain(process_id=process.id, wording="Справки", status="confirmed")
        b.evidence.append(Evidence(source="manual", period="2025-01", n=12, total=40, method="Опрос"))
        e = Pain(wording="Запись по телефону", status="resolved")
        e.evidence.append(Evidence(source="manual", period="2025-01", n=30, total=40, method="Опрос"))
        db.session.add_all([a, b, e])
        db.session.commit()
        return {"a": a.id, "b": b.id, "e": e.id, "measure": a.measures[0].id}


def _between(app, tenant, ids) -> dict:
    """Changes before February's analysis: A resolved; B 16 of 40 in February (40 %: low -> medium) with a new
    measure due 01.02.2025 (overdue now); E verified; C new."""
    with _in(app, tenant):
        a, b, e = (db.session.get(Pain, ids[k]) for k in ("a", "b", "e"))
        a.status, e.status = "resolved", "verified"
        b.evidence.append(Evidence(source="manual", period="2025-02", n=16, total=40, method="Опрос"))
        b.measures.append(Measure(wording="Выдача в день обращения", unit="Приемная", due_date=date(2025, 2, 1)))
        c = Pain(wording="Нет парковки", status="new")
        db.session.add(c)
        db.session.commit()
        return {"c": c.id, "b_measure": b.measures[0].id}


def test_each_period_freezes_a_version_and_the_next_says_what_changed(app, client, run_jobs, omsk):
    ids = _pains(app, omsk)
    january = _analyse(app, run_jobs, omsk, "2025-01")
    with _in(app, omsk):
        (v1,) = db.session.execute(select(PainmapVersion)).scalars().all()
        assert (v1.period, v1.kind, v1.analysis_id) == ("2025-01", "surveys", january)
        rows = {r["id"]: r for r in v1.rows}
        assert set(rows) == {ids["a"], ids["b"], ids["e"]}
        a = rows[ids["a"]]
        # 24 of 40 = 60 %, Wilson 44.6-73.7 %, medium, priority medium (Omsk 16: priority follows prevalence)
        assert (a["process"], a["status"], a["n"], a["N"], a["prevalence"], a["band"], a["priority"]) == (
            "Назначение пенсии", "in_work", 24, 40, 60, "medium", "medium")
        assert (round(a["ci_low"] * 100, 1), round(a["ci_high"] * 100, 1)) == (44.6, 73.7)
        assert a["measures"] == [{"id": ids["measure"], "wording": "Электронная очередь", "status": "in_progress",
                                  "progress": 50, "due_date": "2025-01-10", "responsible": "Отдел ИТ",
                                  "overdue": True}]
        assert rows[ids["b"]]["band"] == "low" and rows[ids["b"]]["prevalence"] == 30
        canonical = json.dumps(v1.rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert v1.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
        first = versions.changes(v1, None)
        assert {r["id"] for r in first.new} == set(rows)
        v1_sha = v1.sha256

    more = _between(app, omsk, ids)
    february = _analyse(app, run_jobs, omsk, "2025-02")
    with _in(app, omsk):
        v2 = versions.of_period("2025-02")
        assert v2.analysis_id == february
        assert versions.previous(v2).period == "2025-01"
        ch = versions.changes(v2, versions.previous(v2))
        assert [r["id"] for r in ch.new] == [more["c"]]
        assert [r["id"] for r in ch.resolved] == [ids["a"]]
        assert [r["id"] for r in ch.verified] == [ids["e"]]
        assert [(r["id"], old, new) for r, old, new in ch.bands] == [(ids["b"], "low", "medium")]
        # A's measure was overdue in January already: only B's new one became overdue
        assert [(r["id"], x["id"]) for r, x in ch.overdue] == [(ids["b"], more["b_measure"])]
        assert versions.latest_changes().after.id == v2.id

    login(client, "officer@versions.example")
    page = client.get("/omsk-versions/office/painmap/versions").get_data(as_text=True)
    assert "Что изменилось" in page and "Нет парковки" in page and "Выдача в день обращения" in page
    assert "низкая распространенность → средняя распространенность" in page.replace("ё", "е")
    home = client.get("/omsk-versions/office/painmap/").get_data(as_text=True)
    assert "Что изменилось" in home and "Нет парковки" in home
    with _in(app, omsk):
        v1_id = versions.of_period("2025-01").id
    first_page = client.get(f"/omsk-versions/office/painmap/versions/{v1_id}").get_data(as_text=True)
    assert "Первая версия карты" in first_page
    # the February note says the same in one line above the map
    note = client.get(f"/omsk-versions/office/reports/{february}/note").get_data(as_text=True)
    assert ("С версии за 2025-01: новых болей — 1, решено — 1, подтверждено замером — 1, изменился уровень "
            "распространенности — 1, стали просроченными мероприятий — 1.") in note
    assert "Нет парковки" in note

    # re-running January's analysis replaces January's version: still two versions, January's now holds C
    with app.app_context():
        after_analysis(january)
    with _in(app, omsk):
        assert db.session.execute(select(func.count(PainmapVersion.id))).scalar() == 2
        v1 = versions.of_period("2025-01")
        assert more["c"] in {r["id"] for r in v1.rows} and v1.sha256 != v1_sha


def test_another_authoritys_version_answers_404(app, client, run_jobs, omsk, make_tenant, make_user):
    other = make_tenant("omsk", slug="omsk-versions-other")
    make_user("officer@other-versions.example", tenant=other, role="officer")
    _pains(app, omsk)
    _analyse(app, run_jobs, omsk, "2025-01")
    with _in(app, omsk):
        v1 = versions.of_period("2025-01").id
    login(client, "officer@other-versions.example")
    assert client.get(f"/omsk-versions-other/office/painmap/versions/{v1}").status_code == 404
    page = client.get("/omsk-versions-other/office/painmap/versions").get_data(as_text=True)
    assert "Очереди" not in page


def test_note_and_xlsx_of_an_analysis_show_the_authoritys_own_map(app, client, run_jobs, omsk, make_tenant,
                                                                   make_user):
    other = make_tenant("omsk", slug="omsk-versions-other")
    with app.app_context():
        fx.add_survey(other, _respondents("2025-01", 10, 40))
    with _in(app, other):
        db.session.add(Pain(wording="Чужая боль", status="new"))
        db.session.commit()
    _pains(app, omsk)
    january = _analyse(app, run_jobs, omsk, "2025-01")
    _analyse(app, run_jobs, other, "2025-01")
    login(client, "officer@versions.example")

    data = client.get(f"/omsk-versions/office/reports/{january}/xlsx").get_data()
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Карта болей"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == COLUMNS
    text = [" ".join(str(v) for v in row if v is not None) for row in values]
    assert not any("Чужая боль" in line for line in text)
    # the group "Назначение пенсии" (A before B: medium priority before low), then the group without a process
    group = text.index("Назначение пенсии")
    a, b = values[group + 1], values[group + 2]
    assert a[1:3] == ["Назначение пенсии", "Очереди"] and b[2] == "Справки"
    assert a[3] == "60 % (44,6–73,7 %); 24 из 40, 2025-01" and a[4] == "Средний"
    assert a[5] == "1. Электронная очередь (Выполняется, 50 %)" and a[6] == "1. Отдел ИТ" and a[7] == "1. 10.01.2025"
    assert any("Запись по телефону" in line for line in text)

    note = client.get(f"/omsk-versions/office/reports/{january}/note").get_data(as_text=True)
    assert "Карта болей" in note and "Очереди" in note and "60 % (44,6–73,7 %)" in note
    assert "Чужая боль" not in note
