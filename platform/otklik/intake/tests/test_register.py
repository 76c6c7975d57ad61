"""Office register: deadline states (59-FZ), registering and recording on the forms, list filters and pagination,
overdue counts on the office home, the classifier and its loading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.intake import deadlines
from otklik.intake.classifier import ClassifierError, check_code, parse_classifier
from otklik.models import Appeal
from otklik.tenancy import tenant_scope

from .helpers import appeals, tenant_row

MSK = ZoneInfo("Europe/Moscow")


def make(registered: date, *, answered: date | None = None, outcome="pending", extended=0, received=None,
         redirected: date | None = None) -> Appeal:
    at = lambda d: datetime.combine(d, datetime.min.time().replace(hour=12), MSK).astimezone(UTC)  # noqa: E731
    reg = at(registered)
    return Appeal(external_id="x", kind="appeal", channel="website", registered_at=reg,
                  answered_at=at(answered) if answered else None, outcome=outcome, extended_days=extended,
                  due_date=deadlines.due_date_for(reg, MSK, extended), received_at=at(received) if received else None,
                  redirected_at=at(redirected) if redirected else None)


@pytest.mark.parametrize("appeal, today, expected", [
    (make(date(2025, 1, 10)), date(2025, 1, 20), "open"),
    (make(date(2025, 1, 10)), date(2025, 2, 5), "due_soon"),
    (make(date(2025, 1, 10)), date(2025, 2, 9), "due_soon"),  # the 30th day is still in time
    (make(date(2025, 1, 10)), date(2025, 2, 10), "overdue"),
    (make(date(2025, 1, 10), extended=30), date(2025, 2, 10), "open"),
    (make(date(2025, 1, 10), extended=30), date(2025, 3, 12), "overdue"),
    (make(date(2025, 1, 10), answered=date(2025, 2, 9), outcome="explained"), date(2025, 6, 1), "answered"),
    (make(date(2025, 1, 10), answered=date(2025, 2, 10), outcome="explained"), date(2025, 6, 1), "answered_late"),
    (make(date(2025, 1, 10), answered=date(2025, 3, 1), outcome="supported", extended=30), date(2025, 6, 1),
     "answered"),
    (make(date(2025, 1, 10), outcome="redirected", redirected=date(2025, 1, 17)), date(2025, 6, 1), "redirected"),
    (make(date(2025, 1, 10), outcome="redirected", redirected=date(2025, 1, 18)), date(2025, 6, 1),
     "redirected_late"),
    (make(date(2025, 1, 10), outcome="redirected", answered=date(2025, 1, 12)), date(2025, 6, 1), "redirected"),
])
def test_deadline_states(appeal, today, expected):
    assert deadlines.state(appeal, MSK, today) == expected


def test_registration_within_three_days_of_receipt():
    assert not deadlines.registered_late(make(date(2025, 1, 10), received=date(2025, 1, 7)), MSK)
    assert deadlines.registered_late(make(date(2025, 1, 10), received=date(2025, 1, 6)), MSK)
    assert not deadlines.registered_late(make(date(2025, 1, 10)), MSK)  # receipt not recorded


@pytest.mark.parametrize("code, reason", [
    ("0002.0007.0073.0510", ""), ("0005.0005.0056.1153.0001", ""), ("", ""),
    ("0002.0007.0073", "topic_malformed"), ("2.7.73.510", "topic_malformed"), ("0002-0007-0073-0510",
                                                                                "topic_malformed"),
    ("0002.0007.0073.0510.0001.0002", "topic_malformed"), ("0006.0001.0001.0001", "topic_unknown_section"),
])
def test_classifier_codes_without_a_loaded_list(code, reason):
    assert check_code(code, set()) == reason


def test_loaded_classifier_is_the_stricter_rule():
    known = {"0002.0007.0073.0510", "0009.0001.0001.0001"}
    assert check_code("0002.0007.0073.0510.0003", known) == ""  # a sub-question of a known question
    assert check_code("0009.0001.0001.0001", known) == ""
    assert check_code("0002.0007.0073.0511", known) == "topic_unknown"


def test_classifier_file_is_refused_whole_on_a_bad_line():
    assert parse_classifier("код;наименование\n0001.0001.0001.0001;Конституция\n".encode("cp1251")) == [
        ("0001.0001.0001.0001", "Конституция")]
    with pytest.raises(ClassifierError) as bad:
        parse_classifier(b"0001.0001.0001.0001;a\n0001.0001;b\n0001.0001.0001.0001;c\n")
    assert [(line, reason) for line, _v, reason in bad.value.errors] == [(2, "malformed code"), (3, "duplicate code")]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251", "koi8-r"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_classifier_titles_keep_a_quoted_delimiter(encoding, delimiter):
    text = (f'код{delimiter}наименование\n'
            f'0001.0001.0001.0001{delimiter}"Конституция; права, свободы"\n'
            f'0002.0007.0073.0510{delimiter}Выплаты пособий\n')
    assert parse_classifier(text.encode(encoding)) == [("0001.0001.0001.0001", "Конституция; права, свободы"),
                                                       ("0002.0007.0073.0510", "Выплаты пособий")]


def test_classifier_unquoted_semicolons_stay_in_the_title_and_an_open_quote_is_refused():
    data = "0001.0001.0001.0001;Конституция; права\n0002.0007.0073.0510;Выплаты\n".encode("cp1251")
    assert parse_classifier(data)[0] == ("0001.0001.0001.0001", "Конституция; права")
    with pytest.raises(ClassifierError) as bad:
        parse_classifier('0001.0001.0001.0001;"Конституция\n0002.0007.0073.0510;Выплаты\n'.encode("cp1251"))
    assert [(line, reason) for line, _v, reason in bad.value.errors] == [(1, "unclosed quote")]


def test_classifier_of_another_encoding_is_refused_not_garbled(app):
    with app.app_context(), pytest.raises(ClassifierError) as bad:
        parse_classifier("0001.0001.0001.0001;Constitution française, élections\n".encode("latin-1"))
    assert str(bad.value) == "Не удалось определить кодировку файла: ожидается UTF-8, Windows-1251 или KOI8-R."
    assert bad.value.errors == []


@pytest.fixture
def tenant(app, make_tenant):
    return make_tenant("vladimir", slug="vlad-reg")


@pytest.fixture
def officer(app, tenant, make_user, login_as):
    make_user("officer@vlad-reg.test", tenant=tenant, role="officer")
    login_as("officer@vlad-reg.test")


def test_classifier_command_and_page(app, client, tenant, officer, tmp_path):
    path = tmp_path / "classifier.csv"
    path.write_text("0001.0001.0001.0001;Конституционный строй\n0002.0007.0073.0510;Выплаты\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["classifier", "load", "--tenant", "vlad-reg", str(path)])
    assert result.exit_code == 0 and "loaded 2 codes" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("0001;x\n")
    assert app.test_cli_runner().invoke(args=["classifier", "load", "--tenant", "vlad-reg", str(bad)]).exit_code == 1
    html = client.get("/vlad-reg/office/appeals/classifier").get_data(as_text=True)
    assert "Загружено кодов: 2" in html and "Социальная сфера" in html
    import io

    client.post("/vlad-reg/office/appeals/classifier", content_type="multipart/form-data",
                data={"file": (io.BytesIO("0003.0008.0086.0613;Зарплата\n".encode("cp1251")), "c.csv")})
    assert "Загружено кодов: 1" in client.get("/vlad-reg/office/appeals/classifier").get_data(as_text=True)
    refused = client.post("/vlad-reg/office/appeals/classifier", content_type="multipart/form-data", data={
        "file": (io.BytesIO("0003.0008.0086.0613;А\n0003.0008.0086.0613;Б\n12;В\n".encode()), "c.csv")})
    html = refused.get_data(as_text=True)
    assert "код повторяет одну из строк выше" in html and "неверный код: четыре или пять групп" in html
    assert "duplicate code" not in html and "Загружено кодов: 1" in html  # the loaded list is unchanged
    unreadable = client.post("/vlad-reg/office/appeals/classifier", content_type="multipart/form-data", data={
        "file": (io.BytesIO("0003.0008.0086.0613;Salaire, prime de fin d'année\n".encode("latin-1")), "c.csv")})
    html = unreadable.get_data(as_text=True)
    assert "Не удалось определить кодировку файла: ожидается UTF-8, Windows-1251 или KOI8-R." in html
    assert "строка None" not in html and "Загружено кодов: 1" in html
    # with a loaded list a known-section code outside it is refused on the form
    page = client.post("/vlad-reg/office/appeals/new", data={
        "external_id": "F-1", "kind": "appeal", "audience": "external", "channel": "website",
        "registered_on": "2025-03-03", "topic_code": "0002.0007.0073.0510", "client_type": "individual"})
    assert page.status_code == 200 and "Кода тематики нет в загруженном классификаторе" in page.get_data(as_text=True)


def test_register_answer_extend_redirect_on_the_office_pages(app, client, tenant, officer):
    r = client.post("/vlad-reg/office/appeals/new", data={
        "external_id": "F-1", "kind": "complaint", "audience": "external", "channel": "website",
        "received_on": "2025-03-01", "registered_on": "2025-03-03", "topic_code": "0002.0007.0073.0510",
        "reason": "Отказ в выплате", "client_type": "individual", "summary": "Коротко о сути"})
    assert r.status_code == 302, r.get_data(as_text=True)
    a = appeals(app, tenant)["F-1"]
    assert a.due_date == date(2025, 4, 2) and a.received_at is not None
    url = r.headers["Location"]
    dup = client.post("/vlad-reg/office/appeals/new", data={
        "external_id": "F-1", "kind": "complaint", "audience": "external", "channel": "website",
        "registered_on": "2025-03-03", "client_type": "individual"})
    assert "уже зарегистрировано" in dup.get_data(as_text=True)
    too_long = client.post(url, data={"action": "extend", "extend-days": "31", "extend-extension_reason": "x"})
    assert too_long.status_code == 200 and appeals(app, tenant)["F-1"].extended_days == 0
    client.post(url, data={"action": "extend", "extend-days": "30", "extend-extension_reason": "Запрос в ПФР"})
    a = appeals(app, tenant)["F-1"]
    assert (a.extended_days, a.due_date, a.extension_reason) == (30, date(2025, 5, 2), "Запрос в ПФР")
    early = client.post(url, data={"action": "answer", "answer-answered_on": "2025-03-02",
                                   "answer-outcome": "supported"})
    assert "не может быть раньше даты регистрации" in early.get_data(as_text=True)
    tomorrow = (datetime.now(ZoneInfo("Europe/Moscow")) + timedelta(days=1)).date().isoformat()
    future = client.post(url, data={"action": "answer", "answer-answered_on": tomorrow, "answer-outcome": "supported"})
    assert "Дата не может быть в будущем" in future.get_data(as_text=True)
    future = client.post(url, data={"action": "redirect", "redirect-redirected_on": tomorrow,
                                    "redirect-redirected_to": "Минздрав"})
    assert "Дата не может быть в будущем" in future.get_data(as_text=True)
    assert appeals(app, tenant)["F-1"].outcome == "pending"
    future = client.post("/vlad-reg/office/appeals/new", data={
        "external_id": "F-2", "kind": "complaint", "audience": "external", "channel": "website",
        "registered_on": tomorrow, "client_type": "individual"})
    assert "Дата не может быть в будущем" in future.get_data(as_text=True) and "F-2" not in appeals(app, tenant)
    client.post(url, data={"action": "answer", "answer-answered_on": "2025-04-20", "answer-outcome": "supported"})
    a = appeals(app, tenant)["F-1"]
    assert a.outcome == "supported"
    assert "Ответ дан в срок" in client.get(url).get_data(as_text=True)
    # an answered appeal takes no redirect (the form is not offered; a posted one changes nothing)
    late = client.post(url, data={"action": "redirect", "redirect-redirected_on": "2025-03-05",
                                  "redirect-redirected_to": "Министерство здравоохранения"})
    a = appeals(app, tenant)["F-1"]
    assert late.status_code == 302 and (a.outcome, a.redirected_to) == ("supported", "")
    r = client.post("/vlad-reg/office/appeals/new", data={
        "external_id": "F-3", "kind": "complaint", "audience": "external", "channel": "website",
        "registered_on": "2025-03-03", "client_type": "individual"})
    client.post(r.headers["Location"], data={"action": "redirect", "redirect-redirected_on": "2025-03-05",
                                             "redirect-redirected_to": "Министерство здравоохранения"})
    a = appeals(app, tenant)["F-3"]
    assert (a.outcome, a.redirected_to) == ("redirected", "Министерство здравоохранения")


def test_viewer_cannot_record(app, client, tenant, make_user, login_as):
    make_user("viewer@vlad-reg.test", tenant=tenant, role="viewer")
    with app.app_context():
        with tenant_scope(tenant_row(app, tenant)):
            reg = datetime(2025, 1, 10, 9, tzinfo=UTC)
            db.session.add(Appeal(external_id="V-1", kind="appeal", channel="website", registered_at=reg,
                                  due_date=deadlines.due_date_for(reg, MSK)))
            db.session.commit()
            appeal_id = db.session.execute(select(Appeal.id)).scalar_one()
    login_as("viewer@vlad-reg.test")
    assert client.get(f"/vlad-reg/office/appeals/{appeal_id}").status_code == 200
    assert client.post(f"/vlad-reg/office/appeals/{appeal_id}", data={"action": "answer"}).status_code == 403
    assert client.get("/vlad-reg/office/appeals/new").status_code == 403


def seed(app, tenant, n=120):
    today = datetime.now(MSK).date()
    with app.app_context(), tenant_scope(tenant_row(app, tenant)):
        for i in range(n):
            reg_day = today - timedelta(days=10 + i)
            reg = datetime.combine(reg_day, datetime.min.time().replace(hour=10), MSK).astimezone(UTC)
            answered = reg + timedelta(days=5) if i % 3 == 0 else None
            db.session.add(Appeal(
                external_id=f"L-{i:03d}", kind="complaint" if i % 2 else "appeal",
                channel="email" if i % 4 == 0 else "website", registered_at=reg, answered_at=answered,
                outcome="explained" if answered else "pending", due_date=deadlines.due_date_for(reg, MSK),
                topic_code="0005.0005.0056.1153" if i % 5 == 0 else "0002.0007.0073.0510"))
        db.session.commit()
    return today


def test_list_filters_and_pagination(app, client, tenant, officer, make_tenant):
    seed(app, tenant)
    seed(app, make_tenant("omsk", slug="omsk-home"), n=50)  # another authority's appeals: never listed or counted
    html = client.get("/vlad-reg/office/appeals/").get_data(as_text=True)
    assert "Найдено: 120" in html and "Страница 1 из 3" in html and "L-000" in html and "L-119" not in html
    assert "L-119" in client.get("/vlad-reg/office/appeals/?page=3").get_data(as_text=True)
    assert "Найдено: 30" in client.get("/vlad-reg/office/appeals/?channel=email").get_data(as_text=True)
    assert "Найдено: 60" in client.get("/vlad-reg/office/appeals/?kind=complaint").get_data(as_text=True)
    assert "Найдено: 24" in client.get("/vlad-reg/office/appeals/?topic=0005").get_data(as_text=True)
    assert "Найдено: 40" in client.get("/vlad-reg/office/appeals/?outcome=explained").get_data(as_text=True)
    # unanswered and registered more than 30 days ago: i >= 21 and i % 3 != 0
    expected = sum(1 for i in range(120) if i % 3 and 10 + i > 30)
    overdue = client.get("/vlad-reg/office/appeals/?overdue=1").get_data(as_text=True)
    assert f"Найдено: {expected}" in overdue and "Просрочено" in overdue
    filtered = client.get("/vlad-reg/office/appeals/?kind=complaint&page=2").get_data(as_text=True)
    assert "kind=complaint" in filtered  # the pager keeps the filters
    assert "Это не дата" in client.get("/vlad-reg/office/appeals/?from=31.02.2025").get_data(as_text=True)
    home = client.get("/vlad-reg/office/").get_data(as_text=True)
    assert "Обращения: сроки по 59-ФЗ" in home
    assert f'<strong id="overdue-count">{expected}</strong>' in home


def test_other_tenants_appeal_is_404(app, client, tenant, officer, make_tenant):
    other = make_tenant("omsk", slug="omsk-reg")
    with app.app_context(), tenant_scope(tenant_row(app, other)):
        reg = datetime(2025, 1, 10, 9, tzinfo=UTC)
        db.session.add(Appeal(external_id="O-1", kind="appeal", channel="website", registered_at=reg,
                              due_date=deadlines.due_date_for(reg, MSK)))
        db.session.commit()
        other_id = db.session.execute(select(Appeal.id)).scalar_one()
    assert client.get(f"/vlad-reg/office/appeals/{other_id}").status_code == 404
    assert client.get("/omsk-reg/office/appeals/").status_code == 404
