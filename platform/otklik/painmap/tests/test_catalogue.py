"""The catalogue of processes: its pages (officers edit, others read, another authority's entries 404), the CSV
import (all or nothing, the bad row named), the life situations, and the links of appeals and surveys by name."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.models import Appeal, Process, Questionnaire, QuestionnaireVersion, Survey, Tenant
from otklik.tenancy import tenant_scope

CSV = ("kind,name,group,touchpoints,life_situations\n"
       "service,Выдача справки о доходах,Услуги в электронном виде,ЕПГУ|МФЦ,Рождение ребёнка|Выход на пенсию\n"
       "мера поддержки,Компенсация ЖКУ,,Личный приём,Выход на пенсию\n"
       "Внутренний процесс,Получение сотрудниками справки,,,\n")


@pytest.fixture
def astrakhan(make_tenant, make_user):
    tenant = make_tenant("astrakhan", slug="astr-cat")
    make_user("officer@astr.test", tenant=tenant, role="officer")
    make_user("operator@astr.test", tenant=tenant, role="operator")
    make_user("viewer@astr.test", tenant=tenant, role="viewer")
    return tenant


def _rows(app, tenant):
    with app.app_context():
        with tenant_scope(db.session.get(Tenant, tenant.id)):
            return {p.name: (p.kind, p.group, p.touchpoints, p.life_situations, p.active)
                    for p in db.session.execute(select(Process)).scalars()}


def _upload(client, slug, text, encoding="utf-8"):
    from io import BytesIO

    return client.post(f"/{slug}/office/catalogue/import", data={"file": (BytesIO(text.encode(encoding)), "c.csv")},
                       content_type="multipart/form-data")


def test_officer_imports_a_csv_and_sees_the_entries(app, client, login_as, astrakhan):
    login_as("officer@astr.test")
    response = _upload(client, "astr-cat", CSV)
    assert response.status_code == 302
    assert _rows(app, astrakhan) == {
        "Выдача справки о доходах": ("service", "Услуги в электронном виде", ["ЕПГУ", "МФЦ"],
                                     ["Рождение ребёнка", "Выход на пенсию"], True),
        "Компенсация ЖКУ": ("support_measure", "", ["Личный приём"], ["Выход на пенсию"], True),
        "Получение сотрудниками справки": ("internal", "", [], [], True),
    }
    page = client.get("/astr-cat/office/catalogue/").get_data(as_text=True)
    assert "Компенсация ЖКУ" in page and "Мера поддержки" in page and "Внутренний процесс" in page
    situations = client.get("/astr-cat/office/catalogue/life-situations").get_data(as_text=True)
    # "Выход на пенсию" groups two entries, "Рождение ребёнка" one
    assert "<td>Выход на пенсию</td><td>2</td>" in situations
    assert "<td>Рождение ребёнка</td><td>1</td>" in situations


def test_a_bad_row_refuses_the_whole_file_and_names_the_row(app, client, login_as, astrakhan):
    login_as("officer@astr.test")
    bad = CSV + "надзор,,Группа,,\nфункция,компенсация  жку,,,\n"  # row 5: no name, unknown kind; row 6: repeat
    response = _upload(client, "astr-cat", bad)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Файл отклонён" in page
    assert "строка 5: название не заполнено; неизвестный вид «надзор»" in page
    assert "строка 6: название повторяет строку 3" in page
    assert _rows(app, astrakhan) == {}  # nothing stored


def test_windows_1251_with_semicolons_updates_an_entry_by_name(app, client, login_as, astrakhan):
    login_as("officer@astr.test")
    _upload(client, "astr-cat", CSV)
    update = "kind;name;group;touchpoints;life_situations\nфункция;КОМПЕНСАЦИЯ  ЖКУ;Льготы;Почта;\n"
    assert _upload(client, "astr-cat", update, "cp1251").status_code == 302
    rows = _rows(app, astrakhan)
    assert len(rows) == 3
    assert rows["КОМПЕНСАЦИЯ ЖКУ"] == ("function", "Льготы", ["Почта"], [], True)


def test_add_edit_deactivate_and_rename_a_life_situation(app, client, login_as, astrakhan):
    login_as("officer@astr.test")
    response = client.post("/astr-cat/office/catalogue/new", data={
        "kind": "control", "name": " Лицензионный  контроль ", "group": "Надзор", "touchpoints": "Выездная проверка",
        "new_situations": "Управление домом\nуправление домом"})
    assert response.status_code == 302
    assert _rows(app, astrakhan) == {"Лицензионный контроль": ("control", "Надзор", ["Выездная проверка"],
                                                               ["Управление домом"], True)}
    # a second entry differing only in case is refused
    again = client.post("/astr-cat/office/catalogue/new", data={"kind": "service", "name": "лицензионный контроль"})
    assert again.status_code == 200 and "В каталоге уже есть «Лицензионный контроль»" in again.get_data(as_text=True)
    with app.app_context(), tenant_scope(db.session.get(Tenant, astrakhan.id)):
        pid = db.session.execute(select(Process.id)).scalar_one()
    form = client.get(f"/astr-cat/office/catalogue/{pid}").get_data(as_text=True)
    assert 'value="Управление домом"' in form and "checked" in form  # the existing situation offered, ticked
    client.post(f"/astr-cat/office/catalogue/{pid}", data={
        "kind": "control", "name": "Лицензионный контроль", "group": "", "touchpoints": "",
        "life_situations": ["Управление домом"], "new_situations": "Капремонт"})
    assert _rows(app, astrakhan)["Лицензионный контроль"][3] == ["Управление домом", "Капремонт"]
    client.post("/astr-cat/office/catalogue/life-situations", data={"old": "Капремонт", "new": "Капитальный ремонт"})
    assert _rows(app, astrakhan)["Лицензионный контроль"][3] == ["Управление домом", "Капитальный ремонт"]
    client.post("/astr-cat/office/catalogue/life-situations", data={"old": "Управление домом", "new": ""})
    assert _rows(app, astrakhan)["Лицензионный контроль"][3] == ["Капитальный ремонт"]
    client.post(f"/astr-cat/office/catalogue/{pid}/active")
    assert _rows(app, astrakhan)["Лицензионный контроль"][4] is False
    assert f'id="process-{pid}"' not in client.get("/astr-cat/office/catalogue/").get_data(as_text=True)
    assert f'id="process-{pid}"' in client.get("/astr-cat/office/catalogue/?all=1").get_data(as_text=True)


def test_roles_and_another_authority(app, client, login_as, astrakhan, make_tenant, make_user):
    login_as("officer@astr.test")
    _upload(client, "astr-cat", CSV)
    with app.app_context(), tenant_scope(db.session.get(Tenant, astrakhan.id)):
        pid = db.session.execute(select(Process.id).where(Process.name == "Компенсация ЖКУ")).scalar_one()
    client.post("/logout")
    for email in ("operator@astr.test", "viewer@astr.test"):
        login_as(email)
        page = client.get("/astr-cat/office/catalogue/").get_data(as_text=True)
        assert "Компенсация ЖКУ" in page and "Добавить запись" not in page
        assert client.get(f"/astr-cat/office/catalogue/{pid}").status_code == 200
        assert client.post(f"/astr-cat/office/catalogue/{pid}", data={"kind": "service", "name": "X"}).status_code \
            == 403
        assert client.get("/astr-cat/office/catalogue/new").status_code == 403
        assert client.post("/astr-cat/office/catalogue/link").status_code == 403
        assert client.post(f"/astr-cat/office/catalogue/{pid}/active").status_code == 403
        client.post("/logout")
    assert _rows(app, astrakhan)["Компенсация ЖКУ"][4] is True
    other = make_tenant("vladimir", slug="vlad-cat")
    make_user("officer@vlad.test", tenant=other, role="officer")
    login_as("officer@vlad.test")
    assert client.get(f"/vlad-cat/office/catalogue/{pid}").status_code == 404  # A's entry under B's address
    assert client.post(f"/vlad-cat/office/catalogue/{pid}/active").status_code == 404
    assert client.get("/astr-cat/office/catalogue/").status_code == 404  # B's officer in A's office
    assert "Компенсация ЖКУ" not in client.get("/vlad-cat/office/catalogue/").get_data(as_text=True)


def _appeals_and_surveys(app, tenant, objects: list[str], survey_objects: list[str]):
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        for i, text in enumerate(objects):
            db.session.add(Appeal(external_id=f"L-{i}", kind="appeal", channel="website", object=text,
                                  registered_at=datetime(2025, 2, 1, tzinfo=UTC), due_date=date(2025, 3, 3)))
        q = Questionnaire(title="Анкета")
        db.session.add(q)
        db.session.flush()
        v = QuestionnaireVersion(questionnaire_id=q.id, number=1, questions=[])
        db.session.add(v)
        db.session.flush()
        for text in survey_objects:
            db.session.add(Survey(questionnaire_version_id=v.id, title="Опрос", object=text))
        db.session.commit()


def test_link_by_name_reports_linked_and_not_in_the_catalogue(app, client, login_as, astrakhan, make_tenant):
    login_as("officer@astr.test")
    _upload(client, "astr-cat", CSV)
    _appeals_and_surveys(app, astrakhan,
                         ["Компенсация ЖКУ", "компенсация   жку", "КОМПЕНСАЦИЯ ЖКУ", "Выдача справки о доходах",
                          "Субсидия", "субсидия", "Пособие", ""],
                         ["Выдача справки о доходах", "Опрос о пособии"])
    other = make_tenant("vladimir", slug="vlad-link")
    _appeals_and_surveys(app, other, ["Компенсация ЖКУ"], [])
    page = client.post("/astr-cat/office/catalogue/link").get_data(as_text=True)
    # appeals: 3 + 1 linked; surveys: 1 linked; not in the catalogue: Субсидия 2, Опрос о пособии 1, Пособие 1
    assert "Связано с каталогом: обращений — 4, опросов — 1." in page
    assert page.index("«Субсидия» — 2") < page.index("«Опрос о пособии» — 1") < page.index("«Пособие» — 1")
    with app.app_context():
        with tenant_scope(db.session.get(Tenant, astrakhan.id)):
            ids = {p.name: p.id for p in db.session.execute(select(Process)).scalars()}
            linked = db.session.execute(select(Appeal.object, Appeal.process_id).order_by(Appeal.id)).all()
            survey_links = db.session.execute(select(Survey.object, Survey.process_id).order_by(Survey.id)).all()
        with tenant_scope(db.session.get(Tenant, other.id)):
            other_links = db.session.execute(select(Appeal.process_id)).scalars().all()
    jkh, doc = ids["Компенсация ЖКУ"], ids["Выдача справки о доходах"]
    assert [p for _, p in linked] == [jkh, jkh, jkh, doc, None, None, None, None]
    assert survey_links == [("Выдача справки о доходах", doc), ("Опрос о пособии", None)]
    assert other_links == [None]  # another authority's appeal of the same text is not touched
    # run again: nothing more to link
    again = client.post("/astr-cat/office/catalogue/link").get_data(as_text=True)
    assert "Связано с каталогом: обращений — 0, опросов — 0." in again
    index = client.get("/astr-cat/office/catalogue/").get_data(as_text=True)
    assert "«Субсидия» — 2" in index


def test_the_migration_links_by_name(app, tmp_path):
    """0009 on a database with a catalogue: matching objects are linked, case and spaces aside."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from otklik import create_app

    old = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "REDIS_URL": app.config["REDIS_URL"], "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
                      "SECRET_KEY": "test"})
    with old.app_context():
        upgrade(revision="0008_painmap")
        with db.engine.begin() as conn:
            for pid, tenant, name in ((1, 1, "Компенсация ЖКУ"), (2, 2, "Компенсация ЖКУ"), (3, 1, "Пособие"),
                                      (4, 1, "пособие")):
                conn.execute(text("INSERT INTO process (id, tenant_id, kind, name, process_group, touchpoints, "
                                  "life_situations, active, created_at) VALUES (:i, :t, 'service', :n, '', '[]', "
                                  "'[]', 1, '2025-01-01')"), {"i": pid, "t": tenant, "n": name})
            for aid, tenant, obj in ((1, 1, "компенсация  жку"), (2, 2, "Компенсация ЖКУ"), (3, 1, "Пособие"),
                                     (4, 1, "Другое")):
                conn.execute(text("INSERT INTO appeal (id, tenant_id, external_id, kind, audience, channel, "
                                  "registered_at, due_date, extended_days, extension_reason, redirected_to, "
                                  "topic_code, reason, segment, client_type, object, outcome, summary, created_at) "
                                  "VALUES (:i, :t, :i, 'appeal', 'external', 'website', '2025-01-01', '2025-01-31', "
                                  "0, '', '', '', '', '', 'individual', :o, 'pending', '', '2025-01-01')"),
                             {"i": aid, "t": tenant, "o": obj})
        upgrade(revision="0009_process_links")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, process_id FROM appeal ORDER BY id")).all()
        db.engine.dispose()
    # 1 -> its tenant's entry; 2 -> tenant 2's entry; 3: two entries answer «пособие», left unlinked; 4: none
    assert rows == [(1, 1), (2, 2), (3, None), (4, None)]
