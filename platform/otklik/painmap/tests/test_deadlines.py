"""Deadlines of measures: the tick marks the overdue ones once (against the authority's local today), the office
home lists them with those due within 14 days, and the regional administrator sees each authority's overdue count."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.jobs import tick
from otklik.models import Measure, Pain, PainEvent, Tenant
from otklik.tenancy import tenant_scope

# 2025-06-10 20:30 UTC is already 11 June in Omsk (UTC+6) and still 10 June in Moscow (UTC+3)
NOW = "2025-06-10T20:30:00+00:00"


def _measures(app, tenant, rows: list[tuple[str, date | None, str]]) -> list[int]:
    """rows: (wording, due date, status) of measures of one pain."""
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        pain = Pain(wording="Очередь в МФЦ")
        db.session.add(pain)
        db.session.flush()
        measures = [Measure(pain_id=pain.id, wording=w, due_date=d, status=s, unit="Отдел услуг") for w, d, s in rows]
        db.session.add_all(measures)
        db.session.commit()
        return [m.id for m in measures]


ROWS = [
    ("Вчерашний срок", date(2025, 6, 10), "in_progress"),  # overdue in Omsk (11 June), not in Moscow
    ("Давний срок", date(2025, 5, 1), "planned"),  # overdue everywhere
    ("Выполнено", date(2025, 5, 1), "done"),
    ("Отменено", date(2025, 5, 1), "cancelled"),
    ("Сегодня", date(2025, 6, 11), "on_hold"),  # due today in Omsk: due soon, not overdue
    ("Через две недели", date(2025, 6, 25), "planned"),  # 14 days ahead: due soon
    ("Через пятнадцать дней", date(2025, 6, 26), "planned"),  # 15 days: neither
    ("Без срока", None, "planned"),
]


@pytest.fixture
def omsk(make_tenant):
    return make_tenant("omsk", slug="omsk-deadlines")


def test_the_tick_marks_overdue_measures_once(app, omsk):
    ids = _measures(app, omsk, ROWS)
    first = tick(NOW)
    second = tick(NOW)
    with app.app_context(), tenant_scope(db.session.get(Tenant, omsk.id)):
        marked = {m.wording: m.overdue_marked_at for m in db.session.execute(select(Measure)).scalars()}
        events = db.session.execute(select(PainEvent.measure_id, PainEvent.field, PainEvent.new)
                                    .where(PainEvent.field == "overdue").order_by(PainEvent.measure_id)).all()
    assert {w for w, at in marked.items() if at is not None} == {"Вчерашний срок", "Давний срок"}
    assert len({at for at in marked.values() if at is not None}) == 1  # both marked by the first tick
    # one history row each: the second tick marked nothing
    assert events == [(ids[0], "overdue", "2025-06-10"), (ids[1], "overdue", "2025-05-01")]
    overdue_lines = [w for w in first["warnings"] if "omsk-deadlines" in w and "не выполнено" in w]
    assert len(overdue_lines) == 2
    assert f"мероприятие №{ids[1]}" in overdue_lines[0] and "2025-05-01" in overdue_lines[0]
    # due within 14 days of 11 June: today's and the 25 June one
    assert "omsk-deadlines: мероприятий со сроком в ближайшие 14 дн.: 2." in first["warnings"]
    assert [w for w in second["warnings"] if "не выполнено" in w and "omsk-deadlines" in w] == []
    assert "omsk-deadlines: мероприятий со сроком в ближайшие 14 дн.: 2." in second["warnings"]


def _relative(today: date) -> list[tuple[str, date | None, str]]:
    """ROWS moved so that Omsk's today is 11 June 2025 -> `today` (the page reads the real clock)."""
    shift = today - date(2025, 6, 11)
    return [(w, d + shift if d else None, s) for w, d, s in ROWS]


def test_the_office_home_shows_overdue_and_due_soon(app, client, login_as, make_user, omsk):
    from otklik.periods import local_today

    _measures(app, omsk, _relative(local_today("Asia/Omsk")))
    make_user("viewer@omsk.test", tenant=omsk, role="viewer")
    login_as("viewer@omsk.test")
    page = client.get("/omsk-deadlines/office/").get_data(as_text=True)
    assert "Карта болей: сроки мероприятий" in page
    assert '<strong id="measures-overdue">2</strong>' in page
    assert '<strong id="measures-due-soon">2</strong>' in page
    overdue = page[page.index('id="measures-overdue"'):page.index('id="measures-due_soon"')]
    soon = page[page.index('id="measures-due_soon"'):page.index("</section>", page.index('id="measures-due_soon"'))]
    assert overdue.index("Давний срок") < overdue.index("Вчерашний срок")  # the longest overdue first
    assert "просрочено на 41 дн." in overdue and "просрочено на 1 дн." in overdue  # 1 May and 10 June of 11 June
    assert soon.index("Сегодня") < soon.index("Через две недели")
    for absent in ("Выполнено", "Отменено", "Без срока", "Через пятнадцать дней"):
        assert absent not in page


def test_no_panel_without_deadlines(app, client, login_as, make_user, omsk):
    make_user("viewer@omsk.test", tenant=omsk, role="viewer")
    login_as("viewer@omsk.test")
    assert "Карта болей: сроки мероприятий" not in client.get("/omsk-deadlines/office/").get_data(as_text=True)


def test_the_home_panel_counts_by_the_authority_today(app, omsk):
    from otklik.painmap import deadlines

    _measures(app, omsk, ROWS)
    with app.test_request_context(), tenant_scope(db.session.get(Tenant, omsk.id)):
        today = date(2025, 6, 11)
        assert [m.wording for m in deadlines.overdue(today)] == ["Давний срок", "Вчерашний срок"]
        assert [m.wording for m in deadlines.due_soon(today)] == ["Сегодня", "Через две недели"]


def test_the_admin_list_shows_each_authority_overdue_count(app, client, login_as, make_user, make_tenant, omsk):
    from otklik.periods import local_today

    vladimir = make_tenant("vladimir", slug="vlad-deadlines")
    _measures(app, omsk, _relative(local_today("Asia/Omsk")))  # 2 overdue
    _measures(app, vladimir, [("Давний срок", date(2025, 1, 1), "planned"), ("Готово", date(2025, 1, 1), "done")])
    make_user("admin@region.test", global_role="admin")
    login_as("admin@region.test")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Просроченные мероприятия" in page
    row = {slug: page[page.index(f"/{slug}/"):].split('class="overdue-measures">', 1)[1].split("<", 1)[0]
           for slug in ("omsk-deadlines", "vlad-deadlines")}
    assert row == {"omsk-deadlines": "2", "vlad-deadlines": "1"}


def test_overdue_counts_use_each_authority_local_today(app, make_tenant, omsk):
    from otklik.painmap.deadlines import overdue_counts

    moscow = make_tenant("vladimir", slug="vlad-today")  # Moscow time
    _measures(app, omsk, [("Вчерашний срок", date(2025, 6, 10), "planned")])
    _measures(app, moscow, [("Вчерашний срок", date(2025, 6, 10), "planned")])
    with app.app_context():
        tenants = db.session.execute(select(Tenant).order_by(Tenant.id)).scalars().all()
        counts = overdue_counts(tenants, datetime.fromisoformat(NOW))
    assert counts == {omsk.id: 1, moscow.id: 0}  # 11 June in Omsk, 10 June in Vladimir
